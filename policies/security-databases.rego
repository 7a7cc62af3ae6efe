# Databases reachable from the internet.
#   DB-001 critical  RDS / Neptune / DocumentDB instance with publicly_accessible = true
#                    tfsec aws-rds-no-public-db-access; checkov CKV_AWS_17
#   DB-002 critical  Cloud SQL with a public IP and an authorized network 0.0.0.0/0
#                    tfsec google-sql-no-public-access; checkov CKV_GCP_11
#   DB-003 medium    Cloud SQL with a public IP (ipv4_enabled) and no open network; checkov CKV_GCP_60
#   DB-004 high      Azure PostgreSQL / MySQL / SQL Server with public_network_access_enabled = true
#                    tfsec azure-database-no-public-access; checkov CKV_AZURE_68, CKV_AZURE_53, CKV_AZURE_113
#   DB-005 critical  Azure database firewall rule open to every address (0.0.0.0 - 255.255.255.255)
#                    tfsec azure-database-no-public-firewall-access
# cloudops: facts
# cloudops: after publicly_accessible settings public_network_access_enabled start_ip_address end_ip_address
package cloudops.policy.security_databases

import data.cloudops.security
import rego.v1

deny := security.denies("security-databases", findings(input))

warn := security.warnings("security-databases", findings(input))

public_rule := {"id": "DB-001", "severity": "critical", "fix": "set publicly_accessible = false and reach the database from inside the VPC"}

sql_open_rule := {"id": "DB-002", "severity": "critical", "fix": "remove 0.0.0.0/0 from authorized_networks; use private IP or the Cloud SQL Auth Proxy"}

sql_ip_rule := {"id": "DB-003", "severity": "medium", "fix": "set ipv4_enabled = false and use a private IP"}

azure_rule := {"id": "DB-004", "severity": "high", "fix": "set public_network_access_enabled = false and use a private endpoint"}

firewall_rule := {"id": "DB-005", "severity": "critical", "fix": "allow only the addresses that need the database"}

_aws := ["aws_db_instance", "aws_rds_cluster_instance", "aws_neptune_cluster_instance", "aws_docdb_cluster_instance"]

_azure := ["azurerm_postgresql_server", "azurerm_postgresql_flexible_server", "azurerm_mysql_server", "azurerm_mysql_flexible_server", "azurerm_mssql_server", "azurerm_sql_server", "azurerm_mariadb_server"]

_azure_firewall := ["azurerm_postgresql_firewall_rule", "azurerm_postgresql_flexible_server_firewall_rule", "azurerm_mysql_firewall_rule", "azurerm_mysql_flexible_server_firewall_rule", "azurerm_mssql_firewall_rule", "azurerm_sql_firewall_rule", "azurerm_mariadb_firewall_rule"]

findings(inp) := array.concat(array.concat(aws(inp), google(inp)), array.concat(azure(inp), azure_firewall(inp)))

aws(inp) := [f |
	some c in security.writes(inp, _aws)
	c.after.publicly_accessible == true
	f := security.finding(public_rule, c.addresses, "database is publicly accessible (publicly_accessible = true)")
]

google(inp) := [f |
	some c in security.writes(inp, ["google_sql_database_instance"])
	some settings in object.get(c.after, "settings", [])
	some ip in object.get(settings, "ip_configuration", [])
	ip.ipv4_enabled == true
	open := [n.value | some n in object.get(ip, "authorized_networks", []); security.is_open(n.value)]
	f := _google_finding(c.addresses, open)
]

_google_finding(addresses, open) := security.finding(sql_open_rule, addresses, concat("", ["public IP open to ", concat(", ", open)])) if count(open) > 0
else := security.finding(sql_ip_rule, addresses, "has a public IP (ipv4_enabled = true)")

azure(inp) := [f |
	some c in security.writes(inp, _azure)
	c.after.public_network_access_enabled == true
	f := security.finding(azure_rule, c.addresses, "database server accepts connections from public networks (public_network_access_enabled = true)")
]

azure_firewall(inp) := [f |
	some c in security.writes(inp, _azure_firewall)
	c.after.start_ip_address == "0.0.0.0"
	c.after.end_ip_address == "255.255.255.255"
	f := security.finding(firewall_rule, c.addresses, "firewall rule allows every address (0.0.0.0 - 255.255.255.255)")
]
