# Resources per kind stay within the project's quota: what the repo holds
# (input.usage, read from the default branch) + creates - deletes.
# Each create past the quota is denied by name (creates numbered in address order).
# cloudops: facts
package cloudops.policy.quotas

import data.cloudops.lib
import rego.v1

deny := violations(input)

used(inp, kind) := object.get(inp, ["usage", kind, "count"], 0)

# How many resources of `kind` the plan creates (or deletes): counted per
# distinct change, without visiting addresses.
changed(inp, action, kind) := sum([count(c.addresses) | some c in inp.changes; c.action == action; c.kind == kind])

# Kinds whose creates go past the quota, judged before any address is read.
over(inp) := [{"kind": kind, "quota": quota, "base": base, "deletes": deletes} |
	some kind
	quota := inp.project.quotas[kind]
	deletes := changed(inp, "delete", kind)
	base := used(inp, kind) - deletes
	base + changed(inp, "create", kind) > quota
]

violations(inp) := [v |
	some o in over(inp)
	creates := sort([address | some c in inp.changes; c.action == "create"; c.kind == o.kind; some address in c.addresses])

	# create number i (from 0) is resource number base + i + 1: past the quota from i = quota - base
	first := max([0, o.quota - o.base])
	past := array.slice(creates, first, count(creates))
	some i
	address := past[i]
	number := (o.base + first) + i + 1
	msg := concat("", [address, " would be ", o.kind, " number ", lib.num(number), " in project ", inp.project.name, "; the quota is ", lib.num(o.quota), " (", lib.num(used(inp, o.kind)), " in the repo, ", lib.num(o.deletes), " deleted here)"])
	v := lib.violation("quotas", address, msg)
]
