"""Approvals counted as GitHub counts them; status inputs GitHub will accept."""

from __future__ import annotations

import pytest

from controller.forge.base import Review
from controller.forge.reviews import approvers, latest_decisions
from controller.forge.statuses import check_state, truncate_description


def _reviews(*entries: tuple[str, str, str]) -> list[Review]:
    return [Review(i, user, state, sha, i) for i, (user, state, sha) in enumerate(entries)]


def test_the_latest_deciding_review_per_person_counts() -> None:
    reviews = _reviews(("ann", "APPROVED", "a"), ("bob", "APPROVED", "a"), ("bob", "CHANGES_REQUESTED", "a"))
    assert approvers(reviews) == ["ann"]


def test_a_later_comment_does_not_withdraw_an_approval() -> None:
    assert approvers(_reviews(("ann", "APPROVED", "a"), ("ann", "COMMENTED", "b"))) == ["ann"]


def test_a_dismissal_withdraws_an_approval_and_pending_reviews_do_not_count() -> None:
    reviews = _reviews(("ann", "APPROVED", "a"), ("ann", "DISMISSED", "a"), ("cy", "PENDING", "a"))
    assert approvers(reviews) == []
    assert set(latest_decisions(reviews)) == {"ann"}


def test_a_re_approval_after_requesting_changes_counts() -> None:
    assert approvers(_reviews(("ann", "CHANGES_REQUESTED", "a"), ("ann", "APPROVED", "b"))) == ["ann"]


def test_with_a_head_sha_only_approvals_of_that_commit_count() -> None:
    reviews = _reviews(("ann", "APPROVED", "old"), ("bob", "APPROVED", "new"))
    assert approvers(reviews, head_sha="new") == ["bob"]


def test_order_comes_from_githubs_list_not_from_ids() -> None:
    reviews = [Review(9, "ann", "APPROVED", "a", 1), Review(10, "ann", "CHANGES_REQUESTED", "a", 0)]
    assert approvers(reviews) == ["ann"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plan: 1 to add", "Plan: 1 to add"),
        ("a\n  b\tc", "a b c"),
        ("x" * 140, "x" * 140),
        ("x" * 141, "x" * 139 + "…"),
    ],
)
def test_descriptions_fit_githubs_140_characters(text: str, expected: str) -> None:
    assert truncate_description(text) == expected
    assert len(truncate_description(text)) <= 140


def test_unknown_status_states_are_refused_before_reaching_github() -> None:
    assert check_state("success") == "success"
    with pytest.raises(ValueError, match="pending"):
        check_state("passed")
