package cloudops.policy.references_test

import data.cloudops.policy.references
import rego.v1

_vm(network, subnets) := {"address": "null_resource.vm_api", "kind": "vm", "action": "create", "network": network,
	"subnets": subnets}

test_a_vm_on_a_network_of_the_project_passes if {
	count(references.violations({"networks": {"main": ["app"]}, "references": [_vm("main", ["app"])]})) == 0
}

test_a_vm_on_a_missing_network_is_denied_and_named if {
	found := references.violations({"networks": {"main": []}, "references": [_vm("mian", [])]})
	count(found) == 1
	found[0].resource == "null_resource.vm_api"
	found[0].msg == "vm null_resource.vm_api uses network mian, which the project does not have after this change (its networks: main)"
}

test_a_missing_subnet_is_denied if {
	found := references.violations({"networks": {"main": ["app"]}, "references": [_vm("main", ["data"])]})
	count(found) == 1
	contains(found[0].msg, "uses subnet data of network main, which has no such subnet (its subnets: app)")
}

test_with_no_network_at_all_it_says_none if {
	found := references.violations({"networks": {}, "references": [_vm("main", [])]})
	contains(found[0].msg, "(its networks: none)")
}

test_unknown_networks_judge_nothing if {
	count(references.violations({"networks": null, "references": [_vm("ghost", [])]})) == 0
}
