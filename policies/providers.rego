# Only known providers from known sources, and - in cloud targets - nothing
# that runs a program on the controller: no local-exec provisioners, no
# `external` data sources. A pull request must not be able to run code where
# the controller's credentials live. (The local target renders a local-exec
# `sleep` by design and runs on the controller anyway.)
package cloudops.policy.providers

import data.cloudops.lib
import rego.v1

deny := array.concat(array.concat(unknown_sources(input), unknown_configured(input)), code_on_controller(input))

allowed_sources := [
	"registry.terraform.io/hashicorp/google",
	"registry.terraform.io/hashicorp/aws",
	"registry.terraform.io/hashicorp/azurerm",
	"registry.terraform.io/hashicorp/null",
	"registry.terraform.io/hashicorp/random",
]

cloud_targets := ["gcp", "aws", "azure"]

unknown_sources(inp) := [v |
	some rc in inp.plan.resource_changes
	rc.provider_name != ""
	source := lib.provider_source(rc.provider_name)
	not source in allowed_sources
	v := lib.violation("providers", rc.address, concat("", ["provider ", source, " is not allowed (allowed: google, aws, azurerm, null, random from hashicorp)"]))
]

unknown_configured(inp) := [v |
	some key
	block := object.get(inp.plan, ["configuration", "provider_config"], {})[key]
	source := lib.provider_source(object.get(block, "full_name", block.name))
	not source in allowed_sources
	v := lib.violation("providers", concat("", ["provider.", key]), concat("", ["provider ", source, " is not allowed"]))
]

# Every resource and data block of the configuration, in the root module and
# up to three levels of nested modules (walk() costs ~10x more in rego-cpp).
config_blocks(inp) := array.concat(array.concat(_blocks(_root(inp)), _blocks(_children(_root(inp)))), array.concat(_blocks(_children(_children(_root(inp)))), _blocks(_children(_children(_children(_root(inp)))))))

_root(inp) := [object.get(inp.plan, ["configuration", "root_module"], {})]

_children(modules) := [m | some parent in modules; some name; m := parent.module_calls[name].module]

_blocks(modules) := [b | some m in modules; some b in object.get(m, "resources", [])]

code_on_controller(inp) := array.concat(provisioners(inp), external_data(inp)) if inp.project.target in cloud_targets
else := []

provisioners(inp) := [v |
	some block in config_blocks(inp)
	some p in object.get(block, "provisioners", [])
	p.type == "local-exec"
	v := lib.violation("providers", block.address, "local-exec provisioners run on the controller: not allowed in cloud targets")
]

external_data(inp) := [v |
	some block in config_blocks(inp)
	block.mode == "data"
	block.type == "external"
	v := lib.violation("providers", block.address, "external data sources run a program on the controller: not allowed in cloud targets")
]
