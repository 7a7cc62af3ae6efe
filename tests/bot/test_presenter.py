"""Apply progress on Discord: a thread on the lobby message, edits throttled to one per 2 s, the final always."""

from __future__ import annotations

from controller.bus import EventBus
from controller.pipeline import notices
from controller.service.events import LobbyEvents
from controller.service.throttle import EditThrottle

from .conftest import FakeChannel, doubles
from .test_interactions import deploy


class Ticks:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


async def test_progress_goes_to_one_thread_with_throttled_edits_and_a_final_edit(bot, channel: FakeChannel, chatops, forge) -> None:
    sid = await deploy(bot, channel)
    await chatops.submit(doubles_caller(), f"cloudops:form:{sid}:vm", {"name": "api", "size": "small"})
    await chatops.click(doubles_caller(), f"cloudops:open-pr:{sid}")
    ticks = Ticks()
    bus = EventBus()
    LobbyEvents(chatops.ctx.registry, bot.presenter, throttle=EditThrottle(2.0, ticks)).attach(bus)
    common = dict(repo="acme/infra", project="web", pr_number=1, head_sha=forge.prs[1].head_sha, run_id="apply-1")
    await bus.publish(notices.ApplyStarted(actor="alice", total=20, **common))
    for i in range(20):
        ticks.t = i * 0.25  # 4 events a second for 5 seconds
        await bus.publish(notices.ApplyProgress(completed=i, total=20, percent=i * 5, current=f"Creating r{i}…",
                                                rendered="", elapsed_seconds=ticks.t, **common))
    await bus.publish(notices.ApplyFinished(succeeded=True, summary="Apply complete!", rendered="", **common))
    lobby_message = channel.messages[max(m for m in channel.messages)]
    ((name, archive, thread),) = lobby_message.threads
    assert name == "Apply of web — PR #1" and archive == 60
    progress_message = next(iter(thread.messages.values()))
    edits = [e["embed"].description for e in progress_message.edits]
    # one send at start, then at t=0, 2, 4 (throttled), then the final edit
    assert len(thread.sent) == 1 and len(edits) == 4
    assert "Creating r0…" in edits[0] and "Creating r8…" in edits[1] and "Creating r16…" in edits[2]
    assert "Apply complete!" in edits[-1]
    assert "Applied" in lobby_message.edits[-1]["embed"].description


def doubles_caller():
    from controller.service.context import Caller

    from .conftest import GUILD

    return Caller(str(GUILD), doubles.USER_ID)


async def test_a_second_apply_posts_in_the_same_thread_and_a_restart_finds_it(bot, channel: FakeChannel, chatops, forge,
                                                                             monkeypatch) -> None:
    from bot.discord.presenter import DiscordPresenter
    from controller.service.replies import Reply

    sid = await deploy(bot, channel)
    ref = chatops.ctx.registry.message_ref(sid)
    for run in ("apply-1", "apply-2"):
        await bot.presenter.progress(ref, Reply(title=f"Apply {run}"), final=False)
        await bot.presenter.progress(ref, Reply(title=f"Apply {run}: succeeded"), final=True)
    lobby_message = channel.messages[int(ref["message"])]
    ((_, _, thread),) = lobby_message.threads  # one thread for both applies
    assert [m["embed"].title for m in thread.sent] == ["Apply apply-1", "Apply apply-2"]

    async def taken(self, **kwargs):
        import discord
        from unittest import mock

        raise discord.HTTPException(mock.Mock(status=400, reason="thread exists"), "A thread has already been created")

    monkeypatch.setattr(type(lobby_message), "create_thread", taken)
    restarted = DiscordPresenter(bot)
    found: list[int] = []
    monkeypatch.setattr(bot, "get_partial_messageable", lambda id_: found.append(id_) or thread)
    await restarted.progress(ref, Reply(title="Apply after a restart"), final=True)
    assert int(ref["message"]) in found and thread.sent[-1]["embed"].title == "Apply after a restart"
