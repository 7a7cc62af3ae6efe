package cloudops.policy.required_labels_test

import data.cloudops.policy.required_labels
import rego.v1

_inp(labels) := {
	"project": {"name": "shop"},
	"changes": [{"type": "aws_instance", "action": "create", "labels": labels, "addresses": ["aws_instance.web"]}],
}

_all := {"managed-by": "cloudops", "requested-by": "alice", "project": "shop"}

test_all_labels_present_passes if {
	count(required_labels.missing(_inp(_all))) == 0
	count(required_labels.mismatched(_inp(_all))) == 0
}

test_null_tags_are_missing_labels if {
	found := required_labels.missing(_inp({}))
	count(found) == 1
	contains(found[0].msg, "managed-by, requested-by, project")
}

test_a_missing_label_is_named if {
	found := required_labels.missing(_inp({"managed-by": "cloudops", "project": "shop"}))
	found[0].msg == "aws_instance lacks the label/tag requested-by"
	count(required_labels.missing(_inp(object.union(_all, {"requested-by": ""})))) == 1
}

test_a_project_label_of_another_project_is_denied if {
	count(required_labels.mismatched(_inp(object.union(_all, {"project": "other"})))) == 1
}

test_resources_without_labels_are_not_judged if {
	count(required_labels.missing(_inp(null))) == 0
	count(required_labels.mismatched(_inp(null))) == 0
}
