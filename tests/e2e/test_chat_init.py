"""/cloud-init connects a chat server to an infra repo and registers the repo's webhook."""

from __future__ import annotations

import pytest

from controller.assembly import Assembly
from controller.service.context import Caller, WebhookTarget

from .harness import WEBHOOK_SECRET, Workbench

pytestmark = [pytest.mark.slow]


async def test_cloud_init_registers_the_webhook_once(forge, bench: Workbench, assembly: Assembly) -> None:
    target = WebhookTarget("http://127.0.0.1:9/webhooks/github", WEBHOOK_SECRET)
    assembly.chatops.ctx.webhook = target
    admin = Caller("guild-9", "42", "admin")  # the harness's cloudops.yaml names discord 42 as an admin
    first = await assembly.chatops.run(admin, "cloud-init", {"repo": bench.full_name})
    assert "Webhook registered" in first.description, first.description
    second = await assembly.chatops.run(admin, "cloud-init", {"repo": bench.full_name})
    assert "Webhook updated" in second.description
    urls = [h.config["url"] for h in bench.repo.get_hooks()]
    assert urls.count(target.url) == 1


async def test_cloud_init_is_refused_to_someone_the_repo_does_not_name(forge, bench: Workbench, assembly: Assembly) -> None:
    stranger = Caller("guild-9", "7", "mallory")
    refused = await assembly.chatops.run(stranger, "cloud-init", {"repo": bench.full_name})
    assert refused.refused is not None and assembly.chat.registry.guild("guild-9") is None
    assert len(list(bench.repo.get_hooks())) == 1  # only the test's own hook
