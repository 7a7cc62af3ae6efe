"""GitHub's issue and pull-request search syntax, parsed and matched (pure).

``GET /search/issues?q=…`` as GitHub reads ``q``: words and "quoted phrases"
(all must appear, in the title or body unless ``in:`` says where; whole words,
case-insensitive) and qualifiers, each of which must hold:

* ``repo:owner/name``, ``user:``/``org:`` (the owner), several = any of them;
* ``is:pr``/``is:pull-request``/``type:pr``, ``is:issue``/``type:issue``;
* ``is:open``/``is:closed``/``state:``, ``is:merged``/``is:unmerged``, ``is:draft``;
* ``label:name`` (``label:a,b`` = a or b; several ``label:`` = all), ``no:label``;
* ``author:login``, ``head:branch``, ``base:branch``, ``in:title|body|comments``;
* a leading ``-`` negates a qualifier (``-label:wip``).

A qualifier the forge does not implement is refused by name (422), never
ignored: a search that silently matched more than asked would mislead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_QUERY = 256  # characters, as GitHub limits q
MAX_RESULTS = 1000  # GitHub returns at most the first 1000 matches
SORTS = ("comments", "created", "updated")
_IS = {"pr": ("kind", "pr"), "pull-request": ("kind", "pr"), "issue": ("kind", "issue"), "open": ("state", "open"),
       "closed": ("state", "closed"), "merged": ("merged", True), "unmerged": ("merged", False),
       "draft": ("draft", True)}
_TYPES = {"pr": "pr", "pull-request": "pr", "issue": "issue"}
_FIELDS = ("title", "body", "comments")
QUALIFIERS = ("repo", "user", "org", "is", "type", "state", "label", "no", "author", "head", "base", "in")
_TOKEN = re.compile(r'(-?)(?:([A-Za-z-]+):)?("(?:[^"]*)"?|\S+)')
_WORD = re.compile(r"\w+")


class QueryError(ValueError):
    """A query GitHub would answer with 422 Validation Failed; the message says what to change."""


@dataclass(frozen=True)
class Condition:
    name: str  # repo, owner, kind, state, merged, draft, label, no, author, head, base
    values: tuple[Any, ...]  # any one of them satisfies the condition
    negated: bool = False


@dataclass(frozen=True)
class Query:
    conditions: tuple[Condition, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()  # each a run of lower-case words
    fields: tuple[str, ...] = ("title", "body")

    def wanted(self, name: str) -> list[Condition]:
        return [c for c in self.conditions if c.name == name and not c.negated]


@dataclass(frozen=True)
class Candidate:
    """One issue or pull request as search sees it."""

    repo: str  # owner/name
    number: int
    title: str
    body: str
    is_pr: bool
    state: str
    author: str
    labels: tuple[str, ...] = ()
    merged: bool = False
    draft: bool = False
    head: str | None = None
    base: str | None = None
    comments: tuple[str, ...] = ()
    created_at: str = ""
    updated_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # what the caller needs back


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value.startswith('"') and value.endswith('"') else value.strip('"')


def _condition(name: str, value: str, negated: bool) -> Condition | tuple[str, ...]:
    """The condition a qualifier states, or a tuple of ``in:`` fields."""
    lowered = value.lower()
    if name in ("repo", "author", "head", "base"):
        return Condition(name, (lowered,), negated)
    if name in ("user", "org"):
        return Condition("owner", (lowered,), negated)
    if name == "label":
        return Condition("label", tuple(_unquote(v).lower() for v in value.split(",") if v), negated)
    if name == "is" and lowered in _IS:
        key, wanted = _IS[lowered]
        return Condition(key, (wanted,), negated)
    if name == "type" and lowered in _TYPES:
        return Condition("kind", (_TYPES[lowered],), negated)
    if name == "state" and lowered in ("open", "closed"):
        return Condition("state", (lowered,), negated)
    if name == "no" and lowered == "label":
        return Condition("no", ("label",), negated)
    if name == "in" and all(f in _FIELDS for f in lowered.split(",")):
        return tuple(lowered.split(","))
    raise QueryError(f"{name}:{value} is not a value the search understands here")


def parse(q: str) -> Query:
    """``q`` as conditions and phrases; QueryError says what GitHub would refuse (or the forge lacks)."""
    if not q.strip():
        raise QueryError("q is missing: say what to search for")
    if len(q) > MAX_QUERY:
        raise QueryError(f"the search is longer than {MAX_QUERY} characters")
    conditions: list[Condition] = []
    phrases: list[tuple[str, ...]] = []
    fields: tuple[str, ...] = ("title", "body")
    for negated, name, raw in _TOKEN.findall(q):
        if not name:
            words = tuple(w.lower() for w in _WORD.findall(_unquote(raw)))
            if words:
                phrases.append(words)
            continue
        name = name.lower()
        if name not in QUALIFIERS:
            raise QueryError(f"the local forge's search does not support the qualifier {name}:; "
                             f"it supports {', '.join(q + ':' for q in QUALIFIERS)} and plain words")
        found = _condition(name, _unquote(raw), bool(negated))
        if isinstance(found, tuple):
            fields = found
        else:
            conditions.append(found)
    return Query(tuple(conditions), tuple(phrases), fields)


def _facts(item: Candidate) -> dict[str, tuple[Any, ...]]:
    return {
        "repo": (item.repo.lower(),), "owner": (item.repo.split("/", 1)[0].lower(),),
        "kind": ("pr" if item.is_pr else "issue",), "state": (item.state,), "merged": (item.is_pr and item.merged,),
        "draft": (item.is_pr and item.draft,), "label": tuple(lab.lower() for lab in item.labels),
        "no": () if item.labels else ("label",), "author": (item.author.lower(),),
        "head": ((item.head or "").lower(),), "base": ((item.base or "").lower(),),
    }


def _holds(condition: Condition, facts: dict[str, tuple[Any, ...]]) -> bool:
    if condition.name in ("merged", "draft", "head", "base") and "pr" not in facts["kind"]:
        return condition.negated  # is:merged, head: … say nothing true of an issue
    return any(v in facts[condition.name] for v in condition.values) != condition.negated


def _occurrences(words: Sequence[str], phrase: tuple[str, ...]) -> int:
    n = len(phrase)
    return sum(1 for i in range(len(words) - n + 1) if tuple(words[i:i + n]) == phrase)


def score(query: Query, item: Candidate) -> float | None:
    """How well ``item`` matches (higher is better), or None when it does not."""
    facts = _facts(item)
    if not all(_holds(c, facts) for c in query.conditions):
        return None
    if not query.phrases:
        return 1.0
    texts = {"title": item.title, "body": item.body, "comments": " ".join(item.comments)}
    words = {f: [w.lower() for w in _WORD.findall(texts[f])] for f in query.fields}
    total = 0.0
    for phrase in query.phrases:
        hits = {f: _occurrences(words[f], phrase) for f in query.fields}
        if not any(hits.values()):
            return None
        total += sum(count * (2.0 if f == "title" else 1.0) for f, count in hits.items())
    return total


def run(query: Query, items: Sequence[Candidate], *, sort: str | None = None,
        order: str = "desc") -> list[tuple[Candidate, float]]:
    """Every match, best first (or by ``sort``: comments, created, updated; ``order`` asc/desc).

    GitHub counts them all in ``total_count`` but serves only the first ``MAX_RESULTS``."""
    found = [(item, s) for item in items if (s := score(query, item)) is not None]
    if sort is None:
        found.sort(key=lambda p: (p[1], p[0].updated_at, p[0].number), reverse=True)  # ties: newest first
        return found
    key = {"comments": lambda p: (len(p[0].comments), p[0].number),
           "created": lambda p: (p[0].created_at, p[0].number),
           "updated": lambda p: (p[0].updated_at, p[0].number)}[sort]
    found.sort(key=key, reverse=order != "asc")
    return found


__all__ = ["Candidate", "Condition", "MAX_RESULTS", "Query", "QueryError", "SORTS", "parse", "run", "score"]
