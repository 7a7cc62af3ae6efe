"""Small modules, short functions: no source module over 400 lines, no function over 60 (CONTRIBUTING.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("controller", "bot", "cloudops", "sandbox", "scripts")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_no_module_is_over_400_lines() -> None:
    assert len(sources()) > 200  # the tree was read
    too_long = {str(p.relative_to(ROOT)): n for p in sources() if (n := p.read_text().count("\n")) > MAX_MODULE_LINES}
    assert too_long == {}


def test_no_function_is_over_60_lines() -> None:
    too_long = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = length
    assert too_long == {}
