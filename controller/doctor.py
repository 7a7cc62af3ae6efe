"""Health checks of the controller's machine, as values.

Each check is independent (a missing terraform does not hide a broken data
dir) and says, when it fails, what to do. ``cloudops doctor`` prints them;
a future health endpoint can serve the same list.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from .errors import CloudOpsError
from .settings import Settings
from .terraform import sandbox, toolchain


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in the order a person fixes them."""
    return [
        check_data_dir(settings),
        check_terraform(settings),
        check_provider_mirror(settings),
        check_sandbox(settings),
        check_git(),
    ]


def check_data_dir(settings: Settings) -> Check:
    path = settings.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("data dir", False, f"{path} is not writable: {exc.strerror or exc}",
                     fix="set CLOUDOPS_DATA_DIR to a writable directory")
    return Check("data dir", True, f"{path} (writable)")


def check_terraform(settings: Settings) -> Check:
    try:
        found = toolchain.find_terraform(settings)
    except CloudOpsError as exc:
        return Check("terraform", False, exc.message, fix=exc.hint)
    return Check("terraform", True, f"{found.version} at {found.path} (from {found.origin})")


def check_provider_mirror(settings: Settings) -> Check:
    try:
        providers = toolchain.ensure_provider_mirror(settings.provider_mirror_dir)
        config = toolchain.write_cli_config(settings.terraform_cli_config, settings.provider_mirror_dir)
    except CloudOpsError as exc:
        return Check("provider mirror", False, exc.message, fix=exc.hint)
    listed = ", ".join(p.describe() for p in providers)
    return Check("provider mirror", True, f"{settings.provider_mirror_dir}: {listed}; CLI config {config}")


def check_sandbox(settings: Settings) -> Check:
    """Whether terraform runs confined to its run directory (bubblewrap); unconfined is allowed but said."""
    try:
        found = sandbox.detect(settings.sandbox)
    except CloudOpsError as exc:
        return Check("sandbox", False, exc.message, fix=exc.hint)
    if found.active:
        return Check("sandbox", True, found.reason)
    fix = "" if settings.sandbox == "off" else "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`)"
    return Check("sandbox", True, f"{found.reason}; terraform runs unconfined behind the plan guard", fix=fix)


def check_git() -> Check:
    git = shutil.which("git", path=os.environ.get("PATH", ""))
    if git is None:
        return Check("git", False, "git is not on PATH", fix="install git (Debian/Ubuntu: `apt-get install git`)")
    try:
        done = subprocess.run([git, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("git", False, f"running `{git} --version`: {exc}", fix="reinstall git")
    if done.returncode != 0:
        return Check("git", False, f"`{git} --version` exited {done.returncode}: {done.stderr.strip()}", fix="reinstall git")
    return Check("git", True, f"{done.stdout.strip()} at {git}")


def render(checks: list[Check]) -> str:
    """Aligned lines: ``ok   terraform  1.0.3 at …`` or ``FAIL …`` plus ``fix: …``."""
    width = max((len(c.name) for c in checks), default=0)
    lines = []
    for check in checks:
        lines.append(f"{'ok  ' if check.ok else 'FAIL'}  {check.name:<{width}}  {check.detail}")
        if not check.ok and check.fix:
            lines.append(f"      {'':<{width}}  fix: {check.fix}")
    return "\n".join(lines)
