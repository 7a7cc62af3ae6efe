# Helpers shared by the policies. Not a policy: it yields nothing.
#
# Every helper takes the input document (or a part of it) as an argument so
# that tests call them directly: regopy (rego-cpp 1.5) cannot evaluate
# `with input as ...` on rules that compare or call functions.
#
# The built-in policies read the facts (input.changes, one object per distinct
# change, see README); the controller extracts them in Python with the same
# rules as the resource-change helpers below (kind_of, region_of, labels,
# taggable), which stay for policies that read input.plan.
package cloudops.lib

import rego.v1

# A rule's values as a collection: sets and arrays as they are, one message as a list of one.
results(v) := v if is_array(v)
else := v if is_set(v)
else := [] if v == false
else := [v]

violation(policy, address, msg) := {"policy": policy, "resource": address, "msg": msg}

# One violation per address of each judged fact: `found` holds objects
# {"msg": ..., "addresses": [...]}. Judge the distinct changes first, then
# expand: rego-cpp enumerates `some address in c.addresses` as soon as `c`
# is bound, whatever the order of the statements, so a single comprehension
# would visit every address of every change. (`v` is bound in the body:
# rego-cpp 1.5 cannot read a function's parameter in a comprehension's head.)
violations(policy, found) := [v | some f in found; some address in f.addresses; v := violation(policy, address, f.msg)]

# Actions of a change fact (input.changes[_].action) or of lib.action(rc).
write_actions := ["create", "update", "replace"]

destroy_actions := ["delete", "replace"]

# Managed resource changes that apply performs: the engine leaves no-ops and
# data reads out of input.plan.resource_changes already (see README).
changes(inp) := inp.plan.resource_changes

action(rc) := "replace" if count(rc.change.actions) == 2
else := rc.change.actions[0]

# The object exists after apply with new or changed values.
writes(rc) if action(rc) in write_actions

# The object is destroyed (a replace destroys it too).
destroys(rc) if action(rc) in destroy_actions

after(rc) := rc.change.after if is_object(rc.change.after)
else := {}

before(rc) := rc.change.before if is_object(rc.change.before)
else := {}

# Labels (gcp), tags (aws, azure), resource_labels (gke), user_labels (cloud sql),
# or the local target's triggers, as one map.
labels(v) := v.labels if is_object(v.labels)
else := v.tags if is_object(v.tags)
else := v.resource_labels if is_object(v.resource_labels)
else := v.settings[0].user_labels if is_object(v.settings[0].user_labels)
else := local_labels(v.triggers) if is_string(v.triggers.cloudops_kind)
else := {}

local_labels(t) := object.union(
	{k: val | some key, val in t; startswith(key, "label_"); k := substring(key, 6, -1)},
	{k: val | some key, k in {"managed_by": "managed-by", "requested_by": "requested-by", "project": "project"}; val := t[key]},
)

# Whether the resource type carries labels or tags at all (the attribute is
# present, even when null): gcp networks, IAM bindings and the like do not.
taggable(v) if {
	some key in ["labels", "tags", "resource_labels"]
	_ = v[key]
}

taggable(v) if is_object(v.settings[0].user_labels)

taggable(v) if is_string(v.triggers.cloudops_kind)

# The catalog kind (vm, database, network, bucket, cluster) of a change, if any.
kind_of(rc, inp) := k if {
	rc.type == "null_resource"
	k := object.get(after(rc), ["triggers", "cloudops_kind"], object.get(before(rc), ["triggers", "cloudops_kind"], null))
	is_string(k)
} else := inp.catalog.kinds[rc.type]

# "registry.terraform.io/hashicorp/aws"; 0.12 documents say only "aws".
provider_source(name) := name if contains(name, "/")
else := concat("/", ["registry.terraform.io/hashicorp", name])

provider_type(name) := parts[count(parts) - 1] if parts := split(provider_source(name), "/")

_letters := "abcdefghijklmnopqrstuvwxyz"

# us-central1-a -> us-central1; us-east-1a -> us-east-1; West Europe -> westeurope.
zone_region(z) := trim_right(trim_right(lower(z), _letters), "-")

location_region(l) := zone_region(n) if {
	n := lower(replace(l, " ", ""))
	regex.match(`^[a-z]+-[a-z]+[0-9]+-[a-z]$`, n)
} else := lower(replace(l, " ", ""))

# The first non-empty one of these names the region ("" names none).
named(s) if {
	is_string(s)
	trim_space(s) != ""
}

region_of(rc, inp) := lower(v.region) if {
	v := after(rc)
	named(v.region)
} else := lower(v.triggers.region) if {
	v := after(rc)
	named(v.triggers.region)
} else := location_region(v.location) if {
	v := after(rc)
	named(v.location)
} else := zone_region(v.zone) if {
	v := after(rc)
	named(v.zone)
	regex.match(`[a-z]`, v.zone)
} else := zone_region(v.availability_zone) if {
	v := after(rc)
	named(v.availability_zone)
} else := inp.provider_regions[provider_type(rc.provider_name)]

is_admin(inp) if inp.actor.role == "admin"

role_name(inp) := inp.actor.role if is_string(inp.actor.role)
else := "none (not a member of this project)"

num(n) := sprintf("%d", [n])

# Dollars and cents from whole cents (sprintf("%.2f") of a JSON integer loses its cents in regorus).
usd(n) := concat("", [_sign(n), "$", format_int(floor(c / 100), 10), ".", _two(c - floor(c / 100) * 100)]) if c := round(abs(n) * 100)

_sign(n) := "-" if n < 0
else := ""

_two(n) := concat("", ["0", format_int(n, 10)]) if n < 10
else := format_int(n, 10)
