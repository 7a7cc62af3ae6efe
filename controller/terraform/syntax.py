"""Is a project's configuration readable at all? Syntax errors with file:line:column (pure).

A syntax error is the author's mistake, not a security finding: it is
reported as its own outcome ("projects/db/main.tf:12:3: unclosed `{` …"),
before the plan guard reads the files for what they would run. ``.tf`` is
read with python-hcl2 (the guard's parser, so both agree on what parses);
``.tf.json`` with the JSON decoder. Where the parser only knows that the
file ended too early, a small scanner finds the bracket or string that was
left open, since that is where the fix goes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import hcl2

_CLOSERS = {"{": "}", "[": "]", "(": ")"}
_WORDS = {
    "RBRACE": "`}`", "LBRACE": "`{`", "RSQB": "`]`", "LSQB": "`[`", "RPAR": "`)`", "LPAR": "`(`",
    "EQ": "`=`", "COLON": "`:`", "COMMA": "`,`", "DBLQUOTE": '`"`', "NAME": "a name",
    "STRING_LIT": "a string", "INT_LITERAL": "a number", "FLOAT_LITERAL": "a number",
    "NL_OR_COMMENT": "a new line", "QMARK": "`?`", "DOT": "`.`", "$END": "the end of the file",
}


@dataclass(frozen=True)
class SyntaxProblem:
    file: str  # as given, e.g. projects/db/main.tf
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def check_files(files: Mapping[str, str], *, prefix: str = "") -> list[SyntaxProblem]:
    """Problems of every ``.tf`` / ``.tf.json`` file (path → text); ``prefix`` is put before each path."""
    problems: list[SyntaxProblem] = []
    for name, text in sorted(files.items()):
        shown = f"{prefix}{name}"
        if name.endswith(".tf"):
            problem = check_hcl(shown, text)
        elif name.endswith(".tf.json"):
            problem = check_json(shown, text)
        else:
            continue
        if problem is not None:
            problems.append(problem)
    return problems


def check_json(name: str, text: str) -> SyntaxProblem | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return SyntaxProblem(name, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}")
    return None


def check_hcl(name: str, text: str) -> SyntaxProblem | None:
    try:
        hcl2.loads(text if text.endswith("\n") else text + "\n")
    except Exception as exc:  # noqa: BLE001 - lark raises several unrelated error types
        return _describe(name, text, exc)
    return None


def _describe(name: str, text: str, exc: Exception) -> SyntaxProblem:
    token = getattr(exc, "token", None)
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    at_end = token is not None and getattr(token, "type", "") == "$END"
    opened = unclosed(text)
    # An open string, heredoc or comment explains any error after it; an open bracket only the early end.
    if opened is not None and (opened[0] in ('"', "<<", "/*") or at_end or line in (None, -1)):
        return opened_problem(name, *opened)
    if not isinstance(line, int) or line < 1:
        line, column = text.count("\n") + 1, 1
    expected = sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or [])
    words = list(dict.fromkeys(_WORDS[e] for e in expected if e in _WORDS))
    wanted = ", ".join(words[:5]) + (", …" if len(words) > 5 else "")
    if token is not None and not at_end:
        shown = str(token).splitlines()[0].strip()[:20] if str(token).strip() else repr(str(token)[:5])
        message = f"unexpected `{shown}`"
    elif getattr(exc, "char", None):
        message = f"unexpected character {exc.char!r}"  # type: ignore[attr-defined]
    else:
        message = "the file ends in the middle of a block or expression"
    if wanted:
        message += f"; expected {wanted}"
    return SyntaxProblem(name, int(line), int(column or 1), message)


def opened_problem(name: str, kind: str, line: int, column: int) -> SyntaxProblem:
    if kind == '"':
        return SyntaxProblem(name, line, column, 'unterminated string: no closing `"` before the end of the line')
    if kind == "<<":
        return SyntaxProblem(name, line, column, "unterminated heredoc: its closing marker never comes")
    if kind == "/*":
        return SyntaxProblem(name, line, column, "unterminated comment: no `*/` before the end of the file")
    return SyntaxProblem(name, line, column, f"unclosed `{kind}`: no matching `{_CLOSERS[kind]}` before the end of the file")


def unclosed(text: str) -> tuple[str, int, int] | None:
    """The innermost bracket, string, heredoc or comment still open at the end: (kind, line, column)."""
    stack: list[tuple[str, int, int]] = []
    at = _Cursor(text)
    n = len(text)
    while at.i < n:
        ch, two = text[at.i], text[at.i:at.i + 2]
        if stack and stack[-1][0] == '"':
            if _string_step(at, ch, two, stack):
                return stack[-1]  # HCL strings do not span lines
            continue
        if two == "/*":
            end = text.find("*/", at.i + 2)
            if end < 0:
                return ("/*", at.line, at.col)
            at.advance(end + 2 - at.i)
        elif ch == "#" or two == "//":
            end = text.find("\n", at.i)
            at.advance((end if end >= 0 else n) - at.i)
        elif two == "<<":
            heredoc_end = _heredoc_end(text, at.i)
            if heredoc_end is None:
                at.advance(2)
            elif heredoc_end < 0:
                return ("<<", at.line, at.col)
            else:
                at.advance(heredoc_end - at.i)
        elif ch == '"' or ch in _CLOSERS:
            stack.append((ch, at.line, at.col))
            at.advance()
        else:
            if ch in _CLOSERS.values() and stack and _CLOSERS.get(stack[-1][0]) == ch:
                stack.pop()
            at.advance()
    return stack[-1] if stack else None


class _Cursor:
    """An offset into the text with its line and column (1-based), as terraform reports them."""

    def __init__(self, text: str) -> None:
        self.text, self.i, self.line, self.col = text, 0, 1, 1

    def advance(self, k: int = 1) -> None:
        for _ in range(k):
            if self.i < len(self.text) and self.text[self.i] == "\n":
                self.line, self.col = self.line + 1, 1
            else:
                self.col += 1
            self.i += 1


def _string_step(at: _Cursor, ch: str, two: str, stack: list[tuple[str, int, int]]) -> bool:
    """One step inside a quoted string; True when the line ends with the string still open."""
    if ch == "\\":
        at.advance(2)
    elif two in ("${", "%{"):
        stack.append(("{", at.line, at.col + 1))
        at.advance(2)
    elif ch == '"':
        stack.pop()
        at.advance()
    elif ch == "\n":
        return True
    else:
        at.advance()
    return False


def _heredoc_end(text: str, i: int) -> int | None:
    """Where the heredoc opened by ``<<`` at ``i`` ends (its closing marker line); -1 if it never does;
    None when ``<<`` names no marker (not a heredoc)."""
    n = len(text)
    j = i + 2 + (1 if text[i + 2:i + 3] == "-" else 0)
    k = j
    while k < n and (text[k].isalnum() or text[k] == "_"):
        k += 1
    marker = text[j:k]
    if not marker:
        return None
    body_start = text.find("\n", k)
    if body_start < 0:
        return -1
    pos = body_start + 1
    while pos <= n:
        nl = text.find("\n", pos)
        if text[pos:nl if nl >= 0 else n].strip() == marker:
            return nl if nl >= 0 else n
        if nl < 0:
            return -1
        pos = nl + 1
    return -1


__all__ = ["SyntaxProblem", "check_files", "check_hcl", "check_json", "unclosed"]
