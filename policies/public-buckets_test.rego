package cloudops.policy.public_buckets_test

import data.cloudops.policy.public_buckets
import rego.v1

_inp(type, after) := {"changes": [{"type": type, "action": "create", "after": after, "addresses": [concat(".", [type, "b"])]}]}

test_gcs_all_users_member_is_denied if {
	count(public_buckets.gcs(_inp("google_storage_bucket_iam_member", {"member": "allUsers", "role": "roles/storage.objectViewer"}))) == 1
	count(public_buckets.gcs(_inp("google_storage_bucket_iam_binding", {"members": ["user:a@b.c", "allAuthenticatedUsers"]}))) == 1
}

test_gcs_private_member_passes if {
	count(public_buckets.gcs(_inp("google_storage_bucket_iam_member", {"member": "user:a@b.c"}))) == 0
}

test_gcs_public_access_prevention_inherited_warns if {
	count(public_buckets.warnings(_inp("google_storage_bucket", {"public_access_prevention": "inherited"}))) == 1
	count(public_buckets.warnings(_inp("google_storage_bucket", {}))) == 1
	count(public_buckets.warnings(_inp("google_storage_bucket", {"public_access_prevention": "enforced"}))) == 0
}

test_gcs_public_acl_is_denied if {
	found := public_buckets.gcs(_inp("google_storage_bucket_acl", {"role_entity": ["OWNER:me", "READER:allUsers"]}))
	found[0].msg == "public ACL READER:allUsers"
}

test_s3_public_access_block_off_is_denied if {
	on := {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}
	count(public_buckets.s3(_inp("aws_s3_bucket_public_access_block", on))) == 0
	found := public_buckets.s3(_inp("aws_s3_bucket_public_access_block", object.union(on, {"block_public_policy": false})))
	found[0].msg == "public access block is off: block_public_policy"
}

test_s3_public_read_acl_is_denied if {
	count(public_buckets.s3(_inp("aws_s3_bucket_acl", {"acl": "public-read"}))) == 1
	count(public_buckets.s3(_inp("aws_s3_bucket_acl", {"acl": "private"}))) == 0
}

test_azure_public_blob_access_is_denied if {
	count(public_buckets.azure(_inp("azurerm_storage_account", {"allow_nested_items_to_be_public": true}))) == 1
	count(public_buckets.azure(_inp("azurerm_storage_account", {"allow_nested_items_to_be_public": false}))) == 0
	count(public_buckets.azure(_inp("azurerm_storage_container", {"container_access_type": "blob"}))) == 1
	count(public_buckets.azure(_inp("azurerm_storage_container", {"container_access_type": "private"}))) == 0
}

test_a_delete_is_not_judged if {
	inp := {"changes": [{"type": "aws_s3_bucket_acl", "action": "delete", "after": {}, "addresses": ["aws_s3_bucket_acl.b"]}]}
	count(public_buckets.s3(inp)) == 0
}

test_s3_bucket_policy_for_anyone_is_critical if {
	doc := json.marshal({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]})
	found := public_buckets.s3(_inp("aws_s3_bucket_policy", {"policy": doc}))
	count(found) == 1
	found[0].id == "STO-002"
	found[0].severity == "critical"
	safe := json.marshal({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*", "Resource": "*"}]})
	count(public_buckets.s3(_inp("aws_s3_bucket_policy", {"policy": safe}))) == 0
}
