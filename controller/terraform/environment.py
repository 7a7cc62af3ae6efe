"""The environment terraform runs with: an allowlist, never the parent's whole.

Pure: builds a dict from the mapping it is given. Terraform and everything it
starts (providers, ``local-exec`` provisioners, external data sources) see
this environment, and a plan comes from a pull request that anyone may open,
so the controller's own secrets (bot token, forge token, webhook secret) must
not be in it. Only these reach the child:

* from the parent: ``PATH``, ``LANG``, ``LC_*``, ``TMPDIR``, ``TZ``, ``SSL_CERT_*``, and the
  names the operator lists in ``CLOUDOPS_TERRAFORM_ENV``;
* ``HOME``: a per-run directory, so no ``~/.terraformrc``, ``~/.aws`` or
  ``~/.terraform.d/plugins`` of the controller's user is read;
* the controls set by us (``TF_CLI_CONFIG_FILE``, ``TF_IN_AUTOMATION``,
  ``TF_INPUT``, ``CHECKPOINT_DISABLE``, optionally ``TF_PLUGIN_CACHE_DIR``);
* per-run extras given explicitly (e.g. one guild's cloud credentials).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import ConfigError

# SSL_CERT_*: paths to CA bundles, which real providers need behind a corporate CA.
ALLOWED_NAMES = frozenset({"PATH", "LANG", "TMPDIR", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR"})
ALLOWED_PREFIXES = ("LC_",)
# Set by us last; neither passthrough nor extras may override them.
CONTROLLED_NAMES = frozenset(
    {"HOME", "TF_CLI_CONFIG_FILE", "TF_IN_AUTOMATION", "TF_INPUT", "CHECKPOINT_DISABLE", "TF_PLUGIN_CACHE_DIR"}
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def build_env(
    parent: Mapping[str, str],
    *,
    home: Path,
    cli_config: Path,
    passthrough: Iterable[str] = (),
    extra: Mapping[str, str] | None = None,
    plugin_cache_dir: Path | None = None,
) -> dict[str, str]:
    """The child's environment: allowlisted parent names + passthrough + extras + our controls."""
    env = {name: value for name, value in parent.items() if _allowed(name)}
    env.setdefault("PATH", os.defpath)
    for name in passthrough:
        _check_name(name, "CLOUDOPS_TERRAFORM_ENV")
        if name in CONTROLLED_NAMES:
            raise ConfigError(f"reading CLOUDOPS_TERRAFORM_ENV: {name} is set by the controller and cannot be passed through")
        if name in parent:
            env[name] = parent[name]
    for name, value in (extra or {}).items():
        _check_name(name, "the run's extra environment")
        if name in CONTROLLED_NAMES:
            raise ConfigError(f"building terraform's environment: {name} is set by the controller and cannot be overridden")
        env[name] = value
    env.update(
        HOME=str(home),
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
    )
    if plugin_cache_dir is not None:
        env["TF_PLUGIN_CACHE_DIR"] = str(plugin_cache_dir)
    return env


def _allowed(name: str) -> bool:
    return name in ALLOWED_NAMES or name.startswith(ALLOWED_PREFIXES)


def _check_name(name: str, where: str) -> None:
    if not _NAME.match(name):
        raise ConfigError(f"reading {where}: {name!r} is not a valid environment variable name")
