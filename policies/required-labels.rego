# The resources cloudops.yaml's `required_labels_on` names carry managed-by,
# requested-by and project, and their project label names the project they are
# planned in (cost attribution).
#   "cloudops" (default): what the bot renders - labelled managed-by = cloudops
#                         now or before the change (a bot resource whose mark
#                         was removed is still judged)
#   "all":                every resource type that carries labels or tags
#   [types...]:           resources of these types
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

_scope(inp) := object.get(object.get(inp, "project", {}), "required_labels_on", "cloudops")

# c.labels: labels, tags, resource_labels, settings[0].user_labels or the local
# target's triggers; null when the resource type carries no labels at all.
in_scope(c, inp) if {
	_scope(inp) == "all"
	is_object(c.labels)
}

in_scope(c, inp) if {
	_scope(inp) == "cloudops"
	is_object(c.labels)
	_bot_mark(c)
}

in_scope(c, inp) if {
	is_array(_scope(inp))
	c.type in _scope(inp)
}

_bot_mark(c) if c.labels["managed-by"] == "cloudops"

_bot_mark(c) if object.get(c, "before_labels", {})["managed-by"] == "cloudops"

missing(inp) := lib.violations("required-labels", [{"msg": msg, "addresses": c.addresses} |
	some c in inp.changes
	c.action in lib.write_actions
	in_scope(c, inp)
	absent := [key | some key in required; not _present(_labels(c), key)]
	count(absent) > 0
	msg := concat("", [c.type, " lacks the label/tag ", concat(", ", absent)])
])

_labels(c) := c.labels if is_object(c.labels)
else := {}

mismatched(inp) := lib.violations("required-labels", [{"msg": msg, "addresses": c.addresses} |
	some c in inp.changes
	c.action in lib.write_actions
	in_scope(c, inp)
	_present(_labels(c), "project")
	c.labels.project != inp.project.name
	msg := concat("", ["label project=", c.labels.project, ", but this plan is for project ", inp.project.name])
])
