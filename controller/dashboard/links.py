"""Links from PR comments to run pages.

Plan and apply comments name their run as ``run `<uuid>` `` (or ``Run `<uuid>` ``).
With a public URL configured, ``LinkingForge`` turns that mention into a link
to the run's dashboard page as the comment is posted, so the pipeline's
templates stay as they are and every comment that names a run links to it.
``link_runs`` is pure; the wrapper only forwards.
"""

from __future__ import annotations

import re
from typing import Any

_RUN = re.compile(r"(?<!\[)\b([Rr]un) `([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`(?!\])")


def run_url(public_url: str, run_id: str) -> str:
    return f"{public_url.rstrip('/')}/runs/{run_id}"


def link_runs(body: str, public_url: str) -> str:
    """Every ``run `<id>` `` mention becomes ``run [`<id>`](<public>/runs/<id>)``; other text is unchanged."""
    return _RUN.sub(lambda m: f"{m.group(1)} [`{m.group(2)}`]({run_url(public_url, m.group(2))})", body)


class LinkingForge:
    """A forge whose comments link the runs they mention; everything else passes through."""

    def __init__(self, forge: Any, public_url: str) -> None:
        self._forge = forge
        self._public_url = public_url

    def __getattr__(self, name: str) -> Any:
        return getattr(self._forge, name)

    def upsert_comment(self, repo: str, number: int, key: str, body: str) -> list[int]:
        return self._forge.upsert_comment(repo, number, key, link_runs(body, self._public_url))
