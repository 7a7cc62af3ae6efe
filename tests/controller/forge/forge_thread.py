"""Run the local forge (and a webhook receiver) on a background event loop.

Why a thread: the forge is an aiohttp server, while the forge client under
test (PyGithub, GitPython) is synchronous and blocks. The forge gets its own
loop in a daemon thread; tests call it through ``call``.

Shared by tests/controller/forge and tests/contract (loaded by path there,
since tests are not a package).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


@dataclass
class Delivery:
    event: str
    delivery_id: str
    signature_ok: bool
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class ForgeThread:
    """A started ``sandbox.forge.LocalForge`` (on its own thread) plus a receiver for its webhooks."""

    secret = "contract-test-secret"
    reviewers = {"reviewer-one-token": "rita", "reviewer-two-token": "ravi"}

    def __init__(self, data_dir: Path) -> None:
        from sandbox.forge.background import BackgroundForge  # imported late: skip cleanly if absent

        self._background = BackgroundForge(data_dir / "forge", tokens=self.reviewers)
        self._background.__enter__()
        self.forge = self._background.forge
        self.deliveries: list[Delivery] = []
        self._receiver: web.AppRunner | None = None
        self.receiver_url = ""
        self.call(self._start_receiver())

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return self._background.run(coro, timeout)

    @property
    def api_url(self) -> str:
        return self.forge.api_url

    @property
    def owner(self) -> str:
        return self.forge.owner_login

    @property
    def token(self) -> str:
        return self.forge.owner_token

    def drain(self) -> list[Delivery]:
        """Wait for queued webhooks; return everything received so far."""
        self.call(self.forge.drain_webhooks())
        return list(self.deliveries)

    async def _start_receiver(self) -> None:
        from controller.webhooks.signature import sign

        async def receive(request: web.Request) -> web.Response:
            body = await request.read()
            self.deliveries.append(
                Delivery(
                    event=request.headers.get("X-GitHub-Event", ""),
                    delivery_id=request.headers.get("X-GitHub-Delivery", ""),
                    signature_ok=hmac.compare_digest(sign(self.secret, body), request.headers.get("X-Hub-Signature-256", "")),
                    payload=json.loads(body),
                    headers=dict(request.headers),
                )
            )
            return web.Response(status=202)

        app = web.Application()
        app.router.add_post("/hook", receive)
        self._receiver = web.AppRunner(app, access_log=None)
        await self._receiver.setup()
        site = web.TCPSite(self._receiver, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.receiver_url = f"http://127.0.0.1:{port}/hook"

    def close(self) -> None:
        async def stop() -> None:
            if self._receiver is not None:
                await self._receiver.cleanup()

        try:
            self.call(stop())
        finally:
            self._background.close()
