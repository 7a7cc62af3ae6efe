# Machine sizes per role: viewer none, user up to medium, admin any.
# Size classes come from the catalog's offerings (input.catalog.machine_types);
# a machine type the catalog does not know is "unknown" (admins only).
package cloudops.policy.machine_sizes

import data.cloudops.lib
import rego.v1

deny := violations(input)

allowed_classes := {"viewer": [], "user": ["small", "medium"]}

_node_pool_types := ["google_container_node_pool", "aws_eks_node_group", "azurerm_kubernetes_cluster_node_pool"]

violations(inp) := [v |
	some rc in lib.changes(inp)
	lib.writes(rc)
	sized(rc, inp)
	not lib.is_admin(inp)
	some mt in machine_types(lib.after(rc))
	not mt in machine_types(lib.before(rc)) # an unchanged size is not judged again
	class := size_class(mt, inp)
	not class in object.get(allowed_classes, lib.role_name(inp), [])
	v := lib.violation("machine-sizes", rc.address, message(mt, class, inp))
]

sized(rc, inp) if lib.kind_of(rc, inp) in ["vm", "cluster"]

sized(rc, _) if rc.type in _node_pool_types

size_class(mt, inp) := object.get(inp.catalog.machine_types, [mt, "class"], "unknown")

message(mt, class, inp) := concat("", ["machine type ", mt, " (", class, ") needs the admin role; viewers may not create machines"]) if {
	inp.actor.role == "viewer"
} else := concat("", ["machine type ", mt, " is ", class, "; role ", lib.role_name(inp), " may use up to medium"])

machine_types(v) := array.concat(
	[m |
		some m in [
			object.get(v, "machine_type", null), object.get(v, "instance_type", null),
			object.get(v, "size", null), object.get(v, "vm_size", null),
			object.get(v, ["triggers", "size"], null), object.get(v, ["triggers", "node_size"], null),
			object.get(v, ["node_config", 0, "machine_type"], null),
			object.get(v, ["default_node_pool", 0, "vm_size"], null),
		]
		is_string(m)
	],
	[m | some m in object.get(v, "instance_types", []); is_string(m)],
)
