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

deny := array.concat(_missing(_judged), _mismatched(_judged, input.project.name))

required := ["managed-by", "requested-by", "project"]

_scope(inp) := object.get(object.get(inp, "project", {}), "required_labels_on", "cloudops")

# The changes in scope, written without a function call per change: regorus hashes a
# function's arguments on every call, which costs seconds over thousands of changes.
# c.labels: labels, tags, resource_labels, settings[0].user_labels or the local
# target's triggers; null when the resource type carries no labels at all.
judged(inp) := array.concat(array.concat(
	[c | _scope(inp) == "all"; some c in inp.changes; c.action in lib.write_actions; is_object(c.labels)],
	array.concat(
		[c | _scope(inp) == "cloudops"; some c in inp.changes; c.action in lib.write_actions; c.labels["managed-by"] == "cloudops"],
		[c |
			_scope(inp) == "cloudops"
			some c in inp.changes
			c.action in lib.write_actions
			not c.labels["managed-by"] == "cloudops"
			c.before_labels["managed-by"] == "cloudops"
		],
	),
), [c | scope := _scope(inp); is_array(scope); some c in inp.changes; c.action in lib.write_actions; c.type in scope])

# deny reads the scope once: the functions below take the judged changes, which are
# computed from the input once per evaluation (a rule, not a function).
_judged := judged(input)

missing(inp) := _missing(judged(inp))

mismatched(inp) := _mismatched(judged(inp), inp.project.name)

_object(v) := v if is_object(v)
else := {}

_missing(changes) := lib.violations("required-labels", [{"msg": msg, "addresses": c.addresses} |
	some c in changes
	labels := _object(c.labels)
	absent := [key | some key in required; object.get(labels, key, "") in ["", null]]
	count(absent) > 0
	msg := concat("", [c.type, " lacks the label/tag ", concat(", ", absent)])
])

_mismatched(changes, project) := lib.violations("required-labels", [{"msg": msg, "addresses": c.addresses} |
	some c in changes
	is_string(c.labels.project)
	c.labels.project != ""
	c.labels.project != project
	msg := concat("", ["label project=", c.labels.project, ", but this plan is for project ", project])
])
