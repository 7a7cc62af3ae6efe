package cloudops.policy.clusters_test

import data.cloudops.policy.clusters
import rego.v1

_inp(role, type, kind) := {
	"actor": {"role": role},
	"changes": [{"type": type, "action": "create", "kind": kind, "addresses": [concat(".", [type, "k"])]}],
}

test_a_user_may_not_create_a_cluster if {
	found := clusters.violations(_inp("user", "google_container_cluster", "cluster"))
	count(found) == 1
	found[0].resource == "google_container_cluster.k"
	count(clusters.violations(_inp("user", "aws_eks_node_group", null))) == 1
}

test_an_admin_may_create_a_cluster if {
	count(clusters.violations(_inp("admin", "google_container_cluster", "cluster"))) == 0
}

test_other_resources_are_not_clusters if {
	count(clusters.violations(_inp("user", "google_compute_instance", "vm"))) == 0
}

test_every_address_of_a_change_is_denied if {
	inp := {"actor": {"role": "user"}, "changes": [{"type": "google_container_cluster", "action": "update", "kind": "cluster", "addresses": ["a.k", "b.k"]}]}
	[v.resource | some v in clusters.violations(inp)] == ["a.k", "b.k"]
}
