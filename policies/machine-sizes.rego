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
	some c in inp.changes
	c.action in lib.write_actions
	sized(c)
	not lib.is_admin(inp)
	some mt in c.machine_types
	not mt in c.machine_types_before # an unchanged size is not judged again
	class := size_class(mt, inp)
	not class in object.get(allowed_classes, lib.role_name(inp), [])
	msg := message(mt, class, inp)
])

sized(c) if c.kind in ["vm", "cluster"]

sized(c) if c.type in _node_pool_types

size_class(mt, inp) := object.get(inp.catalog.machine_types, [mt, "class"], "unknown")

message(mt, class, inp) := concat("", ["machine type ", mt, " (", class, ") needs the admin role; viewers may not create machines"]) if {
	inp.actor.role == "viewer"
} else := concat("", ["machine type ", mt, " is ", class, "; role ", lib.role_name(inp), " may use up to medium"])
