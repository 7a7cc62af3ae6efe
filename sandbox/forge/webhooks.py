"""Webhook delivery: signed POSTs, in order per hook, logged and redeliverable.

Each hook has its own queue and worker task, so one slow receiver never
delays another and a hook sees its events in the order they happened.
Failures (refused connection, timeout, non-2xx) are recorded in the
deliveries table, never raised. `drain()` waits until every queued delivery
has been attempted, which is what tests wait on.

Apps: an event on a repository is also delivered to the webhook URL of every
app installed on it that subscribes to the event, with `installation` added
(hook id `-app_id` in the deliveries table). `installation` and
`installation_repositories` go to the app alone (`emit_app`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from . import app_payloads, apps
from .storage import Store, now

log = logging.getLogger(__name__)

USER_AGENT = "GitHub-Hookshot/localforge"


def sign(secret: str, body: bytes, digest: str = "sha256") -> str:
    """The `X-Hub-Signature(-256)` value: `<digest>=<hex HMAC of the body>`."""
    return f"{digest}=" + hmac.new(secret.encode(), body, getattr(hashlib, digest)).hexdigest()


@dataclass(frozen=True)
class Job:
    hook_id: int
    event: str
    action: str | None
    repository_id: int
    payload: dict[str, Any]
    guid: str
    redelivery: bool = False


class Dispatcher:
    """Queues deliveries per hook and sends them in the background."""

    def __init__(self, store: Store, *, timeout: float = 10.0) -> None:
        self._store = store
        self._timeout = timeout
        self._queues: dict[int, asyncio.Queue[Job]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))

    async def close(self) -> None:
        for task in self._workers.values():
            task.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)
        self._workers.clear()
        if self._session is not None:
            await self._session.close()

    def emit(self, repository_id: int, event: str, payload: dict[str, Any], *, only_hook: int | None = None,
             only_app: int | None = None) -> None:
        """Queue the event for every active hook of the repository that subscribes to it, and for its apps.

        `only_app`: for that app alone (a check run's requested action goes only to the app that made it)."""
        if only_hook is None:
            self._emit_to_apps(repository_id, event, payload, only_app)
        if only_app is not None:
            return
        for hook in self._store.hooks(repository_id):
            if only_hook is not None and hook["id"] != only_hook:
                continue
            if not hook["active"]:
                continue
            if event != "ping" and "*" not in hook["events"] and event not in hook["events"]:
                continue
            self._enqueue(Job(hook["id"], event, payload.get("action"), repository_id, payload, str(uuid.uuid4())))

    def _emit_to_apps(self, repository_id: int, event: str, payload: dict[str, Any], only_app: int | None) -> None:
        repo = self._store.repo_by_id(repository_id)
        for inst in apps.installations_for_repo(self._store, repo):
            app = self._store.one("SELECT * FROM apps WHERE id = ?", inst["app_id"])
            if app is None or not app["webhook_url"] or (only_app is not None and app["id"] != only_app):
                continue
            if event not in json.loads(app["events"]):
                continue
            body = {**payload, "installation": app_payloads.installation_lite(inst)}
            self._enqueue(Job(-app["id"], event, payload.get("action"), repository_id, body, str(uuid.uuid4())))

    def emit_app(self, app_id: int, event: str, payload: dict[str, Any]) -> None:
        """Queue an event that concerns the app itself (installation, installation_repositories)."""
        app = self._store.one("SELECT * FROM apps WHERE id = ?", app_id)
        if app is not None and app["webhook_url"]:
            self._enqueue(Job(-app_id, event, payload.get("action"), 0, payload, str(uuid.uuid4())))

    def _hook_config(self, hook_id: int) -> dict[str, Any] | None:
        if hook_id < 0:
            app = self._store.one("SELECT * FROM apps WHERE id = ?", -hook_id)
            if app is None:
                return None
            return {"url": app["webhook_url"], "content_type": "json", "secret": app["webhook_secret"]}
        hook = self._store.one("SELECT * FROM hooks WHERE id = ?", hook_id)
        return json.loads(hook["config"]) if hook is not None else None

    def redeliver(self, delivery: dict[str, Any]) -> None:
        """Send a logged delivery again with the same guid and payload."""
        payload = json.loads(delivery["request_payload"])
        self._enqueue(Job(delivery["hook_id"], delivery["event"], delivery["action"], delivery["repository_id"],
                          payload, delivery["guid"], redelivery=True))

    async def drain(self) -> None:
        """Wait until every queued delivery has been attempted (and recorded)."""
        await asyncio.gather(*(queue.join() for queue in list(self._queues.values())))

    def _enqueue(self, job: Job) -> None:
        queue = self._queues.get(job.hook_id)
        if queue is None:
            queue = self._queues[job.hook_id] = asyncio.Queue()
            self._workers[job.hook_id] = asyncio.create_task(self._work(queue), name=f"webhook-{job.hook_id}")
        queue.put_nowait(job)

    async def _work(self, queue: asyncio.Queue[Job]) -> None:
        while True:
            job = await queue.get()
            try:
                await self._deliver(job)
            except Exception:  # a bug here must not stop later deliveries
                log.exception("delivering webhook %s to hook %s", job.event, job.hook_id)
            finally:
                queue.task_done()

    async def _deliver(self, job: Job) -> None:
        config = self._hook_config(job.hook_id)
        if config is None:
            return
        document = json.dumps(job.payload)
        if config.get("content_type") == "json":
            body, content_type = document.encode(), "application/json"
        else:  # GitHub's "form": the JSON document as the `payload` form field
            body, content_type = urlencode({"payload": document}).encode(), "application/x-www-form-urlencoded"
        headers = {
            "Accept": "*/*", "Content-Type": content_type, "User-Agent": USER_AGENT,
            "X-GitHub-Event": job.event, "X-GitHub-Delivery": job.guid, "X-GitHub-Hook-ID": str(abs(job.hook_id)),
            "X-GitHub-Hook-Installation-Target-Type": "integration" if job.hook_id < 0 else "repository",
            "X-GitHub-Hook-Installation-Target-ID": str(-job.hook_id if job.hook_id < 0 else job.repository_id),
        }
        secret = config.get("secret")
        if secret:
            headers["X-Hub-Signature"] = sign(secret, body, "sha1")
            headers["X-Hub-Signature-256"] = sign(secret, body, "sha256")
        started = time.monotonic()
        code, status, response_headers, response_body = 0, "", None, None
        assert self._session is not None, "dispatcher not started"
        try:
            async with self._session.post(config["url"], data=body, headers=headers) as response:
                response_body = (await response.read())[:65536].decode(errors="replace")
                response_headers = dict(response.headers)
                code = response.status
                status = "OK" if 200 <= code < 300 else f"Invalid HTTP Response: {code}"
        except TimeoutError:
            status = "timed out"
        except aiohttp.ClientError as exc:
            status = f"failed to connect to host: {exc.__class__.__name__}"
        duration = round(time.monotonic() - started, 3)
        self._store.insert(
            "deliveries", hook_id=job.hook_id, guid=job.guid, delivered_at=now(), redelivery=int(job.redelivery),
            duration=duration, status=status, status_code=code, event=job.event, action=job.action,
            repository_id=job.repository_id, request_headers=json.dumps(headers),
            request_payload=document, response_headers=json.dumps(response_headers) if response_headers else None,
            response_body=response_body)
        if job.hook_id > 0:
            self._store.update("hooks", job.hook_id, last_code=code or None,
                               last_status="active" if code else "error", last_message=status)
