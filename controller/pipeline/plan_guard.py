"""What a pull request may make terraform do before anyone approved it (pure).

`terraform init` downloads and runs provider plugins and `terraform plan`
runs data sources and reads files, so a PR can run code on the controller
and read its files at plan time. Before `init`, the project's files are read
in both of terraform's syntaxes (``.tf`` through python-hcl2 and our own
call scanner, ``.tf.json`` as JSON) together with the lock file and the
project's symlinks, and the plan is refused, naming the file and line, when
they:

* name a provider outside the allowlist (declared, implied by a resource
  type, or locked), or an ``external`` data source (it runs a program);
* call a module from anywhere but the project itself;
* read a file outside the project through ``file()``, ``templatefile()``,
  ``fileset()``, ``filebase64()``… (absolute paths, ``~``, ``..``, computed
  paths), also from inside a template;
* give a provider, a backend or a ``terraform_remote_state`` a host path,
  or configure a backend of a kind outside ``ALLOWED_BACKENDS``;
* contain a symlink that leads outside the project.

Provisioners run only at apply, after the apply gate and policies, so they
are not this guard's business. The guard is the first line; the sandbox in
``controller.terraform.sandbox`` is the second.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import hcl2

from .guard_paths import FILE_FUNCTIONS, looks_like_host_path, module_dir_of, pattern_problem, project_path, symlink_escapes
from .hcl_calls import Call, calls_in_hcl, calls_in_json, calls_in_template

DEFAULT_REGISTRY = "registry.terraform.io"
DEFAULT_ALLOWED_PROVIDERS = frozenset(
    f"{DEFAULT_REGISTRY}/hashicorp/{name}" for name in ("google", "google-beta", "aws", "azurerm", "null", "random")
)
# State backends a PR may configure (the controller's own default is local state in the run directory).
ALLOWED_BACKENDS = frozenset({"local", "s3", "gcs", "azurerm", "remote"})
LOCK_FILE = ".terraform.lock.hcl"
# Local module sources: a path inside the project, never outside it.
_LOCAL_MODULE = re.compile(r"^\./(?!.*\.\.)[A-Za-z0-9_./-]+$")
_TEMPLATE_DEPTH = 3
# terraform_remote_state and terraform_data come with terraform itself (terraform.io/builtin/terraform).
_BUILTIN_PREFIX = "terraform_"


@dataclass(frozen=True)
class GuardFinding:
    file: str
    problem: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.problem}"


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


# --- one view of both syntaxes ---------------------------------------------------


@dataclass
class _Document:
    """The blocks the guard reads, from native or JSON syntax."""

    required: dict[str, str]  # local provider name → source
    providers: list[tuple[str, Mapping]]
    resources: list[tuple[str, str, Mapping]]  # (resource|data, type, body)
    modules: list[tuple[str, str]]  # (name, source)
    backends: list[tuple[str, Mapping]]  # (type, body); "cloud" for a cloud block


def _items(node: object) -> Iterator[tuple[str, object]]:
    """Label → body pairs of a block map, in either syntax (a map, or a list of maps)."""
    for entry in node if isinstance(node, list) else [node]:
        if isinstance(entry, Mapping):
            for label, body in entry.items():
                if label != "__is_block__":
                    yield _unquote(label), body


def _bodies(node: object) -> Iterator[Mapping]:
    for entry in node if isinstance(node, list) else [node]:
        if isinstance(entry, Mapping):
            yield entry


def _read(doc: Mapping) -> _Document:
    found = _Document({}, [], [], [], [])
    for block in _bodies(doc.get("terraform", [])):
        for req in _bodies(block.get("required_providers", [])):
            for local_name, spec in _items(req):
                source = _unquote(spec.get("source", local_name)) if isinstance(spec, Mapping) else local_name
                found.required[local_name] = normalize_source(source)
        for kind, body in _items(block.get("backend", [])):
            found.backends += [(kind, b) for b in _bodies(body)]
        found.backends += [("cloud", b) for b in _bodies(block.get("cloud", []))]
    for name, body in _items(doc.get("provider", [])):
        found.providers += [(name, b) for b in _bodies(body)]
    for kind in ("resource", "data"):
        for type_name, named in _items(doc.get(kind, [])):
            for _, body in _items(named):
                found.resources += [(kind, type_name, b) for b in _bodies(body)]
            if not isinstance(named, (Mapping, list)):
                found.resources.append((kind, type_name, {}))
    for name, body in _items(doc.get("module", [])):
        for b in _bodies(body):
            found.modules.append((name, _unquote(b.get("source", ""))))
    return found


def _leaves(node: object) -> Iterator[str]:
    """Literal strings of a body (expressions are the call scanner's business)."""
    if isinstance(node, str):
        if not node.startswith("${"):
            yield _unquote(node)
    elif isinstance(node, list):
        for item in node:
            yield from _leaves(item)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key != "__is_block__":
                yield from _leaves(value)


def _line_of(text: str, *words: str) -> int | None:
    """The first line where ``words`` appear in order (quoted or not), for a finding's location."""
    pattern = r"[\s\"'{:,\[]*".join(re.escape(w) for w in words)
    match = re.search(pattern, text)
    return text.count("\n", 0, match.start()) + 1 if match else None


# --- the checks ------------------------------------------------------------------


def check_project(files: Mapping[str, str], allowed: Iterable[str] = DEFAULT_ALLOWED_PROVIDERS, *,
                  symlinks: Mapping[str, str] | None = None) -> list[GuardFinding]:
    """Findings for a project's files (relative path → text) and symlinks (path → target); empty means safe."""
    allowed_set = {normalize_source(a) for a in allowed}
    links = dict(symlinks or {})
    findings = [
        GuardFinding(link, f"is a symlink to {links[link]!r}, which leads outside the project; "
                           "symlinks may only point inside it")
        for link in sorted(links) if symlink_escapes(link, links)
    ]
    declared: dict[str, str] = {}
    used_local_names: dict[str, str] = {}  # local provider name → first file using it
    for name, text in sorted(files.items()):
        if name.endswith(LOCK_FILE):
            findings += _check_lock(name, text, allowed_set)
            continue
        is_json = name.endswith(".tf.json")
        if not (is_json or name.endswith(".tf")):
            continue
        try:
            doc = _read(json.loads(text) if is_json else hcl2.loads(text))
            calls = calls_in_json(text) if is_json else calls_in_hcl(text)
        except Exception as exc:  # noqa: BLE001 - python-hcl2 raises lark errors of several kinds
            syntax = "JSON" if is_json else "HCL"
            findings.append(GuardFinding(name, f"cannot be read as {syntax} ({type(exc).__name__}); "
                                               "terraform would not plan it either"))
            continue
        findings += _check_calls(name, calls, files)
        declared.update(doc.required)
        for provider, body in doc.providers:
            used_local_names.setdefault(provider, name)
            findings += _host_paths(name, text, f'provider "{provider}"', body, ("provider", provider))
        for kind, type_name, body in doc.resources:
            if not type_name.startswith(_BUILTIN_PREFIX):
                used_local_names.setdefault(type_name.split("_", 1)[0], name)
            if kind == "data" and type_name == "external":
                findings.append(GuardFinding(name, 'data "external" runs a program during plan; it is not allowed',
                                             _line_of(text, "external")))
            if kind == "data" and type_name == "terraform_remote_state":
                findings += _host_paths(name, text, 'data "terraform_remote_state"', body, ("terraform_remote_state",))
        for backend, body in doc.backends:
            if backend != "cloud" and backend not in ALLOWED_BACKENDS:
                findings.append(GuardFinding(name, f'backend "{backend}" is not allowed in a pull request (allowed: '
                                                   f'{", ".join(sorted(ALLOWED_BACKENDS))})', _line_of(text, "backend", backend)))
            findings += _host_paths(name, text, f'backend "{backend}"', body, ("backend", backend))
        for module, source in doc.modules:
            if not _LOCAL_MODULE.match(source):
                findings.append(GuardFinding(name, f'module "{module}" comes from {source!r}; only modules inside '
                                                   "the project (./path) are allowed", _line_of(text, "module", module)))
    for local_name, source in sorted(declared.items()):
        if source not in allowed_set:
            findings.append(GuardFinding("required_providers", f"provider {local_name!r} from {source} is not on the allowlist"))
    for local_name, where in sorted(used_local_names.items()):
        source = declared.get(local_name, normalize_source(local_name))
        if local_name not in declared and source not in allowed_set:
            findings.append(GuardFinding(where, f"provider {local_name!r} (implied {source}) is not on the allowlist"))
    return findings


def _check_calls(name: str, calls: list[Call], files: Mapping[str, str], depth: int = 0,
                 module_dir: str | None = None) -> list[GuardFinding]:
    findings: list[GuardFinding] = []
    base = module_dir_of(name) if module_dir is None else module_dir
    for call in calls:
        if call.name not in FILE_FUNCTIONS or not call.args:
            continue
        checked = project_path(call.args[0], base)
        if checked.problem:
            findings.append(GuardFinding(name, f"{call.name}({call.args[0]}) may only read files inside the project: "
                                               f"{checked.problem}", call.line))
            continue
        if call.name == "fileset" and len(call.args) > 1 and (problem := pattern_problem(call.args[1])):
            findings.append(GuardFinding(name, f"fileset(…, {call.args[1]}) may only list files inside the project: "
                                               f"{problem}", call.line))
        if call.name == "templatefile" and checked.relative is not None and checked.relative in files:
            template = checked.relative
            if depth >= _TEMPLATE_DEPTH:
                findings.append(GuardFinding(template, "templates nest too deeply to be checked", None))
                continue
            # A template may call file functions itself; its relative paths are the working directory's.
            findings += _check_calls(template, calls_in_template(files[template]), files, depth + 1, module_dir="")
    return findings


def _host_paths(name: str, text: str, what: str, body: Mapping, words: tuple[str, ...]) -> list[GuardFinding]:
    return [
        GuardFinding(name, f"{what} is given the path {value!r}, outside the project; "
                           "paths on the controller's host are not allowed in a pull request", _line_of(text, *words))
        for value in _leaves(body) if looks_like_host_path(value)
    ]


def _check_lock(name: str, text: str, allowed: set[str]) -> list[GuardFinding]:
    try:
        doc = hcl2.loads(text)
    except Exception:  # noqa: BLE001
        return [GuardFinding(name, "cannot be read as HCL")]
    return [
        GuardFinding(name, f"locks provider {address}, which is not on the allowlist")
        for address, _ in _items(doc.get("provider", []))
        if normalize_source(address) not in allowed
    ]


def render_refusal(project: str, findings: Iterable[GuardFinding]) -> str:
    lines = "\n".join(f"- {finding}" for finding in findings)
    return (
        f"The plan of `{project}` was not started: terraform would run code or read files from this pull request "
        f"that the controller does not allow.\n\n{lines}\n\nProviders allowed: "
        + ", ".join(sorted(s.removeprefix(f"{DEFAULT_REGISTRY}/") for s in DEFAULT_ALLOWED_PROVIDERS))
    )
