"""What every target renderer provides, and the context for reading back.

A target module exposes ``PRIMARY`` (resource type -> kind: the resource that
stands for the spec), ``render(spec, options) -> Document``,
``project_files(project, region) -> {filename: Document}`` and
``spec_from(type, local_name, body, ctx) -> ResourceSpec`` (the round trip).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import hcl
from ..specs import ResourceSpec, standard_labels

RESERVED = ("managed-by", "requested-by", "project")


@dataclass(frozen=True)
class RenderOptions:
    """Knobs that change the rendered text. ``local_delay_seconds``: the local
    target's provisioning delay (a ``sleep`` in a local-exec provisioner)."""

    local_delay_seconds: int = 1


@dataclass
class ParseContext:
    """Everything parsed from a project's files, for companion lookups."""

    region: str | None = None
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def companion(self, type_: str, name: str) -> dict[str, Any]:
        return self.resources.get((type_, name), {})


def labels_for(spec: ResourceSpec) -> dict[str, str]:
    return hcl.str_map(standard_labels(spec))


def common_from_labels(labels: dict[str, Any]) -> dict[str, Any]:
    """``project``, ``requested_by`` and user labels from rendered labels/tags."""
    return {
        "project": labels.get("project", ""),
        "requested_by": labels.get("requested-by", ""),
        "labels": {k: v for k, v in labels.items() if k not in RESERVED and k != "Name"},
    }


def ref_name(value: Any, type_: str) -> str | None:
    """The local name in a reference like ``${aws_vpc.network_main.id}``."""
    match = re.fullmatch(r"\$\{" + re.escape(type_) + r"\.([A-Za-z0-9_-]+)\.\w+\}", str(value))
    return match.group(1) if match else None


def network_ref(local_name: str | None) -> tuple[str | None, str | None]:
    """``network_main__a`` -> ("main", "a"); ``network_main`` -> ("main", None)."""
    if not local_name or not local_name.startswith("network_"):
        return None, None
    rest = local_name[len("network_"):]
    net, _, sub = rest.partition("__")
    return net, (sub or None)


def header(spec: ResourceSpec) -> str:
    return (
        f"{spec.kind.value} {spec.name!s} for project {spec.project}, requested by {spec.requested_by}.\n"
        "Managed by cloudops: change it through a pull request."
    )
