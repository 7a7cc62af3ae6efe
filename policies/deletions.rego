# Deleting or replacing needs the delete right (the admin role), and nobody
# deletes a protected resource: label/tag protected = "true", or an address
# the caller found under `lifecycle { prevent_destroy = true }` on the default
# branch (input.protected; terraform drops that guard with the block itself).
package cloudops.policy.deletions

import data.cloudops.lib
import rego.v1

deny := array.concat(without_right(input), protected(input))

without_right(inp) := [v |
	some rc in lib.changes(inp)
	lib.destroys(rc)
	not lib.is_admin(inp)
	msg := concat("", [lib.action(rc), " of ", rc.type, " needs the admin role (you: ", lib.role_name(inp), ")"])
	v := lib.violation("deletions", rc.address, msg)
]

protected(inp) := [v |
	some rc in lib.changes(inp)
	lib.destroys(rc)
	why := reason(rc, inp)
	msg := concat("", [rc.address, " is protected (", why, "): remove the protection in its own reviewed change first"])
	v := lib.violation("deletions", rc.address, msg)
]

reason(rc, inp) := "lifecycle prevent_destroy" if rc.address in object.get(inp, "protected", [])
else := "label protected = true" if lib.labels(lib.before(rc)).protected in ["true", "True", "TRUE", true]
