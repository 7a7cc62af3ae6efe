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


class DiscordHttp:
    """The one seam doubled: the HTTP calls behind ``fetch_user``, ``User.send`` (open the DM, post to it).

    What comes back is Discord's own payload shape, so discord.py builds real User, DMChannel and Message
    objects from it; ``closed`` holds user ids whose DMs are closed (Discord answers 403, code 50007)."""

    def __init__(self, closed: set[str] = frozenset()) -> None:
        self.closed = closed
        self.sent: list[tuple[str, dict]] = []  # (user id, message payload)

    @staticmethod
    def _user(user_id: str) -> dict:
        return {"id": user_id, "username": f"u{user_id}", "discriminator": "0", "avatar": None, "global_name": None}

    async def get_user(self, user_id: int) -> dict:
        return self._user(str(user_id))

    async def start_private_message(self, user_id: int) -> dict:
        return {"id": str(9000 + user_id), "type": 1, "recipients": [self._user(str(user_id))], "last_message_id": None}

    async def send_message(self, channel_id: int, *, params) -> dict:
        import discord
        from unittest import mock

        user_id = str(int(channel_id) - 9000)
        if user_id in self.closed:
            raise discord.Forbidden(mock.Mock(status=403, reason="Forbidden"),
                                    {"code": 50007, "message": "Cannot send messages to this user"})
        self.sent.append((user_id, params.payload))
        return {"id": str(len(self.sent)), "channel_id": str(channel_id), "author": self._user("1"), "content": "",
                "timestamp": "2030-01-01T00:00:00+00:00", "edited_timestamp": None, "tts": False,
                "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
                "embeds": params.payload.get("embeds", []), "pinned": False, "type": 0}


def wire_http(bot, monkeypatch, http: DiscordHttp) -> None:
    for name in ("get_user", "start_private_message", "send_message"):
        monkeypatch.setattr(bot.http, name, getattr(http, name))


async def test_without_an_admin_channel_a_budget_alert_is_a_direct_message_to_the_projects_admins(
        bot, chatops, monkeypatch) -> None:
    http = DiscordHttp()
    wire_http(bot, monkeypatch, http)
    bus = EventBus()
    LobbyEvents(chatops.ctx.registry, bot.presenter, repos=chatops.ctx.repos, clock=chatops.ctx.clock).attach(bus)
    await bus.publish(notices.BudgetAlert(repo="acme/infra", project="web", pr_number=7, threshold=1.0,
                                          monthly_cost=120.5, budget=100.0, projected=True))
    ((user_id, payload),) = http.sent  # alice, the one admin of web with a chat id; bob and carol are not admins
    assert user_id == doubles.ADMIN_ID
    (embed,) = payload["embeds"]
    assert embed["title"] == "Budget: web would cross 100% (PR #7)" and "$120.50" in embed["description"]


async def test_an_admin_with_closed_dms_is_skipped_and_the_others_still_hear(bot, monkeypatch, caplog) -> None:
    from controller.service.alerts import AlertTarget
    from controller.service.replies import Reply

    http = DiscordHttp(closed={"5"})
    wire_http(bot, monkeypatch, http)
    await bot.presenter.alert(AlertTarget("1001", None, ("5", "6")), Reply(title="Apply failed: web PR #3"))
    assert [u for u, _ in http.sent] == ["6"]
    assert "sending an alert to admin 5 by direct message" in caplog.text


async def test_with_an_admin_channel_the_alert_is_posted_there_and_nobody_gets_a_dm(bot, channel, monkeypatch) -> None:
    from controller.service.alerts import AlertTarget
    from controller.service.replies import Reply

    from .conftest import CHANNEL

    http = DiscordHttp()
    wire_http(bot, monkeypatch, http)
    await bot.presenter.alert(AlertTarget("1001", str(CHANNEL), ()), Reply(title="Drift: web"))
    assert [m["embed"].title for m in channel.sent] == ["Drift: web"] and http.sent == []
