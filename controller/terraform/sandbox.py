"""Confine terraform to its run directory with bubblewrap (Linux namespaces).

The plan guard refuses file reads outside the project that it can see; this
is the second line, for what it cannot see (a provider that reads a path it
was given, a computed path the guard missed). Under ``bwrap`` terraform and
everything it starts see a fresh root holding only:

* the system's programs and libraries (``/usr``, ``/bin``, ``/lib*``) and a
  few non-secret files of ``/etc`` (DNS, CA certificates, users), read-only;
* the terraform binary, the provider mirror and the CLI config, read-only;
* the run directory (the project copy, its HOME, its injected credentials),
  read-write;
* an empty ``/tmp``, its own ``/proc`` (its own processes only) and ``/dev``.

So the data dir (state key, master key, store), other runs, the controller's
HOME and ``/proc/<controller>/environ`` do not exist for it. The network is
kept (real providers talk to their cloud); hostname, IPC and PIDs are its
own. The sandbox outlives a controller that dies (no ``--die-with-parent``):
a terraform killed mid-apply would leave created resources out of the
state, so the crash-recovery pass adopts it instead (``pipeline/recovery``).

``detect`` checks once per process that bwrap works here (a container may
forbid namespaces): ``CLOUDOPS_SANDBOX=auto`` falls back to running
terraform unconfined (logged, and shown by ``cloudops doctor``), ``bwrap``
makes a missing sandbox an error, ``off`` never uses it.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

log = logging.getLogger(__name__)

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64")
# Non-secret files providers and provisioners need: name resolution, CA bundles, users, time zone.
ETC_FILES = ("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/ssl", "/etc/ca-certificates",
             "/etc/pki", "/etc/passwd", "/etc/group", "/etc/localtime", "/etc/services", "/etc/protocols")
HOSTNAME = "cloudops-run"


class SandboxUnavailable(ConfigError):
    """CLOUDOPS_SANDBOX=bwrap, but bubblewrap does not work on this host."""


@dataclass(frozen=True)
class Sandbox:
    """How terraform commands are confined; ``bwrap=None`` means they are not."""

    bwrap: Path | None
    reason: str  # what `cloudops doctor` and the logs say about it

    @property
    def active(self) -> bool:
        return self.bwrap is not None

    def wrap(self, argv: Sequence[str], *, workdir: Path, read_only: Iterable[Path] = ()) -> list[str]:
        """``argv`` as run inside the sandbox (unchanged when there is none)."""
        if self.bwrap is None:
            return list(argv)
        return [str(self.bwrap), *bwrap_arguments(workdir, read_only), "--", *argv]


def bwrap_arguments(workdir: Path, read_only: Iterable[Path]) -> list[str]:
    """bwrap's options for one run: the mounts listed in the module docstring."""
    args = ["--unshare-all", "--share-net", "--hostname", HOSTNAME]
    for directory in SYSTEM_DIRS:
        if os.path.islink(directory):
            args += ["--symlink", os.readlink(directory), directory]
        elif os.path.isdir(directory):
            args += ["--ro-bind", directory, directory]
    for path in ETC_FILES:
        args += ["--ro-bind-try", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--setenv", "TMPDIR", "/tmp"]
    for path in read_only:
        resolved = str(Path(path).resolve())
        args += ["--ro-bind", resolved, resolved]
    work = str(workdir.resolve())
    args += ["--bind", work, work, "--chdir", work]
    return args


NO_SANDBOX = Sandbox(None, "off (CLOUDOPS_SANDBOX=off)")


@functools.lru_cache(maxsize=4)
def detect(mode: str = "auto") -> Sandbox:
    """The sandbox for ``mode`` (auto | bwrap | off), probed once per process."""
    if mode == "off":
        return NO_SANDBOX
    binary = shutil.which("bwrap")
    problem = "bubblewrap (bwrap) is not installed" if binary is None else _probe(Path(binary))
    if problem is None:
        assert binary is not None
        return Sandbox(Path(binary), f"bubblewrap ({binary}): terraform sees only its run directory")
    if mode == "bwrap":
        raise SandboxUnavailable(f"confining terraform: {problem}",
                                 hint="install bubblewrap (Debian: apt-get install bubblewrap) and allow user "
                                      "namespaces, or set CLOUDOPS_SANDBOX=auto to run terraform unconfined")
    log.warning("terraform runs without a sandbox: %s (install bubblewrap to confine it)", problem)
    return Sandbox(None, f"none: {problem}")


def _probe(binary: Path) -> str | None:
    """None when bwrap can start a confined program here, else why not."""
    with tempfile.TemporaryDirectory(prefix="cloudops-sandbox-probe-") as work:
        argv = Sandbox(binary, "probe").wrap(["/bin/sh", "-c", "test ! -e /etc/hostname-probe-$$ && pwd"],
                                             workdir=Path(work))
        try:
            done = subprocess.run(argv, capture_output=True, timeout=20, stdin=subprocess.DEVNULL, check=False,
                                  env={"PATH": "/usr/bin:/bin"})
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bwrap could not be started: {exc}"
        if done.returncode != 0 or done.stdout.decode().strip() != str(Path(work).resolve()):
            detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
            return f"bwrap cannot create namespaces here (exit {done.returncode}: {detail or 'no message'})"
    return None
