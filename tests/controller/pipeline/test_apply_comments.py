"""The apply comment's headline says what happened: applied, cancelled, failed, or timed out."""

from __future__ import annotations

from controller.pipeline import apply_comments


def headline(**kwargs) -> str:
    args = {"succeeded": False, "cancelled": False, "failed_resources": (), "error": "", **kwargs}
    return apply_comments.finished("web", "run-1", "bar", {}, **args).splitlines()[0]


def test_a_timed_out_apply_says_it_timed_out_not_that_it_failed() -> None:
    body = apply_comments.finished("web", "run-1", "bar", {}, False, False, (), "no result after 5s", timed_out=True)
    assert body.splitlines()[0] == "### Apply of project `web` timed out"
    assert "CLOUDOPS_APPLY_TIMEOUT" in body and "see the output" not in body and "no result after 5s" in body


def test_the_other_outcomes_keep_their_headlines() -> None:
    assert headline(succeeded=True) == "### Applied project `web`"
    assert headline(cancelled=True) == "### Apply of project `web` was cancelled"
    assert headline(failed_resources=("null_resource.a",)) == "### Apply of project `web` failed: `null_resource.a`"
