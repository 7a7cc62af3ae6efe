# Deleting or replacing needs the delete right (the admin role), and nobody
# deletes a protected resource: label/tag protected = "true", or an address
# the caller found under `lifecycle { prevent_destroy = true }` on the default
# branch (input.protected; terraform drops that guard with the block itself).
# cloudops: facts
# cloudops: labels protected
package cloudops.policy.deletions

import data.cloudops.lib
import rego.v1

deny := array.concat(without_right(input), protected(input))

without_right(inp) := lib.violations("deletions", [{"msg": msg, "addresses": c.addresses} |
	not lib.is_admin(inp)
	role := lib.role_name(inp)
	some c in inp.changes
	c.action in lib.destroy_actions
	msg := concat("", [c.action, " of ", c.type, " needs the admin role (you: ", role, ")"])
])

protected(inp) := [v |
	guarded := object.get(inp, "protected", [])
	some c in inp.changes
	c.action in lib.destroy_actions
	some address in c.addresses
	why := reason(object.get(c, "before_labels", {}), address, guarded)
	msg := concat("", [address, " is protected (", why, "): remove the protection in its own reviewed change first"])
	v := lib.violation("deletions", address, msg)
]

reason(before_labels, address, guarded) := "lifecycle prevent_destroy" if address in guarded
else := "label protected = true" if before_labels.protected in ["true", "True", "TRUE", true]
