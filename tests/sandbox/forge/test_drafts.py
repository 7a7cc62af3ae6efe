"""Draft pull requests: created as drafts, and the forge's local extension
`PATCH /pulls/{n}` with `draft` that fires `ready_for_review` / `converted_to_draft`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import github
import pytest
import requests

from sandbox.forge.background import BackgroundForge
from sandbox.forge.storage import Store

OWNER = "cloudops-admin"


@pytest.fixture
def draft_repo(gh: github.Github, receiver, clone) -> Any:
    """A repository with a hook and a `feature` branch one commit ahead of `main`."""
    repo = gh.get_user().create_repo("drafts", auto_init=True)
    repo.create_hook("web", {"url": receiver.url, "content_type": "json", "secret": "hook-secret"},
                     events=["pull_request"], active=True)
    work = clone(OWNER, "drafts")
    work("checkout", "-q", "-b", "feature")
    work.commit_file("a.tf", "a\n", "first")
    work("push", "-q", "origin", "feature")
    return repo


def _patch(forge: BackgroundForge, number: int, body: dict[str, Any]) -> requests.Response:
    return requests.patch(f"{forge.api_url}/repos/{OWNER}/drafts/pulls/{number}", json=body, timeout=30,
                          headers={"Authorization": f"token {forge.owner_token}"})


def test_a_draft_is_stored_then_marked_ready_and_converted_back(forge: BackgroundForge, draft_repo, receiver) -> None:
    pr = draft_repo.create_pull(title="Feature", body="", head="feature", base="main", draft=True)
    assert (pr.draft, pr.mergeable_state) == (True, "draft")
    assert draft_repo.get_pull(pr.number).draft is True

    ready = _patch(forge, pr.number, {"draft": False})
    assert ready.status_code == 200
    assert (ready.json()["draft"], ready.json()["mergeable_state"]) == (False, "clean")
    assert _patch(forge, pr.number, {"draft": False}).status_code == 200  # unchanged: no event
    back = _patch(forge, pr.number, {"draft": True})
    assert back.json()["draft"] is True

    forge.drain_webhooks()
    pulls = [(r.payload["action"], r.payload["pull_request"]["draft"]) for r in receiver.received
             if r.event == "pull_request"]
    assert pulls == [("opened", True), ("ready_for_review", False), ("converted_to_draft", True)]


def test_a_draft_change_is_refused_when_not_a_boolean_or_the_pull_request_is_closed(
        forge: BackgroundForge, draft_repo) -> None:
    pr = draft_repo.create_pull(title="Feature", body="", head="feature", base="main")
    refused = _patch(forge, pr.number, {"title": "Renamed", "draft": "yes"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "draft"
    assert draft_repo.get_pull(pr.number).title == "Feature"  # nothing of the refused request applied

    assert _patch(forge, pr.number, {"state": "closed"}).status_code == 200
    assert _patch(forge, pr.number, {"draft": True}).status_code == 422
    assert draft_repo.get_pull(pr.number).draft is False


def test_a_data_dir_from_before_drafts_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "forge.sqlite"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE pulls (id INTEGER PRIMARY KEY, issue_id INTEGER NOT NULL UNIQUE, "
                    "head_ref TEXT NOT NULL, head_sha TEXT NOT NULL, base_ref TEXT NOT NULL, base_sha TEXT NOT NULL, "
                    "merged_at TEXT, merged_by_id INTEGER, merge_commit_sha TEXT)")
        old.execute("INSERT INTO pulls VALUES (1, 1, 'f', 'a', 'main', 'b', NULL, NULL, NULL)")
    store = Store(path)
    try:
        assert store.all("SELECT id, draft FROM pulls") == [{"id": 1, "draft": 0}]
    finally:
        store.close()
