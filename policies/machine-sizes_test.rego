package cloudops.policy.machine_sizes_test

import data.cloudops.policy.machine_sizes
import rego.v1

_catalog := {"machine_types": {
	"e2-small": {"class": "small"}, "e2-medium": {"class": "medium"}, "e2-standard-8": {"class": "xlarge"},
}}

_change(type, kind, mts, before) := {"type": type, "action": "create", "kind": kind, "machine_types": mts, "machine_types_before": before, "addresses": [concat(".", [type, "web"])]}

_inp(role, mt) := {
	"actor": {"role": role},
	"catalog": _catalog,
	"changes": [_change("google_compute_instance", "vm", [mt], [])],
}

test_a_user_may_create_a_medium_machine if {
	count(machine_sizes.violations(_inp("user", "e2-medium"))) == 0
}

test_a_user_may_not_create_an_xlarge_machine if {
	found := machine_sizes.violations(_inp("user", "e2-standard-8"))
	count(found) == 1
	found[0].resource == "google_compute_instance.web"
	contains(found[0].msg, "up to medium")
}

test_a_viewer_may_not_create_any_machine if {
	count(machine_sizes.violations(_inp("viewer", "e2-small"))) == 1
}

test_an_admin_may_create_any_machine if {
	count(machine_sizes.violations(_inp("admin", "e2-standard-8"))) == 0
	count(machine_sizes.violations(_inp("admin", "m9-unknown"))) == 0
}

test_an_unknown_machine_type_is_admins_only if {
	count(machine_sizes.violations(_inp("user", "m9-unknown"))) == 1
}

test_an_unchanged_size_is_not_judged_again if {
	inp := object.union(_inp("user", "e2-standard-8"), {"changes": [_change("google_compute_instance", "vm", ["e2-standard-8"], ["e2-standard-8"])]})
	count(machine_sizes.violations(inp)) == 0
}

test_node_pools_and_local_clusters_are_sized if {
	pool := {"actor": {"role": "user"}, "catalog": _catalog, "changes": [_change("google_container_node_pool", null, ["e2-standard-8"], [])]}
	count(machine_sizes.violations(pool)) == 1
	local := {"actor": {"role": "user"}, "catalog": {"machine_types": {"xlarge": {"class": "xlarge"}}}, "changes": [_change("null_resource", "cluster", ["xlarge"], [])]}
	count(machine_sizes.violations(local)) == 1
	net := {"actor": {"role": "user"}, "catalog": _catalog, "changes": [_change("google_compute_network", "network", ["e2-standard-8"], [])]}
	count(machine_sizes.violations(net)) == 0
}
