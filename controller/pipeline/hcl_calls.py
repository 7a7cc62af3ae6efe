"""Every function call in a Terraform file, with its arguments as source text (pure).

The plan guard must know which files terraform will read at plan time
(``file()``, ``templatefile()``, ``fileset()``…), so it must see every call,
wherever HCL allows one: in attribute expressions, inside ``${…}`` and
``%{…}`` of quoted strings and heredocs, nested in other calls, in object
keys. A small tokenizer does this instead of python-hcl2's re-rendered
expressions: comments and the literal text of strings are skipped (a
description saying "file(s)" is not a call), and a call is an identifier
followed by ``(``.

``calls_in_hcl`` reads native syntax (``.tf``); ``calls_in_template`` reads a
template's text (a string of ``.tf.json``, a ``templatefile`` template).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:::[A-Za-z_][A-Za-z0-9_-]*)*")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_CLOSING = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[str, ...]  # each argument's source text, stripped
    line: int


class _Scanner:
    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.pos = 0
        self.first_line = first_line
        self.calls: list[Call] = []

    def line_at(self, pos: int) -> int:
        return self.first_line + self.text.count("\n", 0, pos)

    # --- expressions ------------------------------------------------------------

    def expression(self, closers: str = "") -> str | None:
        """Scan until one of ``closers`` at this nesting level (consumed and returned) or the end."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in closers:
                self.pos += 1
                return char
            if char == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                self.pos = len(text) if end < 0 else end + 2
            elif char == '"':
                self.pos += 1
                self.template(quoted=True)
            elif char == "<" and (heredoc := _HEREDOC.match(text, self.pos)):
                self.heredoc(heredoc)
            elif char in _CLOSING:
                self.pos += 1
                self.expression(_CLOSING[char])
            elif char.isalpha() or char == "_":
                self.identifier()
            else:
                self.pos += 1
        return None

    def identifier(self) -> None:
        match = _IDENT.match(self.text, self.pos)
        assert match is not None
        start, self.pos = self.pos, match.end()
        after = self.pos
        while after < len(self.text) and self.text[after] in " \t":
            after += 1
        if after < len(self.text) and self.text[after] == "(":
            self.pos = after + 1
            self.call(match.group(), start)

    def call(self, name: str, start: int) -> None:
        args: list[str] = []
        arg_start = self.pos
        while True:
            closer = self.expression(",)")
            end = self.pos - 1 if closer else self.pos
            argument = self.text[arg_start:end].strip()
            if argument:
                args.append(argument)
            if closer != ",":
                break
            arg_start = self.pos
        self.calls.append(Call(name, tuple(args), self.line_at(start)))

    # --- templates --------------------------------------------------------------

    def template(self, *, quoted: bool, end: int | None = None) -> None:
        """A template's text: literal except for ``${…}`` and ``%{…}``; a quoted one ends at ``"``."""
        text = self.text
        stop = len(text) if end is None else end
        while self.pos < stop:
            char = text[self.pos]
            if quoted and char == "\\":
                self.pos += 2
            elif quoted and char == '"':
                self.pos += 1
                return
            elif text.startswith(("$${", "%%{"), self.pos):
                self.pos += 3
            elif text.startswith(("${", "%{"), self.pos):
                self.pos += 2
                self.expression("}")
            else:
                self.pos += 1

    def heredoc(self, opening: re.Match[str]) -> None:
        marker = opening.group(2)
        body_start = opening.end()
        closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
        found = closing.search(self.text, body_start)
        body_end = found.start() if found else len(self.text)
        self.pos = body_start
        self.template(quoted=False, end=body_end)
        self.pos = found.end() if found else len(self.text)


def calls_in_hcl(text: str) -> list[Call]:
    """The calls in a native-syntax file, in source order of their closing parenthesis."""
    scanner = _Scanner(text)
    while scanner.pos < len(text):
        scanner.expression()
    return scanner.calls


def calls_in_template(text: str, first_line: int = 1) -> list[Call]:
    """The calls in a template's text (only inside ``${…}``/``%{…}``)."""
    scanner = _Scanner(text, first_line)
    scanner.template(quoted=False)
    return scanner.calls


def calls_in_json(text: str) -> list[Call]:
    """The calls in a ``.tf.json`` file: every string (and key) is read as a template.

    Raises ``ValueError`` when the text is not JSON. Lines are those where the
    string first appears in the file.
    """
    document = json.loads(text)
    calls: list[Call] = []
    for string in _strings(document):
        if "${" not in string and "%{" not in string:
            continue
        encoded = json.dumps(string)[1:-1]
        where = text.find(encoded)
        calls += calls_in_template(string, text.count("\n", 0, where) + 1 if where >= 0 else 1)
    return calls


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "//":  # a comment in terraform's JSON syntax
                continue
            yield key
            yield from _strings(value)


def unquote_literal(argument: str) -> str | None:
    """The text of a quoted string argument without interpolation, or None if it is anything else."""
    if len(argument) < 2 or argument[0] != '"' or argument[-1] != '"':
        return None
    body = argument[1:-1]
    if "${" in body or "%{" in body or '"' in body.replace('\\"', ""):
        return None  # interpolation (or an escaped $${, kept simple: refused as not literal)
    try:
        return json.loads(f'"{body}"')  # HCL's escapes are JSON's, plus \uNNNNNNNN (refused: not JSON)
    except ValueError:
        return None
