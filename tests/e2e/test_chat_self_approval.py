"""Issue 13 item 7 through the real controller: a member who asked for a PR in chat is its author for
``allow_self_approval: false``, though the forge shows the bot as author — their own "Approve & apply"
is refused, another admin's approval applies it."""

from __future__ import annotations

from pathlib import Path

import github
import pytest

from cloudops.commands.chat import CONSOLE_GUILD
from cloudops.embedded import embedded
from controller.service.events import LobbyEvents
from controller.store import RunKind, RunStatus, utc_now

from .test_chat_flow import ALICE, Shown, deploy_vm, text

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


async def test_the_chat_requester_cannot_approve_their_own_pr_and_another_admin_can(tmp_path: Path) -> None:
    async with embedded(tmp_path / "world") as world:
        chat = world.assembly.chatops
        world.assembly.chat.registry.connect(CONSOLE_GUILD, world.full_name, by=ALICE.user_id, at=utc_now())
        LobbyEvents(world.assembly.chat.registry, Shown()).attach(world.assembly.bus)
        repo = world.admin_repo()
        config = repo.get_contents("cloudops.yaml", ref="main")
        team = config.decoded_content.decode().replace("allow_self_approval: true", "allow_self_approval: false", 1)
        assert "allow_self_approval: false" in team
        repo.update_file("cloudops.yaml", "A team repo: nobody approves their own request", team, config.sha,
                         branch="main")
        await world.settle()

        sid = await deploy_vm(world, chat, "api")
        pull = world.admin_repo().get_pull(1)
        assert pull.user.login == "cloudops-bot"  # the forge shows the bot, not alice, as the author
        refused = await chat.click(ALICE, f"cloudops:approve:{sid}")
        assert refused.refused is not None and "other than the author" in text(refused), text(refused)
        await world.settle()
        store = world.assembly.store
        assert [r for r in store.list_runs(repo=world.full_name, pr_number=1) if r.kind is RunKind.APPLY] == []

        bob = github.Github(base_url=world.forge.api_url, auth=github.Auth.Token(world.forge.add_user("bob")),
                            seconds_between_requests=None, seconds_between_writes=None)
        bob.get_repo(world.full_name).get_pull(1).create_review(event="APPROVE")  # bob: admin by grant
        await world.settle()
        [apply] = [r for r in store.list_runs(repo=world.full_name, pr_number=1) if r.kind is RunKind.APPLY]
        assert apply.status is RunStatus.SUCCEEDED and apply.actor == "bob"
