# A VM or Kubernetes cluster may use only a network (and its subnets) that
# the project still has after the change: one already in the repo, or one
# the same pull request creates. A misspelled network, or one removed while
# something still uses it, is denied: the plan would otherwise "pass" with a
# reference to nothing. The chat checks the same before it opens a PR; this
# judges every PR, hand-written ones too.
#
# The local target names its network in triggers (input.references and
# input.networks, computed from every resource of the plan, unchanged ones
# included). Cloud targets reference a network by a terraform expression,
# which terraform itself refuses when it names an undeclared resource.
# input.networks is null when it is not known (a pre-flight of chat
# resources alone): then this policy says nothing.
# cloudops: facts
package cloudops.policy.references

import rego.v1

deny := violations(input)

violations(inp) := array.concat(missing_networks(inp), missing_subnets(inp)) if inp.networks != null
else := []

_known(networks) := concat(", ", sort(object.keys(networks))) if count(networks) > 0
else := "none"

missing_networks(inp) := [v |
	known := _known(inp.networks)
	some r in inp.references
	not inp.networks[r.network]
	msg := concat("", [
		r.kind, " ", r.address, " uses network ", r.network,
		", which the project does not have after this change (its networks: ", known, ")",
	])
	v := {"msg": msg, "resource": r.address, "policy": "references"}
]

missing_subnets(inp) := [v |
	some r in inp.references
	subnets := inp.networks[r.network]
	some s in r.subnets
	not s in subnets
	listed := concat(", ", subnets)
	msg := concat("", [
		r.kind, " ", r.address, " uses subnet ", s, " of network ", r.network,
		", which has no such subnet (its subnets: ", _or_none(listed), ")",
	])
	v := {"msg": msg, "resource": r.address, "policy": "references"}
]

_or_none(text) := text if text != ""
else := "none"
