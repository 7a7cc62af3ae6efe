"""Split a long PR comment into parts that each fit GitHub's size limit.

Pure: no I/O. GitHub refuses an issue comment longer than 65,536 characters
("body is too long"), and a Terraform plan can easily be longer. Cutting the
text blindly would leave a ```` ``` ```` fence or a ``<details>`` block open
in one comment and orphaned in the next, so the rest of both comments renders
as code or disappears into a collapsed block. At every cut we therefore close
what is open and reopen it at the start of the next part.

Each part starts with a hidden marker (see :mod:`controller.forge.markers`):
part 1 carries ``<!-- cloudops:KEY -->`` so the main comment keeps the same
identity whether or not the body is split; parts 2..N carry
``<!-- cloudops:KEY:part-N -->``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from controller.forge import markers

#: GitHub's limit on an issue comment body, in characters.
MAX_COMMENT_CHARS = 65_536

_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_DETAILS_OPEN_RE = re.compile(r"<details(?:\s[^>]*)?>", re.IGNORECASE)
_DETAILS_CLOSE_RE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY_RE = re.compile(r"<summary(?:\s[^>]*)?>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)


@dataclass
class _OpenDetails:
    tag: str
    summary: str | None = None


@dataclass
class _Blocks:
    """What is open at the current position of the text."""

    fence: str | None = None  # the opening fence line, e.g. "```diff"
    fence_marker: str = ""  # "```" / "~~~~": what closes it (at least this long)
    details: list[_OpenDetails] = field(default_factory=list)

    def copy(self) -> _Blocks:
        return _Blocks(self.fence, self.fence_marker, [_OpenDetails(d.tag, d.summary) for d in self.details])

    def feed(self, line: str) -> None:
        """Advance the state past one line (without its newline)."""
        match = _FENCE_RE.match(line)
        if self.fence is not None:
            if match and match.group(2).strip() == "" and match.group(1)[0] == self.fence_marker[0] and len(
                match.group(1)
            ) >= len(self.fence_marker):
                self.fence, self.fence_marker = None, ""
            return
        if match:
            self.fence, self.fence_marker = line.strip(), match.group(1)
            return
        self._feed_html(line)

    def _feed_html(self, line: str) -> None:
        events = [(m.start(), "open", m) for m in _DETAILS_OPEN_RE.finditer(line)]
        events += [(m.start(), "close", m) for m in _DETAILS_CLOSE_RE.finditer(line)]
        events += [(m.start(), "summary", m) for m in _SUMMARY_RE.finditer(line)]
        for _, kind, m in sorted(events, key=lambda e: e[0]):
            if kind == "open":
                self.details.append(_OpenDetails(m.group(0)))
            elif kind == "close" and self.details:
                self.details.pop()
            elif kind == "summary" and self.details and self.details[-1].summary is None:
                self.details[-1].summary = m.group(1).strip()

    def closing(self, text_so_far: str) -> str:
        """Text that closes everything open, appended at a cut."""
        if self.fence is None and not self.details:
            return ""
        out = "" if not text_so_far or text_so_far.endswith("\n") else "\n"
        if self.fence is not None:
            out += self.fence_marker + "\n"
        out += "</details>\n" * len(self.details)
        return out

    def reopening(self) -> str:
        """Text that reopens what :meth:`closing` closed, at the start of a part."""
        out = ""
        for d in self.details:
            summary = f"<summary>{d.summary} (continued)</summary>" if d.summary is not None else ""
            out += f"{d.tag}{summary}\n\n"
        if self.fence is not None:
            out += self.fence + "\n"
        return out


def _part_header(key: str, index: int, total: int) -> str:
    head = markers.marker(key, index) + "\n"
    if total > 1:
        head += f"<sub>part {index} of {total}</sub>\n\n"
    return head


def split_comment(key: str, body: str, limit: int = MAX_COMMENT_CHARS) -> list[str]:
    """Return the full bodies of the comments that together show ``body``.

    Every returned string is at most ``limit`` characters and starts with the
    part's marker. A body that fits yields exactly one part.
    """
    single = _part_header(key, 1, 1) + body
    if len(single) <= limit:
        return [single]
    # Room for the marker and "part N of M", known only once all parts are cut.
    budget = limit - len(_part_header(key, 99_999, 99_999))
    if budget < 200:
        raise ValueError(f"comment limit {limit} is too small to split into parts")
    parts = _Parts(budget, limit)
    for line in _LINE_RE.findall(body):
        parts.add(line)
    chunks = parts.finish()
    total = len(chunks)
    return [_part_header(key, i, total) + chunk for i, chunk in enumerate(chunks, start=1)]


class _Parts:
    """Fills parts line by line, closing the open code blocks and details at each cut and reopening them."""

    def __init__(self, budget: int, limit: int) -> None:
        self.budget, self.limit = budget, limit
        self.chunks: list[str] = []
        self.state = _Blocks()
        self.current = ""  # text of the part being filled, starting with its reopening
        self.has_content = False

    def cut(self) -> None:
        self.chunks.append(self.current + self.state.closing(self.current))
        self.current = self.state.reopening()
        self.has_content = False

    def _take(self, line: str, after: _Blocks) -> None:
        self.current += line
        self.state = after
        self.has_content = True

    def add(self, line: str) -> None:
        after = self.state.copy()
        after.feed(line.rstrip("\n").rstrip("\r"))
        if len(self.current) + len(line) + len(after.closing(self.current + line)) <= self.budget:
            self._take(line, after)
            return
        fresh = self.state.reopening()
        if self.has_content and len(fresh) + len(line) + len(after.closing(fresh + line)) <= self.budget:
            self.cut()
            self._take(line, after)
            return
        self._hard_wrap(line, after)

    def _hard_wrap(self, line: str, after: _Blocks) -> None:
        """A single line longer than a whole part."""
        remaining = line
        while remaining:
            closing = max(len(self.state.closing(self.current + "x")), len(after.closing(self.current + "x")))
            room = self.budget - len(self.current) - closing
            if room < 1 and self.has_content:
                self.cut()
                continue
            if room < 1:
                raise ValueError(f"comment limit {self.limit} leaves no room inside the open blocks")
            piece, remaining = remaining[:room], remaining[room:]
            self.current += piece
            self.has_content = True
            if remaining:
                self.cut()
        self.state = after

    def finish(self) -> list[str]:
        if self.has_content:
            self.chunks.append(self.current + self.state.closing(self.current))
        return self.chunks
