"""The operations dashboard in the browser, and ``/metrics``.

Served by the controller's own aiohttp app (``mount``), server-rendered with
Jinja2 and a little vanilla JavaScript; live apply logs over server-sent
events from the bus. Modules:

* pure: ``access`` (roles from cloudops.yaml), ``queries`` (filters, cost
  series, verdicts), ``chart`` (inline SVG), ``sessions`` (signed cookies,
  CSRF), ``links`` (run links in PR comments), ``config``;
* I/O: ``journal`` (its SQLite file), ``live`` (bus → journal → browsers),
  ``metrics`` (prometheus-client), ``oauth`` (the forge's OAuth flow),
  ``webapp`` (middleware, sign-in), ``pages`` (views), ``actions`` (unlock).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from ..errors import CloudOpsError
from .access import Access
from .config import DashboardConfig, web_url_of
from .journal import Journal
from .links import LinkingForge
from .live import LiveRuns
from . import metrics as prom
from .metrics import Metrics
from .sessions import load_key

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"


@dataclass
class Dashboard:
    """Everything the views need, built once by ``mount``."""

    config: DashboardConfig
    api_url: str
    repos: tuple[str, ...]
    store: Any  # RuntimeStore (redacting)
    context: Any  # the pipeline's PlanContext: forge, sources (history)
    rules: Any  # async repo -> RepoRules (the pipeline's loader)
    journal: Journal
    live: LiveRuns
    metrics: Metrics
    guard: Any  # LeakGuard
    key: bytes = field(repr=False)
    templates: jinja2.Environment = field(repr=False)
    _budgets: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def web_url(self) -> str:
        return web_url_of(self.api_url)

    @property
    def oauth_web_url(self) -> str:
        return self.config.oauth_url or self.web_url

    async def access_for(self, login: str, via: str) -> Access:
        configs = {}
        for repo in self.repos:
            try:
                configs[repo] = (await self.rules(repo)).config
            except CloudOpsError as exc:
                log.warning("dashboard: reading the rules of %s: %s", repo, exc)
                configs[repo] = None
            self._remember_budgets(repo, configs[repo])
        return Access(login=login, via=via, configs=configs)

    async def refresh_budgets(self) -> None:
        """Read every repo's budgets from its rules (cached per default-branch commit) before a scrape."""
        for repo in self.repos:
            try:
                self._remember_budgets(repo, (await self.rules(repo)).config)
            except CloudOpsError as exc:
                log.warning("metrics: reading the rules of %s: %s", repo, exc)

    def _remember_budgets(self, repo: str, config: Any) -> None:
        if config is None:
            return
        for key in [k for k in self._budgets if k[0] == repo]:
            del self._budgets[key]
        for name, project in config.projects.items():
            if project.budget_monthly_usd is not None:
                self._budgets[(repo, name)] = project.budget_monthly_usd

    def close(self) -> None:
        self.live.detach()
        self.metrics.detach()
        self.journal.close()


def build(config: DashboardConfig, *, api_url: str, repos: tuple[str, ...], store: Any, context: Any, rules: Any,
          bus: Any, guard: Any, data_dir: Path, queue_depth: Any = lambda: None) -> Dashboard:
    """A dashboard over these parts, listening to ``bus`` (``mount`` passes a controller's; tests their own)."""
    from . import webapp

    journal = Journal(data_dir / "dashboard.sqlite3")
    budgets: dict[tuple[str, str], float] = {}
    dashboard = Dashboard(
        config=config, api_url=api_url, repos=tuple(repos), store=store, context=context, rules=rules,
        journal=journal, live=LiveRuns(journal), guard=guard,
        metrics=prom.Metrics(store=lambda: store, repos=repos, queue_depth=queue_depth, budgets=lambda: budgets),
        key=load_key(data_dir / "dashboard.key"), templates=webapp.make_templates(guard), _budgets=budgets,
    )
    dashboard.live.attach(bus)
    dashboard.metrics.attach(bus)
    return dashboard


def mount(app: web.Application, controller: Any) -> Dashboard:
    """Add the dashboard and /metrics to the controller's aiohttp ``app`` (before it starts).

    ``controller`` is the started ``ControllerApp``: its store, bus, pipeline
    and leak guard are reused, never rebuilt. With a public URL configured,
    PR comments from then on link each run they mention to its page.
    """
    cfg = controller.config
    context = controller.pipeline.ctx
    dashboard = build(cfg.dashboard, api_url=cfg.api_url, repos=tuple(context.sources), store=controller.store,
                      context=context, rules=controller.pipeline.rules, bus=controller.bus, guard=controller.leaks,
                      data_dir=cfg.settings.data_dir, queue_depth=_depth_of(controller.queue))
    if cfg.dashboard.public_url:
        context.forge = LinkingForge(context.forge, cfg.dashboard.public_url)
    install(app, dashboard)
    return dashboard


def install(app: web.Application, dashboard: Dashboard) -> None:
    """The routes and middlewares of ``dashboard`` on ``app`` (``mount`` builds it from a controller; tests by hand)."""
    from . import actions, pages, webapp as dash_web
    from ..webhooks.receiver import PATH as WEBHOOK_PATH

    app[dash_web.DASHBOARD] = dashboard
    app.middlewares.append(dashboard.metrics.webhook_middleware(WEBHOOK_PATH))
    app.middlewares.append(dash_web.dashboard_middleware)
    token = dashboard.config.metrics_token

    async def metrics_view(request: web.Request) -> web.Response:
        refused = prom.refusal(request, token)
        if refused is not None:
            return refused
        await dashboard.refresh_budgets()
        return await prom.respond(dashboard.metrics)

    app.router.add_get("/metrics", metrics_view)
    app.router.add_get("/", pages.index)
    app.router.add_get("/login", dash_web.login_page)
    app.router.add_post("/login/token", dash_web.login_with_token)
    app.router.add_get("/login/oauth", dash_web.login_with_forge)
    app.router.add_get("/login/oauth/callback", dash_web.oauth_callback)
    app.router.add_post("/logout", dash_web.logout)
    app.router.add_get("/runs", pages.runs_page)
    app.router.add_get("/runs/{run_id}", pages.run_page)
    app.router.add_get("/runs/{run_id}/events", pages.run_events)
    app.router.add_get("/locks", pages.locks_page)
    app.router.add_post("/locks/unlock", actions.unlock)
    app.router.add_get("/projects", pages.projects_page)
    app.router.add_get("/projects/{owner}/{name}/{project}", pages.project_page)
    app.router.add_get("/policy", pages.policy_page)
    app.router.add_get("/drift", pages.drift_page)
    app.router.add_static("/static/", STATIC)


def _depth_of(queue: Any):
    pending = getattr(queue, "pending", None)
    return (lambda: pending()) if callable(pending) else (lambda: None)


__all__ = ["Dashboard", "DashboardConfig", "build", "install", "mount"]
