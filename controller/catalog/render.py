"""Specs to files: one file per resource plus the project's provider files.

:func:`render_resource` and :func:`render_project` are pure (spec -> text,
deterministic bytes). :func:`write_project` is the one place that writes: it
validates everything first and writes nothing if any rule is broken.
:func:`read_specs` is the round trip (rendered text -> specs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import SpecValidationError
from . import hcl, targets, validation
from .offerings import offerings
from .specs import ResourceSpec, Target, VmSpec
from .targets.base import ParseContext, RenderOptions, header

DEFAULT_DISK_GB = 20

__all__ = ["RenderOptions", "normalized", "read_specs", "render_project", "render_resource", "write_project"]


def render_resource(spec: ResourceSpec, options: RenderOptions = RenderOptions()) -> tuple[str, str]:
    """``(filename, text)`` for one validated spec."""
    validation.validate(spec)
    spec = normalized(spec)
    doc = targets.module(spec.target).render(spec, options)
    return spec.filename, hcl.dumps(doc, header=header(spec))


def project_files(project: str, target: Target | str, region: str) -> dict[str, str]:
    """``versions.tf`` (and for azure ``resource-group.tf``) of a project."""
    docs = targets.module(target).project_files(project, region)
    head = f"Provider requirements of project {project} ({Target(target).value}).\nManaged by cloudops."
    return {name: hcl.dumps(doc, header=head) for name, doc in docs.items()}


def render_project(
    project: str,
    target: Target | str,
    region: str,
    specs: Iterable[ResourceSpec],
    options: RenderOptions = RenderOptions(),
) -> dict[str, str]:
    """All files of a project, keyed by file name, sorted."""
    specs = validation.validate_all(specs)
    _check_project(project, Target(target), region, specs)
    files = project_files(project, target, region)
    for spec in specs:
        name, text = render_resource(spec, options)
        files[name] = text
    return dict(sorted(files.items()))


def _check_project(project: str, target: Target, region: str, specs: list[ResourceSpec]) -> None:
    found: list[tuple[str, object, str]] = []
    for spec in specs:
        if spec.project != project:
            found.append(("project", spec.project, f"this project is {project!r}"))
        if spec.target != target:
            found.append(("target", spec.target.value, f"project {project!r} deploys to {target.value}"))
        if target == Target.AWS and spec.region != region:
            found.append(("region", spec.region, f"aws resources use the provider's region, {region}, in project {project!r}"))
    if region not in offerings(target).regions:
        found.append(("region", region, f"must be one of the {target.value} regions"))
    if found:
        raise SpecValidationError(found)


def write_project(
    repo_root: Path,
    project: str,
    target: Target | str,
    region: str,
    specs: Iterable[ResourceSpec],
    options: RenderOptions = RenderOptions(),
) -> list[Path]:
    """Render and write ``projects/<project>/``; nothing is written unless all specs pass."""
    files = render_project(project, target, region, specs, options)
    root = Path(repo_root).resolve()
    project_dir = (root / "projects" / project).resolve()
    if root not in project_dir.parents:
        raise SpecValidationError([("project", project, "must name a directory inside projects/")])
    project_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = project_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def read_specs(files: Mapping[str, str]) -> list[ResourceSpec]:
    """Parse rendered files (``{filename: text}``) back into specs, in file order."""
    ctx = ParseContext()
    parsed_files = {name: hcl.loads(text) for name, text in sorted(files.items())}
    for parsed in parsed_files.values():
        for type_, name, body in hcl.resources(parsed):
            ctx.resources[(type_, name)] = body
        for type_, name, body in hcl.data_sources(parsed):
            ctx.data[(type_, name)] = body
        for provider in parsed.get("provider", []):
            for body in provider.values():
                if "region" in body:
                    ctx.region = hcl.unquote(body["region"])
    specs = []
    for (type_, name), body in ctx.resources.items():
        target = _target_of(type_, body)
        if target is None:
            continue
        primary = targets.module(target).PRIMARY.get(type_)
        if primary is not None and not name.startswith(f"{primary.value}_"):
            continue  # a supporting resource of another kind's file (a vm's own vnet)
        specs.append(targets.module(target).spec_from(type_, name, body, ctx))
    return specs


def _target_of(type_: str, body: dict) -> Target | None:
    if type_ == "null_resource":
        return Target.LOCAL if hcl.literal_map(body.get("triggers")).get("cloudops_target") == "local" else None
    for target in (Target.GCP, Target.AWS, Target.AZURE):
        if type_ in targets.module(target).PRIMARY:
            return target
    return None


def normalized(spec: ResourceSpec) -> ResourceSpec:
    """The spec with defaults made explicit, as :func:`read_specs` returns it."""
    offer = offerings(spec.target)
    if isinstance(spec, VmSpec):
        disk_gb = spec.disk_gb if spec.disk_gb is not None else max(DEFAULT_DISK_GB, offer.vm_disk_gb[0])
        if spec.target == Target.AWS and spec.subnet:
            return dataclasses.replace(spec, zone=None, disk_gb=disk_gb)
        return dataclasses.replace(spec, zone=spec.zone or offer.zones(spec.region)[0], disk_gb=disk_gb)
    return spec


