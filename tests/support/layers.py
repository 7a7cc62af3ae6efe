"""The layer contract, as data, and the check that reads every import (pure apart from reading files).

Top to bottom; a module may import its own layer and any layer below, never
one above. ``controller`` never imports ``bot``; the app package on top
(``cloudops``) is the only place that wires front ends to the controller.
The order is the one drawn in README "How it is built" and
docs/architecture.md; change both together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# (layer name, module prefixes) from the top down. The longest matching prefix places a module.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("app", ("cloudops",)),
    ("front ends", ("bot",)),
    ("controller app", ("controller.app", "controller.dashboard")),
    ("service", ("controller.service",)),
    ("pipeline", ("controller.pipeline",)),
    ("engines", ("controller.policy", "controller.cost", "controller.state", "controller.secrets",
                 "controller.webhooks", "controller.gitops")),
    ("parts", ("controller.terraform", "controller.store", "controller.forge", "controller.catalog",
               "controller.repo_config", "controller.repo_template", "controller.access", "controller.doctor")),
    ("base", ("controller.bus", "controller.notices", "controller.errors", "controller.settings", "controller.limits",
              "controller.data_dir", "controller.yaml_reader", "controller.durations", "controller")),
    ("sandbox", ("sandbox",)),
)
# Packages the check reads (tests and benchmarks may import anything).
SOURCE_PACKAGES = ("cloudops", "bot", "controller")
# The forge stand-in is test infrastructure: only the app layer (the demo, `cloudops forge`) may start it.
_SANDBOX_USERS = ("app",)


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    target: str
    layer: str
    target_layer: str

    def __str__(self) -> str:
        return (f"{self.module} line {self.line}: imports {self.target} "
                f"({self.layer} may not import {self.target_layer}, a layer above it)")


def layer_of(module: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), name)
    return best[1] if best else None


def _rank(layer: str) -> int:
    return [name for name, _ in LAYERS].index(layer)


def targets(node: ast.AST, module: str, *, is_package: bool) -> list[str]:
    """The absolute modules an import statement names (``from x import y`` counts ``x`` and ``x.y``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        stem = ".".join(base + ([node.module] if node.module else []))
    else:
        stem = node.module or ""
    return [stem, *(f"{stem}.{alias.name}" for alias in node.names if alias.name != "*")]


def _modules(root: Path) -> Iterator[tuple[str, Path]]:
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def violations(root: Path) -> list[Violation]:
    found: list[Violation] = []
    for module, path in _modules(root):
        layer = layer_of(module)
        if layer is None:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        # Every import counts, at module level, in a function or under TYPE_CHECKING: each draws an arrow.
        for node in ast.walk(tree):
            for target in targets(node, module, is_package=path.name == "__init__.py"):
                target_layer = layer_of(target)
                if target_layer is None or target_layer == layer:
                    continue
                upward = _rank(target_layer) < _rank(layer)
                sandbox = target_layer == "sandbox" and layer not in _SANDBOX_USERS
                if upward or sandbox:
                    found.append(Violation(module, getattr(node, "lineno", 0), target, layer, target_layer))
                    break  # one line per import statement is enough to act on
    return sorted(set(found), key=lambda v: (v.module, v.line))


def unplaced_packages(root: Path) -> list[str]:
    """First-level packages of the source tree that no layer names."""
    names: set[str] = set()
    for module, _ in _modules(root):
        parts = module.split(".")
        names.add(".".join(parts[:2]) if parts[0] == "controller" and len(parts) > 1 else parts[0])
    return sorted(n for n in names if layer_of(n) is None or (n.startswith("controller.") and layer_of(n) == "base"
                                                               and n not in _BASE_MODULES))


_BASE_MODULES = {prefix for name, prefixes in LAYERS if name == "base" for prefix in prefixes} - {"controller"}
