# Network exposure: ingress open to the whole internet (0.0.0.0/0, ::/0, `*`,
# `Internet`) on AWS security groups and rules, Google firewalls and Azure
# network security groups and rules.
#   NET-001 critical  admin port (SSH 22, RDP 3389, Telnet 23, WinRM 5985-5986) open
#                     tfsec aws-ec2-no-public-ingress-sgr, google-compute-no-public-ingress,
#                     azure-network-ssh-blocked-from-internet / -disable-rdp-from-internet;
#                     checkov CKV_AWS_24, CKV_AWS_25, CKV_GCP_2, CKV_GCP_3, CKV_AZURE_10, CKV_AZURE_9
#   NET-002 critical  every port (protocol -1/all/`*`, or 0-65535) open
#                     tfsec aws-ec2-no-public-ingress-sgr, google-compute-no-public-ingress,
#                     azure-network-no-public-ingress; checkov CKV_AWS_277
#   NET-003 high      a database port (MySQL, PostgreSQL, SQL Server, Oracle, MongoDB, Redis,
#                     Elasticsearch) open; tfsec as NET-001; checkov CKV_AWS_24-family (none per port)
#   NET-004 medium    any other port open (a web server's 80/443 often is, on purpose)
#                     tfsec as above; checkov CKV_AWS_260, CKV_GCP_106, CKV_AZURE_160 (port 80)
# Egress, disabled rules, Deny rules and sources terraform knows only at apply
# time are not judged.
# cloudops: facts
# cloudops: after ingress cidr_blocks ipv6_cidr_blocks from_port to_port protocol type
# cloudops: after cidr_ipv4 cidr_ipv6 ip_protocol direction source_ranges allow disabled
# cloudops: after security_rule access source_address_prefix source_address_prefixes
# cloudops: after destination_port_range destination_port_ranges
package cloudops.policy.security_network

import data.cloudops.security
import rego.v1

deny := security.denies("security-network", findings(input))

warn := security.warnings("security-network", findings(input))

admin_rule := {"id": "NET-001", "severity": "critical", "fix": "allow the admin port only from a VPN, bastion or office range (or use IAP / SSM / Bastion instead)"}

all_rule := {"id": "NET-002", "severity": "critical", "fix": "open only the ports the service needs, to the sources that need them"}

database_rule := {"id": "NET-003", "severity": "high", "fix": "reach databases over a private network or from named ranges, never from the internet"}

other_rule := {"id": "NET-004", "severity": "medium", "fix": "if this port must face the internet, put a load balancer or WAF in front; else narrow the source range"}

admin_ports := {22: "SSH", 3389: "RDP", 23: "Telnet", 5985: "WinRM", 5986: "WinRM"}

database_ports := {3306: "MySQL", 5432: "PostgreSQL", 1433: "SQL Server", 1521: "Oracle", 27017: "MongoDB", 6379: "Redis", 9200: "Elasticsearch"}

findings(inp) := [f |
	some c in security.writes(inp, ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "google_compute_firewall", "azurerm_network_security_group", "azurerm_network_security_rule"])
	open := open_ingress(c)
	count(open) > 0
	some f in classify(c, open)
]

# One finding per rule id for a change, naming what is open.
classify(c, open) := array.concat(array.concat(
	[f | some r in open; r.all; f := security.finding(all_rule, c.addresses, concat("", ["allows every port from ", r.source]))],
	[f |
		not _any_all(open)
		hits := {concat("", [name, " (", format_int(port, 10), ") from ", r.source]) | some r in open; some port, name in admin_ports; r.lo <= port; port <= r.hi}
		count(hits) > 0
		f := security.finding(admin_rule, c.addresses, concat("", ["allows ", concat(", ", sort(hits))]))
	]), array.concat(
	[f |
		not _any_all(open)
		hits := {concat("", [name, " (", format_int(port, 10), ") from ", r.source]) | some r in open; some port, name in database_ports; r.lo <= port; port <= r.hi}
		count(hits) > 0
		f := security.finding(database_rule, c.addresses, concat("", ["allows ", concat(", ", sort(hits))]))
	],
	[f |
		not _any_all(open)
		rest := {concat("", [_ports(r), " from ", r.source]) | some r in open; not _special(r)}
		count(rest) > 0
		f := security.finding(other_rule, c.addresses, concat("", ["faces the internet: ", concat(", ", sort(rest))]))
	]))

_any_all(open) if {
	some r in open
	r.all
}

_special(r) if {
	some port, _ in admin_ports
	r.lo <= port
	port <= r.hi
}

_special(r) if {
	some port, _ in database_ports
	r.lo <= port
	port <= r.hi
}

_ports(r) := concat("", ["port ", format_int(r.lo, 10)]) if r.lo == r.hi
else := concat("", ["ports ", format_int(r.lo, 10), "-", format_int(r.hi, 10)])

# {lo, hi, all, source} of every ingress rule of the change open to the internet.
open_ingress(c) := _aws_group(c) if c.type == "aws_security_group"
else := _aws_rule(c) if c.type == "aws_security_group_rule"
else := _aws_vpc_rule(c) if c.type == "aws_vpc_security_group_ingress_rule"
else := _google(c) if c.type == "google_compute_firewall"
else := [r | some rule in object.get(c.after, "security_rule", []); some r in _azure(rule)] if c.type == "azurerm_network_security_group"
else := _azure(c.after)

_sources(v, keys) := [s | some key in keys; some s in security.as_list(object.get(v, key, [])); security.is_open(s)]

_aws_ports(v, protocol) := {"lo": 0, "hi": 65535, "all": true} if {
	lower(sprintf("%v", [protocol])) in ["-1", "all"]
} else := {"lo": lo, "hi": hi, "all": _whole(lo, hi)} if {
	lo := object.get(v, "from_port", 0)
	hi := object.get(v, "to_port", 65535)
	is_number(lo)
	is_number(hi)
}

_whole(lo, hi) := true if {
	lo <= 0
	hi >= 65535
} else := false

_rule(ports, source) := object.union(ports, {"source": source})

_aws_group(c) := [r |
	some rule in object.get(c.after, "ingress", [])
	some source in _sources(rule, ["cidr_blocks", "ipv6_cidr_blocks"])
	r := _rule(_aws_ports(rule, object.get(rule, "protocol", "-1")), source)
]

_aws_rule(c) := [r |
	c.after.type == "ingress"
	some source in _sources(c.after, ["cidr_blocks", "ipv6_cidr_blocks"])
	r := _rule(_aws_ports(c.after, object.get(c.after, "protocol", "-1")), source)
]

_aws_vpc_rule(c) := [r |
	some source in _sources(c.after, ["cidr_ipv4", "cidr_ipv6"])
	r := _rule(_aws_ports(c.after, object.get(c.after, "ip_protocol", "-1")), source)
]

# direction defaults to INGRESS; `allow` blocks without ports allow every port of the protocol.
_google(c) := [r |
	upper(object.get(c.after, "direction", "INGRESS")) == "INGRESS"
	object.get(c.after, "disabled", false) != true
	some source in _sources(c.after, ["source_ranges"])
	some allowed in object.get(c.after, "allow", [])
	some ports in _google_ports(allowed)
	r := _rule(ports, source)
]

_google_ports(allowed) := [{"lo": 0, "hi": 65535, "all": true}] if lower(object.get(allowed, "protocol", "all")) == "all"
else := [{"lo": 0, "hi": 65535, "all": true}] if count(object.get(allowed, "ports", [])) == 0
else := [_range(p) | some p in allowed.ports]

_azure(rule) := [r |
	lower(object.get(rule, "direction", "")) == "inbound"
	lower(object.get(rule, "access", "")) == "allow"
	some source in _sources(rule, ["source_address_prefix", "source_address_prefixes"])
	some ports in _azure_ports(rule)
	r := _rule(ports, source)
]

_azure_ports(rule) := [_range(p) |
	some p in array.concat(security.as_list(object.get(rule, "destination_port_range", [])), security.as_list(object.get(rule, "destination_port_ranges", [])))
	p != ""
]

# "22", "1000-2000" or "*" (and 0-65535) as {lo, hi, all}.
_range(p) := {"lo": 0, "hi": 65535, "all": true} if {
	is_string(p)
	trim_space(p) == "*"
} else := {"lo": lo, "hi": hi, "all": _whole(lo, hi)} if {
	is_string(p)
	parts := split(trim_space(p), "-")
	count(parts) == 2
	lo := to_number(parts[0])
	hi := to_number(parts[1])
} else := {"lo": n, "hi": n, "all": false} if {
	n := to_number(p)
}
