# Every labelled resource carries managed-by, requested-by and project, and
# its project label names the project it is planned in (cost attribution).
# cloudops: facts
# cloudops: labels managed-by requested-by project
package cloudops.policy.required_labels

import data.cloudops.lib
import rego.v1

deny := array.concat(missing(input), mismatched(input))

required := ["managed-by", "requested-by", "project"]

_present(labels, key) if {
	is_string(labels[key])
	labels[key] != ""
}

# c.labels: labels, tags, resource_labels, settings[0].user_labels or the local
# target's triggers; null when the resource type carries no labels at all.
missing(inp) := lib.violations("required-labels", [{"msg": msg, "addresses": c.addresses} |
	some c in inp.changes
	c.action in lib.write_actions
	is_object(c.labels)
	absent := [key | some key in required; not _present(c.labels, key)]
	count(absent) > 0
	msg := concat("", [c.type, " lacks the label/tag ", concat(", ", absent)])
])

mismatched(inp) := lib.violations("required-labels", [{"msg": msg, "addresses": c.addresses} |
	some c in inp.changes
	c.action in lib.write_actions
	_present(c.labels, "project")
	c.labels.project != inp.project.name
	msg := concat("", ["label project=", c.labels.project, ", but this plan is for project ", inp.project.name])
])
