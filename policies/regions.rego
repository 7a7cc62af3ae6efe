# Resources are created only in the regions the project allows
# (cloudops.yaml `region`; a zone counts as its region).
# cloudops: facts
package cloudops.policy.regions

import data.cloudops.lib
import rego.v1

deny := violations(input)

# c.region: region, location, zone or the provider block's region, lower case;
# null (or "") when the change names none: it is not judged then.
violations(inp) := lib.violations("regions", [{"msg": msg, "addresses": c.addresses} |
	some c in inp.changes
	c.action in lib.write_actions
	is_string(c.region)
	c.region != ""
	not c.region in inp.project.regions
	msg := concat("", [c.type, " is in region ", c.region, "; project ", inp.project.name, " allows only ", concat(", ", inp.project.regions)])
])
