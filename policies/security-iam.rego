# IAM wildcards: policies that grant everything, or a whole service, on every resource.
#   IAM-001 critical  Allow with Action "*" (or "*:*") - full administrator
#                     tfsec aws-iam-no-policy-wildcards; checkov CKV_AWS_62, CKV_AWS_63, CKV_AWS_1
#   IAM-002 medium    Allow with a service wildcard ("s3:*") on Resource "*"
#                     tfsec aws-iam-no-policy-wildcards; checkov CKV_AWS_355 (closest)
#   IAM-005 high      Allow with iam:* on Resource "*": the holder can grant itself anything
#                     tfsec aws-iam-no-policy-wildcards; checkov CKV_AWS_286, CKV_AWS_289
#   IAM-003 critical  a resource policy (SQS, SNS, Elasticsearch/OpenSearch, ECR, KMS, Lambda) that
#                     allows any principal ("*") with no Condition; checkov CKV_AWS_70-family
#   IAM-004 high      Azure custom role with actions ["*"]; checkov CKV_AZURE_39
# S3 bucket policies are judged by public-buckets (STO-002).
# cloudops: facts
# cloudops: after policy inline_policy access_policies permissions
package cloudops.policy.security_iam

import data.cloudops.security
import rego.v1

deny := security.denies("security-iam", findings(input))

warn := security.warnings("security-iam", findings(input))

admin_rule := {"id": "IAM-001", "severity": "critical", "fix": "list the actions the role needs instead of \"*\""}

service_rule := {"id": "IAM-002", "severity": "medium", "fix": "name the actions and the resources (ARNs) instead of service:* on *"}

principal_rule := {"id": "IAM-003", "severity": "critical", "fix": "name the principals (account or role ARNs) or add a Condition"}

escalation_rule := {"id": "IAM-005", "severity": "high", "fix": "name the IAM actions and the roles/users (ARNs) they apply to"}

azure_rule := {"id": "IAM-004", "severity": "high", "fix": "grant the specific actions, or use a built-in role"}

_identity := ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"]

_resource_policies := ["aws_sqs_queue_policy", "aws_sns_topic_policy", "aws_elasticsearch_domain_policy", "aws_opensearch_domain_policy", "aws_ecr_repository_policy", "aws_kms_key", "aws_lambda_permission"]

findings(inp) := array.concat(array.concat(identity(inp), resource_policies(inp)), azure(inp))

# Statements of a change's policy documents (policy, and aws_iam_role's inline_policy blocks).
_documents(c) := array.concat(
	[d | d := object.get(c.after, "policy", null); d != null],
	array.concat([p.policy | some p in object.get(c.after, "inline_policy", [])], [d | d := object.get(c.after, "access_policies", null); d != null]),
)

_allowed_actions(c) := [a |
	some doc in _documents(c)
	some s in security.statements(doc)
	security.allows(s)
	some a in security.as_list(object.get(s, "Action", []))
]

_all_resources(c) if {
	some doc in _documents(c)
	some s in security.statements(doc)
	security.allows(s)
	"*" in security.as_list(object.get(s, "Resource", []))
}

identity(inp) := array.concat(array.concat(
	[f |
		some c in security.writes(inp, array.concat(_identity, ["aws_iam_role"]))
		some a in _allowed_actions(c)
		a in ["*", "*:*"]
		f := security.finding(admin_rule, c.addresses, "policy allows Action \"*\": full administrator")
	],
	[f |
		some c in security.writes(inp, array.concat(_identity, ["aws_iam_role"]))
		not "*" in _allowed_actions(c)
		not "*:*" in _allowed_actions(c)
		_all_resources(c)
		wild := {a | some a in _allowed_actions(c); endswith(a, ":*"); a != "iam:*"}
		count(wild) > 0
		f := security.finding(service_rule, c.addresses, concat("", ["policy allows ", concat(", ", sort(wild)), " on every resource"]))
	]),
	[f |
		some c in security.writes(inp, array.concat(_identity, ["aws_iam_role"]))
		not "*" in _allowed_actions(c)
		not "*:*" in _allowed_actions(c)
		_all_resources(c)
		"iam:*" in _allowed_actions(c)
		f := security.finding(escalation_rule, c.addresses, "policy allows iam:* on every resource: it can grant itself any permission")
	],
)

resource_policies(inp) := [f |
	some c in security.writes(inp, _resource_policies)
	some doc in _documents(c)
	some s in security.statements(doc)
	security.allows(s)
	security.anyone(s)
	not s.Condition
	f := security.finding(principal_rule, c.addresses, "resource policy allows any principal (\"*\") with no condition")
]

azure(inp) := [f |
	some c in security.writes(inp, ["azurerm_role_definition"])
	some p in object.get(c.after, "permissions", [])
	"*" in object.get(p, "actions", [])
	f := security.finding(azure_rule, c.addresses, "custom role allows every action (\"*\")")
]
