"""Strict, line-numbered reading of YAML documents (pure).

Composing first (nodes keep their line) and reading node by node is what lets a
schema say "cloudops.yaml:12: projects.web.quotas.vm: must be a whole number"
instead of a Python traceback; unknown keys, duplicates and wrong types are all
:class:`~controller.errors.ConfigError`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

import yaml

from .errors import ConfigError

T = TypeVar("T")


def compose(text: str, *, source: str) -> yaml.Node | None:
    """The document's node tree (no objects built yet), or None for an empty file."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if mark:
            line = f":{mark.line + 1}"
        else:  # a ReaderError (a control character) knows only its offset
            line = f":{text.count(chr(10), 0, getattr(exc, 'position', 0)) + 1}"
        raise ConfigError(f"{source}{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    except RecursionError:  # PyYAML composes recursively: thousands of nested brackets exhaust the stack
        raise ConfigError(f"{source}:1: not valid YAML: nested too deeply") from None


class NodeReader:
    """Typed reads of composed YAML nodes; every failure names the file, the line and the key path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._loader = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, path: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}:{node.start_mark.line + 1}: {path}: {problem}")

    def mapping(self, node: yaml.Node, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, path, "must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, path, str)
            if allowed and key not in allowed:
                raise self.fail(key_node, f"{path}.{key}", f"unknown key (allowed: {', '.join(allowed)})")
            if key in out:
                raise self.fail(key_node, f"{path}.{key}", "given twice")
            out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                raise self.fail(node, path, f"missing required key {key!r}")
        return out

    def entries(self, node: yaml.Node, path: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, path, "must be a mapping")
        return [(self.scalar(k, path, str), k, v) for k, v in self.mapping(node, path, ()).values()]

    def scalar(self, node: yaml.Node, path: str, kind: type[T] | tuple[type, ...]) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, path, "must be a single value")
        try:
            value = self._loader.construct_object(node)
        # SafeLoader's scalar constructors raise whatever their parsing hits on a tagged value
        # (`!!int abc`, an empty `!!bool`, a 13th month): all of it is a bad value at this line.
        except Exception as exc:  # noqa: BLE001
            reason = exc if node.value else "the value is empty"
            raise self.fail(node, path, f"cannot be read as {node.tag.rsplit(':', 1)[-1]}: {reason}") from None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(node, path, f"must be {_names(kinds)}, not true/false")
        if not isinstance(value, kinds):
            raise self.fail(node, path, f"must be {_names(kinds)}, not {type(value).__name__} {value!r}")
        return value

    def sequence(self, node: yaml.Node, path: str, item: Callable[[yaml.Node, str], T]) -> tuple[T, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, path, "must be a list")
        return tuple(item(child, f"{path}[{i}]") for i, child in enumerate(node.value))

    def enum(self, node: yaml.Node, path: str, enum: type[StrEnum]) -> Any:
        value = self.scalar(node, path, str)
        try:
            return enum(value)
        except ValueError:
            raise self.fail(node, path, f"{value!r} is not one of {', '.join(e.value for e in enum)}") from None

    def name(self, node: yaml.Node, path: str, pattern: re.Pattern[str]) -> str:
        value = self.scalar(node, path, str)
        if not pattern.fullmatch(value):
            raise self.fail(node, path, f"{value!r} is not a valid name (pattern {pattern.pattern})")
        return value

    def int_between(self, node: yaml.Node, path: str, low: int, high: int) -> int:
        value = self.scalar(node, path, int)
        if value < low:
            raise self.fail(node, path, f"must be at least {low}")
        if value > high:
            raise self.fail(node, path, f"must be at most {high}, not {value}")
        return value

    def amount(self, node: yaml.Node, path: str, maximum: float) -> float:
        """A sum of money: a finite number from 0 up to ``maximum`` (YAML's .nan and .inf are numbers too)."""
        value = float(self.scalar(node, path, (int, float)))
        if not math.isfinite(value):
            raise self.fail(node, path, f"must be a finite number, not {node.value}")
        if value < 0:
            raise self.fail(node, path, "must not be negative")
        if value > maximum:
            raise self.fail(node, path, f"must be at most {maximum:,.0f}")
        return value


def _names(kinds: tuple[type, ...]) -> str:
    words = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", dt.datetime: "a time", dt.date: "a date"}
    return " or ".join(words.get(k, k.__name__) for k in kinds)
