"""The one place the application is put together: ``assemble()``.

Every entry point that runs a controller — ``cloudops serve`` (with the
Discord bot), ``cloudops chat --embedded``, ``cloudops demo``, the
benchmarks and the end-to-end tests — builds the same graph here: one
runtime store (runs, locks, sessions *and* the chat's servers and lobbies),
one event bus, one pipeline, and the chat service on top of them through
the pipeline gateway. So the chat and the controller can never read
different databases: ``/cloud-status`` sees the runs the pipeline wrote,
``/cloud-unlock`` releases the lock the planner took, and the controller's
credentials lookup finds the server the chat connected.

A chat process without a controller (``cloudops chat`` against a remote
controller's data dir, ``cloudops bot`` alone) uses ``service.wiring.build``
directly on the store of its settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from .app import ControllerApp, ControllerConfig
from .bus import EventBus
from .pipeline.gateway import ControllerGateway
from .service import wiring
from .service.chatops import ChatOps
from .service.context import WebhookTarget
from .store import RuntimeStore


@dataclass
class Assembly:
    """A running controller with its chat service, sharing one store and one bus."""

    app: ControllerApp
    chat: wiring.Wired

    @property
    def store(self) -> RuntimeStore:
        assert self.app.store is not None
        return self.app.store

    @property
    def bus(self) -> EventBus:
        return self.app.bus

    @property
    def chatops(self) -> ChatOps:
        return self.chat.chatops

    @property
    def notes(self) -> list[str]:
        return self.chat.notes


@asynccontextmanager
async def assemble(config: ControllerConfig, *, webhook: WebhookTarget | None = None) -> AsyncIterator[Assembly]:
    """Start the controller of ``config`` and the chat service on its store, bus, vault and pipeline.

    ``webhook`` is where the forge reaches this controller (``/cloud-init``
    registers it on a repo); None when that address is not known.
    """
    async with ControllerApp(config) as app:
        assert app.pipeline is not None and app.store is not None
        ctx = app.pipeline.ctx
        chat = wiring.build(config.settings, forge=ctx.forge, gateway=ControllerGateway(app.pipeline), bus=app.bus,
                            store=app.store, webhook=webhook, vault=app.vault)
        try:
            yield Assembly(app, chat)
        finally:
            chat.close()


__all__ = ["Assembly", "assemble"]
