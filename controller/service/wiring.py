"""Assemble a ``ChatOps`` for a process (the bot, the console) from settings and the environment.

Optional layers are wired when present and said to be missing when not:
the credentials vault and recovery codes (``controller.secrets``; need a
master key), the pipeline gateway (the controller's apply side; without it
approve/cancel/history/rollback answer "not available"), pre-flight cost
and policy (``controller.cost.preflight``, ``controller.policy.preflight``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import importlib
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..bus import EventBus
from ..errors import CloudOpsError
from ..forge.base import Forge
from ..pipeline import notices
from ..settings import Settings
from ..store import RuntimeStore, open_store, utc_now
from . import housekeeping
from .chatops import ChatOps
from .context import ServiceContext, WebhookTarget
from .gateway import ApplyDecision, HistoryEntry, PipelineGateway, RollbackResult
from ..store.guilds import LEGACY_FILE
from .guilds import GuildRegistry
from .refusals import Refused
from .replies import RefusalKind
from .repos import ForgeRepoView, RepoView

log = logging.getLogger(__name__)


class UnwiredGateway:
    """The apply side when this process has none: every call says so instead of pretending."""

    def _no(self) -> Refused:
        return Refused(RefusalKind.UNAVAILABLE, "The apply side of the pipeline is not connected to this chat process.",
                       hint="run the bot inside the controller (`cloudops serve`) to approve, cancel, roll back and see history")

    async def request_apply(self, repo: str, pr_number: int, project: str, actor_github: str) -> ApplyDecision:
        raise self._no()

    async def cancel(self, repo: str, pr_number: int, project: str | None, actor_github: str) -> list[str]:
        raise self._no()

    async def close_pull_request(self, repo: str, pr_number: int, actor_github: str) -> None:
        raise self._no()

    async def plan(self, repo: str, pr_number: int, project: str, actor_github: str) -> list[str]:
        raise self._no()

    async def merge_pull_request(self, repo: str, pr_number: int, actor_github: str, *, head_sha: str) -> str:
        raise self._no()

    async def rollback(self, repo: str, project: str, *, to_sha: str | None, pr: int | None, actor_github: str) -> RollbackResult:
        raise self._no()

    async def history(self, repo: str, project: str) -> list[HistoryEntry]:
        raise self._no()


class SealedRecovery:
    """Short recovery codes: ``rc-<blob id>-<token>``, the sealed session kept in the store.

    The session is sealed by ``controller.secrets.recovery`` (AES-GCM under the vault's master key and
    the user id) and kept server-side, so the code a person copies stays short whatever the session's
    size. Only a hash of the token is stored: reading the database gives neither a usable code nor the
    session. Long ``cr1.`` codes made by earlier versions still open.
    """

    def __init__(self, server_secret: bytes, registry: GuildRegistry | None = None) -> None:
        self.server_secret = server_secret
        self.registry = registry

    def seal(self, state: dict[str, Any], user_id: str) -> str:
        from ..secrets import recovery

        sealed = recovery.seal(state, server_secret=self.server_secret, user_id=user_id)
        if self.registry is None:
            return sealed
        blob_id, token = secrets.token_hex(4), secrets.token_urlsafe(9)
        now = utc_now()
        self.registry.prune_blobs(now)
        self.registry.put_blob(blob_id, str(state.get("guild_id", "")), user_id,
                               f"{_token_hash(token)}:{sealed}", now + recovery.DEFAULT_TTL)
        return f"rc-{blob_id}-{token}"

    def open(self, code: str, user_id: str) -> dict[str, Any]:
        from ..secrets import recovery
        from ..secrets.errors import RecoveryCodeExpired, RecoveryCodeInvalid

        code = code.strip()
        if not code.startswith("rc-") or self.registry is None:
            return recovery.open_code(code, server_secret=self.server_secret, user_id=user_id)
        _, _, rest = code.partition("-")
        blob_id, _, token = rest.partition("-")
        found = self.registry.blob(blob_id) if blob_id and token else None
        if found is None:
            raise RecoveryCodeInvalid("opening the recovery code: no such code (mistyped, or already cleaned up)")
        _, owner, stored, expires_at = found
        digest, _, sealed = stored.partition(":")
        if not hmac.compare_digest(digest, _token_hash(token)):
            raise RecoveryCodeInvalid("opening the recovery code: it does not match")
        if owner != user_id:
            raise RecoveryCodeInvalid("opening the recovery code: it belongs to another person")
        if expires_at < utc_now():
            raise RecoveryCodeExpired("opening the recovery code: it has expired")
        return recovery.open_code(sealed, server_secret=self.server_secret, user_id=user_id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(b"cloudops-recovery-token\0" + token.encode()).hexdigest()


@dataclass
class Wired:
    chatops: ChatOps
    bus: EventBus
    store: RuntimeStore
    registry: GuildRegistry  # ``store.guilds``: the chat's tables live in the runtime store
    notes: list[str]
    owns_store: bool = True

    def close(self) -> None:
        """Close the store if this wiring opened it (an assembly's store is closed by its controller)."""
        if self.owns_store:
            self.store.close()

    def start_housekeeping(self) -> asyncio.Task[None] | None:
        """A chat process on a store of its own cleans up its expired sessions (a controller does it for its store)."""
        if not self.owns_store:
            return None
        return asyncio.get_running_loop().create_task(housekeeping.clean_sessions_forever(self.store),
                                                      name="clean-chat-sessions")


def template_files() -> dict[str, str]:
    from ..repo_template import template_dir

    root = template_dir()
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def build(settings: Settings, *, forge: Forge, gateway: PipelineGateway | None = None, repos: RepoView | None = None,
          bus: EventBus | None = None, store: RuntimeStore | None = None, env: Mapping[str, str] | None = None,
          webhook: WebhookTarget | None = None, vault: Any = None) -> Wired:
    """The chat service on ``store`` (the controller's, in an assembly) or on the store of ``settings``."""
    env = os.environ if env is None else env
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    owns_store = store is None
    store = store or open_store(settings)
    registry = store.guilds
    imported = registry.import_legacy(settings.data_dir / LEGACY_FILE)
    if imported:
        notes.append(f"moved {imported} chat server link(s) from {LEGACY_FILE} into the runtime store")
    ctx = ServiceContext(store=store, forge=forge, repos=repos or ForgeRepoView(forge, settings.data_dir / "chat-repos"),
                         registry=registry, gateway=gateway or UnwiredGateway(), workdir=settings.data_dir / "chat-worktrees",
                         webhook=webhook)
    if gateway is None:
        notes.append("apply side not connected: approve, cancel, history and rollback will say so")
    saver, recovery = _secrets(settings, env, notes, vault, registry)
    chatops = ChatOps(ctx, pricer=_optional(".pricing", "preflight_pricer", "pricing", notes),
                      policy=_optional(".policy_preflight", "preflight_policy", "policy", notes),
                      save_credentials=saver, recovery=recovery, scaffold=template_files)
    bus = bus if bus is not None else EventBus()
    # A merge changes the default branch: /cloud-list and /cloud-quota must see it at once, not after the cache's ttl.
    bus.subscribe(notices.PullRequestClosed, lambda event: ctx.repos.invalidate(event.repo) if event.merged else None)
    return Wired(chatops, bus, store, registry, notes, owns_store)


def _secrets(settings: Settings, env: Mapping[str, str], notes: list[str], vault: Any = None,
             registry: GuildRegistry | None = None) -> tuple[Any, Any]:
    try:
        from ..secrets import credentials, recovery, vault as vault_mod

        vault = vault or vault_mod.Vault.open(settings, env)
    except (ImportError, CloudOpsError) as exc:
        notes.append(f"credentials vault unavailable ({exc}): /cloud-credentials and recovery codes are off")
        return None, None

    def save(guild_id: str, kind: str, text: str, project: str | None) -> str:
        return vault.put(guild_id, credentials.parse(kind, text), project=project).fingerprint

    assert vault.keyring is not None
    return save, SealedRecovery(recovery.server_secret_from_key(vault.keyring.primary), registry)


def _optional(module: str, name: str, what: str, notes: list[str]) -> Any:
    """A pre-flight layer of another package; the chat layer runs (and says so) without it."""
    try:
        return getattr(importlib.import_module(module, __package__), name)
    except ImportError as exc:
        notes.append(f"pre-flight {what} unavailable ({exc}): the lobby says it was not checked")
        return None


def forge_from_env(env: Mapping[str, str] | None = None) -> Forge:
    """GitHub (or the local forge) from CLOUDOPS_GITHUB_TOKEN and CLOUDOPS_GITHUB_API_URL,
    or as the GitHub App of GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY(_FILE)."""
    from ..errors import ConfigError
    from ..forge.app_auth import InstallationTokens, credentials_from_env
    from ..forge.github import GITHUB_API_URL, GitHubForge

    env = os.environ if env is None else env
    app = credentials_from_env(env)
    if app is not None:
        api_url = env.get("CLOUDOPS_GITHUB_API_URL") or env.get("GITHUB_API_URL") or GITHUB_API_URL
        return GitHubForge(app=InstallationTokens(app, api_url), api_url=api_url)
    token = env.get("CLOUDOPS_GITHUB_TOKEN")
    if not token:
        raise ConfigError("starting chat: CLOUDOPS_GITHUB_TOKEN is not set",
                          hint="set it to a token that can push branches and open PRs on the infra repo")
    return GitHubForge(token, api_url=env.get("CLOUDOPS_GITHUB_API_URL") or GITHUB_API_URL)


__all__ = ["SealedRecovery", "UnwiredGateway", "Wired", "build", "forge_from_env", "template_files", "Path"]
