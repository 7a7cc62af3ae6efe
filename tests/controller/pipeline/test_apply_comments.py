"""The apply side's messages: headlines (applied, cancelled, failed, timed out), a recovered apply, a close with
live resources, the edit after merge/close."""

from __future__ import annotations

from controller.pipeline import apply_comments


def test_a_recovered_apply_tells_what_is_live_what_is_not_and_where_the_state_is() -> None:
    body = apply_comments.recovered_apply(
        "web", "run-9", applied=("null_resource.a", "null_resource.b"), not_applied=("null_resource.c",),
        errored=("null_resource.d",), finished=False, survivor="terraform was stopped (SIGINT)",
        state="The state terraform wrote (3 resource instance(s), serial 4) is saved on the state branch.",
    )
    assert body.startswith("### Apply of project `web` was interrupted by a controller restart")
    assert "**Applied: 2 of 4**" in body and "- `null_resource.a`" in body
    assert "**Not applied: 1**" in body and "**Failed or cut off: 1**" in body and "tainted" in body
    assert "serial 4" in body and "cloudops plan -p web" in body


def test_a_recovered_apply_that_finished_reads_as_applied() -> None:
    body = apply_comments.recovered_apply("web", "run-9", applied=("null_resource.a",), not_applied=(), errored=(),
                                          finished=True, survivor="it finished on its own", state="saved")
    assert body.startswith("### Applied project `web` (finished while the controller restarted)")
    assert apply_comments.STAYS_LOCKED in body


def test_after_the_merge_no_line_says_the_pr_keeps_the_lock() -> None:
    finished = apply_comments.finished("web", "run-1", "3/3 applied", {}, True, False, ())
    edited = apply_comments.after_close(finished, project="web", merged=True, merge_sha="abcdef1234567890", lock_kept=False)
    assert apply_comments.STAYS_LOCKED not in edited and "until it is merged or closed" not in edited
    assert "**Merged** as `abcdef123456`" in edited and "lock of `web` is released" in edited
    assert "3/3 applied" in edited  # terraform's record of the apply stays
    again = apply_comments.after_close(edited, project="web", merged=True, merge_sha="abcdef1234567890", lock_kept=False)
    assert again.count("**Merged**") == 1


def test_after_a_close_without_merge_the_comment_says_what_happened_to_the_lock() -> None:
    finished = apply_comments.finished("web", "run-1", "done", {}, True, False, ())
    kept = apply_comments.after_close(finished, project="web", merged=False, merge_sha=None, lock_kept=True)
    assert "Closed without merging" in kept and "is kept" in kept and apply_comments.STAYS_LOCKED not in kept
    released = apply_comments.after_close(finished, project="web", merged=False, merge_sha=None, lock_kept=False)
    assert "was released" in released


def test_a_close_with_live_resources_lists_them_and_the_ways_out() -> None:
    body = apply_comments.closed_with_live_resources(
        "web", 4, {"null_resource.a": "create", "null_resource.b": "delete"}, lock_kept=True)
    assert "+ null_resource.a" in body and "- null_resource.b" in body
    assert "**kept**" in body and "cloudops rollback web --pr 4" in body and "cloudops unlock" in body
    released = apply_comments.closed_with_live_resources("web", 4, {"null_resource.a": "create"}, lock_kept=False)
    assert "**released**" in released and "destroys" in released


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
