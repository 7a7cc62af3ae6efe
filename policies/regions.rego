# Resources are created only in the regions the project allows
# (cloudops.yaml `region`; a zone counts as its region).
package cloudops.policy.regions

import data.cloudops.lib
import rego.v1

deny := violations(input)

violations(inp) := [v |
	some rc in lib.changes(inp)
	lib.writes(rc)
	region := lib.region_of(rc, inp)
	not region in inp.project.regions
	msg := concat("", [rc.type, " is in region ", region, "; project ", inp.project.name, " allows only ", concat(", ", inp.project.regions)])
	v := lib.violation("regions", rc.address, msg)
]
