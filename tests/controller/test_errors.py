"""The error tree drawn in controller/errors.py is the tree that exists."""

from __future__ import annotations

import importlib
import pkgutil
import re

import controller
from controller import errors


def drawn_tree() -> dict[str, str]:
    """{class name: parent name} read from the docstring's drawing (indent says the parent)."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^(\s*)(?:[│ ]*[├└]── )?([A-Z]\w+)(?:\s|$)", line)
        if not match or not ("──" in line or line.strip() == "CloudOpsError"):
            continue
        depth = line.find(match.group(2))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[match.group(2)] = stack[-1][1]
        stack.append((depth, match.group(2)))
    return parents


def existing_tree() -> dict[str, str]:
    for info in pkgutil.walk_packages(controller.__path__, "controller."):
        importlib.import_module(info.name)
    found: dict[str, str] = {}
    todo = [errors.CloudOpsError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if not sub.__name__.startswith("_") and sub.__module__.startswith("controller."):
                public_base = next(b for b in sub.__mro__[1:] if not b.__name__.startswith("_"))
                found[sub.__name__] = public_base.__name__
    return found


def test_every_error_class_is_drawn_under_its_real_parent() -> None:
    drawn, existing = drawn_tree(), existing_tree()
    assert len(drawn) > 30  # the drawing was read at all
    assert {k: v for k, v in existing.items() if drawn.get(k) != v} == {}
    assert set(drawn) - set(existing) == set()  # nothing drawn that does not exist
