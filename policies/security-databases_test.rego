package cloudops.policy.security_databases_test

import data.cloudops.policy.security_databases as db
import rego.v1

_inp(type, after) := {"changes": [{"type": type, "action": "create", "after": after, "unknown": [], "addresses": [concat(".", [type, "x"])]}]}

_ids(inp) := {f.id | some f in db.findings(inp)}

test_public_rds_is_critical if {
	_ids(_inp("aws_db_instance", {"publicly_accessible": true})) == {"DB-001"}
	count(db.findings(_inp("aws_db_instance", {"publicly_accessible": false}))) == 0
}

test_cloud_sql_open_to_the_world if {
	ip := {"ipv4_enabled": true, "authorized_networks": [{"name": "all", "value": "0.0.0.0/0"}]}
	_ids(_inp("google_sql_database_instance", {"settings": [{"ip_configuration": [ip]}]})) == {"DB-002"}
	_ids(_inp("google_sql_database_instance", {"settings": [{"ip_configuration": [{"ipv4_enabled": true, "authorized_networks": []}]}]})) == {"DB-003"}
	count(db.findings(_inp("google_sql_database_instance", {"settings": [{"ip_configuration": [{"ipv4_enabled": false}]}]}))) == 0
}

test_public_azure_postgres_server if {
	_ids(_inp("azurerm_postgresql_server", {"public_network_access_enabled": true})) == {"DB-004"}
	_ids(_inp("azurerm_postgresql_firewall_rule", {"start_ip_address": "0.0.0.0", "end_ip_address": "255.255.255.255"})) == {"DB-005"}
	count(db.findings(_inp("azurerm_postgresql_flexible_server", {"public_network_access_enabled": false}))) == 0
}
