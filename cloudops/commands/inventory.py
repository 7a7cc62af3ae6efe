"""`cloudops inventory PATH [--format table|json]`: what a repo's projects hold.

PATH is an infrastructure repo (its ``projects/*``) or one project directory.
Prints every resource (managed or hand-written), the per-kind counts used for
quotas, and any file that does not parse. Exit 1 when a file has a problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from controller.catalog import reader
from controller.errors import ConfigError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="an infrastructure repo, or one project directory")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="table for people, json for scripts")


def collect(path: Path) -> list[reader.ProjectInventory]:
    if not path.is_dir():
        raise ConfigError(f"reading the inventory: {path} is not a directory")
    if (path / "projects").is_dir():
        return reader.read_repo(path)
    if any(path.glob("*.tf")):
        return [reader.read_project(path)]
    raise ConfigError(f"reading the inventory: {path} has neither projects/ nor .tf files",
                      hint="pass the root of an infrastructure repo or a project directory")


def run(args: argparse.Namespace) -> int:
    inventories = collect(args.path)
    if args.format == "json":
        json.dump({"projects": [inv.as_dict() for inv in inventories]}, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        console = Console()
        if console.is_terminal:
            print_tables(inventories, console)
        else:
            sys.stdout.write(plain_text(inventories))
    return 1 if any(inv.problems for inv in inventories) else 0


def _row(res: reader.FoundResource) -> list[str]:
    details = ", ".join(f"{k}={v}" for k, v in res.attributes.items() if k in _SHOWN)
    if res.notes:
        details = "; ".join(filter(None, [details, *res.notes]))
    return [
        res.address, res.kind.value if res.kind else "-", res.target.value if res.target else "-",
        "managed" if res.managed else "unmanaged", "?" if res.instances is None else str(res.instances),
        f"{res.file}:{res.line}" if res.line else res.file, details,
    ]


def plain_text(inventories: list[reader.ProjectInventory]) -> str:
    """The same listing without colour or box drawing, for pipes and logs."""
    out: list[str] = []
    for inv in inventories:
        out.append(f"project {inv.project} ({inv.path})")
        rows = [_row(res) for res in inv.resources]
        widths = [max((len(r[i]) for r in rows), default=0) for i in range(6)]
        for row in rows:
            out.append("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:6])) + ("  " + row[6] if row[6] else ""))
        counts = inv.counts()
        out.append("  counts: " + (", ".join(f"{kind} {count}" for kind, count in counts.items()) or "none"))
        out.extend(f"  problem: {problem}" for problem in inv.problems)
        out.append("")
    return "\n".join(out)


def print_tables(inventories: list[reader.ProjectInventory], console: Console) -> None:
    for inv in inventories:
        table = Table(title=f"project {inv.project}", title_justify="left")
        for column in ("address", "kind", "target", "managed", "instances", "where", "details"):
            table.add_column(column)
        for res in inv.resources:
            table.add_row(*_row(res))
        console.print(table)
        counts = inv.counts()
        console.print("counts: " + (", ".join(f"{kind} {count}" for kind, count in counts.items()) or "none"))
        for problem in inv.problems:
            console.print(f"[red]problem[/red] {problem}", markup=True, highlight=False)
        console.print()


_SHOWN = {"name", "size", "machine_type", "instance_type", "vm_size", "tier", "instance_class", "sku_name", "region",
          "location", "zone", "storage_class", "engine", "version", "cidr", "cidr_block", "node_size", "node_count"}
