package cloudops.policy.deletions_test

import data.cloudops.policy.deletions
import rego.v1

_inp(role, action, before_labels, protected) := {
	"actor": {"role": role},
	"protected": protected,
	"changes": [{"type": "google_sql_database_instance", "action": action, "before_labels": before_labels, "addresses": ["google_sql_database_instance.db"]}],
}

test_a_user_may_not_delete if {
	found := deletions.without_right(_inp("user", "delete", {}, []))
	count(found) == 1
	contains(found[0].msg, "needs the admin role")
}

test_a_user_may_not_replace if {
	count(deletions.without_right(_inp("user", "replace", {}, []))) == 1
}

test_an_admin_may_delete if {
	count(deletions.without_right(_inp("admin", "delete", {}, []))) == 0
	count(deletions.protected(_inp("admin", "delete", {}, []))) == 0
}

test_a_protected_label_stops_even_an_admin if {
	found := deletions.protected(_inp("admin", "delete", {"protected": "true"}, []))
	count(found) == 1
	contains(found[0].msg, "label protected")
}

test_prevent_destroy_on_the_default_branch_stops_even_an_admin if {
	found := deletions.protected(_inp("admin", "delete", {}, ["google_sql_database_instance.db"]))
	contains(found[0].msg, "prevent_destroy")
}

test_only_the_protected_address_of_a_change_is_named if {
	inp := object.union(_inp("admin", "delete", {}, ["x.b"]), {"changes": [{"type": "x", "action": "delete", "before_labels": {}, "addresses": ["x.a", "x.b"]}]})
	[v.resource | some v in deletions.protected(inp)] == ["x.b"]
}

test_an_update_is_not_a_deletion if {
	count(deletions.without_right(_inp("user", "update", {}, []))) == 0
}
