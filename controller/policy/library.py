"""Which Rego policies exist: the built-in library and an infra repo's ``policies/``.

A policy is one ``.rego`` file; its *name* is its path under the policies dir
without ``.rego`` (``required-labels``, ``team/no-gpu``). ``*_test.rego``
files are its tests and ``lib/`` holds helpers that every policy may import.
A repo-local file whose name equals a built-in's replaces that built-in
(``builtin/<name>`` then resolves to the repo's file); other repo-local files
add policies. Reading is the only I/O here; every file is compiled once when
the library loads, so bad Rego is a ConfigError with its file and line before
any plan is judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from . import rego

BUILTIN_PREFIX = "builtin/"
_HINT = "fix the policy on the default branch; `cloudops policy test DIR` runs a policies directory's tests"
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Policy:
    name: str
    package: str
    module: rego.Module
    origin: str  # "builtin" | "repo"

    @property
    def query(self) -> str:
        return f"data.{self.package}"


@dataclass(frozen=True)
class Library:
    policies: dict[str, Policy]
    helpers: tuple[rego.Module, ...] = ()
    tests: dict[str, rego.Module] = field(default_factory=dict)  # policy name -> its _test.rego
    builtin_names: frozenset[str] = frozenset()

    def get(self, ref: str) -> Policy:
        """``builtin/<name>`` or a repo path (``team/no-gpu``, ``.rego`` optional)."""
        name = ref.removeprefix(BUILTIN_PREFIX).removesuffix(".rego")
        if ref.startswith(BUILTIN_PREFIX) and name not in self.builtin_names:
            known = ", ".join(sorted(self.builtin_names))
            raise ConfigError(f"policy {ref!r} is not a built-in policy", hint=f"built-in policies: {known}")
        if name not in self.policies:
            raise ConfigError(f"policy {ref!r} is not in the repo's policies/ directory",
                              hint="add policies/<name>.rego or use builtin/<name>")
        return self.policies[name]


def builtin_dir() -> Path:
    """The bundled ``policies/`` directory (a package, so wheels carry it)."""
    try:
        return Path(str(resources.files("policies")))
    except ModuleNotFoundError:  # running from a source tree without the package on sys.path
        return Path(__file__).resolve().parents[2] / "policies"


def _read(path: Path, name: str) -> rego.Module:
    try:
        return rego.Module(name, path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"reading policy file {name}: {exc}") from exc


def _package(module: rego.Module) -> str:
    match = _PACKAGE.search(module.source)
    if not match:
        raise ConfigError(f"{module.name}:1: no `package` line", hint="start the file with `package <name>`")
    return match.group(1)


def _scan(root: Path, label: str, origin: str) -> tuple[dict[str, Policy], list[rego.Module], dict[str, rego.Module]]:
    policies: dict[str, Policy] = {}
    helpers: list[rego.Module] = []
    tests: dict[str, rego.Module] = {}
    for path in sorted(root.rglob("*.rego")):
        rel = path.relative_to(root).as_posix()
        module = _read(path, f"{label}/{rel}")
        if rel.endswith("_test.rego"):
            tests[rel.removesuffix("_test.rego")] = module
        elif rel.startswith("lib/"):
            helpers.append(module)
        else:
            name = rel.removesuffix(".rego")
            policies[name] = Policy(name, _package(module), module, origin)
    return policies, helpers, tests


def _check(policies: Iterable[Policy], helpers: Iterable[rego.Module]) -> None:
    """Compile each policy with the helpers: a syntax error names its file and line."""
    helper_list = list(helpers)
    for policy in policies:
        modules = [*helper_list, policy.module]
        try:
            interp = rego.interpreter(modules)
            rego.query(interp, "x := 1", {m.name: m.source for m in modules})
        except rego.RegoCompileError as exc:
            raise ConfigError(f"compiling Rego policy {exc}", hint=_HINT) from None
        except rego.RegoEvalError as exc:  # rego-cpp rejects some modules without a message
            raise ConfigError(f"compiling Rego policy {policy.module.name}: the interpreter rejected it ({exc})",
                              hint=_HINT) from None


@cache
def builtin_library() -> Library:
    policies, helpers, tests = _scan(builtin_dir(), "builtin", "builtin")
    return Library(policies, tuple(helpers), tests, frozenset(policies))


def load_library(repo_policies: Path | None = None) -> Library:
    """The built-ins, with a repo's ``policies/`` dir added on top (if given and present)."""
    base = builtin_library()
    if repo_policies is None or not Path(repo_policies).is_dir():
        return base
    policies, helpers, tests = _scan(Path(repo_policies), "policies", "repo")
    _check(policies.values(), [*base.helpers, *helpers])
    return Library({**base.policies, **policies}, (*base.helpers, *helpers), {**base.tests, **tests}, base.builtin_names)
