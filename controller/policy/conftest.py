"""Run conftest-style policy directories as they are (``cloudops policy check -p DIR``).

What conftest does, kept: every ``.rego`` file under each ``-p`` directory
(``*_test.rego`` left out) is loaded, in Rego v1 or the older v0 syntax; the
plan document itself is ``input``; rules named ``deny``, ``violation`` and
``warn`` (or starting with ``deny_``, ``violation_``, ``warn_``) in the
namespaces asked for (``main`` by default, ``--namespace``, ``--all-namespaces``)
yield strings or objects with a ``msg``. Reading the files is the only I/O.

Not done: ``--data`` documents, ``exception`` rules, parsers other than JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from . import rego
from .engine import message_of

_RULE = re.compile(r"^(?P<name>(?:deny|violation|warn)(?:_[A-Za-z0-9_]+)?)\b", re.MULTILINE)
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)", re.MULTILINE)


@dataclass(frozen=True)
class Message:
    msg: str
    metadata: dict[str, Any] = field(default_factory=dict)
    rule: str = ""


@dataclass(frozen=True)
class NamespaceResult:
    """conftest's CheckResult for one file and namespace."""

    filename: str
    namespace: str
    successes: int
    failures: tuple[Message, ...] = ()
    warnings: tuple[Message, ...] = ()


def load_dirs(dirs: Sequence[Path]) -> list[rego.Module]:
    modules: list[rego.Module] = []
    for root in dirs:
        root = Path(root)
        paths = [root] if root.is_file() else sorted(root.rglob("*.rego")) if root.is_dir() else None
        if paths is None:
            raise ConfigError(f"reading policies: {root} is not a directory or a .rego file",
                              hint="pass the directory that holds your conftest policies with -p")
        for path in paths:
            if path.name.endswith("_test.rego"):
                continue
            try:
                modules.append(rego.Module(str(path), path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"reading policy file {path}: {exc}") from exc
    if not modules:
        raise ConfigError(f"reading policies: no .rego files in {', '.join(map(str, dirs))}")
    return modules


def rules_by_namespace(modules: Iterable[rego.Module]) -> dict[str, list[str]]:
    """Namespace -> deny/violation/warn rule names its files define, in first-seen order."""
    found: dict[str, list[str]] = {}
    for module in modules:
        package = _PACKAGE.search(module.source)
        if not package:
            raise ConfigError(f"{module.name}:1: no `package` line", hint="start the file with `package main`")
        names = found.setdefault(package.group(1), [])
        for match in _RULE.finditer(module.source):
            if match.group("name") not in names:
                names.append(match.group("name"))
    return found


def _messages(value: Any, rule: str) -> tuple[Message, ...]:
    items = value if isinstance(value, list) else ([] if value in (None, False) else [value])
    out = []
    for item in items:
        if isinstance(item, Mapping):
            meta = {k: v for k, v in item.items() if k != "msg"}
            out.append(Message(message_of(item), meta, rule))
        elif item is True:
            out.append(Message(f"{rule} is true", {}, rule))
        else:
            out.append(Message(str(item), {}, rule))
    return tuple(out)


def evaluate(modules: Sequence[rego.Module], document_json: str, filename: str, *,
             namespaces: Sequence[str] = ("main",), all_namespaces: bool = False) -> list[NamespaceResult]:
    """One result per namespace judged; a namespace asked for but absent is an error (as in conftest)."""
    sources = {m.name: m.source for m in modules}
    try:
        engine = rego.interpreter(modules)
    except rego.RegoCompileError as exc:
        raise ConfigError(f"compiling Rego policy {exc}") from None
    rules = rules_by_namespace(modules)
    chosen = sorted(rules) if all_namespaces else list(dict.fromkeys(namespaces))
    missing = [ns for ns in chosen if ns not in rules]
    if missing and not all_namespaces:
        raise ConfigError(f"no policies in namespace {', '.join(missing)} (found: {', '.join(sorted(rules))})",
                          hint="use --namespace NAME or --all-namespaces")
    rego.set_input_json(engine, document_json)
    results = []
    for ns in chosen:
        failures: list[Message] = []
        warnings: list[Message] = []
        passed = 0
        for rule in rules[ns]:
            try:
                value = rego.query(engine, f'x := object.get(data.{ns}, "{rule}", [])', sources)
            except rego.RegoEvalError as exc:
                raise ConfigError(f"evaluating data.{ns}.{rule}: {exc}") from None
            found = _messages(value, rule)
            (warnings if rule.startswith("warn") else failures).extend(found)
            passed += not found
        results.append(NamespaceResult(filename, ns, passed, tuple(failures), tuple(warnings)))
    return results
