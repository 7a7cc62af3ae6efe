"""The one place that talks to regopy (rego-cpp) and translates its failures.

regopy reports a compile error as an s-expression with byte offsets
(``(error 8:bad.rego|50|2 (errormsg 27:Invalid assignment operator) ...)``)
and prints a copy to stdout unless the log level is NONE; a failed query gives
no output at all (reading it crashes the process), only the interpreter's last
error. This module turns both into :class:`RegoCompileError` /
:class:`RegoEvalError` with a file and a line, and never reads a failed output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from regopy import Interpreter
from regopy import rego_shared
from regopy.rego_shared import LogLevel, RegoError, rego_get_error

_ERROR = re.compile(r"\(error \d+:(?P<file>[^|]*)\|(?P<offset>\d+)\|\d+\s+\(errormsg \d+:(?P<msg>[^)\n]*)\)")


@dataclass(frozen=True)
class Module:
    """One Rego source file: ``name`` is what errors cite (a path)."""

    name: str
    source: str


class RegoCompileError(Exception):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        self.file, self.line, self.message = file, line, message


class RegoEvalError(Exception):
    """A query that rego-cpp could not evaluate (conflicting values, a builtin error)."""


def _line_of(source: str, offset: int) -> int:
    return source.encode("utf-8")[:offset].count(b"\n") + 1


def _compile_error(text: str, modules: Mapping[str, str]) -> RegoCompileError:
    match = _ERROR.search(text)
    if not match:
        first = text.strip().splitlines()[0] if text.strip() else "the Rego interpreter refused the module"
        return RegoCompileError(next(iter(modules), "?"), None, first)
    file = match.group("file")
    source = modules.get(file)
    line = _line_of(source, int(match.group("offset"))) if source is not None else None
    return RegoCompileError(file, line, match.group("msg").strip())


def interpreter(modules: Iterable[Module]) -> Interpreter:
    """A quiet interpreter holding ``modules``; RegoCompileError names the file and line."""
    rego = Interpreter()
    rego.log_level = LogLevel.NONE
    sources: dict[str, str] = {}
    for module in modules:
        sources[module.name] = module.source
        try:
            rego.add_module(module.name, module.source)
        except RegoError as exc:
            raise _compile_error(str(exc), sources) from None
    return rego


_encode = json.JSONEncoder(ensure_ascii=False).encode


def _escaped(text: str) -> bytes:
    return _encode(text)[1:-1].encode("utf-8")


def set_input(rego_: Interpreter, value: Any) -> None:
    """Set the input document, node by node, with strings JSON-escaped.

    regopy's own ``Input`` passes strings raw, and rego-cpp then writes them
    into its JSON results unescaped (a `"` in a label breaks every result);
    ``set_input_term`` escapes but parses in super-linear time (~55 s for a
    5,000-resource plan). Escaped strings mean string builtins see ``\\"`` for
    a quote, as with ``set_input_term``; non-ASCII text is kept as is.
    """
    lib = rego_shared.rego
    handle = rego_shared.rego_new_input()
    put_str, put_int, put_float = lib.regoInputString, lib.regoInputInt, lib.regoInputFloat
    put_bool, put_null = lib.regoInputBoolean, lib.regoInputNull
    put_item, put_object, put_array = lib.regoInputObjectItem, lib.regoInputObject, lib.regoInputArray

    def add(node: Any) -> None:
        kind = type(node)
        if kind is str:
            put_str(handle, _escaped(node))
        elif kind is dict:
            for key, item in node.items():
                put_str(handle, _escaped(str(key)))
                add(item)
                put_item(handle)
            put_object(handle, len(node))
        elif kind is list or kind is tuple:
            for item in node:
                add(item)
            put_array(handle, len(node))
        elif kind is bool:
            put_bool(handle, node)
        elif kind is int:
            put_int(handle, node)
        elif kind is float:
            put_float(handle, node)
        elif node is None:
            put_null(handle)
        else:
            raise TypeError(f"policy input holds a {kind.__name__}, not a JSON value")

    try:
        add(value)
        rego_shared.rego_set_input(rego_._impl, handle)  # noqa: SLF001
    finally:
        rego_shared.rego_free_input(handle)


def query(rego: Interpreter, text: str, modules: Mapping[str, str] | None = None) -> Any:
    """The value of ``text`` (one expression); None when undefined.

    Compile errors surface at the first query (rego-cpp compiles lazily), so
    ``modules`` (name -> source) lets them be cited with a line.
    """
    try:
        output = rego.query(text)
    except RegoError as exc:
        raise _compile_error(str(exc), modules or {}) from None
    except ValueError as exc:  # regopy could not decode rego-cpp's JSON
        raise RegoEvalError(f"reading the result: {exc}") from None
    if not output.ok():
        problem = rego_get_error(rego._impl)  # noqa: SLF001 - regopy exposes no other way to read it
        if _ERROR.search(problem):
            raise _compile_error(problem, modules or {})
        raise RegoEvalError(problem.strip() or "evaluation failed (conflicting rule values or a builtin error)")
    if not len(output):
        return None
    expressions = output[0].expressions
    return expressions[0] if expressions else None


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def compile_query(rego_: Interpreter, text: str, modules: Mapping[str, str] | None = None) -> Any:
    """A bundle that runs ``x := <text>`` without recompiling (rego-cpp recompiles per plain query)."""
    try:
        bundle = rego_.build(f"x := {text}")
    except RegoError as exc:
        raise _compile_error(str(exc), modules or {}) from None
    if not bundle.ok():
        raise RegoEvalError("building the policy bundle failed")
    return bundle


def run_bundle(rego_: Interpreter, bundle: Any) -> Any:
    """The value bound to ``x`` by a compiled query; RegoEvalError when it fails."""
    try:
        output = rego_.query_bundle(bundle)
    except RegoError as exc:
        raise RegoEvalError(str(exc).strip() or "evaluation failed") from None
    except ValueError as exc:
        raise RegoEvalError(f"reading the result: {exc}") from None
    if not output.ok():
        raise RegoEvalError(rego_get_error(rego_._impl).strip() or "evaluation failed")  # noqa: SLF001
    if not len(output) or "x" not in output[0].bindings:
        return None
    return output[0].bindings["x"]
