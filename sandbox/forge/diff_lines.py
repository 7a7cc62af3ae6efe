"""Where a review comment sits in a pull request's diff (pure).

GitHub anchors a comment on a line of one side of a file's diff: ``line`` is
the line number in the new file (``side: RIGHT``, added or unchanged lines) or
in the old one (``LEFT``, removed or unchanged lines), and it must be inside a
hunk. The deprecated ``position`` counts lines down from the file's first
``@@`` header (that header is line 0, each later header counts). A comment
carries ``diff_hunk``: its hunk from the header down to the commented line.

The patch read here is what ``gitrepo.diff_files`` gives per file (the same
text as the ``patch`` field of the pull request's files), starting at the
first ``@@``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
SIDES = ("LEFT", "RIGHT")


@dataclass(frozen=True)
class DiffLine:
    position: int  # 1 = the line after the first hunk header
    hunk: int  # index of the hunk it belongs to
    kind: str  # " " unchanged, "+" added, "-" removed, "\\" a "no newline" note
    old: int | None  # line number in the old file (None for an added line)
    new: int | None  # line number in the new file (None for a removed line)


@dataclass(frozen=True)
class Anchor:
    line: int
    side: str
    position: int
    diff_hunk: str


def parse(patch: str) -> tuple[list[str], list[DiffLine]]:
    """(the patch's lines, every line below a header with its numbers); headers are not DiffLines."""
    texts = patch.split("\n") if patch else []
    found: list[DiffLine] = []
    hunk, old, new = -1, 0, 0
    for position, text in enumerate(texts):
        header = _HEADER.match(text)
        if header:
            hunk, old, new = hunk + 1, int(header.group(1)), int(header.group(3))
            continue
        if hunk < 0:
            continue
        kind = text[:1] or " "
        if kind == "+":
            found.append(DiffLine(position, hunk, kind, None, new))
            new += 1
        elif kind == "-":
            found.append(DiffLine(position, hunk, kind, old, None))
            old += 1
        elif kind == "\\":
            found.append(DiffLine(position, hunk, kind, None, None))
        else:
            found.append(DiffLine(position, hunk, " ", old, new))
            old, new = old + 1, new + 1
    return texts, found


def _number(item: DiffLine, side: str) -> int | None:
    return item.new if side == "RIGHT" else item.old


def _hunk_text(texts: list[str], lines: list[DiffLine], item: DiffLine) -> str:
    """From the header of ``item``'s hunk down to ``item``."""
    start = next(p for p in range(item.position, -1, -1) if _HEADER.match(texts[p]))
    return "\n".join(texts[start:item.position + 1])


def anchor(patch: str, line: int, side: str) -> Anchor | None:
    """Where ``line`` of ``side`` is in the diff, or None when the diff does not show it."""
    texts, lines = parse(patch)
    for item in lines:
        if item.kind != "\\" and _number(item, side) == line:
            return Anchor(line, side, item.position, _hunk_text(texts, lines, item))
    return None


def at_position(patch: str, position: int) -> Anchor | None:
    """The line a deprecated ``position`` points at (a removed line is on the LEFT), or None."""
    texts, lines = parse(patch)
    item = next((i for i in lines if i.position == position and i.kind != "\\"), None)
    if item is None:
        return None
    side = "LEFT" if item.kind == "-" else "RIGHT"
    number = _number(item, side)
    assert number is not None
    return Anchor(number, side, position, _hunk_text(texts, lines, item))


def same_hunk(patch: str, first: Anchor, last: Anchor) -> bool:
    """Whether a multi-line comment's two ends are in one hunk, the first above the last."""
    _, lines = parse(patch)
    by_position = {i.position: i.hunk for i in lines}
    return first.position < last.position and by_position.get(first.position) == by_position.get(last.position)


__all__ = ["Anchor", "SIDES", "anchor", "at_position", "parse", "same_hunk"]
