"""Who approved a pull request, counted the way GitHub counts it.

Pure: no I/O. GitHub keeps every review a person ever left; only each
person's latest *deciding* review (approve, request changes, or a dismissal)
counts. A later plain comment does not withdraw an approval, and pending
(unsubmitted) reviews are invisible to everyone else.
"""

from __future__ import annotations

from collections.abc import Iterable

from controller.forge.base import Review

DECIDING_STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


def latest_decisions(reviews: Iterable[Review]) -> dict[str, Review]:
    """Each reviewer's latest deciding review, by login."""
    latest: dict[str, Review] = {}
    for review in sorted(reviews, key=lambda r: r.submitted_order):
        if review.state in DECIDING_STATES:
            latest[review.user] = review
    return latest


def approvers(reviews: Iterable[Review], *, head_sha: str | None = None) -> list[str]:
    """Logins whose latest decision is an approval, sorted.

    With ``head_sha``, an approval counts only if it was given on that commit
    (what "dismiss stale approvals" does in branch protection).
    """
    return sorted(
        login
        for login, review in latest_decisions(reviews).items()
        if review.state == "APPROVED" and (head_sha is None or review.commit_id == head_sha)
    )
