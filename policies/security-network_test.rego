package cloudops.policy.security_network_test

import data.cloudops.policy.security_network as net
import rego.v1

_inp(type, after) := {"changes": [{"type": type, "action": "create", "after": after, "unknown": [], "addresses": [concat(".", [type, "x"])]}]}

_ids(inp) := {f.id | some f in net.findings(inp)}

test_aws_ssh_from_anywhere_is_critical if {
	inp := _inp("aws_security_group", {"ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp"}]})
	_ids(inp) == {"NET-001"}
	f := net.findings(inp)[0]
	f.severity == "critical"
	f.msg == "allows SSH (22) from 0.0.0.0/0"
}

test_aws_all_protocols_is_every_port if {
	_ids(_inp("aws_security_group_rule", {"type": "ingress", "cidr_blocks": ["0.0.0.0/0"], "from_port": 0, "to_port": 0, "protocol": "-1"})) == {"NET-002"}
	_ids(_inp("aws_vpc_security_group_ingress_rule", {"cidr_ipv6": "::/0", "ip_protocol": "-1", "from_port": null, "to_port": null})) == {"NET-002"}
}

test_aws_web_and_database_ports if {
	_ids(_inp("aws_vpc_security_group_ingress_rule", {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "tcp", "from_port": 8080, "to_port": 8080})) == {"NET-004"}
	_ids(_inp("aws_security_group_rule", {"type": "ingress", "cidr_blocks": ["0.0.0.0/0"], "from_port": 5432, "to_port": 5432, "protocol": "tcp"})) == {"NET-003"}
}

test_aws_private_ranges_and_egress_pass if {
	count(net.findings(_inp("aws_security_group_rule", {"type": "ingress", "cidr_blocks": ["10.0.0.0/8"], "from_port": 22, "to_port": 22, "protocol": "tcp"}))) == 0
	count(net.findings(_inp("aws_security_group_rule", {"type": "egress", "cidr_blocks": ["0.0.0.0/0"], "from_port": 0, "to_port": 0, "protocol": "-1"}))) == 0
	count(net.findings(_inp("aws_security_group", {"ingress": [{"cidr_blocks": [], "from_port": 22, "to_port": 22, "protocol": "tcp"}]}))) == 0
}

test_google_firewall_rdp_and_port_ranges if {
	_ids(_inp("google_compute_firewall", {"direction": "INGRESS", "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["3000-3400"]}]})) == {"NET-001", "NET-003"}
	_ids(_inp("google_compute_firewall", {"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": []}]})) == {"NET-002"}
	_ids(_inp("google_compute_firewall", {"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "all"}]})) == {"NET-002"}
	_ids(_inp("google_compute_firewall", {"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["80", "443"]}]})) == {"NET-004"}
}

test_google_egress_and_disabled_pass if {
	count(net.findings(_inp("google_compute_firewall", {"direction": "EGRESS", "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "all"}]}))) == 0
	count(net.findings(_inp("google_compute_firewall", {"disabled": true, "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "all"}]}))) == 0
}

_azure_rule(port, source, access) := {"direction": "Inbound", "access": access, "protocol": "Tcp", "source_address_prefix": source, "destination_port_range": port, "destination_port_ranges": []}

test_azure_ssh_and_rdp_from_star_are_critical if {
	_ids(_inp("azurerm_network_security_rule", _azure_rule("22", "*", "Allow"))) == {"NET-001"}
	f := net.findings(_inp("azurerm_network_security_group", {"security_rule": [_azure_rule("3389", "Internet", "Allow"), _azure_rule("22", "*", "Allow")]}))
	count(f) == 1
	f[0].msg == "allows RDP (3389) from Internet, SSH (22) from *"
	_ids(_inp("azurerm_network_security_rule", _azure_rule("*", "*", "Allow"))) == {"NET-002"}
}

test_azure_deny_rules_and_named_sources_pass if {
	count(net.findings(_inp("azurerm_network_security_rule", _azure_rule("3389", "*", "Deny")))) == 0
	count(net.findings(_inp("azurerm_network_security_rule", _azure_rule("22", "10.1.0.0/16", "Allow")))) == 0
}
