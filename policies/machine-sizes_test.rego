package cloudops.policy.machine_sizes_test

import data.cloudops.policy.machine_sizes
import rego.v1

_catalog := {"kinds": {"google_compute_instance": "vm"}, "machine_types": {
	"e2-small": {"class": "small"}, "e2-medium": {"class": "medium"}, "e2-standard-8": {"class": "xlarge"},
}}

_inp(role, mt) := {
	"actor": {"role": role},
	"catalog": _catalog,
	"plan": {"resource_changes": [{"address": "google_compute_instance.web", "type": "google_compute_instance", "change": {"actions": ["create"], "before": null, "after": {"machine_type": mt}}}]},
}

test_a_user_may_create_a_medium_machine if {
	count(machine_sizes.violations(_inp("user", "e2-medium"))) == 0
}

test_a_user_may_not_create_an_xlarge_machine if {
	found := machine_sizes.violations(_inp("user", "e2-standard-8"))
	count(found) == 1
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

test_local_node_size_is_read_from_triggers if {
	inp := {"actor": {"role": "user"}, "catalog": {"kinds": {}, "machine_types": {"xlarge": {"class": "xlarge"}}},
		"plan": {"resource_changes": [{"address": "null_resource.cluster_k", "type": "null_resource", "change": {"actions": ["create"], "before": null, "after": {"triggers": {"cloudops_kind": "cluster", "node_size": "xlarge"}}}}]}}
	count(machine_sizes.violations(inp)) == 1
}
