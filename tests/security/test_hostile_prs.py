"""Hostile pull requests and comments against the real forge, controller and terraform.

Each attack of issues 21 and 22 that is ours (plan-time file reads, JSON
syntax, symlinks, backends, comment commands from outsiders, a push to a bot
branch) is made as a PR or a comment; each must be refused with a message
that names what was refused; then a sweep of every comment, status, commit,
store row, log line and file left behind must find none of the canaries
(the real state key and master key among them).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import github
import pytest

from controller.app import ControllerApp
from controller.pipeline import notices
from controller.store import RunKind, RunStatus
from controller.terraform.sandbox import detect
from tests.e2e.harness import (BOT_LOGIN, BOT_TOKEN, OUTSIDER_TOKEN, Workbench, as_outsider, as_reviewer, git,
                               null_resources, register_hook, settle, start_forge)

from .hostile import add_state_key, clone_as, commit_on, controller_config, make_arena_repo, plant, sweep

pytestmark = [pytest.mark.terraform, pytest.mark.slow, pytest.mark.timeout(400)]


def attacks(data_dir: Path, home: Path) -> dict[str, dict[str, str]]:
    """Project → files of one hostile PR; every one must be refused by the plan guard."""
    key, master, notes = data_dir / "state.key", data_dir / "master.key", data_dir / "secret-notes.txt"
    read = lambda expr: f'resource "null_resource" "leak" {{\n  triggers = {{ v = {expr} }}\n}}\n'  # noqa: E731
    return {
        # Issue 21.1 as reported, plus the absolute paths an attacker who knows the layout would use.
        "files": {"main.tf": read(f'"${{file("${{path.module}}/../../state.key")}}-${{file("/etc/hostname")}}'
                                  f'-${{file("{key}")}}-${{filebase64("{master}")}}"')},
        "tmpl": {"main.tf": read('templatefile("${path.module}/t.tftpl", {})'),
                 "t.tftpl": f'hello ${{file("{notes}")}}\n'},
        "links": {"main.tf": read('file("${path.module}/key.txt")'), "key.txt@": str(key),
                  "up@": "../../..", "d@": ".", "e@": "d/..", "mods/inner@": "../main.tf"},
        "json": {"sneaky.tf.json": json.dumps({
            "data": {"external": {"x": {"program": ["sh", "-c", f"cat {key}"]}}},
            "resource": {"null_resource": {"j": {"triggers": {"v": f'${{file("{master}")}}'}}}}})},
        "jsonprov": {"p.tf.json": json.dumps({"terraform": {"required_providers": {"evil": {"source": "evilcorp/evil"}}},
                                              "resource": {"evil_thing": {"x": {}}}})},
        "backend": {"backend.tf": f'terraform {{\n  backend "local" {{\n    path = "{data_dir}/stolen.tfstate"\n  }}\n}}\n'},
        "remote": {"main.tf": 'data "terraform_remote_state" "other" {\n  backend = "local"\n'
                              '  config = { path = "../../runs/any/terraform.tfstate" }\n}\n'},
        "computed": {"main.tf": f'variable "p" {{\n  default = "{notes}"\n}}\n' + read("file(var.p)")
                     + read('fileset(path.root, "../../**")').replace('"leak"', '"leak2"')},
        "home": {"main.tf": read('file("~/.aws/credentials")') + read(f'file("{home}/.aws/credentials")').replace('"leak"', '"l2"')},
        "envread": {"main.tf": read('file("/proc/self/environ")') + read('file("/proc/1/environ")').replace('"leak"', '"l2"')},
    }


def open_attack(bench: Workbench, project: str, files: dict[str, str]) -> int:
    """One PR per attack; a path ending in ``@`` is a symlink to the given target."""
    branch = f"attack-{project}"
    bench.push_branch(branch, f"Attack {project}", files={
        f"projects/{project}/{path}": text for path, text in files.items() if not path.endswith("@")})
    links = {path[:-1]: target for path, target in files.items() if path.endswith("@")}
    if links:
        for path, target in links.items():
            link = bench.clone / "projects" / project / path
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, link)
        git(bench.clone, "add", "-A")
        git(bench.clone, "commit", "-q", "-m", "Symlinks")
        git(bench.clone, "push", "-q", "origin", branch)
    return bench.repo.create_pull(title=f"Attack {project}", body="", head=branch, base="main").number


EXPECTED = {
    "files": ["main.tf:2: file(\"${path.module}/../../state.key\")", "'/etc/hostname' is an absolute path",
              "state.key' is an absolute path", "filebase64("],
    "tmpl": ["t.tftpl:1: file(", "is an absolute path"],
    "links": ["key.txt: is a symlink to", "up: is a symlink to '../../..'", "e: is a symlink to 'd/..'"],
    "json": ['sneaky.tf.json:1: data "external" runs a program', "sneaky.tf.json:1: file("],
    "jsonprov": ["registry.terraform.io/evilcorp/evil is not on the allowlist"],
    "backend": ['backend.tf:2: backend "local" is given the path'],
    "remote": ['data "terraform_remote_state" is given the path'],
    "computed": ["file(var.p) may only read files inside the project: the path is computed", "fileset(…, \"../../**\")"],
    "home": ["'~/.aws/credentials' names a home directory", "credentials' is an absolute path"],
    "envread": ["'/proc/self/environ' is an absolute path", "'/proc/1/environ' is an absolute path"],
}


@pytest.fixture
def arena(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path / "home"
    data_dir = tmp_path / "controller"
    env: dict[str, str] = {}
    canaries = plant(data_dir, home, env)
    monkeypatch.setenv("HOME", str(home))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CLOUDOPS_MASTER_KEY", raising=False)
    with start_forge(tmp_path / "forge") as forge:
        bench = make_arena_repo(forge, tmp_path)
        yield forge, bench, data_dir, home, canaries


async def test_plan_time_file_reads_and_foreign_code_are_refused_and_no_canary_leaks(
        arena, caplog: pytest.LogCaptureFixture) -> None:
    forge, bench, data_dir, home, canaries = arena
    caplog.set_level(logging.DEBUG)
    config = controller_config(forge, data_dir, bench.full_name)
    async with ControllerApp(config) as app:
        add_state_key(canaries, data_dir)
        register_hook(bench, app.webhook_url)
        numbers = {project: open_attack(bench, project, files) for project, files in attacks(data_dir, home).items()}
        await settle(forge, app)

        for project, number in numbers.items():
            body = bench.comments_with(number, f"plan:{project}")[0]
            assert f"The plan of `{project}` was not started" in body, (project, body)
            for expected in EXPECTED[project]:
                assert expected in body, (project, expected, body)
            assert bench.statuses(bench.head_sha(number))[f"cloudops/plan: {project}"][0] == "failure"
            runs = [r for r in app.store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.PLAN]
            assert [r.status for r in runs] == [RunStatus.FAILED]
        assert not (data_dir / "stolen.tfstate").exists()
        left = list(config.settings.runs_dir.glob("*")) if config.settings.runs_dir.exists() else []
        assert left == []  # a refused plan leaves no run directory
        leaks = sweep(canaries, bench, app, data_dir, _log_text(caplog))
    assert leaks == []
    assert len(canaries.values) == 5  # state key, master key, data dir file, HOME credentials, environment


async def test_approved_code_runs_in_a_sandbox_without_the_data_dir(arena, caplog: pytest.LogCaptureFixture) -> None:
    """Provisioners run at apply, after approval; even so, the keys are not in terraform's world."""
    forge, bench, data_dir, home, canaries = arena
    sandbox = detect("auto")
    if not sandbox.active:
        pytest.fail(f"terraform is not sandboxed here ({sandbox.reason}); run scripts/install.sh (it installs bubblewrap)")
    caplog.set_level(logging.DEBUG)
    config = controller_config(forge, data_dir, bench.full_name)
    async with ControllerApp(config) as app:
        add_state_key(canaries, data_dir)
        register_hook(bench, app.webhook_url)
        probe = (f"ls {data_dir} 2>&1; cat {data_dir}/state.key {data_dir}/master.key {home}/.aws/credentials 2>&1; "
                 "tr '\\\\0' ' ' < /proc/1/environ; echo; cat /proc/sys/kernel/hostname")
        hcl = (f'resource "null_resource" "probe" {{\n  provisioner "local-exec" {{\n'
               f'    command = "{probe}"\n  }}\n}}\n')
        seen: list[str] = []
        app.bus.subscribe(notices.ApplyProgress, lambda event: seen.append(event.rendered))
        number = bench.open_pr("probe", "Probe", {"projects/web/main.tf": null_resources("web_a") + hcl})
        await settle(forge, app)
        as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops apply -p web")
        await settle(forge, app)
        applied = bench.comments_with(number, "apply:web")[0]
        assert "### Applied project `web`" in applied, applied
        said = "\n".join(seen)  # the provisioner's output, line by line, as chat shows it
        # In terraform's world the data dir holds only the (read-only) provider mirror and CLI config.
        assert f"{data_dir}/state.key: No such file or directory" in said, said
        assert f"{data_dir}/master.key: No such file or directory" in said
        assert "(local-exec) provider-mirror" in said and "(local-exec) terraform.tfrc" in said
        assert "(local-exec) cloudops-run\n" in said + "\n"  # the sandbox's own hostname
        assert canaries.leaks_in(said) == []
        leaks = sweep(canaries, bench, app, data_dir, _log_text(caplog))
        # Nothing plaintext stays after the apply: its run directory is gone, the state is on the state branch.
        assert [p.name for p in config.settings.runs_dir.glob("*")] == []
    assert leaks == []


async def test_comment_commands_from_a_non_member_are_refused_with_a_reply(arena) -> None:
    forge, bench, data_dir, _home, _canaries = arena
    config = controller_config(forge, data_dir, bench.full_name)
    async with ControllerApp(config) as app:
        register_hook(bench, app.webhook_url)
        # `open` needs no approval: before issue 21.2, anyone's `cloudops apply` applied it.
        number = bench.open_pr("change", "Change", {"projects/open/main.tf": null_resources("open_a", "open_b")})
        await settle(forge, app)
        assert "Plan: 2 to add" in bench.comments_with(number, "plan:open")[0]
        issue = as_outsider(forge).get_repo(bench.full_name).get_issue(number)
        for command in ("cloudops apply -p open", "cloudops cancel", "cloudops plan", "cloudops unlock",
                        "cloudops approve_policies -p open"):
            issue.create_comment(command)
        await settle(forge, app)
        bodies = [c.body for c in bench.repo.get_issue(number).get_comments()]
        for verb in ("apply", "cancel", "plan", "unlock", "approve_policies"):
            assert any(f"@mallory: `cloudops {verb}` was not run: you are not a member" in b for b in bodies), verb
        runs = app.store.list_runs(repo=bench.full_name, pr_number=number)
        assert [r.kind for r in runs] == [RunKind.PLAN]  # no apply, no second plan
        assert app.store.get_lock(bench.full_name, "open").pr_number == number  # the lock stayed
        assert not any("Started by @mallory" in b or "by @mallory" in b.split("\n")[0] for b in bodies)

        viewer_token = "lf_e2e_viewer_token_0123456789"
        forge.add_user("vic", viewer_token)
        viewer = github.Github(base_url=forge.api_url, auth=github.Auth.Token(viewer_token),
                               seconds_between_requests=None, seconds_between_writes=None)
        viewer.get_repo(bench.full_name).get_issue(number).create_comment("cloudops apply -p open")
        await settle(forge, app)
        assert any("@vic: `cloudops apply -p open` was not run: it needs at least the user role on `open`, "
                   "and you have the viewer role" in c.body for c in bench.repo.get_issue(number).get_comments())
        assert [r.kind for r in app.store.list_runs(repo=bench.full_name, pr_number=number)] == [RunKind.PLAN]

        bench.repo.get_issue(number).create_comment("cloudops apply -p open")  # a member may, and it applies
        await settle(forge, app)
        assert "### Applied project `open`" in bench.comments_with(number, "apply:open")[0]

        issue.create_comment("cloudops help")  # help is for everyone
        await settle(forge, app)
        assert any("Usage: cloudops <command>" in c.body for c in bench.repo.get_issue(number).get_comments())


async def test_an_outsiders_push_to_a_bot_branch_holds_the_plan_until_a_member_vouches(arena, tmp_path: Path) -> None:
    forge, bench, data_dir, _home, _canaries = arena
    config = controller_config(forge, data_dir, bench.full_name)
    async with ControllerApp(config) as app:
        register_hook(bench, app.webhook_url)
        bot = clone_as(bench, BOT_TOKEN, BOT_LOGIN, tmp_path / "bot-clone")
        branch = "cloudops/rita/add-web-b"
        bot.push_branch(branch, "Add web_b", files={"projects/web/main.tf": null_resources("web_a", "web_b")})
        number = bot.repo.create_pull(title="Add web_b", body="", head=branch, base="main").number
        await settle(forge, app)
        assert "Plan: 2 to add" in bench.comments_with(number, "plan:web")[0]  # the bot's own PR plans on its own

        mallory = clone_as(bench, OUTSIDER_TOKEN, "mallory", tmp_path / "mallory-clone")
        pushed = commit_on(mallory, branch, {"projects/web/main.tf": null_resources("web_a", "web_b", "web_m")}, "mine")
        await settle(forge, app)
        held = bench.comments_with(number, "plan:web")[0]
        assert "was not planned automatically" in held and "pushed by @mallory" in held, held
        assert not [r for r in app.store.list_runs(repo=bench.full_name, pr_number=number) if r.head_sha == pushed]

        # The bot pushing on top does not launder the outsider's commit.
        on_top = commit_on(bot, branch, {"projects/web/extra.tf": null_resources("web_c")}, "bot again")
        await settle(forge, app)
        assert "pushed by @mallory" in bench.comments_with(number, "plan:web")[0]
        assert not [r for r in app.store.list_runs(repo=bench.full_name, pr_number=number) if r.head_sha == on_top]

        as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops plan -p web")
        await settle(forge, app)
        assert "Plan: 4 to add" in bench.comments_with(number, "plan:web")[0]
        runs = [r for r in app.store.list_runs(repo=bench.full_name, pr_number=number) if r.head_sha == on_top]
        assert [r.actor for r in runs] == ["rita"]


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)

