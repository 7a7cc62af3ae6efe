"""On the embedded default the chat and the controller share one store, and a restart picks up where it stopped.

``embedded()`` assembles exactly what ``cloudops chat --embedded`` runs.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from cloudops.commands.chat import CONSOLE_GUILD, TEMPLATE_ADMIN_DISCORD_ID
from cloudops.embedded import embedded
from controller.service.context import Caller
from controller.store import utc_now
from tests.support.tmux import Tmux

pytestmark = [pytest.mark.slow]

ALICE = Caller(CONSOLE_GUILD, TEMPLATE_ADMIN_DISCORD_ID, "alice")
AWS = "[default]\naws_access_key_id = AKIAABCDEFGHIJKLMNOP\naws_secret_access_key = abcdefghijklmnopqrstuvwxyz0123456789ABCD\n"


async def test_the_chat_and_the_controller_read_and_write_one_store(tmp_path: Path) -> None:
    async with embedded(tmp_path / "world") as world:
        chat, app = world.assembly.chatops, world.app
        assert chat.ctx.store is app.store and chat.ctx.registry is app.store.guilds
        chat.ctx.registry.connect(CONSOLE_GUILD, world.full_name, by=ALICE.user_id, at=utc_now())

        # A lock the pipeline's store holds is what the chat sees and releases.
        app.store.try_lock(world.full_name, "example", pr_number=41, user="bob")
        status = await chat.run(ALICE, "cloud-status", {"project": "example"})
        assert "example: PR #41 (bob)" in status.fields[0].value
        listed = await chat.run(ALICE, "cloud-admin-list", {})
        assert "example: PR #41" in listed.fields[0].value
        unlocked = await chat.run(ALICE, "cloud-unlock", {"project": "example"})
        assert unlocked.title == "Unlocked" and app.store.get_lock(world.full_name, "example") is None

        # Credentials stored from chat (the vault works out of the box) reach the controller's runs.
        stored = await chat.run(ALICE, "cloud-credentials", {"kind": "aws"}, secret=AWS)
        assert stored.refused is None and "fingerprint" in stored.description, stored.description
        records = app.pipeline.ctx.credentials(world.full_name, "example")
        assert [r.credentials.kind.value for r in records] == ["aws"]
        assert (tmp_path / "world" / "controller" / "master.key").stat().st_mode & 0o077 == 0


async def test_a_second_start_on_the_same_data_dir_brings_the_drafts_back(tmp_path: Path) -> None:
    data = tmp_path / "world"
    async with embedded(data) as world:
        chat = world.assembly.chatops
        chat.ctx.registry.connect(CONSOLE_GUILD, world.full_name, by=ALICE.user_id, at=utc_now())
        first = (await chat.run(ALICE, "cloud-deploy", {"project": "example"})).session
        await chat.submit(ALICE, f"cloudops:form:{first}:vm", {"name": "api", "size": "small"})
        second = await chat.run(ALICE, "cloud-deploy", {"project": "example"})
        assert "1 other draft(s)" in second.description
        await chat.submit(ALICE, f"cloudops:form:{second.session}:bucket", {"name": "logs", "storage_class": "standard"})

    async with embedded(data) as world:  # no crash: the repo, its webhook and the store are reused
        chat = world.assembly.chatops
        assert chat.ctx.registry.guild(CONSOLE_GUILD).repo == world.full_name
        back = await chat.run(ALICE, "cloud-recover-session", {})
        assert back.refused is None and back.session == second.session and "bucket · logs" in [f.name for f in back.fields]
        others = next(f.value for f in back.fields if f.name == "Your other sessions")
        assert first in others and "1 resource(s)" in others
        code = back.private_note.rsplit("`", 2)[1]
        assert code.startswith("rc-") and len(code) < 32  # short: the sealed session stays on the server
        picked = await chat.click(ALICE, f"cloudops:recover-pick:{second.session}", [first])
        assert picked.session == first and "vm · api" in [f.name for f in picked.fields]
        opened = await chat.run(ALICE, "cloud-recover-session", {"code": code})
        assert opened.refused is None and opened.session == second.session
        stranger = Caller(CONSOLE_GUILD, "999", "mallory")
        assert (await chat.run(stranger, "cloud-recover-session", {"code": code})).refused is not None
        hooks = list(world.admin_repo().get_hooks())
        assert len(hooks) == 1 and hooks[0].config["url"] == world.app.webhook_url


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/install.sh installs it)")
def test_the_console_starts_twice_on_cloudops_data_dir(tmp_path: Path) -> None:
    env = {"CLOUDOPS_DATA_DIR": str(tmp_path / "data"), "TERM": "xterm-256color", "PATH": os.environ["PATH"]}
    command = f"{shlex.quote(sys.executable)} -m cloudops.cli chat --embedded"
    for attempt in range(2):
        tmux = Tmux(command, env)
        try:
            tmux.wait_for("Cloud ChatOps console as alice", timeout=60)
            if attempt == 0:
                tmux.type("/cloud-deploy project:example")
                tmux.wait_for("[1] Add")
            else:
                tmux.type("/cloud-recover-session")
                assert "Recovered." in tmux.wait_for("Recovered.")
            tmux.type("/quit")
        finally:
            tmux.close()
    assert (tmp_path / "data" / "controller" / "cloudops.sqlite3").exists()
    assert not (tmp_path / "data" / "controller" / "chatops.sqlite3").exists()


async def test_the_controller_cleans_up_expired_chat_sessions_on_a_schedule(forge, bench, tmp_path: Path) -> None:
    import asyncio
    from dataclasses import replace
    from datetime import timedelta

    from cloudops.assembly import assemble

    from .harness import controller_config

    config = replace(controller_config(forge, tmp_path / "controller", bench.full_name), session_cleanup_interval=0.05,
                     session_keep_expired=timedelta(0))
    async with assemble(config) as assembled:
        store = assembled.store
        for sid, idle in (("idle", timedelta(milliseconds=1)), ("live", timedelta(minutes=30))):
            store.put_session(sid, guild_id=CONSOLE_GUILD, user_id=ALICE.user_id, project="example", state={},
                              idle_timeout=idle)
        for _ in range(200):  # the controller's periodic task, every 0.05 s here
            if store.list_expired_sessions() == []:
                break
            await asyncio.sleep(0.05)
        assert store.list_expired_sessions() == [] and store.get_session("live") is not None
        assert "clean-chat-sessions" in {t.get_name() for t in assembled.app._background}
