# Access logging off on buckets and load balancers (who read what is then unknown).
#   LOG-001 low     S3 bucket planned with no access logging (provider 3.x writes logging = [];
#                   not judged when the plan has an aws_s3_bucket_logging)
#                   tfsec aws-s3-enable-bucket-logging; checkov CKV_AWS_18
#   LOG-002 medium  load balancer without access logs (aws_lb/aws_alb access_logs off, aws_elb none)
#                   checkov CKV_AWS_91, CKV_AWS_92
#   LOG-003 low     GCS bucket without a logging block; checkov CKV_GCP_62
# Log buckets themselves (acl log-delivery-write) are not asked to log.
# cloudops: facts
# cloudops: after logging access_logs acl internal load_balancer_type
package cloudops.policy.security_logging

import data.cloudops.security
import rego.v1

deny := security.denies("security-logging", findings(input))

warn := security.warnings("security-logging", findings(input))

s3_rule := {"id": "LOG-001", "severity": "low", "fix": "add an aws_s3_bucket_logging pointing at a log bucket"}

lb_rule := {"id": "LOG-002", "severity": "medium", "fix": "enable access_logs with a bucket"}

gcs_rule := {"id": "LOG-003", "severity": "low", "fix": "add a logging block with a log bucket"}

findings(inp) := array.concat(array.concat(s3(inp), lbs(inp)), gcs(inp))

s3(inp) := [f |
	some c in security.writes(inp, ["aws_s3_bucket"])
	c.after.logging == []
	object.get(c.after, "acl", "") != "log-delivery-write"
	not _separate_logging(inp)
	f := security.finding(s3_rule, c.addresses, "bucket has no access logging")
]

_separate_logging(inp) if security.has_type(inp, "aws_s3_bucket_logging")

_logs_on(v) if {
	some l in object.get(v, "access_logs", [])
	l.enabled == true
}

_logs_on(v) if {
	some l in object.get(v, "access_logs", [])
	is_string(l.bucket)
	l.bucket != ""
	object.get(l, "enabled", true) != false
}

lbs(inp) := [f |
	some c in security.writes(inp, ["aws_lb", "aws_alb", "aws_elb"])
	is_array(c.after.access_logs)
	object.get(c.after, "load_balancer_type", "application") != "gateway"
	not _logs_on(c.after)
	f := security.finding(lb_rule, c.addresses, "load balancer has no access logs")
]

gcs(inp) := [f |
	some c in security.writes(inp, ["google_storage_bucket"])
	c.after.logging == []
	f := security.finding(gcs_rule, c.addresses, "bucket has no access logging")
]
