"""A `cloudops chat --wiring` factory for tests: the real service over a directory repo, with a
recording forge and a gateway double that play the pipeline's part (plan on PR open, apply on approve)."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from controller.bus import EventBus
from cloudops.commands.init_repo import template_dir
from controller.pipeline import notices
from controller.service import wiring
from controller.service.gateway import ApplyDecision
from controller.service.repos import DirectoryRepoView
from controller.settings import Settings

_spec = importlib.util.spec_from_file_location("cloudops_service_doubles", Path(__file__).parents[1] / "controller" / "service" / "doubles.py")
assert _spec and _spec.loader
doubles = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("cloudops_service_doubles", doubles)
_spec.loader.exec_module(doubles)

REPO = "acme/infra"
STEP_SECONDS = float(os.environ.get("CLOUDOPS_TEST_STEP", "0.05"))


class PlanningForge(doubles.RecordingForge):  # type: ignore[misc,name-defined]
    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.bus, self.loop = bus, loop

    def open_pull_request(self, repo: str, **kwargs: Any) -> Any:
        pr = super().open_pull_request(repo, **kwargs)
        asyncio.run_coroutine_threadsafe(self._plan(pr.number, pr.head_sha), self.loop)
        return pr

    async def _plan(self, number: int, sha: str) -> None:
        await asyncio.sleep(STEP_SECONDS)
        common = dict(repo=REPO, project="web", pr_number=number, head_sha=sha)
        await self.bus.publish(notices.PlanStarted(run_id="plan-1", **common))
        await asyncio.sleep(STEP_SECONDS)
        await self.bus.publish(notices.PlanReady(run_id="plan-1", add=1, change=0, destroy=0, has_changes=True,
                                                 policy_passed=True, cost_summary="+$7.30/mo", **common))


class ApplyingGateway(doubles.GatewayDouble):  # type: ignore[misc,name-defined]
    def __init__(self, bus: EventBus, forge: PlanningForge) -> None:
        super().__init__()
        self.bus, self.forge = bus, forge

    async def request_apply(self, repo: str, pr_number: int, project: str, actor_github: str) -> ApplyDecision:
        decision = await super().request_apply(repo, pr_number, project, actor_github)
        asyncio.get_running_loop().create_task(self._apply(pr_number, project, actor_github))
        return decision

    async def _apply(self, number: int, project: str, actor: str) -> None:
        common = dict(repo=REPO, project=project, pr_number=number, head_sha=self.forge.prs[number].head_sha, run_id="apply-1")
        await self.bus.publish(notices.ApplyStarted(actor=actor, total=4, **common))
        for i in range(1, 5):
            await asyncio.sleep(STEP_SECONDS * 4)
            await self.bus.publish(notices.ApplyProgress(completed=i, total=4, percent=i * 25, current=f"Creating step {i}…",
                                                         rendered="", elapsed_seconds=i * STEP_SECONDS * 4, **common))
        await self.bus.publish(notices.ApplyFinished(succeeded=True, summary="Apply complete! Resources: 1 added.",
                                                     rendered="", outputs={"ip": "10.0.0.5"}, **common))


def build(settings: Settings) -> wiring.Wired:
    root = Path(os.environ["CLOUDOPS_TEST_REPO"])
    if not root.exists():
        doubles.make_repo(root, template_dir())
    bus = EventBus()
    forge = PlanningForge(bus, asyncio.get_running_loop())
    wired = wiring.build(settings, forge=forge, gateway=ApplyingGateway(bus, forge), bus=bus,
                         repos=DirectoryRepoView({REPO: root}), env={})
    return wired
