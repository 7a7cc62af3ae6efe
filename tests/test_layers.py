"""The layer contract: imports only point down (see docs/layers.md and README "How it is built").

Every import in every module counts, at module level or inside a function,
so a late import cannot hide an upward arrow. A failure names the module,
the line and the two layers, which is what a contributor needs to fix it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import layers

ROOT = Path(__file__).resolve().parents[1]


def test_no_module_imports_a_layer_above_its_own() -> None:
    violations = layers.violations(ROOT)
    assert violations == [], "imports that point up:\n" + "\n".join(map(str, violations))


def test_every_package_belongs_to_a_layer() -> None:
    unplaced = layers.unplaced_packages(ROOT)
    assert unplaced == [], f"packages missing from tests/support/layers.py LAYERS: {unplaced}"


def test_the_contract_catches_a_wrong_way_import(tmp_path: Path) -> None:
    """Proof that the check can fail: a store module importing the service layer is refused."""
    (tmp_path / "controller" / "store").mkdir(parents=True)
    (tmp_path / "controller" / "service").mkdir(parents=True)
    (tmp_path / "controller" / "__init__.py").write_text("")
    (tmp_path / "controller" / "store" / "__init__.py").write_text("")
    (tmp_path / "controller" / "service" / "__init__.py").write_text("")
    (tmp_path / "controller" / "store" / "bad.py").write_text(
        "def late():\n    from ..service import chatops\n    return chatops\n")
    found = layers.violations(tmp_path)
    assert [(v.module, v.target_layer) for v in found] == [("controller.store.bad", "service")]
    assert "line 2" in str(found[0])


@pytest.mark.parametrize("source, expected", [
    ("from . import x", "controller.pipeline.x"),
    ("from ..store import records", "controller.store"),
    ("import controller.terraform.runner", "controller.terraform.runner"),
])
def test_relative_imports_resolve_to_absolute_modules(source: str, expected: str) -> None:
    node = ast.parse(source).body[0]
    assert expected in layers.targets(node, "controller.pipeline.planner", is_package=False)
