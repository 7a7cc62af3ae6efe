package cloudops.policy.security_iam_test

import data.cloudops.policy.security_iam as iam
import rego.v1

_inp(type, after) := {"changes": [{"type": type, "action": "create", "after": after, "unknown": [], "addresses": [concat(".", [type, "x"])]}]}

_ids(inp) := {f.id | some f in iam.findings(inp)}

_doc(statement) := json.marshal({"Version": "2012-10-17", "Statement": statement})

test_action_star_is_full_admin if {
	_ids(_inp("aws_iam_policy", {"policy": _doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}])})) == {"IAM-001"}
	_ids(_inp("aws_iam_role_policy", {"policy": _doc({"Effect": "Allow", "Action": ["*:*"], "Resource": "*"})})) == {"IAM-001"}
}

test_service_wildcards_on_every_resource_warn if {
	_ids(_inp("aws_iam_user_policy", {"policy": _doc([{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}])})) == {"IAM-002"}
	count(iam.findings(_inp("aws_iam_user_policy", {"policy": _doc([{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}])}))) == 0
	count(iam.findings(_inp("aws_iam_policy", {"policy": _doc([{"Effect": "Deny", "Action": "*", "Resource": "*"}])}))) == 0
}

test_resource_policy_for_anyone if {
	_ids(_inp("aws_sqs_queue_policy", {"policy": _doc([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": "*"}])})) == {"IAM-003"}
	with_condition := _doc([{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*", "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:x"}}}])
	count(iam.findings(_inp("aws_sqs_queue_policy", {"policy": with_condition}))) == 0
}

test_azure_custom_role_star if {
	_ids(_inp("azurerm_role_definition", {"permissions": [{"actions": ["*"], "not_actions": []}]})) == {"IAM-004"}
}

test_a_policy_unknown_at_plan_time_is_not_judged if {
	count(iam.findings({"changes": [{"type": "aws_iam_policy", "action": "create", "after": {}, "unknown": ["policy"], "addresses": ["aws_iam_policy.x"]}]})) == 0
}

test_iam_star_on_every_resource_is_privilege_escalation if {
	_ids(_inp("aws_iam_role_policy", {"policy": _doc([{"Effect": "Allow", "Action": ["iam:*", "s3:*"], "Resource": "*"}])})) == {"IAM-005", "IAM-002"}
}
