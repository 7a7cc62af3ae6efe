# No bucket readable by the whole internet: GCS allUsers/allAuthenticatedUsers
# and public access prevention, S3 public access block and public ACLs, Azure
# blob public access and public containers.
# cloudops: facts
# cloudops: after member members entity role_entity predefined_acl public_access_prevention
# cloudops: after block_public_acls block_public_policy ignore_public_acls restrict_public_buckets acl
# cloudops: after allow_blob_public_access allow_nested_items_to_be_public container_access_type
package cloudops.policy.public_buckets

import data.cloudops.lib
import rego.v1

deny := array.concat(array.concat(gcs(input), s3(input)), azure(input))

warn := warnings(input)

warnings(inp) := lib.violations("public-buckets", [{"msg": msg, "addresses": c.addresses} |
	some c in _writes(inp, ["google_storage_bucket"])
	object.get(c.after, "public_access_prevention", "inherited") != "enforced"
	msg := "public_access_prevention is not enforced: the organisation policy decides whether the bucket can be made public"
])

_public_members := ["allUsers", "allAuthenticatedUsers"]

_public_acls := ["public-read", "public-read-write", "authenticated-read"]

# c.after: the attributes named above, when `after` sets them.
_writes(inp, types) := [c | some c in inp.changes; c.type in types; c.action in lib.write_actions]

_members(v) := array.concat(
	[m | m := v.member; is_string(m)],
	[m | some m in object.get(v, "members", [])],
)

gcs(inp) := array.concat(gcs_iam(inp), gcs_acl(inp))

gcs_iam(inp) := lib.violations("public-buckets", [{"msg": msg, "addresses": c.addresses} |
	some c in _writes(inp, ["google_storage_bucket_iam_member", "google_storage_bucket_iam_binding", "google_storage_bucket_access_control", "google_storage_default_object_access_control", "google_storage_object_access_control"])
	values := c.after
	some member in array.concat(_members(values), [e | e := values.entity; is_string(e)])
	member in _public_members
	msg := concat("", ["grants bucket access to ", member])
])

gcs_acl(inp) := lib.violations("public-buckets", [{"msg": msg, "addresses": c.addresses} |
	some c in _writes(inp, ["google_storage_bucket_acl", "google_storage_default_object_acl", "google_storage_object_acl"])
	values := c.after
	public := [e |
		some e in array.concat(object.get(values, "role_entity", []), [p | p := values.predefined_acl; is_string(p)])
		regex.match(`allUsers|allAuthenticatedUsers|publicRead|publicReadWrite`, e)
	]
	count(public) > 0
	msg := concat("", ["public ACL ", concat(", ", public)])
])

_block_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

s3(inp) := array.concat(s3_block(inp), s3_acl(inp))

s3_block(inp) := lib.violations("public-buckets", [{"msg": msg, "addresses": c.addresses} |
	some c in _writes(inp, ["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"])
	values := c.after
	off := [f | some f in _block_flags; values[f] != true]
	count(off) > 0
	msg := concat("", ["public access block is off: ", concat(", ", off)])
])

s3_acl(inp) := lib.violations("public-buckets", [{"msg": msg, "addresses": c.addresses} |
	some c in _writes(inp, ["aws_s3_bucket", "aws_s3_bucket_acl", "aws_s3_object"])
	acl := c.after.acl
	acl in _public_acls
	msg := concat("", ["ACL ", acl, " makes the bucket public"])
])

azure(inp) := array.concat(azure_account(inp), azure_container(inp))

azure_account(inp) := lib.violations("public-buckets", [{"msg": msg, "addresses": c.addresses} |
	some c in _writes(inp, ["azurerm_storage_account"])
	values := c.after
	some flag in ["allow_blob_public_access", "allow_nested_items_to_be_public"]
	values[flag] == true
	msg := concat("", [flag, " = true lets containers be public"])
])

azure_container(inp) := lib.violations("public-buckets", [{"msg": msg, "addresses": c.addresses} |
	some c in _writes(inp, ["azurerm_storage_container"])
	access := c.after.container_access_type
	access in ["blob", "container"]
	msg := concat("", ["container_access_type = ", access, " is public"])
])
