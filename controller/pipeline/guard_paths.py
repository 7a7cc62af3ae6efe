"""Which paths a pull request may make terraform read at plan time (pure).

Terraform's file functions (``file``, ``templatefile``, ``fileset``,
``filebase64``, ``filesha256``, ``fileexists``…) read any path the process
can, and what they read lands in the plan, so in the plan comment. A PR may
only name files inside its own project: a literal path, optionally after
``${path.module}``/``${path.root}``/``${path.cwd}``, that is not absolute,
does not start with ``~`` and has no ``..``. A computed path (a variable, a
``join()``, an interpolation after the prefix) cannot be checked before the
plan and is refused. Symlinks in the project are followed here, on the
project's own tree, and refused when they leave it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from posixpath import dirname

from .hcl_calls import unquote_literal

# Functions that read (or test) a file named by their first argument.
FILE_FUNCTIONS = frozenset({
    "file", "filebase64", "filemd5", "filesha1", "filesha256", "filesha512",
    "filebase64sha256", "filebase64sha512", "fileexists", "templatefile", "fileset",
})
_PREFIX = re.compile(r"^\$\{\s*path\.(module|root|cwd)\s*\}(.*)$", re.DOTALL)
_BARE = re.compile(r"^path\.(module|root|cwd)$")
_DRIVE = re.compile(r"^[A-Za-z]:")
SYMLINK_HOPS = 40  # as Linux's own limit


@dataclass(frozen=True)
class ProjectPath:
    """A checked path: ``relative`` to the project root (POSIX), or why it is refused."""

    relative: str | None
    problem: str | None = None


def project_path(argument: str, module_dir: str) -> ProjectPath:
    """The project-relative path an argument names, for a call in a file under ``module_dir``."""
    bare = _BARE.match(argument.strip())
    if bare:
        return ProjectPath(module_dir if bare.group(1) == "module" else "")
    base = ""
    text = argument.strip()
    prefixed = _PREFIX.match(text[1:-1]) if len(text) >= 2 and text[0] == text[-1] == '"' else None
    if prefixed:
        base = module_dir if prefixed.group(1) == "module" else ""
        rest = unquote_literal(f'"{prefixed.group(2)}"')
        if rest is None:
            return ProjectPath(None, "only a literal path may follow the path prefix")
        if rest and not rest.startswith("/"):
            return ProjectPath(None, f"{text} joins the prefix to {rest!r} without a '/'")
        rest = rest.lstrip("/")
    else:
        rest = unquote_literal(text)
        if rest is None:
            return ProjectPath(None, "the path is computed, so it cannot be checked before the plan; "
                                     'write it literally, e.g. "${path.module}/files/init.sh"')
    return _inside(rest, base)


def pattern_problem(argument: str) -> str | None:
    """Why a ``fileset`` pattern may reach outside its directory, or None."""
    pattern = unquote_literal(argument.strip())
    if pattern is None:
        return "the pattern is computed, so it cannot be checked before the plan"
    checked = _inside(pattern, "")
    return checked.problem


def _inside(path: str, base: str) -> ProjectPath:
    if "\x00" in path:
        return ProjectPath(None, "the path contains a NUL byte")
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        return ProjectPath(None, f"{path!r} is an absolute path, outside the project")
    if path.startswith("~"):
        return ProjectPath(None, f"{path!r} names a home directory, outside the project")
    parts = [p for p in re.split(r"[/\\]", path) if p not in ("", ".")]
    if ".." in parts:
        return ProjectPath(None, f"{path!r} uses '..'; only files inside the project may be read")
    return ProjectPath("/".join([*(p for p in base.split("/") if p), *parts]))


def looks_like_host_path(value: str) -> bool:
    """A literal that would make a provider or backend read a file of the controller's host."""
    text = value.strip()
    if text.startswith(("/", "~", "\\")) or _DRIVE.match(text):
        return True
    return ".." in re.split(r"[/\\]", text)


def symlink_escapes(link: str, links: Mapping[str, str]) -> bool:
    """Whether the project's symlink ``link`` (path → target, as git stores them) leads outside it.

    Resolved the way the kernel does, one component at a time, so a chain of
    links each harmless on its face (``d -> .`` then ``e -> d/..``) is caught.
    """
    stack: list[str] = []
    pending = deque(p for p in link.split("/") if p)
    hops = 0
    while pending:
        part = pending.popleft()
        if part in ("", "."):
            continue
        if part == "..":
            if not stack:
                return True
            stack.pop()
            continue
        stack.append(part)
        target = links.get("/".join(stack))
        if target is None:
            continue
        hops += 1
        if hops > SYMLINK_HOPS or target.startswith(("/", "~", "\\")) or _DRIVE.match(target):
            return True
        stack.pop()
        pending.extendleft(reversed([p for p in target.split("/") if p]))
    return False


def module_dir_of(file: str) -> str:
    return dirname(file)
