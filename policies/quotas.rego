# Resources per kind stay within the project's quota: what the repo holds
# (input.usage, read from the default branch) + creates - deletes.
# Each create past the quota is denied by name.
package cloudops.policy.quotas

import data.cloudops.lib
import rego.v1

deny := violations(input)

used(inp, kind) := object.get(inp, ["usage", kind, "count"], 0)

violations(inp) := [v |
	some kind
	quota := inp.project.quotas[kind]
	creates := sort([rc.address | some rc in lib.changes(inp); lib.action(rc) == "create"; lib.kind_of(rc, inp) == kind])
	deletes := count([rc | some rc in lib.changes(inp); lib.action(rc) == "delete"; lib.kind_of(rc, inp) == kind])
	base := used(inp, kind) - deletes
	some i
	address := creates[i]
	base + i + 1 > quota
	msg := concat("", [address, " would be ", kind, " number ", lib.num(base + i + 1), " in project ", inp.project.name, "; the quota is ", lib.num(quota), " (", lib.num(used(inp, kind)), " in the repo, ", lib.num(deletes), " deleted here)"])
	v := lib.violation("quotas", address, msg)
]
