# Encryption at rest: disks, volumes, databases and buckets that store data in clear.
#   ENC-001 high    EBS volume / instance block device with encrypted = false
#                   tfsec aws-ebs-enable-volume-encryption, aws-ec2-enable-at-rest-encryption; checkov CKV_AWS_3, CKV_AWS_8
#   ENC-002 high    RDS instance/cluster, DocumentDB or Neptune cluster with storage_encrypted = false
#                   tfsec aws-rds-encrypt-instance-storage-data, aws-rds-encrypt-cluster-storage-data,
#                   aws-neptune-enable-storage-encryption; checkov CKV_AWS_16, CKV_AWS_96, CKV_AWS_44, CKV_AWS_74
#   ENC-003 medium  S3 bucket planned with no server-side encryption configuration (AWS still applies
#                   its default SSE-S3 to new objects since 2023); tfsec aws-s3-enable-bucket-encryption; checkov CKV_AWS_19
#   ENC-004 high    Azure managed disk encryption_settings disabled, SQL database TDE off
#                   tfsec azure-compute-enable-disk-encryption; checkov CKV_AZURE_2
#   ENC-000 unknown encryption decided only at apply time (the value is unknown in the plan): a warning
# Google encrypts disks, buckets and Cloud SQL at rest always; nothing to judge there.
# cloudops: facts
# cloudops: after encrypted storage_encrypted root_block_device ebs_block_device
# cloudops: after server_side_encryption_configuration encryption_settings transparent_data_encryption_enabled
package cloudops.policy.security_encryption

import data.cloudops.security
import rego.v1

deny := security.denies("security-encryption", findings(input))

warn := security.warnings("security-encryption", findings(input))

volume_rule := {"id": "ENC-001", "severity": "high", "fix": "set encrypted = true (and kms_key_id for a key you control)"}

database_rule := {"id": "ENC-002", "severity": "high", "fix": "set storage_encrypted = true (a new instance or cluster: it cannot be turned on in place)"}

bucket_rule := {"id": "ENC-003", "severity": "medium", "fix": "add an aws_s3_bucket_server_side_encryption_configuration (aws:kms or AES256)"}

azure_rule := {"id": "ENC-004", "severity": "high", "fix": "enable disk encryption / transparent data encryption"}

unknown_rule := {"id": "ENC-000", "severity": "unknown", "fix": "set the encryption attribute explicitly so the plan shows it"}

_volumes := ["aws_ebs_volume", "aws_ebs_snapshot_copy"]

_databases := ["aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"]

findings(inp) := array.concat(array.concat(array.concat(volumes(inp), instance_disks(inp)), array.concat(databases(inp), buckets(inp))), azure(inp))

volumes(inp) := array.concat(
	[f | some c in security.writes(inp, _volumes); c.after.encrypted == false; f := security.finding(volume_rule, c.addresses, "volume is not encrypted (encrypted = false)")],
	[f |
		some c in security.writes(inp, _volumes)
		"encrypted" in object.get(c, "unknown", [])
		f := security.finding(unknown_rule, c.addresses, "encryption is unknown until apply (encrypted not set: the account's EBS default decides)")
	],
)

instance_disks(inp) := [f |
	some c in security.writes(inp, ["aws_instance", "aws_launch_configuration"])
	off := [key | some key in ["root_block_device", "ebs_block_device"]; some d in object.get(c.after, key, []); d.encrypted == false]
	count(off) > 0
	f := security.finding(volume_rule, c.addresses, concat("", ["unencrypted block device: ", concat(", ", sort({k | some k in off}))]))
]

databases(inp) := array.concat(
	[f |
		some c in security.writes(inp, _databases)
		c.after.storage_encrypted == false
		f := security.finding(database_rule, c.addresses, "database storage is not encrypted (storage_encrypted = false)")
	],
	[f |
		some c in security.writes(inp, _databases)
		"storage_encrypted" in object.get(c, "unknown", [])
		f := security.finding(unknown_rule, c.addresses, "storage encryption is unknown until apply")
	],
)

# Provider 3.x plans write server_side_encryption_configuration = [] for a bucket without
# one; 4.x moved it to its own resource (then the attribute is unknown, and not judged).
buckets(inp) := [f |
	some c in security.writes(inp, ["aws_s3_bucket"])
	c.after.server_side_encryption_configuration == []
	not _separate_encryption(inp)
	f := security.finding(bucket_rule, c.addresses, "bucket has no server-side encryption configuration")
]

_separate_encryption(inp) if security.has_type(inp, "aws_s3_bucket_server_side_encryption_configuration")

azure(inp) := array.concat(
	[f |
		some c in security.writes(inp, ["azurerm_managed_disk"])
		some s in object.get(c.after, "encryption_settings", [])
		s.enabled == false
		f := security.finding(azure_rule, c.addresses, "disk encryption_settings.enabled = false")
	],
	[f |
		some c in security.writes(inp, ["azurerm_mssql_database", "azurerm_sql_database"])
		c.after.transparent_data_encryption_enabled == false
		f := security.finding(azure_rule, c.addresses, "transparent data encryption is off")
	],
)
