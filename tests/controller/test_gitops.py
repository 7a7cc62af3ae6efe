"""Proposing a change: branch, commit, pull request; a resumable request picks up where it stopped."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from controller import gitops
from controller.errors import ForgeValidationError
from controller.forge.base import Author

CHANGE = gitops.ProposedChange(branch="cloudops/bob/x", base="main", files={"projects/web/x.tf": "# x\n"},
                               message="web: add x\n\nRequested in chat by bob.", author=Author("bob", "bob@x"),
                               title="[web] add x", body="Requested in chat by **bob**.", delete=("projects/web/old.tf",))


class RecordingForge:
    """Only what ``gitops`` calls; each call is recorded."""

    def __init__(self, *, branch_exists: bool = False, open_pr: Any = None) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []
        self.branch_exists, self.open_pr = branch_exists, open_pr

    def find_open_pull_request(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(("find_open_pull_request", args, kwargs))
        return self.open_pr

    def create_branch(self, *args: Any) -> str:
        self.calls.append(("create_branch", args, {}))
        if self.branch_exists:
            raise ForgeValidationError("Reference already exists")
        return "base-sha"

    def commit_files(self, *args: Any, **kwargs: Any) -> str:
        self.calls.append(("commit_files", args, kwargs))
        return "new-sha"

    def open_pull_request(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(("open_pull_request", args, kwargs))
        return SimpleNamespace(number=7, head_sha="new-sha")


def test_a_change_is_a_branch_from_the_base_a_commit_and_a_pull_request(tmp_path: Path) -> None:
    forge = RecordingForge()
    proposal = gitops.propose(forge, "acme/infra", CHANGE, tmp_path)  # type: ignore[arg-type]
    assert (proposal.pull.number, proposal.sha) == (7, "new-sha")
    assert [c[0] for c in forge.calls] == ["create_branch", "commit_files", "open_pull_request"]
    assert forge.calls[0][1] == ("acme/infra", "cloudops/bob/x", "main")
    assert forge.calls[1][2] == {"delete": ("projects/web/old.tf",)}
    assert forge.calls[2][2] == {"title": "[web] add x", "body": "Requested in chat by **bob**.",
                                 "head": "cloudops/bob/x", "base": "main"}


def test_an_existing_branch_is_an_error_unless_the_request_is_resumable(tmp_path: Path) -> None:
    with pytest.raises(ForgeValidationError):
        gitops.propose(RecordingForge(branch_exists=True), "acme/infra", CHANGE, tmp_path)  # type: ignore[arg-type]
    forge = RecordingForge(branch_exists=True)
    assert gitops.propose(forge, "acme/infra", CHANGE, tmp_path, resumable=True).sha == "new-sha"  # type: ignore[arg-type]
    assert [c[0] for c in forge.calls] == ["find_open_pull_request", "create_branch", "commit_files", "open_pull_request"]


def test_a_resumable_request_whose_pull_request_is_open_changes_nothing(tmp_path: Path) -> None:
    forge = RecordingForge(open_pr=SimpleNamespace(number=3, head_sha="old-sha"))
    proposal = gitops.propose(forge, "acme/infra", CHANGE, tmp_path, resumable=True)  # type: ignore[arg-type]
    assert (proposal.pull.number, proposal.sha) == (3, "old-sha")
    assert [c[0] for c in forge.calls] == ["find_open_pull_request"]
