"""The one place that talks to the Rego interpreter (regorus) and translates its failures.

regorus (a Rust Rego interpreter; PyPI ``gordon-to-regorus``, imported as
``regorus``) was chosen over regopy (rego-cpp) by measurement: on the
5,000-distinct-change plan of ``benchmarks/bench_policy.py`` it evaluates the
library several times faster, takes the input as one JSON text instead of
node by node, and runs OPA's language as conftest users write it: ``with
input as``, ``sprintf``, sets of objects, and both syntaxes (Rego v1 and the
older v0 ``deny[msg] { ... }``).

Each file is parsed as Rego v1 first (OPA 1.x's default, ``import rego.v1``
files included); a file that only parses as v0 is loaded as v0, as ``conftest
--rego-version v0`` would. A parse error is a :class:`RegoCompileError` with a
file and a line; a failed evaluation is a :class:`RegoEvalError`.
"""

from __future__ import annotations

import json
import re
from ..errors import RegoCompileError, RegoEvalError
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import regorus

# regorus reports "--> file:line:col" then the source line, then "error: message".
_WHERE = re.compile(r"-->\s*(?P<file>[^\n]*?):(?P<line>\d+):\d+")
_MESSAGE = re.compile(r"^error:\s*(?P<msg>.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Module:
    """One Rego source file: ``name`` is what errors cite (a path)."""

    name: str
    source: str


def _text(exc: Exception) -> str:
    """The message without the Rust backtrace regorus appends."""
    return str(exc).split("Stack backtrace:")[0].strip()


def _compile_error(exc: Exception, fallback_file: str) -> RegoCompileError:
    text = _text(exc)
    where = _WHERE.search(text)
    message = _MESSAGE.search(text)
    msg = message.group("msg").strip() if message else (text.splitlines()[-1] if text else "the interpreter refused it")
    if where:
        return RegoCompileError(where.group("file").strip() or fallback_file, int(where.group("line")), msg)
    return RegoCompileError(fallback_file, None, msg)


def _add(engine: Any, module: Module) -> None:
    """Add ``module`` as Rego v1, else as v0; the v1 error is the one reported."""
    try:
        engine.add_policy(module.name, module.source)
        return
    except Exception as v1_error:  # noqa: BLE001 - regorus raises plain RuntimeError/ValueError
        engine.set_rego_v0(True)
        try:
            engine.add_policy(module.name, module.source)
            return
        except Exception:  # noqa: BLE001
            raise _compile_error(v1_error, module.name) from None
        finally:
            engine.set_rego_v0(False)


def interpreter(modules: Iterable[Module]) -> Any:
    """An interpreter holding ``modules``; RegoCompileError names the file and line."""
    engine = regorus.Engine()
    for module in modules:
        _add(engine, module)
    return engine


def clone(engine: Any) -> Any:
    """A copy with the same modules (cheap), for another thread or another input."""
    return engine.clone()


def set_input(engine: Any, value: Any) -> None:
    """Set the input document (a JSON value) in one call."""
    engine.set_input_json(json.dumps(value, ensure_ascii=False, default=_not_json))


def set_input_json(engine: Any, text: str) -> None:
    engine.set_input_json(text)


def _not_json(value: Any) -> Any:
    raise TypeError(f"policy input holds a {type(value).__name__}, not a JSON value")


def _evaluate(engine: Any, text: str, modules: Mapping[str, str] | None) -> dict[str, Any] | None:
    try:
        raw = engine.eval_query_as_json(text)
    except Exception as exc:  # noqa: BLE001
        message = _text(exc)
        if _WHERE.search(message) and "error:" in message:
            where = _WHERE.search(message)
            if where and where.group("file").strip() in (modules or {}):
                raise _compile_error(exc, where.group("file")) from None
        raise RegoEvalError(" ".join(message.split()) or "evaluation failed") from None
    results = json.loads(raw).get("result") or []
    return results[0] if results else None


def query(engine: Any, text: str, modules: Mapping[str, str] | None = None) -> Any:
    """The value of ``text`` (one expression, or ``x := ...``); None when undefined."""
    result = _evaluate(engine, text, modules)
    if result is None:
        return None
    bindings = result.get("bindings") or {}
    if "x" in bindings and text.lstrip().startswith("x :="):
        return bindings["x"]
    expressions = result.get("expressions") or []
    return expressions[0].get("value") if expressions else None


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def compile_query(engine: Any, text: str, modules: Mapping[str, str] | None = None) -> str:
    """The query that ``run_bundle`` evaluates (regorus plans queries itself)."""
    return f"x := {text}"


def run_bundle(engine: Any, bundle: str) -> Any:
    """The value bound to ``x`` by a query from ``compile_query``; RegoEvalError when it fails."""
    return query(engine, bundle)


def packages(engine: Any) -> list[str]:
    """``data.<package>`` names of every loaded module."""
    return [p.removeprefix("data.") for p in engine.get_packages()]
