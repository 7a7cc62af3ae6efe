package cloudops.policy.quotas_test

import data.cloudops.policy.quotas
import rego.v1

_vms(action, names) := {"type": "null_resource", "action": action, "kind": "vm", "addresses": [concat(".", ["null_resource", n]) | some n in names]}

_inp(used, changes) := {
	"project": {"name": "shop", "quotas": {"vm": 3}},
	"usage": {"vm": {"count": used, "exact": true}},
	"changes": changes,
}

test_creates_within_the_quota_pass if {
	count(quotas.violations(_inp(1, [_vms("create", ["a", "b"])]))) == 0
}

test_resources_already_in_the_repo_count if {
	found := quotas.violations(_inp(3, [_vms("create", ["a"])]))
	count(found) == 1
	found[0].resource == "null_resource.a"
	contains(found[0].msg, "vm number 4")
}

test_only_the_creates_past_the_quota_are_denied_in_address_order if {
	found := quotas.violations(_inp(2, [_vms("create", ["c", "a"]), _vms("create", ["b"])]))
	[v.resource | some v in found] == ["null_resource.b", "null_resource.c"]
	contains(found[1].msg, "vm number 5")
}

test_deletes_make_room if {
	count(quotas.violations(_inp(3, [_vms("delete", ["old"]), _vms("create", ["a"])]))) == 0
}

test_kinds_without_a_quota_are_unlimited if {
	inp := object.union(_inp(0, [_vms("create", ["a"])]), {"project": {"name": "shop", "quotas": {}}})
	count(quotas.violations(inp)) == 0
}
