package cloudops.policy.security_logging_test

import data.cloudops.policy.security_logging as logging
import rego.v1

_inp(type, after) := {"changes": [{"type": type, "action": "create", "after": after, "unknown": [], "addresses": [concat(".", [type, "x"])]}]}

_ids(inp) := {f.id | some f in logging.findings(inp)}

test_buckets_without_logging if {
	_ids(_inp("aws_s3_bucket", {"logging": [], "acl": "private"})) == {"LOG-001"}
	count(logging.findings(_inp("aws_s3_bucket", {"logging": [], "acl": "log-delivery-write"}))) == 0
	count(logging.findings(_inp("aws_s3_bucket", {"logging": [{"target_bucket": "logs"}]}))) == 0
	_ids(_inp("google_storage_bucket", {"logging": []})) == {"LOG-003"}
}

test_load_balancers_without_access_logs if {
	_ids(_inp("aws_elb", {"access_logs": []})) == {"LOG-002"}
	_ids(_inp("aws_lb", {"access_logs": [{"bucket": "", "enabled": false}]})) == {"LOG-002"}
	count(logging.findings(_inp("aws_lb", {"access_logs": [{"bucket": "logs", "enabled": true}]}))) == 0
}

test_unknown_logging_is_not_judged if {
	count(logging.findings(_inp("aws_s3_bucket", {}))) == 0
}
