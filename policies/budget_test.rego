package cloudops.policy.budget_test

import data.cloudops.policy.budget
import rego.v1

_inp(after, delta, b) := {"cost": {"monthly_before": after - delta, "monthly_after": after, "delta": delta, "budget": b, "not_priced": 0}}

test_over_budget_is_denied if {
	found := budget.violations(_inp(120, 30, 100))
	count(found) == 1
	found[0].msg == "monthly cost would be $120.00 (+$30.00), over the project budget of $100.00"
}

test_within_budget_passes if {
	count(budget.violations(_inp(50, 10, 100))) == 0
	count(budget.warnings(_inp(50, 10, 100))) == 0
}

test_near_the_budget_warns if {
	found := budget.warnings(_inp(85, 10, 100))
	contains(found[0].msg, "85% of the project budget")
}

test_a_cheaper_plan_over_budget_passes if {
	count(budget.violations(_inp(150, -20, 100))) == 0
}

test_no_budget_no_verdict if {
	count(budget.violations(_inp(1000, 1000, null))) == 0
	count(budget.violations({"cost": null})) == 0
}
