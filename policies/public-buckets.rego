# No bucket readable by the whole internet (part of the security pack, on by default).
#   STO-001 critical  GCS IAM member/binding or ACL for allUsers / allAuthenticatedUsers
#                     tfsec google-storage-no-public-access; checkov CKV_GCP_28
#   STO-002 critical  S3 bucket policy that allows any principal ("*") with no Condition
#                     checkov CKV_AWS_70
#   STO-003 high      S3 public access block with a flag off
#                     tfsec aws-s3-block-public-acls, aws-s3-block-public-policy, aws-s3-ignore-public-acls,
#                     aws-s3-no-public-buckets; checkov CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56
#   STO-004 high      S3 bucket/object ACL public-read, public-read-write or authenticated-read
#                     tfsec aws-s3-no-public-access-with-acl; checkov CKV_AWS_20, CKV_AWS_57
#   STO-005 high      Azure storage account allowing public blobs, or a public container
#                     tfsec azure-storage-no-public-access; checkov CKV_AZURE_190, CKV_AZURE_34
#   STO-006 low       GCS bucket without public_access_prevention = "enforced"; checkov CKV_GCP_114
# cloudops: facts
# cloudops: after member members entity role_entity predefined_acl public_access_prevention
# cloudops: after block_public_acls block_public_policy ignore_public_acls restrict_public_buckets acl policy
# cloudops: after allow_blob_public_access allow_nested_items_to_be_public container_access_type
package cloudops.policy.public_buckets

import data.cloudops.security
import rego.v1

deny := security.denies("public-buckets", findings(input))

warn := security.warnings("public-buckets", findings(input))

findings(inp) := array.concat(array.concat(_gcs(inp), _s3(inp)), array.concat(_azure(inp), _prevention(inp)))

# The violations of each family (for tests and for callers that want one).
gcs(inp) := security.expand("public-buckets", _gcs(inp))

s3(inp) := security.expand("public-buckets", _s3(inp))

azure(inp) := security.expand("public-buckets", _azure(inp))

warnings(inp) := security.expand("public-buckets", _prevention(inp))

gcs_rule := {"id": "STO-001", "severity": "critical", "fix": "remove allUsers/allAuthenticatedUsers; serve public files through a CDN or signed URLs"}

policy_rule := {"id": "STO-002", "severity": "critical", "fix": "name the principals in the bucket policy, or add a Condition (aws:SourceVpce, aws:PrincipalOrgID)"}

block_rule := {"id": "STO-003", "severity": "high", "fix": "set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets to true"}

acl_rule := {"id": "STO-004", "severity": "high", "fix": "use acl = \"private\" (or BucketOwnerEnforced object ownership)"}

azure_rule := {"id": "STO-005", "severity": "high", "fix": "set allow_nested_items_to_be_public = false and container_access_type = \"private\""}

prevention_rule := {"id": "STO-006", "severity": "low", "fix": "set public_access_prevention = \"enforced\""}

_prevention(inp) := [f |
	some c in security.writes(inp, ["google_storage_bucket"])
	not "public_access_prevention" in object.get(c, "unknown", [])
	object.get(c.after, "public_access_prevention", "inherited") != "enforced"
	f := security.finding(prevention_rule, c.addresses, "public_access_prevention is not enforced: the organisation policy decides whether the bucket can be made public")
]

_public_members := ["allUsers", "allAuthenticatedUsers"]

_public_acls := ["public-read", "public-read-write", "authenticated-read"]

_members(v) := array.concat(
	[m | m := v.member; is_string(m)],
	[m | some m in object.get(v, "members", [])],
)

_gcs(inp) := array.concat(_gcs_iam(inp), _gcs_acl(inp))

_gcs_iam(inp) := [f |
	some c in security.writes(inp, ["google_storage_bucket_iam_member", "google_storage_bucket_iam_binding", "google_storage_bucket_access_control", "google_storage_default_object_access_control", "google_storage_object_access_control"])
	values := c.after
	some member in array.concat(_members(values), [e | e := values.entity; is_string(e)])
	member in _public_members
	f := security.finding(gcs_rule, c.addresses, concat("", ["grants bucket access to ", member]))
]

_gcs_acl(inp) := [f |
	some c in security.writes(inp, ["google_storage_bucket_acl", "google_storage_default_object_acl", "google_storage_object_acl"])
	values := c.after
	public := [e |
		some e in array.concat(object.get(values, "role_entity", []), [p | p := values.predefined_acl; is_string(p)])
		regex.match(`allUsers|allAuthenticatedUsers|publicRead|publicReadWrite`, e)
	]
	count(public) > 0
	f := security.finding(gcs_rule, c.addresses, concat("", ["public ACL ", concat(", ", public)]))
]

_block_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

_s3(inp) := array.concat(array.concat(_s3_block(inp), _s3_acl(inp)), _s3_policy(inp))

_s3_block(inp) := [f |
	some c in security.writes(inp, ["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"])
	off := [flag | some flag in _block_flags; not flag in object.get(c, "unknown", []); object.get(c.after, flag, false) != true]
	count(off) > 0
	f := security.finding(block_rule, c.addresses, concat("", ["public access block is off: ", concat(", ", off)]))
]

_s3_acl(inp) := [f |
	some c in security.writes(inp, ["aws_s3_bucket", "aws_s3_bucket_acl", "aws_s3_object", "aws_s3_bucket_object"])
	acl := c.after.acl
	acl in _public_acls
	f := security.finding(acl_rule, c.addresses, concat("", ["ACL ", acl, " makes the bucket public"]))
]

_s3_policy(inp) := [f |
	some c in security.writes(inp, ["aws_s3_bucket_policy", "aws_s3_bucket"])
	some s in security.statements(object.get(c.after, "policy", null))
	security.allows(s)
	security.anyone(s)
	not s.Condition
	actions := concat(", ", security.as_list(object.get(s, "Action", [])))
	f := security.finding(policy_rule, c.addresses, concat("", ["bucket policy allows any principal (\"*\") ", actions, " with no condition"]))
]

_azure(inp) := array.concat(_azure_account(inp), _azure_container(inp))

_azure_account(inp) := [f |
	some c in security.writes(inp, ["azurerm_storage_account"])
	some flag in ["allow_blob_public_access", "allow_nested_items_to_be_public"]
	c.after[flag] == true
	f := security.finding(azure_rule, c.addresses, concat("", [flag, " = true lets containers be public"]))
]

_azure_container(inp) := [f |
	some c in security.writes(inp, ["azurerm_storage_container"])
	access := c.after.container_access_type
	access in ["blob", "container"]
	f := security.finding(azure_rule, c.addresses, concat("", ["container_access_type = ", access, " is public"]))
]
