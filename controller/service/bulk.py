"""Bulk requests: a YAML or CSV file of resources, and the template people fill in.

Pure. :func:`parse_rows` turns file bytes into ``(row_number, kind, raw
values)`` rows or problems that name the row; the deploy use case then
checks every row with the same rules as a modal. Row numbers are what a
person sees: the 1-based item of a YAML list, the line of a CSV file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import yaml

from ..catalog.specs import Kind, Target
from .forms import KIND_FORMS

MAX_ROWS = 50


@dataclass(frozen=True)
class Row:
    number: int
    kind: Kind
    values: dict[str, Any]


def parse_rows(filename: str, content: bytes) -> tuple[list[Row], list[str]]:
    """Rows of a ``.yaml``/``.yml`` or ``.csv`` file, and problems naming their row."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [f"{filename}: not UTF-8 text"]
    lower = filename.lower()
    if lower.endswith(".csv"):
        items = _csv(text)
    elif lower.endswith((".yaml", ".yml")):
        try:
            items = _yaml(text)
        except (yaml.YAMLError, ValueError) as exc:
            return [], [f"{filename}: {exc}"]
    else:
        return [], [f"{filename}: attach a .yaml, .yml or .csv file (see /cloud-template)"]
    if len(items) > MAX_ROWS:
        return [], [f"{filename}: {len(items)} rows; at most {MAX_ROWS} per session"]
    rows: list[Row] = []
    problems: list[str] = []
    for number, item in items:
        if not isinstance(item, dict):
            problems.append(f"row {number}: must be a mapping of field names to values")
            continue
        values = {str(k).strip(): v for k, v in item.items() if v not in (None, "")}
        kind_text = str(values.pop("kind", "")).strip().lower()
        try:
            kind = Kind(kind_text)
        except ValueError:
            problems.append(f"row {number}: `kind` = {kind_text!r}: must be one of {', '.join(k.value for k in Kind)}")
            continue
        rows.append(Row(number, kind, values))
    if not items:
        problems.append(f"{filename}: no resources found")
    return rows, problems


def _yaml(text: str) -> list[tuple[int, Any]]:
    doc = yaml.safe_load(text)
    if isinstance(doc, dict) and set(doc) == {"resources"}:
        doc = doc["resources"]
    if not isinstance(doc, list):
        raise ValueError("expected a list of resources (or a mapping with one key, `resources`)")
    return list(enumerate(doc, start=1))


def _csv(text: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    out = []
    for row in reader:
        if any(k is None for k in row):
            out.append((reader.line_num, "more cells than header columns"))
            continue
        out.append((reader.line_num, {k: v for k, v in row.items() if v is not None and v.strip() != ""}))
    return out


def template_yaml(target: Target | str = Target.LOCAL) -> str:
    """A YAML file with one example per kind and every field named."""
    from ..catalog.examples import _CHOICES  # the curated example values per target

    c = _CHOICES[Target(target)]
    return f"""# Resources for /cloud-deploy: attach this file (edited) to the command.
# One item per resource; `kind` is one of: vm, database, network, bucket, cluster.
# Fields not given take the catalog's defaults. Every row is checked before anything is opened.
resources:
  - kind: network
    name: main
    cidr: 10.20.0.0/16
    subnets:
      - {{name: app, cidr: 10.20.1.0/24}}
  - kind: vm
    name: web
    size: {c['size']}
    disk_gb: 30
    network: main
    subnet: app
    labels: {{team: web}}
  - kind: database
    name: orders
    engine: postgres
    version: "{c['version']}"
    tier: {c['tier']}
    storage_gb: 32
  - kind: bucket
    name: {c['bucket']}
    storage_class: {c['class']}
    versioning: true
"""


def template_csv(target: Target | str = Target.LOCAL) -> str:
    """A CSV file: one column per field of any kind; leave cells empty when they do not apply."""
    from ..catalog.examples import _CHOICES

    c = _CHOICES[Target(target)]
    columns: list[str] = ["kind"]
    for form in KIND_FORMS.values():
        for d in form.all_inputs():
            if d.field not in columns:
                columns.append(d.field)
    rows = [
        {"kind": "vm", "name": "web", "size": c["size"], "disk_gb": "30", "labels": "team=web"},
        {"kind": "database", "name": "orders", "engine": "postgres", "version": c["version"], "tier": c["tier"],
         "storage_gb": "32"},
        {"kind": "bucket", "name": c["bucket"], "storage_class": c["class"], "versioning": "yes"},
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
