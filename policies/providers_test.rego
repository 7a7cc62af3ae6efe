package cloudops.policy.providers_test

import data.cloudops.policy.providers
import rego.v1

_inp(target, provider, config) := {
	"project": {"target": target},
	"plan": {
		"resource_changes": [{"address": "x.y", "type": "x", "provider_name": provider, "change": {"actions": ["create"], "before": null, "after": {}}}],
		"configuration": config,
	},
}

_exec := {"root_module": {"module_calls": {"net": {"module": {"resources": [
	{"address": "null_resource.hook", "mode": "managed", "type": "null_resource", "provisioners": [{"type": "local-exec"}]},
	{"address": "data.external.ip", "mode": "data", "type": "external", "provisioners": []},
]}}}}}

test_hashicorp_cloud_providers_pass if {
	count(providers.unknown_sources(_inp("gcp", "registry.terraform.io/hashicorp/google", {}))) == 0
	count(providers.unknown_sources(_inp("aws", "aws", {}))) == 0
}

test_an_unknown_provider_source_is_denied if {
	found := providers.unknown_sources(_inp("gcp", "registry.terraform.io/evil/google", {}))
	contains(found[0].msg, "evil/google is not allowed")
}

test_a_configured_provider_is_checked_too if {
	config := {"provider_config": {"shell": {"name": "shell", "full_name": "registry.terraform.io/scottwinkler/shell"}}}
	count(providers.unknown_configured(_inp("gcp", "google", config))) == 1
}

test_local_exec_and_external_data_in_modules_are_denied_in_cloud_targets if {
	found := providers.code_on_controller(_inp("aws", "aws", _exec))
	[v.resource | some v in found] == ["null_resource.hook", "data.external.ip"]
}

test_the_local_target_may_use_local_exec if {
	count(providers.code_on_controller(_inp("local", "null", _exec))) == 0
}
