#!/usr/bin/env python3
"""Extract the GitHub contract schemas the controller depends on.

Why: the local forge must answer exactly as GitHub does for every endpoint the
controller calls and every webhook it receives. GitHub publishes that contract
as npm packages; this script pulls only the pieces we use out of them (the
full descriptions are hundreds of MB) into ``tests/contract/schemas/`` so the
contract tests run offline and can be refreshed with one command:

    .venv/bin/python scripts/extract_github_schemas.py

Sources (all MIT licensed, fetched with ``npm pack`` into a temp dir):

* ``@octokit/openapi`` — GitHub's REST description. We read the newest GHES
  variant (``generated/ghes-3.N.json``) because the forge serves ``/api/v3``
  like GitHub Enterprise Server; ``--variant api.github.com`` switches.
* ``@octokit/webhooks-schemas`` — JSON schemas of webhook payloads.
* ``@octokit/webhooks-examples`` — GitHub's documented example payloads,
  used to prove the extracted webhook schemas are sane.

Each output file is self-contained: the root schema plus the transitive
closure of the components it references under ``$defs`` (REST) or
``definitions`` (webhooks), rewritten to local references, so no resolver
configuration is needed. OpenAPI 3.0's ``nullable`` is turned into JSON
Schema so a standard validator reads it the way GitHub means it.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any
from collections.abc import Iterable

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "contract" / "schemas"

OPENAPI_PKG = "@octokit/openapi"
WEBHOOK_SCHEMAS_PKG = "@octokit/webhooks-schemas"
WEBHOOK_EXAMPLES_PKG = "@octokit/webhooks-examples"
# Pinned, so that adding an endpoint does not silently move every other schema
# to a newer description; bump on purpose (and rerun the contract tests).
VERSIONS = {OPENAPI_PKG: "23.0.2", WEBHOOK_SCHEMAS_PKG: "7.6.1", WEBHOOK_EXAMPLES_PKG: "7.6.1"}

# What to extract: (method, OpenAPI path, status) of every REST call the controller's forge client
# (controller/forge/github.py), PyGithub through the local forge, or the demo setup makes; the error
# components; (event, action) of every webhook the forge sends. Kept as data beside this script.
_TARGETS = json.loads((Path(__file__).resolve().parent / "github_schema_targets.json").read_text())
ENDPOINTS: list[tuple[str, str, str]] = [tuple(e) for e in _TARGETS["endpoints"]]  # type: ignore[misc]
ERROR_COMPONENTS: list[str] = _TARGETS["error_components"]
WEBHOOKS: list[tuple[str, str | None]] = [tuple(w) for w in _TARGETS["webhooks"]]  # type: ignore[misc]

_DOC_KEYS = {"description", "example", "examples", "externalDocs", "xml", "discriminator", "summary"}
# Examples are large; a few per file are enough to prove a schema sane.
MAX_EXAMPLES = 3


def npm_pack(package: str, dest: Path) -> tuple[Path, str]:
    """Download and unpack one npm package; return (package dir, version)."""
    spec = f"{package}@{VERSIONS[package]}" if package in VERSIONS else package
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    info = json.loads(out)[0]
    unpack = dest / info["name"].replace("/", "_").replace("@", "")
    with tarfile.open(dest / info["filename"]) as tar:
        tar.extractall(unpack, filter="data")
    return unpack / "package", info["version"]


def _is_doc_key(key: str) -> bool:
    return key in _DOC_KEYS or key.startswith("x-")


def openapi_to_jsonschema(node: Any) -> Any:
    """Turn an OpenAPI 3.0 schema fragment into JSON Schema (2020-12).

    ``nullable: true`` means "or null": widen ``type`` (and ``enum``), or wrap
    in ``anyOf`` when the node has no ``type`` (``allOf``/``$ref`` forms).
    """
    if isinstance(node, list):
        return [openapi_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: openapi_to_jsonschema(sub) for name, sub in value.items()}
        elif _is_doc_key(key) or key == "nullable":
            continue
        else:
            out[key] = openapi_to_jsonschema(value)
    if node.get("nullable") is True:
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"] if "null" not in types else types
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def strip_docs(node: Any) -> Any:
    """Drop documentation-only keys from a JSON Schema (draft-07) fragment."""
    if isinstance(node, list):
        return [strip_docs(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: ({n: strip_docs(s) for n, s in value.items()} if key in ("properties", "definitions") else strip_docs(value))
        for key, value in node.items()
        if key == "properties" or key == "definitions" or not (_is_doc_key(key) or key.startswith("ts"))
    }


def _refs(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _rewrite_refs(node: Any, old_prefix: str, new_prefix: str) -> Any:
    if isinstance(node, dict):
        return {
            k: (v.replace(old_prefix, new_prefix, 1) if k == "$ref" and isinstance(v, str) else _rewrite_refs(v, old_prefix, new_prefix))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, old_prefix, new_prefix) for item in node]
    return node


def resolve_indirection(doc: dict, node: Any) -> Any:
    """Follow a ``$ref`` to a response/example component (not to a schema)."""
    while isinstance(node, dict) and "$ref" in node and not node["$ref"].startswith("#/components/schemas/"):
        target: Any = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def closure(root: Any, lookup: dict[str, Any], prefix: str) -> dict[str, Any]:
    """All named schemas ``root`` reaches through ``$ref``s, by name."""
    seen: dict[str, Any] = {}
    todo = [r[len(prefix):] for r in _refs(root) if r.startswith(prefix)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = lookup[name]
        todo.extend(r[len(prefix):] for r in _refs(lookup[name]) if r.startswith(prefix))
    return dict(sorted(seen.items()))


def rest_schema(doc: dict, method: str, path: str, status: str, source: str) -> dict:
    """One self-contained schema file for a REST response."""
    operation = doc["paths"][path][method]
    response = resolve_indirection(doc, operation["responses"][status])
    media = response["content"]["application/json"]
    components = doc["components"]["schemas"]
    raw_root = media["schema"]
    defs = closure(raw_root, components, "#/components/schemas/")
    examples = []
    for example in list(media.get("examples", {}).values())[:MAX_EXAMPLES]:
        value = resolve_indirection(doc, example).get("value")
        if value is not None:
            examples.append(value)
    return {
        "source": source,
        "operationId": operation.get("operationId"),
        "method": method.upper(),
        "path": path,
        "status": int(status),
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **_rewrite_refs(openapi_to_jsonschema(raw_root), "#/components/schemas/", "#/$defs/"),
            "$defs": {
                name: _rewrite_refs(openapi_to_jsonschema(s), "#/components/schemas/", "#/$defs/")
                for name, s in defs.items()
            },
        },
        "examples": examples,
    }


def error_schema(doc: dict, name: str, source: str) -> dict:
    """A shared error body (``basic-error``, ``validation-error``)."""
    root = {"$ref": f"#/components/schemas/{name}"}
    defs = closure(root, doc["components"]["schemas"], "#/components/schemas/")
    return {
        "source": source,
        "component": name,
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **_rewrite_refs(root, "#/components/schemas/", "#/$defs/"),
            "$defs": {n: _rewrite_refs(openapi_to_jsonschema(s), "#/components/schemas/", "#/$defs/") for n, s in defs.items()},
        },
        "examples": [],
    }


def webhook_schema(defs: dict, examples: list[dict], event: str, action: str | None, source: str) -> dict:
    """One self-contained draft-07 schema file for a webhook event+action."""
    name = f"{event}${action}" if action else f"{event}$event"
    root = {"$ref": f"#/definitions/{name}"}
    reached = closure(root, defs, "#/definitions/")
    by_event = next((e["examples"] for e in examples if e["name"] == event), [])
    # The list runs oldest first; the newest examples carry the fields added since.
    chosen = [e for e in by_event if e.get("action") == action][-MAX_EXAMPLES:]
    return {
        "source": source,
        "event": event,
        "action": action,
        "schema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$ref": root["$ref"],
            "definitions": {n: strip_docs({k: v for k, v in s.items() if k != "$schema"}) for n, s in reached.items()},
        },
        "examples": chosen,
    }


def file_name_for(method: str, path: str, status: str) -> str:
    """``GET /repos/{owner}/{repo}/pulls/{pull_number}`` 200 → ``get.repos.pulls.pull_number.200.json``."""
    parts = [p.strip("{}") for p in path.strip("/").split("/") if p not in ("{owner}", "{repo}")]
    return ".".join([method, *parts, status]) + ".json"


def newest_ghes(generated: Path) -> Path:
    candidates = [p for p in generated.glob("ghes-*.json") if not p.name.endswith(".deref.json")]
    return max(candidates, key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.stem)))


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="ghes", help="'ghes' (newest GHES, default) or 'api.github.com'")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        openapi_dir, openapi_version = npm_pack(OPENAPI_PKG, tmp)
        schemas_dir, schemas_version = npm_pack(WEBHOOK_SCHEMAS_PKG, tmp)
        examples_dir, examples_version = npm_pack(WEBHOOK_EXAMPLES_PKG, tmp)

        generated = openapi_dir / "generated"
        description = newest_ghes(generated) if args.variant == "ghes" else generated / f"{args.variant}.json"
        doc = json.loads(description.read_text())
        rest_source = f"{OPENAPI_PKG}@{openapi_version} generated/{description.name}"

        for stale in args.out.glob("*/*.json"):
            stale.unlink()
        for method, path, status in ENDPOINTS:
            _write(args.out / "rest" / file_name_for(method, path, status), rest_schema(doc, method, path, status, rest_source))
        for name in ERROR_COMPONENTS:
            _write(args.out / "rest" / f"error.{name}.json", error_schema(doc, name, rest_source))

        hook_defs = json.loads((schemas_dir / "schema.json").read_text())["definitions"]
        hook_examples = json.loads((examples_dir / "api.github.com" / "index.json").read_text())
        hook_source = f"{WEBHOOK_SCHEMAS_PKG}@{schemas_version} schema.json; examples {WEBHOOK_EXAMPLES_PKG}@{examples_version} api.github.com"
        for event, action in WEBHOOKS:
            name = f"{event}.{action}.json" if action else f"{event}.json"
            _write(args.out / "webhooks" / name, webhook_schema(hook_defs, hook_examples, event, action, hook_source))

        write_source_md(args.out, description.name, openapi_version, schemas_version, examples_version)
    print(f"wrote {len(ENDPOINTS) + len(ERROR_COMPONENTS)} REST and {len(WEBHOOKS)} webhook schemas to {args.out}")
    return 0


def write_source_md(out: Path, description: str, openapi: str, schemas: str, examples: str) -> None:
    today = _dt.date.today().isoformat()
    endpoints = "\n".join(f"| {m.upper()} | `{p}` | {s} | `rest/{file_name_for(m, p, s)}` |" for m, p, s in ENDPOINTS)
    hooks = "\n".join(f"| `{e}` | {a or '—'} | `webhooks/{e}{'.' + a if a else ''}.json` |" for e, a in WEBHOOKS)
    (out / "SOURCE.md").write_text(
        f"""# Where these schemas come from

Generated by `scripts/extract_github_schemas.py` on {today}. Do not edit by
hand; rerun the script to refresh (needs `npm` and the npm registry).

| package | version | licence | used for |
| --- | --- | --- | --- |
| `{OPENAPI_PKG}` | {openapi} | MIT | REST responses, from `generated/{description}` (GitHub Enterprise Server: the forge serves `/api/v3` like GHES) |
| `{WEBHOOK_SCHEMAS_PKG}` | {schemas} | MIT | webhook payloads (`schema.json`, github.com flavour) |
| `{WEBHOOK_EXAMPLES_PKG}` | {examples} | MIT | GitHub's documented webhook examples (`api.github.com/index.json`) |

Each file holds `schema` (self-contained: referenced components are copied
under `$defs` / `definitions`; OpenAPI 3.0 `nullable` rewritten as JSON
Schema `null` types; descriptions and `x-` extensions dropped) and up to
{MAX_EXAMPLES} of GitHub's own `examples` for that response or event.

## REST responses

| method | path | status | file |
| --- | --- | --- | --- |
{endpoints}
| — | shared error bodies | 401/404/422 | `rest/error.basic-error.json`, `rest/error.validation-error.json` |

## Webhooks

| event | action | file |
| --- | --- | --- |
{hooks}
"""
    )


if __name__ == "__main__":
    raise SystemExit(main())
