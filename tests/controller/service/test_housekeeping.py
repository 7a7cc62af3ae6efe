"""Long-expired chat sessions are cleaned up on a schedule; recently expired drafts stay recoverable."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from controller.service import housekeeping
from controller.service.chatops import ChatOps
from controller.service.context import Caller, ServiceContext

from .doubles import FakeClock
from .test_deploy import VM, opened


async def draft(chatops: ChatOps, user: Caller) -> str:
    sid = await opened(chatops, user)
    await chatops.submit(user, f"cloudops:form:{sid}:vm", VM)
    return sid


async def test_a_draft_expired_a_week_ago_is_deleted_and_a_recent_one_stays_recoverable(
        chatops: ChatOps, ctx: ServiceContext, user: Caller, clock: FakeClock) -> None:
    old = await draft(chatops, user)
    clock.advance(days=8)
    recent = await draft(chatops, user)
    clock.advance(hours=2)  # both idle past 30 minutes: expired
    done = housekeeping.clean_sessions(ctx.store, clock=clock)
    assert (done.sessions, done.links) == (1, 1)  # the old draft and its row in the user's list
    back = await chatops.run(user, "cloud-recover-session", {})
    assert back.session == recent and "Your other sessions" not in [f.name for f in back.fields]
    assert [s.session_id for s in ctx.registry.sessions_of(user.guild_id, user.user_id)] == [recent]
    assert ctx.store.get_session(old) is None and old not in [s.id for s in ctx.store.list_expired_sessions()]


async def test_a_session_with_a_pull_request_is_never_lost(chatops: ChatOps, ctx: ServiceContext, user: Caller,
                                                         clock: FakeClock) -> None:
    sid = await draft(chatops, user)
    await chatops.click(user, f"cloudops:open-pr:{sid}")
    clock.advance(days=30)
    housekeeping.clean_sessions(ctx.store, clock=clock)
    assert ctx.registry.pr_link_by_session(sid) is not None
    assert (await chatops.click(user, f"cloudops:show:{sid}")).refused is None


async def test_the_schedule_cleans_at_start_then_every_interval_and_outlives_a_failed_pass(
        ctx: ServiceContext, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    passes: list[int] = []
    real = ctx.store.delete_expired_sessions

    def counted(older_than: dt.timedelta = dt.timedelta(0)) -> int:
        passes.append(1)
        if len(passes) == 2:
            raise OSError("disk full")
        return real(older_than)

    monkeypatch.setattr(ctx.store, "delete_expired_sessions", counted)
    task = asyncio.create_task(housekeeping.clean_sessions_forever(ctx.store, 0.01, clock=clock))
    try:
        for _ in range(500):
            if len(passes) >= 3:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert len(passes) >= 3  # the second pass failed and the third still ran


async def test_a_chat_process_on_its_own_store_runs_the_clean_up_and_one_inside_a_controller_leaves_it_to_it(
        tmp_path, ctx: ServiceContext) -> None:
    from dataclasses import replace as with_

    from controller.service import wiring
    from controller.settings import Settings

    from .doubles import RecordingForge

    settings = with_(Settings.from_env(), data_dir=tmp_path / "chat")
    alone = wiring.build(settings, forge=RecordingForge(), env={})
    try:
        task = alone.start_housekeeping()
        assert task is not None and task.get_name() == "clean-chat-sessions"
        task.cancel()
    finally:
        alone.close()
    inside = wiring.build(settings, forge=RecordingForge(), env={}, store=ctx.store)  # an assembly's store
    assert inside.start_housekeeping() is None
