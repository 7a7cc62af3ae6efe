"""Reading a `terraform show -json` document from a file, for the CLI commands."""

from __future__ import annotations

from pathlib import Path

from controller.errors import PlanDocumentError
from controller.terraform.plan import Plan, parse_plan


def load_plan(path: str | Path) -> Plan:
    """``parse_plan`` of a file, with a clear error when the file cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanDocumentError(f"reading plan document {path}: {exc}") from exc
    return parse_plan(text)
