# Kubernetes clusters (and their node pools) are created and changed by
# admins only: they are the most expensive and most privileged resources.
package cloudops.policy.clusters

import data.cloudops.lib
import rego.v1

deny := violations(input)

_pool_types := ["google_container_node_pool", "aws_eks_node_group", "azurerm_kubernetes_cluster_node_pool"]

_cluster(rc, inp) if lib.kind_of(rc, inp) == "cluster"

_cluster(rc, _) if rc.type in _pool_types

violations(inp) := [v |
	some rc in lib.changes(inp)
	lib.writes(rc)
	_cluster(rc, inp)
	not lib.is_admin(inp)
	msg := concat("", [lib.action(rc), " of a Kubernetes cluster (", rc.type, ") needs the admin role (you: ", lib.role_name(inp), ")"])
	v := lib.violation("clusters", rc.address, msg)
]
