# The project's monthly cost stays within its budget (cloudops.yaml
# budget_monthly_usd, priced by the cost engine into input.cost).
# A plan that lowers the cost is never denied, even over budget.
# cloudops: facts
package cloudops.policy.budget

import data.cloudops.lib
import rego.v1

deny := violations(input)

warn := warnings(input)

warn_ratio := 0.8

violations(inp) := [v |
	b := inp.cost.budget
	is_number(b)
	inp.cost.monthly_after > b
	inp.cost.delta > 0
	msg := concat("", ["monthly cost would be ", lib.usd(inp.cost.monthly_after), " (+", lib.usd(inp.cost.delta), "), over the project budget of ", lib.usd(b)])
	v := lib.violation("budget", "", msg)
]

warnings(inp) := array.concat(near(inp), unpriced(inp))

near(inp) := [v |
	b := inp.cost.budget
	is_number(b)
	inp.cost.delta > 0
	inp.cost.monthly_after <= b
	inp.cost.monthly_after >= b * warn_ratio
	msg := concat("", ["monthly cost would be ", lib.usd(inp.cost.monthly_after), ", ", sprintf("%.0f", [(inp.cost.monthly_after / b) * 100]), "% of the project budget of ", lib.usd(b)])
	v := lib.violation("budget", "", msg)
]

unpriced(inp) := [v |
	is_number(inp.cost.budget)
	inp.cost.not_priced > 0
	msg := concat("", [lib.num(inp.cost.not_priced), " resource change(s) could not be priced: the budget check leaves them out"])
	v := lib.violation("budget", "", msg)
]
