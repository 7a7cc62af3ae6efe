"""Run the ``*_test.rego`` files of a policy library: every ``test_*`` rule must be true.

Like ``opa test``/``conftest verify``: ``with input as {...}`` works (regorus);
the built-in policies are also written as functions of their input, so their
tests mostly call them with literal documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import rego
from .library import Library, builtin_library, load_library

_TEST_RULE = re.compile(r"^(test_\w+)\s+(?:if\b|\{|:?=)", re.MULTILINE)


@dataclass(frozen=True)
class TestOutcome:
    file: str
    name: str
    passed: bool
    detail: str = ""

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


def _package(source: str) -> str:
    match = re.search(r"^\s*package\s+([\w.]+)", source, re.MULTILINE)
    return match.group(1) if match else ""


def run_tests(library: Library | None = None) -> list[TestOutcome]:
    """One outcome per test rule of every test file in ``library`` (built-ins by default)."""
    library = library or builtin_library()
    outcomes: list[TestOutcome] = []
    for name, test in sorted(library.tests.items()):
        modules = [*library.helpers]
        if name in library.policies:
            modules.append(library.policies[name].module)
        modules.append(test)
        sources = {m.name: m.source for m in modules}
        names = list(dict.fromkeys(_TEST_RULE.findall(test.source)))
        if not names:
            outcomes.append(TestOutcome(test.name, "(none)", False, "no test_* rules in the file"))
            continue
        try:
            interp = rego.interpreter(modules)
        except rego.RegoCompileError as exc:
            outcomes += [TestOutcome(test.name, n, False, f"compile error: {exc}") for n in names]
            continue
        package = _package(test.source)
        for rule in names:
            try:
                value = rego.query(interp, f"data.{package}.{rule}", sources)
            except (rego.RegoCompileError, rego.RegoEvalError) as exc:
                outcomes.append(TestOutcome(test.name, rule, False, f"error: {exc}"))
                continue
            ok = value is True
            outcomes.append(TestOutcome(test.name, rule, ok, "" if ok else f"evaluated to {value!r}"))
    return outcomes


def run_dir(path: Path) -> list[TestOutcome]:
    """Tests of a repo's policies/ dir only (with the built-ins as helpers and overridable)."""
    library = load_library(path)
    own = {k: v for k, v in library.tests.items() if v.name.startswith("policies/")}
    return run_tests(Library(library.policies, library.helpers, own, library.builtin_names))
