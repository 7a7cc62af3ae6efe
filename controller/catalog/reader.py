"""Read what a repository's projects already hold: resources, kinds, counts.

Reads ``projects/<p>/*.tf`` with python-hcl2. Files cloudops rendered are
*managed*; hand-written HCL (modules, ``count``, ``for_each``, ``dynamic``
blocks, anything without the cloudops labels) is listed as *unmanaged* and
counted conservatively for quotas: ``count = N`` (a literal) counts N; an
unknown count or a ``for_each`` counts as "at least 1" and marks the total
inexact; a module counts toward ``unknown``. A file that does not parse is
reported with its line, and reading goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import hcl, targets
from .specs import Kind, Target

EXTRA_KINDS: dict[str, Kind] = {
    "azurerm_windows_virtual_machine": Kind.VM,
    "azurerm_virtual_machine": Kind.VM,
    "aws_rds_cluster": Kind.DATABASE,
    "aws_db_instance": Kind.DATABASE,
    "google_alloydb_cluster": Kind.DATABASE,
    "azurerm_mssql_server": Kind.DATABASE,
    "google_compute_instance_from_template": Kind.VM,
}
KEY_ATTRIBUTES = (
    "name", "bucket", "identifier", "machine_type", "instance_type", "size", "vm_size", "instance_class", "sku_name",
    "engine", "engine_version", "database_version", "region", "location", "zone", "availability_zone",
    "storage_class", "access_tier", "cidr_block", "ip_cidr_range", "address_space", "version", "kubernetes_version",
)
_BLOCK_LINE = re.compile(r'^\s*(resource|module)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{')


@dataclass(frozen=True)
class FoundResource:
    address: str
    file: str
    line: int | None
    resource_type: str
    kind: Kind | None
    target: Target | None
    managed: bool
    instances: int | None  # None: unknown (for_each, a computed count)
    attributes: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParseProblem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class KindCount:
    minimum: int
    exact: bool

    def __str__(self) -> str:
        return str(self.minimum) if self.exact else f"at least {self.minimum} (unknown)"


@dataclass
class ProjectInventory:
    project: str
    path: str
    resources: list[FoundResource] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)

    def counts(self) -> dict[str, KindCount]:
        """Per kind (and ``unknown`` for modules): conservative instance counts."""
        totals: dict[str, list[int | bool]] = {}
        for res in self.resources:
            key = res.kind.value if res.kind else ("unknown" if res.resource_type == "module" else None)
            if key is None:
                continue
            entry = totals.setdefault(key, [0, True])
            entry[0] = int(entry[0]) + (1 if res.instances is None else res.instances)
            entry[1] = bool(entry[1]) and res.instances is not None and key != "unknown"
        return {k: KindCount(int(v[0]), bool(v[1])) for k, v in sorted(totals.items())}

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "path": self.path,
            "resources": [asdict(r) for r in self.resources],
            "counts": {k: asdict(v) for k, v in self.counts().items()},
            "problems": [asdict(p) for p in self.problems],
        }


def read_repo(repo_root: Path) -> list[ProjectInventory]:
    projects = Path(repo_root) / "projects"
    if not projects.is_dir():
        return []
    return [read_project(p) for p in sorted(projects.iterdir()) if p.is_dir() and not p.name.startswith(".")]


def read_project(project_dir: Path) -> ProjectInventory:
    project_dir = Path(project_dir)
    inventory = ProjectInventory(project=project_dir.name, path=str(project_dir))
    for path in sorted(project_dir.glob("*.tf")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            inventory.problems.append(ParseProblem(path.name, None, f"reading the file: {exc}"))
            continue
        found, problem = read_file(path.name, text)
        inventory.resources.extend(found)
        if problem:
            inventory.problems.append(problem)
    return inventory


def read_file(filename: str, text: str) -> tuple[list[FoundResource], ParseProblem | None]:
    """Resources of one file, or a problem with its line if it does not parse."""
    try:
        parsed = hcl.loads(text)
    except Exception as exc:  # lark raises several types; any of them is a report, not a crash
        line = getattr(exc, "line", None)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [], ParseProblem(filename, line if isinstance(line, int) and line > 0 else None, f"parsing HCL: {first}")
    try:
        return _listed(filename, text, parsed), None
    except Exception as exc:  # an HCL shape we did not foresee is a report, not a crash
        return [], ParseProblem(filename, None, f"listing resources: {type(exc).__name__}: {exc}")


def _listed(filename: str, text: str, parsed: Mapping[str, Any]) -> list[FoundResource]:
    lines = _block_lines(text)
    resources = [_resource(filename, type_, name, body, lines) for type_, name, body in hcl.resources(parsed)]
    modules = [_module(filename, name, body, lines) for entry in parsed.get("module", []) for name, body in entry.items()]
    managed_file = bool(resources) and not modules and any(r.managed for r in resources) and all(
        not r.notes for r in resources)
    if not managed_file:
        resources = [_unmanaged(r) for r in resources]
    else:
        resources = [_supporting(filename, r) for r in resources]
    return resources + modules


def _unmanaged(res: FoundResource) -> FoundResource:
    if not res.managed:
        return res
    return FoundResource(**{**res.__dict__, "managed": False})


def _supporting(filename: str, res: FoundResource) -> FoundResource:
    """In a rendered ``<kind>-<name>.tf``, only that kind's resource counts (a vm's own vnet does not)."""
    match = re.fullmatch(r"(vm|database|network|bucket|cluster)-.+\.tf", filename)
    if res.kind is None or not match or res.kind.value == match.group(1):
        return res
    return FoundResource(**{**res.__dict__, "kind": None})


def _block_lines(text: str) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _BLOCK_LINE.match(line)
        if match:
            block, first, second = match.groups()
            key = (first, second or "") if block == "resource" else ("module", first)
            found.setdefault(key, number)
    return found


def _target(type_: str, body: Mapping[str, Any]) -> Target | None:
    if type_ == "null_resource":
        return Target.LOCAL if hcl.literal_map(body.get("triggers")).get("cloudops_target") == "local" else None
    for prefix, target in (("google_", Target.GCP), ("aws_", Target.AWS), ("azurerm_", Target.AZURE)):
        if type_.startswith(prefix):
            return target
    return None


def _kind(type_: str, target: Target | None, body: Mapping[str, Any]) -> Kind | None:
    if target == Target.LOCAL:
        try:
            return Kind(hcl.literal_map(body.get("triggers")).get("cloudops_kind"))
        except ValueError:
            return None
    if target is not None and type_ in targets.module(target).PRIMARY:
        return targets.module(target).PRIMARY[type_]
    return EXTRA_KINDS.get(type_)


def _labels(body: Mapping[str, Any]) -> dict[str, Any]:
    for key in ("labels", "tags", "resource_labels", "triggers"):
        if isinstance(body.get(key), Mapping):
            return hcl.literal_map(body[key])
    settings = hcl.first_block(body, "settings")
    if "user_labels" in settings:
        return hcl.literal_map(settings.get("user_labels"))
    description = hcl.unquote(body.get("description", ""))  # gcp networks take no labels
    return dict(re.findall(r"([a-z][a-z0-9_-]*)=([a-z0-9_-]*)", description)) if isinstance(description, str) else {}


def _instances(body: Mapping[str, Any]) -> tuple[int | None, list[str]]:
    notes = []
    if "for_each" in body:
        notes.append(f"for_each = {_show(body['for_each'])}")
        return None, notes
    if "count" in body:
        count = body["count"]
        notes.append(f"count = {_show(count)}")
        return (count, notes) if isinstance(count, int) and not isinstance(count, bool) else (None, notes)
    return 1, notes


def _has_dynamic(body: Any) -> bool:
    if isinstance(body, Mapping):
        return "dynamic" in body or any(_has_dynamic(v) for k, v in body.items() if not str(k).startswith("__"))
    if isinstance(body, list):
        return any(_has_dynamic(v) for v in body)
    return False


def _show(value: Any) -> str:
    value = hcl.unquote(value)
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, dict)):
        return "[" + ", ".join(_show(v) for v in value) + "]" if isinstance(value, list) else "{…}"
    return str(value)


def _attributes(type_: str, body: Mapping[str, Any]) -> dict[str, str]:
    if type_ == "null_resource":
        return {k: str(v) for k, v in hcl.literal_map(body.get("triggers")).items() if not k.startswith("cloudops_")}
    attrs = {key: _show(body[key]) for key in KEY_ATTRIBUTES if key in body}
    settings = hcl.first_block(body, "settings")
    if "tier" in settings:
        attrs["tier"] = _show(settings["tier"])
    pool = hcl.first_block(body, "default_node_pool")
    for key in ("vm_size", "node_count"):
        if key in pool:
            attrs[key] = _show(pool[key])
    return attrs


def _resource(filename: str, type_: str, name: str, body: Mapping[str, Any], lines: Mapping[tuple[str, str], int]) -> FoundResource:
    target = _target(type_, body)
    kind = _kind(type_, target, body)
    instances, notes = _instances(body)
    if _has_dynamic(body):
        notes.append("dynamic blocks")
    provider = body.get("provider")
    if provider is not None:
        notes.append(f"provider = {_show(provider)}")
    managed = _labels(body).get("managed-by", _labels(body).get("managed_by")) == "cloudops"
    return FoundResource(
        address=f"{type_}.{name}", file=filename, line=lines.get((type_, name)), resource_type=type_,
        kind=kind, target=target, managed=managed and not notes, instances=instances,
        attributes=_attributes(type_, body), notes=tuple(notes),
    )


def _module(filename: str, name: Any, body: Mapping[str, Any], lines: Mapping[tuple[str, str], int]) -> FoundResource:
    name = hcl.unquote(name)
    instances, notes = _instances(body)
    source = _show(body.get("source", ""))
    notes.insert(0, f"module source {source}")
    if instances is not None:
        instances = None  # what a module creates is unknown: counted as "at least 1"
    return FoundResource(
        address=f"module.{name}", file=filename, line=lines.get(("module", name)), resource_type="module",
        kind=None, target=None, managed=False, instances=instances,
        attributes={"source": source}, notes=tuple(notes),
    )


def summarize(inventories: Iterable[ProjectInventory]) -> dict[str, dict[str, KindCount]]:
    return {inv.project: inv.counts() for inv in inventories}
