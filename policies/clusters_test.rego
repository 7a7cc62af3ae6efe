package cloudops.policy.clusters_test

import data.cloudops.policy.clusters
import rego.v1

_inp(role, type) := {
	"actor": {"role": role},
	"catalog": {"kinds": {"google_container_cluster": "cluster"}},
	"plan": {"resource_changes": [{"address": concat(".", [type, "k"]), "type": type, "change": {"actions": ["create"], "before": null, "after": {}}}]},
}

test_a_user_may_not_create_a_cluster if {
	count(clusters.violations(_inp("user", "google_container_cluster"))) == 1
	count(clusters.violations(_inp("user", "aws_eks_node_group"))) == 1
}

test_an_admin_may_create_a_cluster if {
	count(clusters.violations(_inp("admin", "google_container_cluster"))) == 0
}

test_other_resources_are_not_clusters if {
	count(clusters.violations(_inp("user", "google_compute_instance"))) == 0
}
