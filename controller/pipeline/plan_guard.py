"""What a pull request may make terraform do before anyone approved it (pure).

`terraform init` downloads and runs provider plugins and `terraform plan`
runs data sources, so a PR can run code on the controller at plan time.
Before `init`, the project's HCL and lock file are read (python-hcl2) and
the plan is refused when they name a provider outside the allowlist, an
`external` data source (it runs a program during plan), or a module from
anywhere but the project itself. Provisioners run only at apply, after the
apply gate and policies, so they are not this guard's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import hcl2

DEFAULT_REGISTRY = "registry.terraform.io"
DEFAULT_ALLOWED_PROVIDERS = frozenset(
    f"{DEFAULT_REGISTRY}/hashicorp/{name}" for name in ("google", "google-beta", "aws", "azurerm", "null", "random")
)
LOCK_FILE = ".terraform.lock.hcl"
# Local module sources: a path inside the project, never outside it.
_LOCAL_MODULE = re.compile(r"^\./(?!.*\.\.)[A-Za-z0-9_./-]+$")


@dataclass(frozen=True)
class GuardFinding:
    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


def _unquote(value: object) -> str:
    text = str(value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def normalize_source(source: str) -> str:
    """`hashicorp/null` → `registry.terraform.io/hashicorp/null` (terraform's own rule)."""
    parts = source.strip().lower().split("/")
    if len(parts) == 1:
        return f"{DEFAULT_REGISTRY}/hashicorp/{parts[0]}"
    if len(parts) == 2:
        return f"{DEFAULT_REGISTRY}/{parts[0]}/{parts[1]}"
    return "/".join(parts)


def _blocks(doc: Mapping, kind: str) -> Iterable[tuple[str, Mapping]]:
    for entry in doc.get(kind, []) or []:
        if isinstance(entry, Mapping):
            for label, body in entry.items():
                if label != "__is_block__":
                    yield _unquote(label), body if isinstance(body, Mapping) else {}


def _required_providers(doc: Mapping) -> dict[str, str]:
    found: dict[str, str] = {}
    for block in doc.get("terraform", []) or []:
        for req in (block.get("required_providers", []) if isinstance(block, Mapping) else []) or []:
            for local_name, spec in (req.items() if isinstance(req, Mapping) else []):
                if local_name == "__is_block__":
                    continue
                source = _unquote(spec.get("source", local_name)) if isinstance(spec, Mapping) else local_name
                found[local_name] = normalize_source(source)
    return found


def check_project(files: Mapping[str, str], allowed: Iterable[str] = DEFAULT_ALLOWED_PROVIDERS) -> list[GuardFinding]:
    """Findings for a project's files (relative path → text); empty means safe to init and plan."""
    allowed_set = {normalize_source(a) for a in allowed}
    findings: list[GuardFinding] = []
    declared: dict[str, str] = {}
    used_local_names: dict[str, str] = {}  # local provider name → first file using it
    for name, text in sorted(files.items()):
        if name.endswith(LOCK_FILE):
            findings += _check_lock(name, text, allowed_set)
            continue
        if not name.endswith(".tf"):
            continue
        try:
            doc = hcl2.loads(text)
        except Exception as exc:  # noqa: BLE001 - python-hcl2 raises lark errors of several kinds
            findings.append(GuardFinding(name, f"cannot be read as HCL ({type(exc).__name__}); terraform would not plan it either"))
            continue
        declared.update(_required_providers(doc))
        for provider, _ in _blocks(doc, "provider"):
            used_local_names.setdefault(provider, name)
        for kind in ("resource", "data"):
            for type_name, _ in _blocks(doc, kind):
                used_local_names.setdefault(type_name.split("_", 1)[0], name)
                if kind == "data" and type_name == "external":
                    findings.append(GuardFinding(name, 'data "external" runs a program during plan; it is not allowed'))
        for module, body in _blocks(doc, "module"):
            source = _unquote(body.get("source", ""))
            if not _LOCAL_MODULE.match(source):
                findings.append(GuardFinding(name, f'module "{module}" comes from {source!r}; only modules inside '
                                                   "the project (./path) are allowed"))
    for local_name, source in sorted(declared.items()):
        if source not in allowed_set:
            findings.append(GuardFinding("required_providers", f"provider {local_name!r} from {source} is not on the allowlist"))
    for local_name, where in sorted(used_local_names.items()):
        source = declared.get(local_name, normalize_source(local_name))
        if local_name not in declared and source not in allowed_set:
            findings.append(GuardFinding(where, f"provider {local_name!r} (implied {source}) is not on the allowlist"))
    return findings


def _check_lock(name: str, text: str, allowed: set[str]) -> list[GuardFinding]:
    try:
        doc = hcl2.loads(text)
    except Exception:  # noqa: BLE001
        return [GuardFinding(name, "cannot be read as HCL")]
    return [
        GuardFinding(name, f"locks provider {address}, which is not on the allowlist")
        for address, _ in _blocks(doc, "provider")
        if normalize_source(address) not in allowed
    ]


def render_refusal(project: str, findings: Iterable[GuardFinding]) -> str:
    lines = "\n".join(f"- {finding}" for finding in findings)
    return (
        f"The plan of `{project}` was not started: terraform would run code from this pull request that the "
        f"controller does not allow.\n\n{lines}\n\nProviders allowed: "
        + ", ".join(sorted(s.removeprefix(f"{DEFAULT_REGISTRY}/") for s in DEFAULT_ALLOWED_PROVIDERS))
    )
