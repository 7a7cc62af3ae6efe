package cloudops.policy.security_encryption_test

import data.cloudops.policy.security_encryption as enc
import rego.v1

_inp(type, after, unknown) := {"changes": [{"type": type, "action": "create", "after": after, "unknown": unknown, "addresses": [concat(".", [type, "x"])]}]}

_ids(inp) := {f.id | some f in enc.findings(inp)}

test_unencrypted_ebs_and_rds_are_high if {
	_ids(_inp("aws_ebs_volume", {"encrypted": false}, [])) == {"ENC-001"}
	_ids(_inp("aws_db_instance", {"storage_encrypted": false}, [])) == {"ENC-002"}
	_ids(_inp("aws_instance", {"root_block_device": [{"encrypted": false}]}, [])) == {"ENC-001"}
}

test_encrypted_passes if {
	count(enc.findings(_inp("aws_ebs_volume", {"encrypted": true}, []))) == 0
	count(enc.findings(_inp("aws_rds_cluster", {"storage_encrypted": true}, []))) == 0
}

test_unknown_encryption_is_said_to_be_unknown if {
	f := enc.findings(_inp("aws_ebs_volume", {}, ["encrypted"]))
	f[0].id == "ENC-000"
	f[0].severity == "unknown"
}

test_s3_without_encryption_config_warns_unless_configured_separately if {
	_ids(_inp("aws_s3_bucket", {"server_side_encryption_configuration": []}, [])) == {"ENC-003"}
	inp := {"changes": [
		{"type": "aws_s3_bucket", "action": "create", "after": {"server_side_encryption_configuration": []}, "unknown": [], "addresses": ["aws_s3_bucket.b"]},
		{"type": "aws_s3_bucket_server_side_encryption_configuration", "action": "create", "after": {}, "unknown": [], "addresses": ["aws_s3_bucket_server_side_encryption_configuration.b"]},
	]}
	count(enc.findings(inp)) == 0
}

test_azure_disk_and_tde if {
	_ids(_inp("azurerm_managed_disk", {"encryption_settings": [{"enabled": false}]}, [])) == {"ENC-004"}
	_ids(_inp("azurerm_mssql_database", {"transparent_data_encryption_enabled": false}, [])) == {"ENC-004"}
}
