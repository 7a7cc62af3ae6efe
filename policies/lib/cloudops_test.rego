package cloudops.lib_test

import data.cloudops.lib
import rego.v1

test_zone_and_location_regions if {
	lib.zone_region("us-central1-a") == "us-central1"
	lib.zone_region("us-east-1a") == "us-east-1"
	lib.location_region("West Europe") == "westeurope"
	lib.location_region("US-CENTRAL1") == "us-central1"
	lib.location_region("europe-west1-b") == "europe-west1"
}

test_region_falls_back_to_the_provider_block if {
	rc := {"provider_name": "registry.terraform.io/hashicorp/aws", "change": {"actions": ["create"], "after": {"ami": "x"}}}
	lib.region_of(rc, {"provider_regions": {"aws": "eu-west-1"}}) == "eu-west-1"
}

test_local_labels_come_from_triggers if {
	labels := lib.labels({"triggers": {"cloudops_kind": "vm", "managed_by": "cloudops", "requested_by": "bob", "project": "p", "label_team": "web"}})
	labels == {"managed-by": "cloudops", "requested-by": "bob", "project": "p", "team": "web"}
}

test_replace_is_one_action if {
	lib.action({"change": {"actions": ["delete", "create"]}}) == "replace"
	lib.action({"change": {"actions": ["create"]}}) == "create"
}

test_old_provider_names_get_the_registry_prefix if {
	lib.provider_source("aws") == "registry.terraform.io/hashicorp/aws"
	lib.provider_type("registry.terraform.io/hashicorp/aws") == "aws"
}
