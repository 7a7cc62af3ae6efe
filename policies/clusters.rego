# Kubernetes clusters (and their node pools) are created and changed by
# admins only: they are the most expensive and most privileged resources.
# cloudops: facts
package cloudops.policy.clusters

import data.cloudops.lib
import rego.v1

deny := violations(input)

_pool_types := ["google_container_node_pool", "aws_eks_node_group", "azurerm_kubernetes_cluster_node_pool"]

_cluster(c) if c.kind == "cluster"

_cluster(c) if c.type in _pool_types

violations(inp) := lib.violations("clusters", [{"msg": msg, "addresses": c.addresses} |
	not lib.is_admin(inp) # bound before the changes: a function given the whole input is hashed per call
	role := lib.role_name(inp)
	some c in inp.changes
	c.action in lib.write_actions
	true in [c.kind == "cluster", c.type in _pool_types]
	msg := concat("", [c.action, " of a Kubernetes cluster (", c.type, ") needs the admin role (you: ", role, ")"])
])
