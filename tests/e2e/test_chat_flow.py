"""A chat request from /cloud-deploy to merged, applied, visible and rolled back, on the embedded default.

The real local forge, git, terraform and controller, assembled by ``embedded()`` exactly as
``cloudops chat --embedded`` assembles them; the chat is driven through ``ChatOps``, the object the
console and the Discord cogs call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudops.commands.chat import CONSOLE_GUILD, TEMPLATE_ADMIN_DISCORD_ID
from cloudops.embedded import Embedded, embedded
from controller.service.alerts import AlertTarget
from controller.service.chatops import ChatOps
from controller.service.context import Caller
from controller.service.events import LobbyEvents
from controller.service.replies import Reply
from controller.store import utc_now

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

ALICE = Caller(CONSOLE_GUILD, TEMPLATE_ADMIN_DISCORD_ID, "alice")


class Shown:
    """The front end's part: remembers what each lobby message and alert would show."""

    def __init__(self) -> None:
        self.lobbies: list[Reply] = []
        self.alerts: list[tuple[AlertTarget, Reply]] = []

    async def show(self, ref: dict[str, str], reply: Reply) -> None:
        self.lobbies.append(reply)

    async def progress(self, ref: dict[str, str], reply: Reply, *, final: bool) -> None:
        pass

    async def alert(self, target: AlertTarget, reply: Reply) -> None:
        self.alerts.append((target, reply))


def text(reply: Reply) -> str:
    return "\n".join([reply.title, reply.description, *(f"{f.name}: {f.value}" for f in reply.fields)])


async def deploy_vm(world: Embedded, chat: ChatOps, name: str) -> str:
    """Open a lobby, add one VM, open its PR and wait for the plan; returns the session id."""
    opened = await chat.run(ALICE, "cloud-deploy", {"project": "example"})
    sid = opened.session
    assert sid, text(opened)
    added = await chat.submit(ALICE, f"cloudops:form:{sid}:vm", {"name": name, "size": "small"})
    assert added.refused is None, text(added)
    pr = await chat.click(ALICE, f"cloudops:open-pr:{sid}")
    assert pr.refused is None, text(pr)
    await world.settle()
    return sid


async def approve(world: Embedded, chat: ChatOps, sid: str) -> Reply:
    ready = await chat.click(ALICE, f"cloudops:show:{sid}")
    assert "Plan ready" in ready.description and not ready.button("approve").disabled, text(ready)
    asked = await chat.click(ALICE, f"cloudops:approve:{sid}")
    assert asked.refused is None, text(asked)
    await world.settle()
    return await chat.click(ALICE, f"cloudops:show:{sid}")


async def test_deploy_to_merged_applied_visible_then_a_second_deploy_and_a_rollback(tmp_path: Path) -> None:
    async with embedded(tmp_path / "world") as world:
        chat = world.assembly.chatops
        world.assembly.chat.registry.connect(CONSOLE_GUILD, world.full_name, by=ALICE.user_id, at=utc_now())
        LobbyEvents(world.assembly.chat.registry, Shown()).attach(world.assembly.bus)

        sid = await deploy_vm(world, chat, "api")
        lobby = await chat.click(ALICE, f"cloudops:show:{sid}")
        assert "$" in next(f.value for f in lobby.fields if f.name == "Monthly cost")  # the estimate survives the PR
        assert next(f.value for f in lobby.fields if f.name == "Policy") == "passed"
        plan = next(f.value for f in lobby.fields if f.name == "Plan")
        # The template's three example resources were never applied: the plan says where the other three come from.
        assert "+4 ~0 −0" in plan and "1 of the 4 to add come from this request; the other 3" in plan

        done = await approve(world, chat, sid)
        assert "Applied and merged." in done.description, text(done)
        assert "Now in **example**: vm `api`" in done.description and "/pull/1" in done.description
        assert "/cloud-rollback project:example pr:1" in text(done)
        pull = world.admin_repo().get_pull(1)
        assert pull.merged
        assert world.assembly.store.get_lock(world.full_name, "example") is None

        listed = await chat.run(ALICE, "cloud-list", {"project": "example"})
        assert "null_resource.vm_api" in listed.description, text(listed)
        history = await chat.run(ALICE, "cloud-history", {"project": "example"})
        assert "PR #1" in text(history) and "succeeded" in text(history), text(history)
        stats = await chat.run(ALICE, "cloud-stats", {})
        assert "apply succeeded: 1" in text(stats) and "plan succeeded: 1" in text(stats), text(stats)
        status = await chat.run(ALICE, "cloud-status", {"project": "example"})
        assert "Locks: none" in text(status) and "apply example PR #1 — succeeded" in text(status), text(status)
        unlock = await chat.run(ALICE, "cloud-unlock", {"project": "example"})
        assert unlock.title == "Not locked"

        second = await deploy_vm(world, chat, "worker")
        waiting = await chat.click(ALICE, f"cloudops:show:{second}")
        assert "Plan ready" in waiting.description and "locked" not in text(waiting), text(waiting)
        assert "+1 ~0 −0" in text(waiting)  # only the new VM: the first request is applied
        assert "Applied and merged." in (await approve(world, chat, second)).description

        back = await chat.run(ALICE, "cloud-rollback", {"project": "example", "pr": 1})
        assert back.refused is None and back.title == "Rollback opened", text(back)
        revert = world.admin_repo().get_pull(3)
        assert revert.state == "open" and "Revert" in revert.title
        await world.settle()
        plans = [c.body for c in world.admin_repo().get_issue(3).get_comments() if "to destroy" in c.body]
        assert plans and "1 to destroy" in plans[-1]
