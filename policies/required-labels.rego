# Every labelled resource carries managed-by, requested-by and project, and
# its project label names the project it is planned in (cost attribution).
package cloudops.policy.required_labels

import data.cloudops.lib
import rego.v1

deny := array.concat(missing(input), mismatched(input))

required := ["managed-by", "requested-by", "project"]

_present(labels, key) if {
	is_string(labels[key])
	labels[key] != ""
}

missing(inp) := [v |
	some rc in lib.changes(inp)
	lib.writes(rc)
	values := lib.after(rc)
	lib.taggable(values)
	labels := lib.labels(values)
	absent := [key | some key in required; not _present(labels, key)]
	count(absent) > 0
	msg := concat("", [rc.type, " lacks the label/tag ", concat(", ", absent)])
	v := lib.violation("required-labels", rc.address, msg)
]

mismatched(inp) := [v |
	some rc in lib.changes(inp)
	lib.writes(rc)
	labels := lib.labels(lib.after(rc))
	_present(labels, "project")
	labels.project != inp.project.name
	msg := concat("", ["label project=", labels.project, ", but this plan is for project ", inp.project.name])
	v := lib.violation("required-labels", rc.address, msg)
]
