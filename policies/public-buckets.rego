# No bucket readable by the whole internet: GCS allUsers/allAuthenticatedUsers
# and public access prevention, S3 public access block and public ACLs, Azure
# blob public access and public containers.
package cloudops.policy.public_buckets

import data.cloudops.lib
import rego.v1

deny := array.concat(array.concat(gcs(input), s3(input)), azure(input))

warn := warnings(input)

warnings(inp) := [v |
	some rc in _writes(inp, ["google_storage_bucket"])
	object.get(lib.after(rc), "public_access_prevention", "inherited") != "enforced"
	v := lib.violation("public-buckets", rc.address, "public_access_prevention is not enforced: the organisation policy decides whether the bucket can be made public")
]

_public_members := ["allUsers", "allAuthenticatedUsers"]

_public_acls := ["public-read", "public-read-write", "authenticated-read"]

_writes(inp, types) := [rc | some rc in lib.changes(inp); rc.type in types; lib.writes(rc)]

_members(v) := array.concat(
	[m | m := v.member; is_string(m)],
	[m | some m in object.get(v, "members", [])],
)

gcs(inp) := array.concat(gcs_iam(inp), gcs_acl(inp))

gcs_iam(inp) := [v |
	some rc in _writes(inp, ["google_storage_bucket_iam_member", "google_storage_bucket_iam_binding", "google_storage_bucket_access_control", "google_storage_default_object_access_control", "google_storage_object_access_control"])
	values := lib.after(rc)
	some member in array.concat(_members(values), [e | e := values.entity; is_string(e)])
	member in _public_members
	v := lib.violation("public-buckets", rc.address, concat("", ["grants bucket access to ", member]))
]

gcs_acl(inp) := [v |
	some rc in _writes(inp, ["google_storage_bucket_acl", "google_storage_default_object_acl", "google_storage_object_acl"])
	values := lib.after(rc)
	public := [e |
		some e in array.concat(object.get(values, "role_entity", []), [p | p := values.predefined_acl; is_string(p)])
		regex.match(`allUsers|allAuthenticatedUsers|publicRead|publicReadWrite`, e)
	]
	count(public) > 0
	v := lib.violation("public-buckets", rc.address, concat("", ["public ACL ", concat(", ", public)]))
]

_block_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

s3(inp) := array.concat(s3_block(inp), s3_acl(inp))

s3_block(inp) := [v |
	some rc in _writes(inp, ["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"])
	values := lib.after(rc)
	off := [f | some f in _block_flags; values[f] != true]
	count(off) > 0
	v := lib.violation("public-buckets", rc.address, concat("", ["public access block is off: ", concat(", ", off)]))
]

s3_acl(inp) := [v |
	some rc in _writes(inp, ["aws_s3_bucket", "aws_s3_bucket_acl", "aws_s3_object"])
	acl := lib.after(rc).acl
	acl in _public_acls
	v := lib.violation("public-buckets", rc.address, concat("", ["ACL ", acl, " makes the bucket public"]))
]

azure(inp) := array.concat(azure_account(inp), azure_container(inp))

azure_account(inp) := [v |
	some rc in _writes(inp, ["azurerm_storage_account"])
	values := lib.after(rc)
	some flag in ["allow_blob_public_access", "allow_nested_items_to_be_public"]
	values[flag] == true
	v := lib.violation("public-buckets", rc.address, concat("", [flag, " = true lets containers be public"]))
]

azure_container(inp) := [v |
	some rc in _writes(inp, ["azurerm_storage_container"])
	access := lib.after(rc).container_access_type
	access in ["blob", "container"]
	v := lib.violation("public-buckets", rc.address, concat("", ["container_access_type = ", access, " is public"]))
]
