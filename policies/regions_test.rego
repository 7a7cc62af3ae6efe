package cloudops.policy.regions_test

import data.cloudops.policy.regions
import rego.v1

_inp(after) := {
	"project": {"name": "shop", "regions": ["us-central1"]},
	"provider_regions": {},
	"plan": {"resource_changes": [{"address": "google_compute_instance.web", "type": "google_compute_instance", "provider_name": "registry.terraform.io/hashicorp/google", "change": {"actions": ["create"], "before": null, "after": after}}]},
}

test_a_zone_of_the_project_region_passes if {
	count(regions.violations(_inp({"zone": "us-central1-a"}))) == 0
}

test_another_region_is_denied if {
	found := regions.violations(_inp({"zone": "europe-west1-b"}))
	count(found) == 1
	found[0].resource == "google_compute_instance.web"
	contains(found[0].msg, "europe-west1")
}

test_a_delete_is_not_judged_by_region if {
	inp := object.union(_inp({}), {"plan": {"resource_changes": [{"address": "a.b", "type": "google_compute_instance", "provider_name": "google", "change": {"actions": ["delete"], "before": {"zone": "asia-east1-a"}, "after": null}}]}})
	count(regions.violations(inp)) == 0
}
