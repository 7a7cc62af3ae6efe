"""Expired grants are pruned from cloudops.yaml by a commit that names them."""

from __future__ import annotations

import datetime as dt

import pytest

from controller.app import ControllerApp
from controller.pipeline import grants
from controller.repo_config import loads

from .harness import CONFIG, Workbench, git, make_infra_repo

pytestmark = [pytest.mark.slow]

WITH_GRANTS = CONFIG + (
    "grants:\n"
    "  # on-call cover\n"
    "  - {member: rita, project: web, role: admin, expires_at: 2001-01-01T00:00:00Z, reason: long over}\n"
    "  - {member: rita, project: db, role: admin, expires_at: 2999-01-01T00:00:00Z, reason: still on}\n"
)


@pytest.fixture
def bench(forge, tmp_path) -> Workbench:
    return make_infra_repo(forge, tmp_path, files={"cloudops.yaml": WITH_GRANTS})


async def test_an_expired_grant_is_pruned_by_a_commit_and_only_once(forge, bench: Workbench, controller: ControllerApp) -> None:
    ctx = controller.pipeline.ctx
    sha = await grants.prune(ctx, bench.full_name, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert sha is not None
    git(bench.clone, "fetch", "-q", "origin")
    message = git(bench.clone, "log", "-1", "--format=%an%n%B", "origin/main")
    assert message.startswith("Cloud ChatOps\nPrune 1 expired grant(s)") and "rita as admin on web" in message
    config = loads(git(bench.clone, "show", "origin/main:cloudops.yaml"))
    assert [(g.project, g.reason) for g in config.grants] == [("db", "still on")]
    assert "# on-call cover" in git(bench.clone, "show", "origin/main:cloudops.yaml")  # comments kept
    assert await grants.prune(ctx, bench.full_name, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) is None
