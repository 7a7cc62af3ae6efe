package cloudops.policy.regions_test

import data.cloudops.policy.regions
import rego.v1

_inp(action, region) := {
	"project": {"name": "shop", "regions": ["us-central1"]},
	"changes": [{"type": "google_compute_instance", "action": action, "region": region, "addresses": ["google_compute_instance.web"]}],
}

test_the_project_region_passes if {
	count(regions.violations(_inp("create", "us-central1"))) == 0
}

test_another_region_is_denied if {
	found := regions.violations(_inp("create", "europe-west1"))
	count(found) == 1
	found[0].resource == "google_compute_instance.web"
	contains(found[0].msg, "europe-west1")
}

test_a_change_without_a_region_is_not_judged if {
	count(regions.violations(_inp("create", null))) == 0
}

test_a_delete_is_not_judged_by_region if {
	count(regions.violations(_inp("delete", "asia-east1"))) == 0
}

test_an_empty_location_is_not_judged if {
	count(regions.violations(_inp("create", ""))) == 0
}
