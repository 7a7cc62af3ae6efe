"""Build HCL documents as python-hcl2 dicts and write them as stable text.

Pure. python-hcl2's ``dumps`` takes dicts shaped as its ``loads`` returns them:
string literals keep their quotes (``'"x"'``), expressions are ``"${...}"``,
blocks are lists of dicts marked ``__is_block__``. The helpers here build that
shape; :func:`dumps` writes it and normalises whitespace so that the output is
what ``terraform fmt`` would leave alone, and byte-identical for equal input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import hcl2
from hcl2.deserializer import DeserializerOptions
from hcl2.formatter import FormatterOptions

BLOCK = "__is_block__"


def string(value: str) -> str:
    """A quoted HCL string literal, with template sequences escaped."""
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("${", "$${")
        .replace("%{", "%%{")
    )
    return f'"{escaped}"'


def expr(text: str) -> str:
    """A bare expression (reference, function call)."""
    return "${" + text + "}"


def unquote(value: Any) -> Any:
    """The Python value of a literal as python-hcl2 returns it; expressions stay as text."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return (
            inner.replace("$${", "${").replace("%%{", "%{").replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        )
    return value


def strings(values: Iterable[str]) -> list[str]:
    return [string(v) for v in values]


def str_map(values: Mapping[str, str]) -> dict[str, str]:
    """An object of string values (labels, tags, triggers); keys quoted when not identifiers."""
    return {_key(k): string(v) for k, v in values.items()}


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) else string(key)


def block(body: Mapping[str, Any]) -> dict[str, Any]:
    """A nested block (``boot_disk { ... }``); use as ``{"boot_disk": [block({...})]}``."""
    return {**body, BLOCK: True}


def labelled(label: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """A nested block with one label (``provisioner "local-exec" { ... }``)."""
    return {string(label): block(body)}


class Document:
    """Top-level blocks in the order they were added."""

    def __init__(self) -> None:
        self._data: dict[str, list[dict[str, Any]]] = {}

    def add(self, block_type: str, labels: Iterable[str], body: Mapping[str, Any]) -> Document:
        entry: dict[str, Any] = block(body)
        for label in reversed(list(labels)):
            entry = {string(label): entry}
        self._data.setdefault(block_type, []).append(entry)
        return self

    def resource(self, type_: str, name: str, body: Mapping[str, Any]) -> Document:
        return self.add("resource", [type_, name], body)

    def data(self, type_: str, name: str, body: Mapping[str, Any]) -> Document:
        return self.add("data", [type_, name], body)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._data)


def dumps(doc: Document | Mapping[str, Any], *, header: str = "") -> str:
    """HCL text: two-space indent, aligned ``=``, one blank line between blocks, final newline."""
    data = doc.as_dict() if isinstance(doc, Document) else dict(doc)
    text = hcl2.dumps(
        data,
        deserializer_options=DeserializerOptions(object_elements_trailing_comma=False),
        formatter_options=FormatterOptions(vertically_align_attributes=False, vertically_align_object_elements=False),
    )
    lines = align([line.rstrip() for line in text.splitlines()])
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
    if header:
        text = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + text
    return text


_ATTRIBUTE = re.compile(r"^(\s*)([^\s=]+)\s*=\s*(.*)$")


def align(lines: list[str]) -> list[str]:
    """Align ``=`` the way ``terraform fmt`` does.

    Consecutive one-line attributes at the same indent form a group; a blank
    line, a block header, a closing brace or an attribute whose value opens
    over several lines ends the group (that attribute keeps a single space).
    """
    out = list(lines)
    group: list[tuple[int, str, str, str]] = []

    def flush() -> None:
        width = max((len(key) for _, _, key, _ in group), default=0)
        for index, indent, key, value in group:
            out[index] = f"{indent}{key.ljust(width)} = {value}"
        group.clear()

    for index, line in enumerate(lines):
        match = _ATTRIBUTE.match(line)
        if not match or line.lstrip().startswith("#"):
            flush()
            continue
        indent, key, value = match.groups()
        if value.endswith(("{", "[", "(")) or value.startswith("<<"):
            flush()
            out[index] = f"{indent}{key} = {value}"
            continue
        if group and group[0][1] != indent:
            flush()
        group.append((index, indent, key, value))
    flush()
    return out


def loads(text: str) -> dict[str, Any]:
    """Parse HCL text (raises lark's errors; the reader turns them into reports)."""
    return hcl2.loads(text)


def resources(parsed: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """``(type, name, body)`` for every resource block of a parsed document."""
    return _two_label_blocks(parsed.get("resource", []))


def data_sources(parsed: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return _two_label_blocks(parsed.get("data", []))


def _two_label_blocks(entries: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for entry in entries:
        for type_, named in entry.items():
            if not isinstance(named, Mapping):
                continue
            for name, body in named.items():
                out.append((unquote(type_), unquote(name), dict(body)))
    return out


def first_block(body: Mapping[str, Any], path: str) -> dict[str, Any]:
    """Follow nested single blocks: ``first_block(body, "boot_disk.initialize_params")``."""
    current: Any = body
    for part in path.split("."):
        blocks = current.get(part) if isinstance(current, Mapping) else None
        if not blocks:
            return {}
        current = blocks[0] if isinstance(blocks, list) else blocks
    return dict(current) if isinstance(current, Mapping) else {}


def literal_map(value: Any) -> dict[str, Any]:
    """An object of literals (labels, tags, triggers) back as plain Python values."""
    if not isinstance(value, Mapping):
        return {}
    return {unquote(k): unquote(v) for k, v in value.items() if not str(k).startswith("__")}
