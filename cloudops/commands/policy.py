"""`cloudops policy check|test`: judge a plan document like `conftest test`, run Rego unit tests.

Exit status of `check`: 0 nothing denied, 1 something denied, 2 bad input
(not a plan document, an unusable context file, bad Rego).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from controller.errors import ConfigError
from controller.policy.outputs import FORMATS

# Judged from the plan alone, when no --context says who asks and for which project.
CONTEXT_FREE = ("providers", "required-labels", "security-network", "public-buckets", "security-encryption",
                "security-databases", "security-iam", "security-logging")

CONTEXT_KEYS = ("config", "project", "member", "github", "discord", "actor", "usage", "cost", "protected",
                "policies_dir", "policies", "enforcement")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="policy_command", metavar="SUBCOMMAND")
    sub.required = True
    check = sub.add_parser("check", help="evaluate a `terraform show -json` document against the policies")
    check.add_argument("plan_json", metavar="PLAN_JSON")
    check.add_argument("--context", metavar="FILE", help="YAML/JSON: project, actor, usage, cost (see policies/README.md)")
    check.add_argument("-p", "--policy", action="append", metavar="DIR", default=[],
                       help="a conftest policy directory (repeatable): its policies judge the plan document "
                            "itself, as `conftest test -p DIR` does, instead of the built-ins")
    check.add_argument("-n", "--namespace", action="append", metavar="NS", default=[],
                       help="with -p: namespaces to test (repeatable; default main)")
    check.add_argument("--all-namespaces", action="store_true", help="with -p: test every namespace")
    check.add_argument("-o", "--format", "--output", dest="format", default="text",
                       choices=("text", "json", "markdown", *FORMATS[1:]))
    check.epilog = ("Exit status: 0 nothing denied, 1 something denied, 2 bad input. "
                    "--format json is conftest's JSON with -p, the verdict's JSON without.")
    check.set_defaults(_policy=_check)
    test = sub.add_parser("test", help="run the *_test.rego files of a policies directory (default: the built-ins)")
    test.add_argument("directory", nargs="?", metavar="DIR")
    test.set_defaults(_policy=_test)


def run(args: argparse.Namespace) -> int:
    return int(args._policy(args))


def _read_context(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"reading context file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"reading context file {path}: not YAML or JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"reading context file {path}: expected a mapping with keys {', '.join(CONTEXT_KEYS)}")
    unknown = sorted(set(data) - set(CONTEXT_KEYS))
    if unknown:
        raise ConfigError(f"reading context file {path}: unknown keys {', '.join(unknown)}",
                          hint=f"known keys: {', '.join(CONTEXT_KEYS)}")
    return data


def _inline_project(raw: Any, path: Path) -> Any:
    from controller.repo_config import loads

    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: project must be a project name (with config:) or a mapping like cloudops.yaml's")
    name = str(raw.get("name", "default"))
    body = {k: v for k, v in raw.items() if k != "name"}
    text = yaml.safe_dump({"version": 1, "projects": {name: body}})
    return loads(text, source=str(path)).projects[name]


def _conftest(args: argparse.Namespace) -> int:
    from controller.policy import conftest, outputs
    from cloudops.commands._plan_file import load_plan

    load_plan(args.plan_json)  # a clear exit 2 for what is not a plan document
    text = Path(args.plan_json).read_text(encoding="utf-8")
    results = conftest.evaluate(conftest.load_dirs([Path(d) for d in args.policy]), text, args.plan_json,
                                namespaces=args.namespace or ["main"], all_namespaces=args.all_namespaces)
    if args.format in FORMATS:
        print(outputs.render(results, args.format))
    else:
        tests = 0
        for r in results:
            for m in r.warnings:
                print(f"WARN - {r.filename} - {r.namespace} - {m.msg}")
            for m in r.failures:
                print(f"FAIL - {r.filename} - {r.namespace} - {m.msg}")
            tests += r.successes + len(r.failures) + len(r.warnings)
        fails = sum(len(r.failures) for r in results)
        warns = sum(len(r.warnings) for r in results)
        print(f"\n{tests} tests, {sum(r.successes for r in results)} passed, {warns} warnings, {fails} failures")
    return 1 if outputs.failed(results) else 0


def _check(args: argparse.Namespace) -> int:
    if args.policy:
        if args.context:
            raise ConfigError("policy check: -p judges the plan document with conftest policies; "
                              "--context is for the built-ins", hint="use one or the other")
        return _conftest(args)
    if args.namespace or args.all_namespaces:
        raise ConfigError("policy check: --namespace and --all-namespaces go with -p DIR")
    from controller.policy import engine as engine_mod
    from controller.policy.inputs import build_input
    from controller.policy.library import load_library
    from cloudops.commands._plan_file import load_plan

    plan = load_plan(args.plan_json)
    ctx: dict[str, Any] = _read_context(Path(args.context)) if args.context else {}
    base = Path(args.context).parent if args.context else Path(".")
    library = load_library(base / ctx["policies_dir"] if ctx.get("policies_dir") else None)
    engine = engine_mod.PolicyEngine(library)
    if "config" in ctx:
        project, actor, selected, notes = _from_repo_config(args, ctx, base, library)
    else:
        project, actor, selected, notes = _from_inline_context(args, ctx, library)
    document = build_input(plan, project=project, actor=actor, usage=ctx.get("usage"), cost=ctx.get("cost"),
                           protected=ctx.get("protected") or (), needs=engine_mod.input_needs(selected, library))
    result = engine.evaluate(document, selected, project=project.name)
    if notes:
        from dataclasses import replace
        result = replace(result, notes=notes)
    _print_result(result, args)
    return 0 if result.passed else 1


class _Selection(NamedTuple):
    project: Any  # ProjectConfig (imported lazily: `cloudops --help` stays fast)
    actor: Any
    selected: list[Any]
    notes: tuple[str, ...]


def _from_repo_config(args: argparse.Namespace, ctx: dict[str, Any], base: Path, library: Any) -> _Selection:
    """Project, actor and policy selection as the repo's cloudops.yaml gives them."""
    from controller.policy import engine as engine_mod
    from controller.policy.inputs import actor_for
    from controller.repo_config import load

    config = load(base / str(ctx["config"]))
    name = str(ctx.get("project") or next(iter(config.projects)))
    if name not in config.projects:
        raise ConfigError(f"{args.context}: project {name!r} is not in {config.source}")
    actor = actor_for(config, name, member=ctx.get("member"), github=ctx.get("github"), discord=ctx.get("discord"))
    return _Selection(config.projects[name], actor, engine_mod.select(config, name, library), ())


def _from_inline_context(args: argparse.Namespace, ctx: dict[str, Any], library: Any) -> _Selection:
    """Project, actor and policy selection written in the --context file itself (or the defaults)."""
    from controller.policy import engine as engine_mod
    from controller.policy.inputs import Actor
    from controller.repo_config import Enforcement, ProjectConfig, Role
    from controller.catalog.specs import Target

    if ctx:
        project = _inline_project(ctx.get("project", {}), Path(args.context))
    else:
        project = ProjectConfig(name="default", target=Target.LOCAL, region="local-1")
    raw_actor = ctx.get("actor") or {}
    if not isinstance(raw_actor, dict):
        raise ConfigError(f"{args.context}: actor must be a mapping like {{id: bob, role: user}}")
    try:
        role = Role(raw_actor["role"]) if raw_actor.get("role") else None
        enforcement = Enforcement(ctx.get("enforcement", "hard"))
    except ValueError as exc:
        raise ConfigError(f"{args.context}: {exc}") from None
    actor = Actor(id=str(raw_actor.get("id", "unknown")), role=role, github=raw_actor.get("github"))
    names = ctx.get("policies") or (sorted(library.policies) if ctx else list(CONTEXT_FREE))
    selected = [engine_mod.Selected(library.get(str(n)), enforcement, "context") for n in names]
    notes = () if ctx else (f"no --context: evaluated only {', '.join(CONTEXT_FREE)}",)
    return _Selection(project, actor, selected, notes)


def _print_result(result: Any, args: argparse.Namespace) -> None:
    if args.format in FORMATS[1:]:
        from controller.policy import outputs
        print(outputs.render(outputs.from_result(result, args.plan_json), args.format))
    elif args.format == "json":
        print(result.to_json())
    elif args.format == "markdown":
        print(result.to_markdown())
    else:
        print(result.to_text())
        for note in result.notes:
            print(f"note: {note}")


def _test(args: argparse.Namespace) -> int:
    from controller.policy import testing

    outcomes = testing.run_dir(Path(args.directory)) if args.directory else testing.run_tests()
    for o in outcomes:
        if not o.passed:
            print(f"FAIL {o.id}: {o.detail}")
    failed = sum(not o.passed for o in outcomes)
    print(f"{len(outcomes) - failed} passed, {failed} failed")
    return 1 if failed or not outcomes else 0
