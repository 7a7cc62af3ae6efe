package cloudops.policy.required_labels_test

import data.cloudops.policy.required_labels
import rego.v1

_inp_on(scope, type, labels, before) := {
	"project": {"name": "shop", "required_labels_on": scope},
	"changes": [{"type": type, "action": "create", "labels": labels, "before_labels": before, "addresses": [concat(".", [type, "web"])]}],
}

_inp(labels) := _inp_on("all", "aws_instance", labels, {})

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

test_by_default_only_what_the_bot_renders_is_judged if {
	third_party := {"Name": "web", "Environment": "prod"}
	count(required_labels.missing(_inp_on("cloudops", "aws_instance", third_party, {}))) == 0
	found := required_labels.missing(_inp_on("cloudops", "aws_instance", {"managed-by": "cloudops"}, {}))
	found[0].msg == "aws_instance lacks the label/tag requested-by, project"
}

test_a_bot_resource_whose_mark_was_removed_is_still_judged if {
	count(required_labels.missing(_inp_on("cloudops", "aws_instance", {"Name": "web"}, _all))) == 1
}

test_a_list_of_types_judges_those_types_even_without_tags if {
	count(required_labels.missing(_inp_on(["aws_instance"], "aws_instance", null, {}))) == 1
	count(required_labels.missing(_inp_on(["aws_instance"], "aws_s3_bucket", {}, {}))) == 0
}

test_a_project_without_the_setting_defaults_to_the_bot_resources if {
	inp := {"project": {"name": "shop"}, "changes": [{"type": "aws_instance", "action": "create", "labels": {"Name": "x"}, "before_labels": {}, "addresses": ["aws_instance.x"]}]}
	count(required_labels.missing(inp)) == 0
}
