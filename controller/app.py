"""Wire the controller together: store, forge client, runner, queue, pipeline, webhook server.

Used by `cloudops serve`, `cloudops demo` and the end-to-end tests, so all
three run the very same assembly. The only I/O here is starting and
stopping things; decisions live in the pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from decimal import Decimal
from dataclasses import dataclass, field

from aiohttp import web

from .bus import EventBus
from .dashboard.config import DashboardConfig
from .cost.report import CostEngine
from .errors import CloudOpsError
from .forge.github import GitHubForge
from .pipeline.dispatcher import Pipeline
from .pipeline import queues
from .pipeline import apply_comments, drift, grants
from .pipeline.comments import apply_key, plan_key
from .pipeline.leaks import LeakGuard, RedactingBus, RedactingForge, RedactingStore
from .pipeline.planner import PlanContext, PlanRequest
from .pipeline.policy_check import RegoPolicyCheck
from .secrets.injection import clean_stale_credentials
from .secrets.vault import Vault
from .pipeline.statuses import project_context
from .pipeline.repo_source import RepoSource
from .pipeline.rules import RulesLoader
from .settings import Settings
from .state import GitStateBackend
from .store import Run, RunKind, RuntimeStore, open_store
from .store.guilds import LEGACY_FILE
from .terraform.runner import TerraformRunner
from .terraform.toolchain import resolve_toolchain
from .webhooks.receiver import PATH as WEBHOOK_PATH
from .webhooks.receiver import ReceiverConfig, WebhookReceiver, make_app

log = logging.getLogger(__name__)


def _budget_of_request(request: PlanRequest) -> dict[str, Decimal]:
    if request.budget_monthly_usd is None:
        return {}
    return {request.project: Decimal(str(request.budget_monthly_usd))}


@dataclass(frozen=True)
class ControllerConfig:
    settings: Settings
    github_token: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    repos: tuple[str, ...]
    api_url: str = "https://api.github.com"
    bot_login: str = "cloudops-bot"
    host: str = "127.0.0.1"
    port: int = 0
    workers: int = 2
    grant_prune_interval: float = 3600.0  # seconds between pruning runs of expired grants
    drift_interval: float = 6 * 3600.0  # seconds between drift checks of every project
    # The embedded default makes <data dir>/master.key on first use (as the state key is), so the
    # credentials vault and recovery codes simply work; `serve` keeps the key an explicit choice.
    create_vault_key: bool = False
    # With a database URL: "web" only receives and enqueues, "worker" only runs jobs, "all" both.
    role: str = "all"
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)  # the browser dashboard and /metrics


def open_vault(settings: Settings, *, create_key: bool = False) -> Vault | None:
    """The credentials vault, if a master key is configured (or may be made); without one, runs get no cloud credentials."""
    try:
        return Vault.open(settings, create_key=create_key)
    except CloudOpsError as exc:
        log.info("no credentials vault: %s", exc)
        return None


def open_context(config: ControllerConfig, bus: EventBus, guard: LeakGuard | None = None,
                 vault: Vault | None = None, *, shared_store: bool = False) -> tuple[PlanContext, list[Run]]:
    """Open everything the pipeline needs; runs cut off by a previous stop come back marked interrupted.

    With a store shared by several replicas (``shared_store``) a starting
    process must not mark the others' live runs interrupted: runs of a dead
    process are found by the queue's heartbeat check instead.
    """
    settings = config.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    vault = vault or open_vault(settings, create_key=config.create_vault_key)
    # The app makes its guard before the bus (so events are redacted too); CLI commands get one here.
    guard = guard or LeakGuard(vault.secret_values if vault else None)
    clean_stale_credentials(settings.runs_dir)  # whatever a crash left behind
    store = RedactingStore(open_store(settings), guard)
    if store.guilds.import_legacy(settings.data_dir / LEGACY_FILE):  # chat servers linked before migration 4
        log.info("moved the chat servers of %s into the runtime store", LEGACY_FILE)
    interrupted = [] if shared_store else store.interrupt_in_flight_runs(
        reason="the controller stopped while this run was in flight")
    for run in interrupted:
        log.warning("run %s (%s %s) was interrupted by a restart", run.id, run.kind, run.project)
    forge = RedactingForge(GitHubForge(config.github_token, api_url=config.api_url), guard)
    toolchain = resolve_toolchain(settings)
    sources = {repo: RepoSource(forge, repo, settings.data_dir / "repos") for repo in config.repos}
    context = PlanContext(
        settings=settings, store=store, forge=forge, runner=TerraformRunner(toolchain, settings),
        bus=bus, sources=sources, cost=CostEngine(budgets=_budget_of_request),
        state=GitStateBackend(forge, settings), leaks=guard,
        credentials=_credentials_lookup(store, vault) if vault else None,
    )
    return context, interrupted


def _credentials_lookup(store: RuntimeStore, vault: Vault):
    """(repo, project) → the vault records of the chat server connected to that repo (the same store the chat writes)."""

    def lookup(repo: str, project: str) -> list:
        link = store.guilds.guild_of_repo(repo)
        return vault.for_run(link.guild_id, project) if link else []

    return lookup


def _mount_dashboard(web_app: web.Application, app: ControllerApp):
    """The browser dashboard and /metrics on the same server (controller/dashboard)."""
    from . import dashboard

    return dashboard.mount(web_app, app)


class ControllerApp:
    """A running controller: ``async with ControllerApp(config) as app: ...``."""

    def __init__(self, config: ControllerConfig) -> None:
        self.config = config
        config.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.vault = open_vault(config.settings, create_key=config.create_vault_key)
        self.leaks = LeakGuard(self.vault.secret_values if self.vault else None)
        self.bus: EventBus = RedactingBus(self.leaks)
        self.store: RuntimeStore | None = None
        self.queue = queues.make_queue(config.settings, role=config.role, workers=config.workers)  # type: ignore[arg-type]
        self.pipeline: Pipeline | None = None
        self._runner: web.AppRunner | None = None
        self._port = config.port
        self._background: list[asyncio.Task[None]] = []
        self.dashboard = None

    async def start(self) -> None:
        cfg = self.config
        self.leaks.install_on_logs()
        distributed = queues.is_distributed(self.queue)
        context, interrupted = await asyncio.to_thread(open_context, cfg, self.bus, self.leaks, self.vault,
                                                       shared_store=distributed)
        self.store = context.store
        await self._tell_interrupted(context.forge, interrupted)
        sources = context.sources
        default_branches = {repo: (await asyncio.to_thread(context.forge.get_repo, repo)).default_branch
                            for repo in cfg.repos}
        rules = RulesLoader(sources, default_branches)
        context.policy = RegoPolicyCheck(sources, default_branches, rules, cfg.settings.data_dir / "policy-base",
                                         bot_login=cfg.bot_login)
        self.pipeline = Pipeline(context, self.queue, rules, bot_login=cfg.bot_login)
        if distributed:
            self.queue.on_stalled(lambda payload: self._lost_worker(context.forge, payload))
            await self.queue.open()
        if cfg.role != "web":  # periodic terraform work belongs to the processes that run terraform
            self._background.append(asyncio.create_task(
                grants.prune_forever(context, list(cfg.repos), cfg.grant_prune_interval), name="prune-expired-grants"))
            self._background.append(asyncio.create_task(
                drift.drift_forever(context, list(cfg.repos), cfg.drift_interval), name="drift-check"))
        receiver = WebhookReceiver(ReceiverConfig(secret=cfg.webhook_secret), self.store, self.pipeline.dispatch)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((cfg.host, cfg.port))
        self._port = sock.getsockname()[1]
        web_app = make_app(receiver)
        web_app.router.add_get("/readyz", self._readyz)
        self.dashboard = _mount_dashboard(web_app, self)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def _tell_interrupted(self, forge: GitHubForge, runs: list[Run]) -> None:
        """Crash safety: a run cut off by a restart is reported, never resumed; its lock stays."""
        for run in runs:
            if run.pr_number is None:
                continue
            key = apply_key(run.project) if run.kind is RunKind.APPLY else plan_key(run.project)
            try:
                await asyncio.to_thread(forge.upsert_comment, run.repo, run.pr_number, key,
                                        apply_comments.interrupted(run.project, run.id, run.kind.value.replace("_", " ")))
                await asyncio.to_thread(forge.set_status, run.repo, run.head_sha, "error",
                                        project_context(run.kind.value, run.project), "interrupted by a restart")
            except CloudOpsError as exc:
                log.warning("could not tell %s#%s about interrupted run %s: %s", run.repo, run.pr_number, run.id, exc)

    async def _lost_worker(self, forge: GitHubForge, payload: dict) -> None:
        """A job whose worker died (another replica's or ours before a restart): tell its PR."""
        assert self.store is not None
        await self._tell_interrupted(forge, await queues.interrupt_runs_of_lost_job(self.store, payload))

    async def _readyz(self, _request: web.Request) -> web.Response:
        """Ready when the store answers (and, with a database, the queue is open): for a load balancer."""
        problems = []
        try:
            if self.store is None:
                problems.append("store not open")
            else:
                await asyncio.to_thread(self.store.get_lock, "readyz/probe", "probe")
        except CloudOpsError as exc:
            problems.append(f"store: {exc}")
        if queues.is_distributed(self.queue):
            try:
                await self.queue.pending()
            except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
                problems.append(f"queue: {type(exc).__name__}")
        if problems:
            return web.json_response({"status": "not ready", "problems": problems}, status=503)
        return web.json_response({"status": "ready", "role": self.config.role})

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self._port}"

    @property
    def webhook_url(self) -> str:
        return f"http://{self.config.host}:{self._port}{WEBHOOK_PATH}"

    async def settle(self) -> None:
        """Wait until every queued job has finished (tests, the demo)."""
        await self.queue.drain()

    async def close(self) -> None:
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.queue.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.dashboard is not None:
            self.dashboard.close()
            self.dashboard = None
        if self.store is not None:
            self.store.close()
            self.store = None

    async def __aenter__(self) -> ControllerApp:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


__all__ = ["ControllerApp", "ControllerConfig"]
