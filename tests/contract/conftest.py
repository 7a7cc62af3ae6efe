"""Contract fixtures: the extracted GitHub schemas and validators for them.

The schemas are committed under ``schemas/`` by
``scripts/extract_github_schemas.py``; the endpoint and webhook lists come
from that script too, so the tests and the extraction cannot drift apart.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator

HERE = Path(__file__).parent
SCHEMAS = HERE / "schemas"
ROOT = HERE.parent.parent


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


extraction = _load("cloudops_extract_github_schemas", ROOT / "scripts" / "extract_github_schemas.py")
forge_thread = (
    sys.modules.get("cloudops_forge_thread")
    or _load("cloudops_forge_thread", ROOT / "tests" / "controller" / "forge" / "forge_thread.py")
)


@cache
def schema_file(relative: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / relative).read_text())  # type: ignore[no-any-return]


@cache
def validator(relative: str) -> Validator:
    """A validator for one extracted file; formats (date-time, uri, email) are checked too."""
    schema = schema_file(relative)["schema"]
    cls = Draft7Validator if relative.startswith("webhooks/") else Draft202012Validator
    cls.check_schema(schema)
    return cls(schema, format_checker=FormatChecker())  # type: ignore[no-any-return]


def violations(relative: str, instance: Any) -> list[str]:
    """Readable schema violations, ``path: message``, deepest first."""
    errors = sorted(validator(relative).iter_errors(instance), key=lambda e: -len(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}" for e in errors]


def rest_file(method: str, path: str, status: str | int) -> str:
    return "rest/" + extraction.file_name_for(method, path, str(status))


def webhook_file(event: str, action: str | None) -> str:
    return f"webhooks/{event}.{action}.json" if action else f"webhooks/{event}.json"


# Test modules import the helpers above as ``import cloudops_contract``: tests
# are not a package, and pytest loads this conftest before collecting them.
sys.modules["cloudops_contract"] = sys.modules[__name__]
