package cloudops.policy.quotas_test

import data.cloudops.policy.quotas
import rego.v1

_vm(name, action) := {"address": concat(".", ["null_resource", name]), "type": "null_resource", "change": {"actions": [action], "before": null, "after": {"triggers": {"cloudops_kind": "vm"}}}}

_inp(used, changes) := {
	"project": {"name": "shop", "quotas": {"vm": 3}},
	"usage": {"vm": {"count": used, "exact": true}},
	"catalog": {"kinds": {}},
	"plan": {"resource_changes": changes},
}

test_creates_within_the_quota_pass if {
	count(quotas.violations(_inp(1, [_vm("a", "create"), _vm("b", "create")]))) == 0
}

test_resources_already_in_the_repo_count if {
	found := quotas.violations(_inp(3, [_vm("a", "create")]))
	count(found) == 1
	found[0].resource == "null_resource.a"
	contains(found[0].msg, "vm number 4")
}

test_only_the_creates_past_the_quota_are_denied if {
	found := quotas.violations(_inp(2, [_vm("a", "create"), _vm("b", "create"), _vm("c", "create")]))
	[v.resource | some v in found] == ["null_resource.b", "null_resource.c"]
}

test_deletes_make_room if {
	delete := {"address": "null_resource.old", "type": "null_resource", "change": {"actions": ["delete"], "before": {"triggers": {"cloudops_kind": "vm"}}, "after": null}}
	count(quotas.violations(_inp(3, [delete, _vm("a", "create")]))) == 0
}

test_kinds_without_a_quota_are_unlimited if {
	inp := object.union(_inp(0, [_vm("a", "create")]), {"project": {"name": "shop", "quotas": {}}})
	count(quotas.violations(inp)) == 0
}
