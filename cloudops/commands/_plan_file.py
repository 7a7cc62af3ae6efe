"""Reading a `terraform show -json` document from a file, for the CLI commands."""

from __future__ import annotations

from pathlib import Path

from controller.errors import PlanDocumentError
from controller.terraform.plan import Plan
from controller.terraform.plan_parser import check_plan_size, parse_plan


def load_plan(path: str | Path) -> Plan:
    """``parse_plan`` of a file, with a clear error when the file cannot be read (or is past the size limit)."""
    try:
        check_plan_size(Path(path).stat().st_size)  # before reading: an 89 MB file is refused at once
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanDocumentError(f"reading plan document {path}: {exc}") from exc
    return parse_plan(text)
