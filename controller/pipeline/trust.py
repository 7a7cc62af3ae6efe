"""Whether a pull request's head may be planned without a member's say-so (pure).

A plan runs code from the PR, so it starts on its own only when every commit
since the last trusted point was pushed by someone trusted for the project:
the bot, or a member with at least the user role on it. The PR's author is
not enough: anyone who can push to the bot's branch would otherwise get the
bot's trust. The store keeps who moved the head (``Push``: before → after, by
whom, from ``pull_request`` opened/synchronize webhooks, whose ``sender`` is
the pusher) and the anchors: the PR opened at a commit, or a member vouching
for a commit with ``cloudops plan``. ``verdict`` walks back from the head
through these records to an anchor; a broken chain (a lost webhook, a PR
older than the records) is not trusted: a member must vouch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..store import Push


@dataclass(frozen=True)
class Verdict:
    trusted: bool
    untrusted_pusher: str | None = None  # who pushed a commit that is not trusted
    unknown_sha: str | None = None  # a commit whose pusher the controller never learned

    def reason(self) -> str:
        if self.untrusted_pusher:
            return f"commits since the last trusted plan were pushed by @{self.untrusted_pusher}"
        if self.unknown_sha:
            return f"the controller has no record of who pushed `{self.unknown_sha[:12]}`"
        return ""


TRUSTED = Verdict(True)


def verdict(pushes: Sequence[Push], head: str, is_trusted: Callable[[str], bool]) -> Verdict:
    """Walk from ``head`` back to an anchor through ``pushes`` (newest first).

    A commit is trusted when any record of it is: a trusted person pushed it on
    top of a trusted commit, or anchored it (opened the PR there, vouched for
    it). So a member's vouch adds trust and never takes away what the bot had.
    """
    by_after: dict[str, list[Push]] = {}
    for push in pushes:
        by_after.setdefault(push.after, []).append(push)
    known: dict[str, Verdict] = {}

    def judge(sha: str, visiting: frozenset[str]) -> Verdict:
        if sha in known:
            return known[sha]
        records = by_after.get(sha)
        if not records or sha in visiting:
            return Verdict(False, unknown_sha=sha)
        first_refusal: Verdict | None = None
        for push in records:  # newest first
            if not is_trusted(push.pusher):
                found = Verdict(False, untrusted_pusher=push.pusher)
            elif push.before is None:
                found = TRUSTED
            else:
                found = judge(push.before, visiting | {sha})
            if found.trusted:
                known[sha] = TRUSTED
                return TRUSTED
            first_refusal = first_refusal or found
        assert first_refusal is not None
        known[sha] = first_refusal
        return first_refusal

    return judge(head, frozenset())
