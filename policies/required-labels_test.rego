package cloudops.policy.required_labels_test

import data.cloudops.policy.required_labels
import rego.v1

_inp(after) := {
	"project": {"name": "shop"},
	"plan": {"resource_changes": [{"address": "aws_instance.web", "type": "aws_instance", "change": {"actions": ["create"], "before": null, "after": after}}]},
}

_all := {"managed-by": "cloudops", "requested-by": "alice", "project": "shop"}

test_all_labels_present_passes if {
	count(required_labels.missing(_inp({"tags": _all}))) == 0
	count(required_labels.mismatched(_inp({"tags": _all}))) == 0
}

test_null_tags_are_missing_labels if {
	found := required_labels.missing(_inp({"tags": null}))
	count(found) == 1
	contains(found[0].msg, "managed-by, requested-by, project")
}

test_a_missing_label_is_named if {
	found := required_labels.missing(_inp({"tags": {"managed-by": "cloudops", "project": "shop"}}))
	found[0].msg == "aws_instance lacks the label/tag requested-by"
}

test_a_project_label_of_another_project_is_denied if {
	count(required_labels.mismatched(_inp({"tags": object.union(_all, {"project": "other"})}))) == 1
}

test_resources_without_labels_are_not_judged if {
	count(required_labels.missing(_inp({"name": "net"}))) == 0
}

test_cloud_sql_user_labels_count if {
	count(required_labels.missing(_inp({"settings": [{"user_labels": _all}]}))) == 0
}
