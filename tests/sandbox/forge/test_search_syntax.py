"""GitHub's issue search syntax, parsed and matched without a forge."""

from __future__ import annotations

import pytest

from sandbox.forge import search
from sandbox.forge.search import Candidate

WEB = Candidate("acme/infra", 1, "Deploy web servers", "Adds the web tier.", True, "open", "alice",
                labels=("cloudops:planned",), head="deploy-web", base="main", updated_at="2024-01-02T00:00:00Z")
DB = Candidate("acme/infra", 2, "Deploy database", "", True, "closed", "bob", merged=True, head="deploy-db",
               base="main", updated_at="2024-01-03T00:00:00Z")
BUG = Candidate("acme/other", 3, "Plan stuck", "never ends", False, "open", "carol", labels=("bug", "needs triage"),
                comments=("seen the timeout too",), updated_at="2024-01-01T00:00:00Z")
ALL = [WEB, DB, BUG]


def numbers(q: str, **kwargs) -> list[int]:
    return [c.number for c, _ in search.run(search.parse(q), ALL, **kwargs)]


@pytest.mark.parametrize(("q", "expected"), [
    ("repo:acme/infra", [2, 1]),  # equal scores: most recently updated first
    ("repo:ACME/Infra is:pr is:open", [1]),
    ("is:issue", [3]),
    ("type:pr state:closed", [2]),
    ("is:merged", [2]),
    ("is:unmerged is:pr", [1]),
    ("-is:merged", [1, 3]),  # an issue is not merged either
    ("label:bug,cloudops:planned", [1, 3]),  # a comma is "or"
    ("label:bug label:cloudops:planned", []),  # two qualifiers are "and"
    ('label:"needs triage"', [3]),
    ("no:label", [2]),
    ("-label:bug", [2, 1]),
    ("author:BOB", [2]),
    ("head:deploy-web base:main", [1]),
    ("user:acme deploy", [2, 1]),
    ("org:nobody", []),
    ("web", [1]),
    ('"web tier"', [1]),
    ('"tier web"', []),
    ("deploy servers", [1]),  # every word must appear
    ("timeout", []),
    ("timeout in:comments", [3]),
    ("deploy in:body", []),
])
def test_qualifiers_and_words(q: str, expected: list[int]) -> None:
    assert numbers(q) == expected


def test_title_words_weigh_more_and_sort_orders_the_rest() -> None:
    scored = search.run(search.parse("web"), [WEB, BUG])
    assert scored == [(WEB, 3.0)]  # "web" twice: in the title (2) and the body (1)
    assert numbers("repo:acme/infra", sort="updated", order="asc") == [1, 2]
    assert numbers("is:open", sort="comments") == [3, 1]


@pytest.mark.parametrize(("q", "says"), [
    ("", "q is missing"),
    ("   ", "q is missing"),
    ("assignee:bob", "does not support the qualifier assignee:"),
    ("is:locked", "is:locked is not a value"),
    ("in:everywhere web", "in:everywhere is not a value"),
    ("x" * 257, "longer than 256"),
])
def test_what_the_forge_cannot_answer_is_refused_by_name(q: str, says: str) -> None:
    with pytest.raises(search.QueryError, match=says):
        search.parse(q)
