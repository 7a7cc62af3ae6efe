"""Plan trust follows who pushed every commit since the last anchor, not who opened the PR."""

from __future__ import annotations

from datetime import UTC, datetime

from controller.pipeline.trust import verdict
from controller.store import Push

MEMBERS = {"cloudops-bot", "rita"}


def push(before: str | None, after: str, pusher: str) -> Push:
    return Push("o/r", 1, before, after, pusher, datetime.now(UTC))


def judge(pushes: list[Push], head: str):
    return verdict(list(reversed(pushes)), head, lambda login: login in MEMBERS)  # the store lists newest first


def test_a_bot_pr_pushed_only_by_the_bot_is_trusted() -> None:
    assert judge([push(None, "a", "cloudops-bot"), push("a", "b", "cloudops-bot")], "b").trusted


def test_an_outsiders_push_onto_a_bot_branch_is_not_trusted() -> None:
    found = judge([push(None, "a", "cloudops-bot"), push("a", "b", "mallory")], "b")
    assert not found.trusted and found.untrusted_pusher == "mallory"
    assert "pushed by @mallory" in found.reason()


def test_a_trusted_push_on_top_does_not_launder_an_earlier_untrusted_one() -> None:
    found = judge([push(None, "a", "cloudops-bot"), push("a", "b", "mallory"), push("b", "c", "cloudops-bot")], "c")
    assert found.untrusted_pusher == "mallory"


def test_a_members_vouch_is_an_anchor_for_what_follows() -> None:
    pushes = [push(None, "a", "cloudops-bot"), push("a", "b", "mallory"), push(None, "b", "rita"),
              push("b", "c", "cloudops-bot")]
    assert judge(pushes, "c").trusted
    assert judge(pushes, "b").trusted  # the newest record for b is rita's vouch


def test_a_gap_in_the_records_is_not_trusted() -> None:
    found = judge([push(None, "a", "cloudops-bot"), push("x", "c", "cloudops-bot")], "c")
    assert not found.trusted and found.unknown_sha == "x" and "no record of who pushed `x`" in found.reason()


def test_a_cycle_of_records_ends_untrusted() -> None:
    assert not judge([push("b", "a", "rita"), push("a", "b", "rita")], "b").trusted


def test_an_outsider_opening_the_pr_is_not_trusted() -> None:
    assert judge([push(None, "a", "mallory")], "a").untrusted_pusher == "mallory"


def test_a_vouch_by_a_member_of_another_project_does_not_take_the_bots_trust_away() -> None:
    pushes = [push(None, "a", "cloudops-bot"), push("a", "b", "cloudops-bot"), push(None, "b", "uma"),
              push("b", "c", "cloudops-bot")]
    assert judge(pushes, "c").trusted  # uma may not plan this project, but the bot's own chain still holds


def test_a_long_chain_is_walked_without_recursion_trouble() -> None:
    pushes = [push(None, "0", "cloudops-bot")] + [push(str(i), str(i + 1), "rita") for i in range(300)]
    assert judge(pushes, "300").trusted
