# Machine sizes per role: viewer none, user up to medium, admin any.
# Size classes come from the catalog's offerings (input.catalog.machine_types);
# a machine type the catalog does not know is "unknown" (admins only).
# cloudops: facts
package cloudops.policy.machine_sizes

import data.cloudops.lib
import rego.v1

deny := violations(input)

allowed_classes := {"viewer": [], "user": ["small", "medium"]}

_node_pool_types := ["google_container_node_pool", "aws_eks_node_group", "azurerm_kubernetes_cluster_node_pool"]

# c.machine_types: machine_type, instance_type, size, vm_size, the local
# target's triggers.size/node_size, node_config[0].machine_type,
# default_node_pool[0].vm_size and instance_types[_] of `after`, in that order.
violations(inp) := lib.violations("machine-sizes", [{"msg": msg, "addresses": c.addresses} |
	# Bound once, before the changes: a function given the whole input is hashed per call.
	not lib.is_admin(inp)
	role := lib.role_name(inp)
	allowed := object.get(allowed_classes, role, [])
	classes := inp.catalog.machine_types
	viewer := object.get(inp.actor, "role", null) == "viewer"
	some c in inp.changes
	c.action in lib.write_actions
	true in [c.kind in ["vm", "cluster"], c.type in _node_pool_types]
	some mt in c.machine_types
	not mt in c.machine_types_before # an unchanged size is not judged again
	class := object.get(classes, [mt, "class"], "unknown")
	not class in allowed
	msg := message(mt, class, role, viewer)
])

message(mt, class, role, viewer) := concat("", ["machine type ", mt, " (", class, ") needs the admin role; viewers may not create machines"]) if {
	viewer
} else := concat("", ["machine type ", mt, " is ", class, "; role ", role, " may use up to medium"])
