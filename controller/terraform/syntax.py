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
    i, line, col = 0, 1, 1
    n = len(text)

    def advance(k: int = 1) -> None:
        nonlocal i, line, col
        for _ in range(k):
            if i < n and text[i] == "\n":
                line, col = line + 1, 1
            else:
                col += 1
            i += 1

    while i < n:
        ch = text[i]
        two = text[i:i + 2]
        if stack and stack[-1][0] == '"':
            if ch == "\\":
                advance(2)
            elif two == "${" or two == "%{":
                stack.append(("{", line, col + 1))
                advance(2)
            elif ch == '"':
                stack.pop()
                advance()
            elif ch == "\n":
                return stack[-1]  # HCL strings do not span lines
            else:
                advance()
            continue
        if two == "/*":
            start = (line, col)
            end = text.find("*/", i + 2)
            if end < 0:
                return ("/*", *start)
            advance(end + 2 - i)
        elif ch == "#" or two == "//":
            end = text.find("\n", i)
            advance((end if end >= 0 else n) - i)
        elif text.startswith("<<", i):
            start = (line, col)
            j = i + 2 + (1 if text[i + 2:i + 3] == "-" else 0)
            k = j
            while k < n and (text[k].isalnum() or text[k] == "_"):
                k += 1
            marker = text[j:k]
            if not marker:
                advance(2)
                continue
            body_start = text.find("\n", k)
            if body_start < 0:
                return ("<<", *start)
            pos, found = body_start + 1, -1
            while pos <= n:
                nl = text.find("\n", pos)
                current = text[pos:nl if nl >= 0 else n]
                if current.strip() == marker:
                    found = nl if nl >= 0 else n
                    break
                if nl < 0:
                    break
                pos = nl + 1
            if found < 0:
                return ("<<", *start)
            advance(found - i)
        elif ch == '"':
            stack.append(('"', line, col))
            advance()
        elif ch in _CLOSERS:
            stack.append((ch, line, col))
            advance()
        elif ch in _CLOSERS.values():
            if stack and _CLOSERS.get(stack[-1][0]) == ch:
                stack.pop()
            advance()
        else:
            advance()
    return stack[-1] if stack else None


__all__ = ["SyntaxProblem", "check_files", "check_hcl", "check_json", "unclosed"]
