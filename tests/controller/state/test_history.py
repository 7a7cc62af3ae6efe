"""State commit messages and log parsing (pure)."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest

from controller.state import history
from controller.state.history import StateMessage, parse_message, state_message

SHA = "abc1234def5678abc1234def5678abc1234def56"


def test_a_full_message_reads_as_a_sentence_and_parses_back() -> None:
    text = state_message("web", pr_number=12, head_sha=SHA, run_id="r-42", actor="alice")
    assert text.splitlines()[0] == "state: web after apply of PR #12 at abc1234 (run r-42)"
    assert parse_message(text) == StateMessage("web", "apply", 12, SHA, "r-42", "alice")


def test_a_minimal_message_leaves_unknown_fields_empty() -> None:
    text = state_message("db", action="import")
    assert text.splitlines()[0] == "state: db after import"
    assert parse_message(text) == StateMessage("db", "import")


def test_a_subject_written_by_hand_is_parsed_without_trailers() -> None:
    parsed = parse_message("state: web after apply of PR #7 at 0a1b2c3 (run r-9)")
    assert parsed == StateMessage("web", "apply", 7, "0a1b2c3", "r-9", None)


@pytest.mark.parametrize("text", ["", "Initial commit", "fix typo\n\nCloudops-Nonsense: x"])
def test_an_unrelated_message_has_no_project(text: str) -> None:
    assert parse_message(text).project is None


def test_trailers_win_over_the_abbreviated_subject() -> None:
    text = f"state: web after apply of PR #12 at abc1234\n\nCloudops-Head: {SHA}\n"
    assert parse_message(text).head_sha == SHA


def test_git_log_records_become_commits_newest_first() -> None:
    sep, end = "\x1f", "\x1e"
    raw = (
        f"{'1' * 40}{sep}2024-05-01T10:00:00+00:00{sep}Cloud ChatOps{sep}bot@x{sep}"
        f"{state_message('web', pr_number=2, run_id='r-2')}{end}\n"
        f"{'2' * 40}{sep}2024-04-30T09:00:00+02:00{sep}Cloud ChatOps{sep}bot@x{sep}state: web after apply\n\nbody line{end}"
    )
    commits = history.parse_log(raw)
    assert [c.sha for c in commits] == ["1" * 40, "2" * 40]
    assert commits[0].committed_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert commits[0].details.pr_number == 2 and commits[0].subject.startswith("state: web after apply of PR #2")
    assert commits[1].details.project == "web" and commits[1].message.endswith("body line")


def test_an_empty_log_is_an_empty_history() -> None:
    assert history.parse_log("") == []
