"""Kind-specific forms and the parsing of what people type into specs.

Pure. One ``KindForm`` per resource kind lists at most five inputs (a
Discord modal's limit), their hints from the target's offerings, and how a
value becomes a typed spec field. :func:`build_spec` returns the spec or the
violations ``(field, value, rule)``, so a modal, a YAML row and a CSV row are
checked by the very same rules as the catalog; :func:`check` does both steps
and reports every problem of a form at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass
from typing import Any

from ..catalog import validation
from ..catalog.offerings import Offerings, offerings
from ..catalog.specs import SPEC_TYPES, Kind, NetworkSpec, ResourceSpec, SubnetSpec, Target
from .replies import Form, FormInput, component_id

Violation = tuple[str, object, str]
Parser = Callable[[Any], Any]


class _Bad(ValueError):
    """A value that cannot even be converted: carries the rule."""


def _text(value: Any) -> str:
    return str(value).strip()


def _optional_text(value: Any) -> str | None:
    text = _text(value) if value is not None else ""
    return text or None


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad("must be a whole number")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise _Bad("must be a whole number") from None


def _optional_int(value: Any) -> int | None:
    return None if value is None or str(value).strip() == "" else _int(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "on", "1"):
        return True
    if text in ("no", "n", "false", "off", "0"):
        return False
    raise _Bad("must be yes or no")


def _subnets(value: Any) -> tuple[SubnetSpec, ...]:
    """``app=10.0.1.0/24, data=10.0.2.0/24`` or a YAML list of ``{name, cidr}``."""
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if not isinstance(item, Mapping) or set(item) != {"name", "cidr"}:
                raise _Bad("each subnet needs exactly a name and a cidr")
            out.append(SubnetSpec(name=str(item["name"]), cidr=str(item["cidr"])))
        return tuple(out)
    out = []
    for part in str(value or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        name, sep, cidr = part.partition("=")
        if not sep:
            raise _Bad("write subnets as name=cidr, separated by commas (app=10.0.1.0/24)")
        out.append(SubnetSpec(name=name.strip(), cidr=cidr.strip()))
    return tuple(out)


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value)
    return tuple(p.strip() for p in str(value or "").split(",") if p.strip())


def _labels(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    out = {}
    for part in str(value or "").split(","):
        if part.strip():
            key, sep, val = part.partition("=")
            if not sep:
                raise _Bad("write labels as key=value, separated by commas")
            out[key.strip()] = val.strip()
    return out


@dataclass(frozen=True)
class InputDef:
    field: str
    label: str
    parse: Parser
    required: bool = True
    hint: Callable[[Offerings], str] = lambda offer: ""


def _first(values: Any, n: int = 4) -> str:
    items = list(values)
    return ", ".join(map(str, items[:n])) + (" …" if len(items) > n else "")


@dataclass(frozen=True)
class KindForm:
    kind: Kind
    title: str
    inputs: tuple[InputDef, ...]
    extra: tuple[InputDef, ...] = ()  # accepted from YAML/CSV only (a modal has five inputs)

    def all_inputs(self) -> tuple[InputDef, ...]:
        return self.inputs + self.extra


NAME = InputDef("name", "Name", _text, hint=lambda o: "lowercase letters, digits and -")
LABELS = InputDef("labels", "Labels", _labels, required=False, hint=lambda o: "team=web,env=dev")

KIND_FORMS: dict[Kind, KindForm] = {
    Kind.VM: KindForm(Kind.VM, "Add a virtual machine", (
        NAME,
        InputDef("size", "Size", _text, hint=lambda o: _first(o.machine_types)),
        InputDef("disk_gb", "Disk (GB)", _optional_int, required=False, hint=lambda o: f"{o.vm_disk_gb[0]}–{o.vm_disk_gb[1]}"),
        InputDef("network", "Network", _optional_text, required=False, hint=lambda o: "a network of the project"),
        InputDef("subnet", "Subnet", _optional_text, required=False, hint=lambda o: "a subnet of that network"),
    ), (InputDef("zone", "Zone", _optional_text, required=False), LABELS)),
    Kind.DATABASE: KindForm(Kind.DATABASE, "Add a database", (
        NAME,
        InputDef("engine", "Engine", _text, hint=lambda o: _first(o.db_engines)),
        InputDef("version", "Version", _text, hint=lambda o: _first(next(iter(o.db_engines.values()), ()))),
        InputDef("tier", "Tier", _text, hint=lambda o: _first(o.db_tiers)),
        InputDef("storage_gb", "Storage (GB)", _int, required=False, hint=lambda o: f"{o.db_storage_gb[0]}–{o.db_storage_gb[1]}"),
    ), (LABELS,)),
    Kind.NETWORK: KindForm(Kind.NETWORK, "Add a network", (
        NAME,
        InputDef("cidr", "CIDR", _text, hint=lambda o: "10.20.0.0/16"),
        InputDef("subnets", "Subnets", _subnets, hint=lambda o: "app=10.20.1.0/24, data=10.20.2.0/24"),
    ), (LABELS,)),
    Kind.BUCKET: KindForm(Kind.BUCKET, "Add a bucket", (
        NAME,
        InputDef("storage_class", "Storage class", _text, hint=lambda o: _first(o.storage_classes)),
        InputDef("versioning", "Versioning", _bool, required=False, hint=lambda o: "yes or no"),
    ), (LABELS,)),
    Kind.CLUSTER: KindForm(Kind.CLUSTER, "Add a Kubernetes cluster", (
        NAME,
        InputDef("node_size", "Node size", _text, hint=lambda o: _first(o.machine_types)),
        InputDef("node_count", "Nodes", _int, required=False, hint=lambda o: f"{o.cluster_nodes[0]}–{o.cluster_nodes[1]}"),
        InputDef("version", "Kubernetes version", _text, required=False, hint=lambda o: _first(o.kubernetes_versions)),
        InputDef("network", "Network / subnets", _optional_text, required=False, hint=lambda o: "main/app,data"),
    ), (LABELS,)),
}


def form_for(kind: Kind, target: Target | str, session_id: str, defaults: Mapping[str, Any] | None = None) -> Form:
    """The modal for one kind, with the target's choices as placeholders (and a retry's values)."""
    kind_form = KIND_FORMS[Kind(kind)]
    offer = offerings(target)
    defaults = defaults or {}
    inputs = tuple(
        FormInput(id=d.field, label=d.label, placeholder=d.hint(offer)[:100], required=d.required,
                  default=str(defaults.get(d.field) or "")[:200])
        for d in kind_form.inputs
    )
    return Form(id=component_id("form", session_id, Kind(kind).value), title=kind_form.title, inputs=inputs)


def parse_values(kind: Kind, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[Violation]]:
    """Typed field values from text or YAML values; unknown or missing fields are violations."""
    kind_form = KIND_FORMS[Kind(kind)]
    defs = {d.field: d for d in kind_form.all_inputs()}
    values: dict[str, Any] = {}
    found: list[Violation] = []
    for key in raw:
        if key not in defs:
            found.append((str(key), raw[key], f"is not a {kind.value} field (known: {', '.join(defs)})"))
    for field_name, d in defs.items():
        value = raw.get(field_name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if d.required:
                found.append((field_name, value, "is required"))
            continue
        try:
            values[field_name] = d.parse(value)
        except _Bad as exc:
            found.append((field_name, value, str(exc)))
    if kind == Kind.CLUSTER and isinstance(values.get("network"), str):
        network, _, subnets = values.pop("network").partition("/")
        values["network"] = network.strip() or None
        values["subnets"] = _names(subnets)
    return values, found


def build_spec(
    kind: Kind,
    values: Mapping[str, Any],
    *,
    project: str,
    target: Target,
    region: str,
    requested_by: str,
    networks: Mapping[str, NetworkSpec] | None = None,
) -> tuple[ResourceSpec | None, list[Violation]]:
    """The spec from typed values, or every violation (conversion and catalog rules)."""
    spec_type = SPEC_TYPES[Kind(kind)]
    try:
        spec = spec_type(project=project, target=target, region=region, requested_by=requested_by,
                         **{k: v for k, v in values.items() if v is not None})
    except TypeError as exc:
        return None, [("fields", dict(values), f"do not make a {kind.value}: {exc}")]
    # With ``networks`` given (the repo's and the session's), a reference to any other network is refused.
    found = validation.violations(spec, networks=networks)
    return (None, found) if found else (spec, [])


def check(
    kind: Kind,
    raw: Mapping[str, Any],
    *,
    project: str,
    target: Target,
    region: str,
    requested_by: str,
    networks: Mapping[str, NetworkSpec] | None = None,
) -> tuple[dict[str, Any], ResourceSpec | None, list[Violation]]:
    """Typed values, the spec, and every problem of the form at once.

    A value that cannot be converted (``disk_gb`` = ``lots``) does not hide the catalog's rules on
    the others (``size`` = ``huge``): the spec is judged with the field left at its default (or
    empty when it has none) and that field's catalog findings are dropped, since its conversion
    problem already names it. The spec is returned only when there is no problem at all."""
    values, found = parse_values(kind, raw)
    failed = {name for name, _, _ in found}
    spec_type = SPEC_TYPES[Kind(kind)]
    fields = getattr(spec_type, "__dataclass_fields__", {})
    stand_in = {name: "" for name in failed if name in fields and _required(fields[name])}
    spec, catalog = build_spec(kind, {**values, **stand_in}, project=project, target=target, region=region,
                               requested_by=requested_by, networks=networks)
    # With a field failed, "do not make a <kind>" only repeats it; the other findings are new.
    found += [v for v in catalog if v[0] not in failed and not (failed and v[0] == "fields")]
    order = [d.field for d in KIND_FORMS[Kind(kind)].all_inputs()]
    found.sort(key=lambda v: order.index(v[0]) if v[0] in order else len(order))  # as the form lists them
    return values, (spec if not found else None), found


def _required(field_def: Any) -> bool:
    return field_def.default is MISSING and field_def.default_factory is MISSING


def to_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values as JSON for the session store (subnets become dicts)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, tuple) and value and isinstance(value[0], SubnetSpec):
            value = [{"name": s.name, "cidr": s.cidr} for s in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def from_json(kind: Kind, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`to_json`."""
    out = dict(stored)
    if kind == Kind.NETWORK and "subnets" in out:
        out["subnets"] = _subnets(out["subnets"])
    if kind == Kind.CLUSTER and "subnets" in out:
        out["subnets"] = tuple(out["subnets"])
    return out
