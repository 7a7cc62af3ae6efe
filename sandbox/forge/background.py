"""`BackgroundForge`: a `LocalForge` on its own event loop in a daemon thread.

Synchronous clients (PyGithub, the git CLI, a demo script) block the thread
they run on; with the forge on another loop they can call it directly:

    with BackgroundForge(tmp_path) as forge:
        gh = github.Github(base_url=forge.api_url, auth=github.Auth.Token(forge.owner_token))
        ...
        forge.drain_webhooks()
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from .server import LocalForge

T = TypeVar("T")


class BackgroundForge:
    def __init__(self, data_dir: Path | str, **options: Any) -> None:
        """`options` are `LocalForge`'s keyword arguments."""
        self.forge = LocalForge(data_dir, **options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="local-forge", daemon=True)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run a coroutine on the forge's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def __enter__(self) -> BackgroundForge:
        self._thread.start()
        self.run(self.forge.start())
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._loop.is_closed()

    def close(self) -> None:
        """Stop the forge and its loop; safe to call twice (a test may restart it early)."""
        if self._loop.is_closed():
            return
        try:
            self.run(self.forge.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    # The LocalForge face, synchronous.
    @property
    def api_url(self) -> str:
        return self.forge.api_url

    @property
    def web_url(self) -> str:
        return self.forge.web_url

    @property
    def owner_token(self) -> str:
        return self.forge.owner_token

    @property
    def owner_login(self) -> str:
        return self.forge.owner_login

    def git_url(self, owner: str, repo: str, token: str | None = None) -> str:
        return self.forge.git_url(owner, repo, token)

    def add_user(self, login: str, token: str | None = None) -> str:
        return self.forge.add_user(login, token)

    def create_app(self, slug: str, **options: Any) -> int:
        return self.forge.create_app(slug, **options)

    def set_app_webhook(self, app_id: int, url: str | None, secret: str | None = None) -> None:
        self.forge.set_app_webhook(app_id, url, secret)

    def install_app(self, app_id: int, account: str | None = None, repos: list[str] | None = None) -> int:
        return self.run(_call(self.forge.install_app, app_id, account, repos))

    def change_installation(self, installation_id: int, **changes: Any) -> None:
        self.run(_call(self.forge.change_installation, installation_id, **changes))

    def uninstall_app(self, installation_id: int) -> None:
        self.run(_call(self.forge.uninstall_app, installation_id))
    def add_oauth_app(self, name: str, callback_url: str) -> tuple[str, str]:
        return self.forge.add_oauth_app(name, callback_url)

    def drain_webhooks(self) -> None:
        self.run(self.forge.drain_webhooks())


async def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a synchronous forge method on the forge's loop (it queues webhooks there)."""
    return fn(*args, **kwargs)
