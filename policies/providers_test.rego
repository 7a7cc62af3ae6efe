package cloudops.policy.providers_test

import data.cloudops.policy.providers
import rego.v1

_inp(target, provider, config, blocks) := {
	"project": {"target": target},
	"changes": [{"type": "x", "action": "create", "provider": provider, "addresses": ["x.y"]}],
	"provider_config": config,
	"blocks": blocks,
}

_exec := [
	{"mode": "managed", "type": "null_resource", "provisioners": ["local-exec"], "addresses": ["null_resource.hook"]},
	{"mode": "data", "type": "external", "provisioners": [], "addresses": ["data.external.ip"]},
	{"mode": "managed", "type": "null_resource", "provisioners": ["remote-exec"], "addresses": ["null_resource.ssh"]},
]

test_hashicorp_cloud_providers_pass if {
	count(providers.unknown_sources(_inp("gcp", "registry.terraform.io/hashicorp/google", {}, []))) == 0
	count(providers.unknown_sources(_inp("aws", "aws", {}, []))) == 0
}

test_an_unknown_provider_source_is_denied if {
	found := providers.unknown_sources(_inp("gcp", "registry.terraform.io/evil/google", {}, []))
	contains(found[0].msg, "evil/google is not allowed")
	found[0].resource == "x.y"
}

test_a_configured_provider_is_checked_too if {
	config := {"shell": {"name": "shell", "full_name": "registry.terraform.io/scottwinkler/shell"}}
	count(providers.unknown_configured(_inp("gcp", "google", config, []))) == 1
}

test_local_exec_and_external_data_are_denied_in_cloud_targets if {
	found := providers.code_on_controller(_inp("aws", "aws", {}, _exec))
	[v.resource | some v in found] == ["null_resource.hook", "data.external.ip"]
}

test_the_local_target_may_use_local_exec if {
	count(providers.code_on_controller(_inp("local", "null", {}, _exec))) == 0
}
