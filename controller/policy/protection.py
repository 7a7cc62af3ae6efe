"""Addresses a project's files protect with ``lifecycle { prevent_destroy = true }``.

Terraform forgets that guard together with the block it sits in, so a PR that
deletes the block plans a plain delete: read it from the *default branch*
checkout and pass the result as ``protected`` to the engine. Reads files;
unparsable ones are skipped (the inventory reports them).
"""

from __future__ import annotations

from pathlib import Path

from ..catalog import hcl


def protected_addresses(project_dir: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(Path(project_dir).glob("*.tf")):
        try:
            parsed = hcl.loads(path.read_text(encoding="utf-8"))
            blocks = hcl.resources(parsed)
        except Exception:  # noqa: BLE001 - python-hcl2 raises lark's many types; a bad file protects nothing new
            continue
        for type_, name, body in blocks:
            if hcl.unquote(hcl.first_block(body, "lifecycle").get("prevent_destroy")) in (True, "true"):
                found.append(f"{type_}.{hcl.unquote(name)}")
    return found
