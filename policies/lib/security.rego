# Helpers of the built-in security pack (security-*.rego and public-buckets).
# Not a policy: it yields nothing.
#
# A rule is an object {"id", "severity", "fix"}; a finding is a rule, a
# message and the addresses of one judged change (input.changes[_]). Critical
# and high findings deny; medium and low warn; so does a value terraform only
# knows at apply time ("unknown"), which is never reported as a violation.
package cloudops.security

import rego.v1

blocking := ["critical", "high"]

# (Addresses, not the change: regorus hashes a function's arguments on every call.)
finding(rule, addresses, msg) := object.union(rule, {"msg": msg, "addresses": addresses})

# One violation per address of each finding, for the engine.
expand(policy, found) := [v |
	some f in found
	some address in f.addresses
	v := {"policy": policy, "resource": address, "msg": f.msg, "id": f.id, "severity": f.severity, "fix": f.fix}
]

denies(policy, found) := expand(policy, [f | some f in found; f.severity in blocking])

warnings(policy, found) := expand(policy, [f | some f in found; not f.severity in blocking])

# Changes that leave the object in place with new values.
# input.types (type -> indexes into input.changes) lets a rule visit only its types:
# a scan of 5,000 changes costs ~20 ms per rule, the index ~nothing.
writes(inp, types) := [c |
	some t in types
	some i in object.get(inp.types, t, [])
	c := inp.changes[i]
	c.action in _write_actions
] if is_object(inp.types)
else := [c |
	some c in inp.changes
	c.type in types
	c.action in _write_actions
]

_write_actions := ["create", "update", "replace"]

# Whether the plan changes any object of type t (the index, or a scan).
has_type(inp, t) if count(object.get(inp.types, t, [])) > 0

has_type(inp, t) if {
	not is_object(inp.types)
	some c in inp.changes
	c.type == t
}

# Sources that mean "anyone on the internet" (AWS, Google, Azure spellings).
_open := ["0.0.0.0/0", "::/0", "0.0.0.0", "*", "internet", "any"]

is_open(source) if {
	is_string(source)
	lower(trim_space(source)) in _open
}

# Statements of an IAM-style policy document held as JSON text (or an object).
statements(doc) := s if {
	is_string(doc)
	parsed := json.unmarshal(doc)
	s := _statement_list(parsed)
} else := s if {
	is_object(doc)
	s := _statement_list(doc)
} else := []

_statement_list(parsed) := [parsed.Statement] if is_object(parsed.Statement)
else := parsed.Statement if is_array(parsed.Statement)
else := []

# A value or a list of values as a list.
as_list(v) := v if is_array(v)
else := [v] if is_string(v)
else := []

allows(statement) if object.get(statement, "Effect", "") == "Allow"

# Principal "*", {"AWS": "*"} or {"AWS": ["*"]}.
anyone(statement) if statement.Principal == "*"

anyone(statement) if {
	is_object(statement.Principal)
	some key in ["AWS", "*"]
	"*" in as_list(object.get(statement.Principal, key, []))
}
