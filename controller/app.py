"""Wire the controller together: store, forge client, runner, queue, pipeline, webhook server.

Used by `cloudops serve`, `cloudops demo` and the end-to-end tests, so all
three run the very same assembly. The only I/O here is starting and
stopping things; decisions live in the pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from pathlib import Path
from decimal import Decimal
from dataclasses import dataclass, field
from datetime import timedelta

from aiohttp import web

from . import data_dir
from .bus import EventBus
from .dashboard.config import DashboardConfig
from .cost.report import CostEngine
from .cost.regions import RegionChoice, regions_from_env
from .errors import CloudOpsError
from .forge.app_auth import AppCredentials, InstallationTokens
from .forge.base import Forge
from .forge.github import GitHubForge
from .pipeline.dispatcher import Pipeline
from .pipeline import queues
from .pipeline import apply_comments, drift, grants, recovery
from .pipeline.comments import apply_key, plan_key
from .pipeline.leaks import LeakGuard, RedactingBus, RedactingForge, RedactingStore
from .pipeline.planner import PlanContext, PlanRequest
from .pipeline.policy_check import RegoPolicyCheck
from .secrets.injection import clean_stale_credentials
from .secrets.vault import Vault
from .pipeline.repo_source import RepoSource
from .pipeline.rules import RulesLoader
from .pipeline.statuses import project_context
from .service import housekeeping
from .settings import Settings
from .state import GitStateBackend
from .state import crypto as state_crypto
from .store import Run, RunKind, RuntimeStore, open_store
from .store.guilds import LEGACY_FILE
from .terraform.runner import TerraformRunner
from .terraform.toolchain import resolve_toolchain
from .terraform.workspace import ensure_runs_dir
from .terraform.workspace import sweep as sweep_runs
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
    session_cleanup_interval: float = 3600.0  # seconds between clean-ups of chat sessions long expired
    session_keep_expired: timedelta = housekeeping.KEEP_EXPIRED  # expired drafts stay recoverable this long
    drift_interval: float = 6 * 3600.0  # seconds between drift checks of every project
    # A GitHub App instead of a token: its id and PEM private key (installation tokens are made from them).
    github_app_id: int | None = None
    github_app_private_key: str | None = field(default=None, repr=False)
    # The embedded default makes <data dir>/master.key on first use (as the state key is), so the
    # credentials vault and recovery codes simply work; `serve` keeps the key an explicit choice.
    create_vault_key: bool = False
    # With a database URL: "web" only receives and enqueues, "worker" only runs jobs, "all" both.
    role: str = "all"
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)  # the browser dashboard and /metrics

    @property
    def is_app(self) -> bool:
        return self.github_app_id is not None


def make_forge(config: ControllerConfig) -> GitHubForge:
    """The forge client: as the GitHub App (installation tokens) or with the token."""
    if config.is_app:
        assert config.github_app_id is not None and config.github_app_private_key is not None
        tokens = InstallationTokens(AppCredentials(config.github_app_id, config.github_app_private_key), config.api_url)
        return GitHubForge(app=tokens, api_url=config.api_url)
    return GitHubForge(config.github_token, api_url=config.api_url)


def served_repos(config: ControllerConfig, forge: GitHubForge) -> tuple[str, ...]:
    """The configured repositories; for an app with none configured, every repository it is installed on."""
    if config.repos or forge.app is None:
        return config.repos
    found = tuple(sorted(forge.app.discover()))
    log.info("the GitHub App is installed on %s", ", ".join(found) or "no repositories yet")
    return found


def open_vault(settings: Settings, *, create_key: bool = False) -> Vault | None:
    """The credentials vault, if a master key is configured (or may be made); without one, runs get no cloud credentials."""
    try:
        return Vault.open(settings, create_key=create_key)
    except CloudOpsError as exc:
        log.info("no credentials vault: %s", exc)
        return None


def open_context(config: ControllerConfig, bus: EventBus, guard: LeakGuard | None = None,
                 vault: Vault | None = None, *, shared_store: bool = False,
                 recover: bool = False) -> tuple[PlanContext, list[Run]]:
    """Open everything the pipeline needs; return the runs in flight that this process may adopt.

    Only with ``recover`` (the controller holding the data-dir lock) are credentials a crash left
    removed and the runs in flight returned, for ``ControllerApp.start``'s recovery pass: a CLI
    command beside a live controller touches nothing of its runs. With a store shared by several
    replicas (``shared_store``) none are returned: a dead process's runs are found by the queue's
    heartbeat check instead.
    """
    settings = config.settings
    data_dir.prepare(settings.data_dir)
    vault = vault or open_vault(settings, create_key=config.create_vault_key)
    # The app makes its guard before the bus (so events are redacted too); CLI commands get one here.
    guard = guard or LeakGuard(vault.secret_values if vault else None)
    ensure_runs_dir(settings)
    store = RedactingStore(open_store(settings), guard)
    if store.guilds.import_legacy(settings.data_dir / LEGACY_FILE):  # chat servers linked before the store held them
        log.info("moved the chat servers of %s into the runtime store", LEGACY_FILE)
    in_flight: list[Run] = []
    if recover:
        in_flight = [] if shared_store else store.list_in_flight_runs()
        # Whatever a crash left behind, except in runs still in flight (recovery cleans those after adopting them).
        clean_stale_credentials(settings.runs_dir, active={Path(r.run_dir).name for r in in_flight if r.run_dir})
        for run_id in sweep_runs(settings, active={r.id for r in in_flight}):
            log.info("removed run directory %s (older than CLOUDOPS_RUN_RETENTION)", run_id)
    client = make_forge(config)
    if config.github_app_private_key:
        guard.learn([config.github_app_private_key.strip()])
    forge = RedactingForge(client, guard)
    toolchain = resolve_toolchain(settings)
    sources = {repo: RepoSource(forge, repo, settings.data_dir / "repos") for repo in served_repos(config, client)}
    context = PlanContext(
        settings=settings, store=store, forge=forge, runner=TerraformRunner(toolchain, settings),
        bus=bus, sources=sources, cost=CostEngine(budgets=_budget_of_request, default_regions=_terraform_regions(settings)),
        state=GitStateBackend(forge, settings), leaks=guard,
        credentials=_credentials_lookup(store, vault) if vault else None, bot_login=config.bot_login,
    )
    guard.protect(controller_secrets(config, vault))  # the state backend may have just created the state key
    return context, in_flight


def _terraform_regions(settings: Settings) -> dict[str, RegionChoice]:
    """The regions terraform reads from the environment it is given (the names passed through to it)."""
    passed = {name: os.environ[name] for name in settings.terraform_env_passthrough if name in os.environ}
    return regions_from_env(passed)


def controller_secrets(config: ControllerConfig, vault: Vault | None) -> list[str]:
    """The controller's own secrets, which no output may carry whatever a PR tries (``file()``, errors)."""
    values = [config.webhook_secret, config.github_token, os.environ.get("DISCORD_TOKEN", "")]
    if vault is not None and vault.keyring is not None:
        values += [key.encoded() for key in (vault.keyring.primary, *vault.keyring.others)]
    configured = os.environ.get(state_crypto.KEY_ENV, "").strip()
    key_file = config.settings.data_dir / state_crypto.KEY_FILE_NAME
    if configured:
        values.append(configured)
    elif key_file.is_file():  # never created here: reading it only
        try:
            values.append(key_file.read_text(encoding="ascii").strip())
        except (OSError, UnicodeDecodeError):
            log.warning("could not read %s to keep it out of every output", key_file)
    return [value for value in values if value]


def _credentials_lookup(store: RuntimeStore, vault: Vault):
    """(repo, project) → the vault records of the chat server connected to that repo (the same store the chat writes)."""

    def lookup(repo: str, project: str) -> list:
        link = store.guilds.guild_of_repo(repo)
        return vault.for_run(link.guild_id, project) if link else []

    return lookup


async def _sweep_forever(context: PlanContext, interval: float) -> None:
    """Remove run directories past their retention, except those of runs in flight."""
    while True:
        await asyncio.sleep(interval)
        try:
            in_flight = await asyncio.to_thread(context.store.list_in_flight_runs)
            # An apply works in the directory of the plan it consumes.
            active = {run.id for run in in_flight} | {str(run.summary.get("plan_run_id")) for run in in_flight}
            removed = await asyncio.to_thread(sweep_runs, context.settings, active=active)
            if removed:
                log.info("removed %d run directories older than CLOUDOPS_RUN_RETENTION", len(removed))
        except Exception:  # noqa: BLE001 - the sweep must outlive one bad pass
            log.warning("sweeping run directories failed", exc_info=True)


def _mount_dashboard(web_app: web.Application, app: ControllerApp):
    """The browser dashboard and /metrics on the same server (controller/dashboard)."""
    from . import dashboard

    return dashboard.mount(web_app, app)


class ControllerApp:
    """A running controller: ``async with ControllerApp(config) as app: ...``."""

    def __init__(self, config: ControllerConfig) -> None:
        self.config = config
        data_dir.prepare(config.settings.data_dir)
        self.vault = open_vault(config.settings, create_key=config.create_vault_key)
        self.leaks = LeakGuard(self.vault.secret_values if self.vault else None,
                               fixed=controller_secrets(config, self.vault))
        self.bus: EventBus = RedactingBus(self.leaks)
        self.store: RuntimeStore | None = None
        self.queue = queues.make_queue(config.settings, role=config.role, workers=config.workers)  # type: ignore[arg-type]
        self.pipeline: Pipeline | None = None
        self._runner: web.AppRunner | None = None
        self._port = config.port
        self._background: list[asyncio.Task[None]] = []
        self.recovered: list[recovery.Recovered] = []
        self.receiver: WebhookReceiver | None = None
        self._data_lock: data_dir.DataDirLock | None = None
        self.bot_login = config.bot_login
        self.dashboard = None

    async def start(self) -> None:
        cfg = self.config
        # Before anything is recovered: a second controller on this data dir must not touch the first's runs.
        self._data_lock = data_dir.DataDirLock.take(cfg.settings.data_dir)
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise

    async def _start(self) -> None:
        cfg = self.config
        self.leaks.install_on_logs()
        distributed = queues.is_distributed(self.queue)
        context, _ = await asyncio.to_thread(open_context, cfg, self.bus, self.leaks, self.vault,
                                             shared_store=distributed, recover=True)
        self.store = context.store
        sources = context.sources
        repos = list(context.sources)
        default_branches = {repo: (await asyncio.to_thread(context.forge.get_repo, repo)).default_branch
                            for repo in repos}
        rules = RulesLoader(sources, default_branches)
        # An app acts as its bot, <slug>[bot]: its own comments are ignored and its PRs are trusted.
        bot_login = await asyncio.to_thread(context.forge.login) if cfg.is_app else cfg.bot_login
        self.bot_login = bot_login
        context.policy = RegoPolicyCheck(sources, default_branches, rules, cfg.settings.data_dir / "policy-base",
                                         bot_login=bot_login)
        self.pipeline = Pipeline(context, self.queue, rules, bot_login=bot_login)
        # GitHub App installs: check runs beside the statuses; installations may add repositories.
        self.pipeline.app_events.reporter.subscribe(self.bus)
        self.pipeline.app_events.allowed = frozenset(cfg.repos) if cfg.repos else None
        if queues.is_distributed(self.queue):  # = distributed
            self.queue.on_stalled(lambda payload: self._lost_worker(context.forge, payload))
            await self.queue.open()
        else:
            # One process owns the data dir: before any webhook, adopt what a crash left running.
            self.recovered = await recovery.recover(context, wait=cfg.settings.recovery_wait,
                                                    grace=cfg.settings.interrupt_grace, replan=self._replan)
        if cfg.role != "web":  # periodic terraform work belongs to the processes that run terraform
            self._background.append(asyncio.create_task(
                grants.prune_forever(context, repos, cfg.grant_prune_interval), name="prune-expired-grants"))
            self._background.append(asyncio.create_task(
                drift.drift_forever(context, repos, cfg.drift_interval), name="drift-check"))
            self._background.append(asyncio.create_task(
                _sweep_forever(context, cfg.grant_prune_interval), name="sweep-run-directories"))
        # The chat's sessions live in this store: one clean-up, whichever front ends run on it.
        self._background.append(asyncio.create_task(
            housekeeping.clean_sessions_forever(self.store, cfg.session_cleanup_interval, keep=cfg.session_keep_expired),
            name="clean-chat-sessions"))
        receiver = self.receiver = WebhookReceiver(ReceiverConfig(secret=cfg.webhook_secret), self.store,
                                                   self.pipeline.dispatch)
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

    async def _tell_interrupted(self, forge: Forge, runs: list[Run]) -> None:
        """A run whose worker died (several replicas): reported, never resumed; its lock stays."""
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

    async def _replan(self, run: Run) -> None:
        """An interrupted plan is planned again (it changed nothing); the rules decide as for a comment."""
        assert self.pipeline is not None and run.pr_number is not None
        await self.pipeline.plan_pull_request(run.repo, run.pr_number, trigger="restart", actor=run.actor or "",
                                              only=run.project, vouched_by=run.actor)

    async def _lost_worker(self, forge: Forge, payload: dict) -> None:
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
        """Wait until every accepted delivery is dispatched and every queued job has finished (tests, the demo)."""
        if self.receiver is not None:
            await self.receiver.drain()
        await self.queue.drain()

    async def close(self) -> None:
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()  # no more deliveries come in
            self._runner = None
        if self.receiver is not None:
            await self.receiver.close()
        await self.queue.close()
        if self.dashboard is not None:
            self.dashboard.close()
            self.dashboard = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._data_lock is not None:
            self._data_lock.release()
            self._data_lock = None

    async def __aenter__(self) -> ControllerApp:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


__all__ = ["ControllerApp", "ControllerConfig"]
