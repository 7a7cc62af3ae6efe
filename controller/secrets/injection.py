"""Handing one run its cloud credentials, and taking them back.

Credentials reach terraform only through the run's environment (``extra_env``
of the runner, which ``environment.build_env`` adds to the scrubbed allowlist)
and, for GCP, a key file that exists only while the run does:

* ``gcp``   → ``<run dir>/.cloudops-credentials/gcp-service-account.json`` (0600, in a
  0700 directory) + ``GOOGLE_APPLICATION_CREDENTIALS``, ``GOOGLE_CLOUD_PROJECT``,
  ``GOOGLE_PROJECT``;
* ``aws``   → ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``;
* ``azure`` → ``ARM_CLIENT_ID``, ``ARM_CLIENT_SECRET``, ``ARM_TENANT_ID``, ``ARM_SUBSCRIPTION_ID``.

``injected_credentials`` removes the files when the run ends, whichever way it
ends; ``clean_stale_credentials`` removes what a crashed controller left, at
start-up, before any run starts.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .credentials import AwsAccessKey, AzureServicePrincipal, Credentials, GcpServiceAccount
from .errors import SecretsError
from .vault import RunCredentials

log = logging.getLogger(__name__)

CREDENTIALS_DIR = ".cloudops-credentials"
GCP_KEY_FILE = "gcp-service-account.json"


@dataclass(frozen=True)
class InjectedCredentials:
    """What a run gets: variables for ``extra_env`` and the files written for it."""

    env: dict[str, str] = field(repr=False)
    files: tuple[Path, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names only: safe to log."""
        return tuple(sorted(self.env))


def credentials_env(creds: Iterable[Credentials | RunCredentials], run_dir: Path) -> tuple[dict[str, str], list[Path]]:
    """Environment variables for ``creds`` and the files written into ``run_dir`` for them.

    At most one credential per kind: two would silently shadow each other.
    """
    env: dict[str, str] = {}
    files: list[Path] = []
    seen: set[str] = set()
    try:
        for item in creds:
            cred = item.credentials if isinstance(item, RunCredentials) else item
            if cred.kind.value in seen:
                raise SecretsError(f"injecting credentials into {run_dir}: more than one {cred.kind.value} credential")
            seen.add(cred.kind.value)
            if isinstance(cred, GcpServiceAccount):
                path = _write_private(run_dir, GCP_KEY_FILE, cred.document)
                files.append(path)
                env.update(GOOGLE_APPLICATION_CREDENTIALS=str(path), GOOGLE_CLOUD_PROJECT=cred.project_id,
                           GOOGLE_PROJECT=cred.project_id)
            elif isinstance(cred, AwsAccessKey):
                env.update(AWS_ACCESS_KEY_ID=cred.access_key_id, AWS_SECRET_ACCESS_KEY=cred.secret_access_key)
                if cred.session_token:
                    env["AWS_SESSION_TOKEN"] = cred.session_token
            elif isinstance(cred, AzureServicePrincipal):
                env.update(ARM_CLIENT_ID=cred.client_id, ARM_CLIENT_SECRET=cred.client_secret,
                           ARM_TENANT_ID=cred.tenant_id, ARM_SUBSCRIPTION_ID=cred.subscription_id)
            else:  # pragma: no cover - the union is closed
                raise SecretsError(f"injecting credentials: unknown credential type {type(cred).__name__}")
    except BaseException:
        remove_credentials(run_dir)
        raise
    return env, files


@contextmanager
def injected_credentials(creds: Iterable[Credentials | RunCredentials], run_dir: Path) -> Iterator[InjectedCredentials]:
    """Credentials for the duration of a ``with`` block; files removed on the way out, exception or not.

    Usage::

        with injected_credentials(vault.for_run(guild, project), ws.workdir) as injected:
            await runner.plan(ws.workdir, ws.plan_file, extra_env=injected.env)
    """
    env, files = credentials_env(creds, run_dir)
    try:
        yield InjectedCredentials(env=env, files=tuple(files))
    finally:
        remove_credentials(run_dir)


def remove_credentials(run_dir: Path) -> list[Path]:
    """Remove the credentials directory of one run (idempotent); the paths removed."""
    target = run_dir / CREDENTIALS_DIR
    if not target.exists() and not target.is_symlink():
        return []
    removed = sorted(p for p in target.rglob("*")) if target.is_dir() and not target.is_symlink() else []
    if target.is_symlink() or target.is_file():
        target.unlink()
    else:
        shutil.rmtree(target)
    return [target, *removed]


def clean_stale_credentials(runs_dir: Path, *, active: Collection[str] = ()) -> list[Path]:
    """At start-up: remove credentials left in run directories by a crash; the directories cleaned.

    ``active`` names runs (directory names) that are still running and must keep theirs,
    for a controller that cleans while others run; at a plain start-up nothing is active.
    """
    if not runs_dir.is_dir():
        return []
    cleaned: list[Path] = []
    for run_dir in sorted(runs_dir.iterdir()):
        if run_dir.name in active or not run_dir.is_dir() or run_dir.is_symlink():
            continue
        if remove_credentials(run_dir):
            cleaned.append(run_dir)
    if cleaned:
        log.warning("removed credentials left by an interrupted controller from %d run director%s: %s",
                    len(cleaned), "y" if len(cleaned) == 1 else "ies", ", ".join(p.name for p in cleaned))
    return cleaned


def _write_private(run_dir: Path, name: str, content: str) -> Path:
    """A file only the controller's user can read, created that way (no window at a wider mode)."""
    if not run_dir.is_dir():
        raise SecretsError(f"injecting credentials: run directory {run_dir} does not exist")
    directory = run_dir / CREDENTIALS_DIR
    directory.mkdir(mode=0o700, exist_ok=True)
    if directory.is_symlink() or not directory.is_dir():
        raise SecretsError(f"injecting credentials: {directory} is not a plain directory")
    os.chmod(directory, 0o700)
    path = directory / name
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(content)
    return path
