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


PENDING = CONFIG.replace("  rita:\n", "  ron:\n    role: viewer\n    github: ron\n  rita:\n") + (
    "grants:\n"
    "  - {member: ron, project: web, role: user, duration: 8h, reason: on-call}   # as /cloud-grant writes it\n"
)


async def test_a_grant_starts_when_its_pr_is_merged_not_when_it_was_asked(forge, bench: Workbench,
                                                                          controller: ControllerApp) -> None:
    import asyncio

    from controller.repo_config import Role

    from .harness import settle

    number = bench.open_pr("grant-ron", "Grant ron user on web", {"cloudops.yaml": PENDING})
    await settle(forge, controller)
    await asyncio.sleep(1.2)  # the PR waits for review: none of this time counts
    merge_sha = bench.repo.get_pull(number).merge().sha
    await asyncio.sleep(1.2)  # the webhook is late: the clock still starts at the merge, not when it is handled
    await settle(forge, controller)  # the push webhook starts the grant

    git(bench.clone, "fetch", "-q", "origin")
    merged_at = dt.datetime.fromisoformat(git(bench.clone, "log", "-1", "--format=%cI", merge_sha).strip())
    message = git(bench.clone, "log", "-1", "--format=%an%n%B", "origin/main")
    assert message.startswith("Cloud ChatOps\nStart 1 grant(s) merged into main")
    assert "ron as user on web: 8h from" in message and "(when it was merged)" in message
    text = git(bench.clone, "show", "origin/main:cloudops.yaml")
    (grant,) = loads(text).grants
    assert grant.expires_at == merged_at + dt.timedelta(hours=8)
    assert "# as /cloud-grant writes it" in text  # a one-line change: the comment stays
    assert loads(text).role_of("ron", "web", merged_at + dt.timedelta(hours=7, minutes=59)) is Role.USER
    assert await grants.activate(controller.pipeline.ctx, bench.full_name) is None  # started once
