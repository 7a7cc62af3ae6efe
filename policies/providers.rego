# Only known providers from known sources, and - in cloud targets - nothing
# that runs a program on the controller: no local-exec provisioners, no
# `external` data sources. A pull request must not be able to run code where
# the controller's credentials live. (The local target renders a local-exec
# `sleep` by design and runs on the controller anyway.)
# cloudops: facts
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

unknown_sources(inp) := lib.violations("providers", [{"msg": msg, "addresses": c.addresses} |
	some c in inp.changes
	c.provider != ""
	source := lib.provider_source(c.provider)
	not source in allowed_sources
	msg := concat("", ["provider ", source, " is not allowed (allowed: google, aws, azurerm, null, random from hashicorp)"])
])

unknown_configured(inp) := [v |
	some key
	block := object.get(inp, "provider_config", {})[key]
	source := lib.provider_source(object.get(block, "full_name", block.name))
	not source in allowed_sources
	v := lib.violation("providers", concat("", ["provider.", key]), concat("", ["provider ", source, " is not allowed"]))
]

code_on_controller(inp) := array.concat(provisioners(inp), external_data(inp)) if inp.project.target in cloud_targets
else := []

# input.blocks: the resource and data blocks of the configuration, every
# module level, with their provisioners' types.
provisioners(inp) := lib.violations("providers", [{"msg": msg, "addresses": block.addresses} |
	some block in inp.blocks
	some p in block.provisioners
	p == "local-exec"
	msg := "local-exec provisioners run on the controller: not allowed in cloud targets"
])

external_data(inp) := lib.violations("providers", [{"msg": msg, "addresses": block.addresses} |
	some block in inp.blocks
	block.mode == "data"
	block.type == "external"
	msg := "external data sources run a program on the controller: not allowed in cloud targets"
])
