"""/cloud-init connects a chat server to an infra repo and registers the repo's webhook."""

from __future__ import annotations

from dataclasses import replace

import pytest

from controller.app import ControllerApp
from controller.service import wiring
from controller.service.context import Caller, WebhookTarget

from .harness import WEBHOOK_SECRET, Workbench

pytestmark = [pytest.mark.slow]


async def test_cloud_init_registers_the_webhook_once(forge, bench: Workbench, controller: ControllerApp) -> None:
    ctx = controller.pipeline.ctx
    target = WebhookTarget("http://127.0.0.1:9/webhooks/github", WEBHOOK_SECRET)
    wired = wiring.build(replace(ctx.settings, data_dir=ctx.settings.data_dir / "chat"), forge=ctx.forge,
                         bus=controller.bus, webhook=target)
    try:
        admin = Caller("guild-9", "42", "admin")
        first = await wired.chatops.run(admin, "cloud-init", {"repo": bench.full_name})
        assert "Webhook registered" in first.description
        second = await wired.chatops.run(admin, "cloud-init", {"repo": bench.full_name})
        assert "Webhook updated" in second.description
        urls = [h.config["url"] for h in bench.repo.get_hooks()]
        assert urls.count(target.url) == 1
    finally:
        wired.close()
