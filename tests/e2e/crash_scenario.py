"""Crash the real `cloudops serve` with SIGKILL mid-apply or mid-plan, restart it, check the truth.

Used by ``tests/e2e/test_crash_recovery.py`` and, 20 times in a row, by
``scripts/crash_recovery_loop.py``. Each scenario returns the problems it
found (empty = a clean recovery) instead of asserting, so the loop can count.

What "clean" means (issue 13):
- every resource is applied exactly once: each provisioner sends its name to
  a ledger outside the controller (a TCP listener in this process, as a cloud
  API would be: terraform's sandbox lets it reach the network but write only
  its run directory), and every name is there once at the end;
- the state on `cloudops-state` equals the run directory's state right
  after the recovery, and at the end holds every resource;
- no commit status is left pending (after recovery, and after the rest of the
  story: re-plan and apply what was left);
- the PR comment told the truth: the resources it lists as applied are
  exactly those in the saved state;
- no terraform process of the killed controller is left running.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from controller.forge.github import GitHubForge
from controller.settings import Settings
from controller.state import GitStateBackend
from controller.store import RunKind, RunStatus, open_store
from controller.terraform import orphans

from .harness import (BOT_LOGIN, BOT_TOKEN, WEBHOOK_SECRET, Workbench, as_reviewer, make_infra_repo, register_hook,
                      start_forge)

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise TimeoutError(f"{what}: not met within {timeout:g}s")


class Serve:
    """`cloudops serve` as a real process on the given data dir and port."""

    def __init__(self, forge, bench: Workbench, data_dir: Path, port: int, *, startup: float = 120.0,
                 env: dict[str, str] | None = None) -> None:
        full = {**os.environ, "GITHUB_TOKEN": BOT_TOKEN, "CLOUDOPS_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "CLOUDOPS_REPOS": bench.full_name, "GITHUB_API_URL": forge.api_url, "CLOUDOPS_BOT_LOGIN": BOT_LOGIN,
                "CLOUDOPS_DATA_DIR": str(data_dir), "CLOUDOPS_PORT": str(port), **(env or {})}
        full.pop("DISCORD_TOKEN", None)
        self.log = data_dir.parent / f"serve-{time.monotonic_ns()}.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "cloudops.cli", "serve"], env=full, stdout=out,
                                         stderr=subprocess.STDOUT, text=True, cwd=REPO_ROOT)
        line = wait_until(lambda: next((l for l in self.output().splitlines() if "listening" in l), None)
                          or (self.proc.poll() is not None and self.fail()), timeout=startup, what="serve listening")
        self.url = line.split("listening: ", 1)[1].strip()

    def output(self) -> str:
        return self.log.read_text()

    def fail(self):
        raise AssertionError(f"cloudops serve exited {self.proc.returncode}:\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.problems

    def check(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)


VERSIONS = 'terraform {\n  required_providers {\n    null = { source = "hashicorp/null", version = "2.1.2" }\n  }\n}\n'


class Ledger(socketserver.ThreadingTCPServer):
    """Names sent by provisioners, one connection each, in arrival order; kept in memory and in ``path``."""

    daemon_threads = True

    def __init__(self, path: Path) -> None:
        self.path, self.names, self.guard = path, [], threading.Lock()
        super().__init__(("127.0.0.1", 0), _LedgerEntry)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, name="crash-ledger", daemon=True).start()

    def record(self, names: list[str]) -> None:
        with self.guard:
            self.names.extend(names)
            with self.path.open("a") as out:
                out.writelines(f"{name}\n" for name in names)

    def lines(self) -> list[str]:
        with self.guard:
            return list(self.names)

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _LedgerEntry(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.server.record(self.rfile.read(4096).decode("ascii", "replace").split())  # type: ignore[attr-defined]


def ledgered_resources(count: int, sleep: float, ledger: Ledger) -> str:
    """Resources whose provisioner sleeps, then sends its name to ``ledger`` (once per creation)."""
    send = f"/bin/bash -c 'echo r{{i:02d}} > /dev/tcp/127.0.0.1/{ledger.port}'"
    return "".join(
        f'resource "null_resource" "r{i:02d}" {{\n  triggers = {{ name = "r{i:02d}" }}\n'
        f'  provisioner "local-exec" {{\n    command = "sleep {sleep:g}; {send.format(i=i)}"\n  }}\n}}\n\n'
        for i in range(count)
    )


def ledger_lines(ledger: Ledger) -> list[str]:
    return ledger.lines()


def saved_state(forge, data_dir: Path, full_name: str, project: str) -> dict | None:
    """The state on `cloudops-state`, decrypted with the controller's own key."""
    settings = Settings(data_dir=data_dir)
    backend = GitStateBackend(GitHubForge(BOT_TOKEN, api_url=forge.api_url), settings)
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "state.json"
        had = asyncio.run(backend.restore(full_name, project, target))
        return json.loads(target.read_text()) if had else None


def addresses(state: dict | None, *, tainted: bool | None = False) -> list[str]:
    """Instance addresses in a state: healthy ones (default), tainted ones (True) or all (None)."""
    found = []
    for resource in (state or {}).get("resources", []):
        for instance in resource.get("instances", []):
            if tainted is not None and (instance.get("status") == "tainted") != tainted:
                continue
            index = instance.get("index_key")
            suffix = "" if index is None else (f'["{index}"]' if isinstance(index, str) else f"[{index}]")
            found.append(f"{resource['type']}.{resource['name']}{suffix}")
    return sorted(found)


def pending_statuses(bench: Workbench, sha: str) -> dict[str, str]:
    return {ctx: desc for ctx, (state, desc) in bench.statuses(sha).items() if state == "pending"}


def latest_comment(bench: Workbench, number: int, key: str) -> str:
    found = bench.comments_with(number, key)
    return found[-1] if found else ""


def _runs(data_dir: Path, full_name: str, number: int):
    with open_store(data_dir / "cloudops.sqlite3") as store:
        return store.list_runs(repo=full_name, pr_number=number, limit=500)


def _apply_and_wait(bench: Workbench, forge, number: int, project: str, data_dir: Path, timeout: float = 180.0):
    before = {r.id for r in _runs(data_dir, bench.full_name, number) if r.kind is RunKind.APPLY}
    as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment(f"cloudops apply -p {project}")
    return wait_until(lambda: next((r for r in _runs(data_dir, bench.full_name, number)
                                    if r.kind is RunKind.APPLY and r.id not in before and not r.in_flight), None),
                      timeout=timeout, what="the apply to end")


def _plan_and_wait(bench: Workbench, forge, number: int, project: str, data_dir: Path, timeout: float = 180.0):
    before = {r.id for r in _runs(data_dir, bench.full_name, number) if r.kind is RunKind.PLAN}
    as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment(f"cloudops plan -p {project}")
    return wait_until(lambda: next((r for r in _runs(data_dir, bench.full_name, number)
                                    if r.kind is RunKind.PLAN and r.id not in before and not r.in_flight), None),
                      timeout=timeout, what="the re-plan to end")


def _settled_statuses(bench: Workbench, sha: str, wait: float = 20.0) -> dict[str, str]:
    """Pending statuses that stay pending (a status set a moment later is not "left pending")."""
    try:
        wait_until(lambda: not pending_statuses(bench, sha), timeout=wait, what="statuses to settle")
    except TimeoutError:
        pass
    return pending_statuses(bench, sha)


def _no_pending_at_the_end(out: Outcome, bench: Workbench, head: str) -> None:
    left = _settled_statuses(bench, head)
    out.check(not left, f"statuses pending at the end: {left}")


def _stop(*serves: Serve | None) -> None:
    for serve in serves:
        if serve is not None:
            serve.stop()


def crash_mid_apply(workdir: Path, *, resources: int = 12, sleep: float = 2.0, kill_after: int = 2,
                    recovery_wait: float = 60.0) -> Outcome:
    """SIGKILL serve once ``kill_after`` resources are applied; restart; finish the story."""
    out = Outcome()
    workdir.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(workdir / "ledger.txt")
    env = {"CLOUDOPS_RECOVERY_WAIT": str(recovery_wait), "CLOUDOPS_INTERRUPT_GRACE": "5"}
    with start_forge(workdir / "forge") as forge:
        bench = make_infra_repo(forge, workdir)
        data_dir, port = workdir / "ctl", free_port()
        serve = Serve(forge, bench, data_dir, port, env=env)
        restarted = None
        try:
            register_hook(bench, serve.url)
            number = bench.open_pr("crash", "Crash mid-apply", {
                "projects/web/versions.tf": VERSIONS,
                "projects/web/main.tf": ledgered_resources(resources, sleep, ledger)})
            wait_until(lambda: f"{resources} to add" in latest_comment(bench, number, "plan:web"), timeout=120,
                       what="the plan comment")
            as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops apply -p web")
            wait_until(lambda: len(ledger_lines(ledger)) >= kill_after, timeout=120, what="the apply to get going")
            serve.proc.kill()  # SIGKILL: no cleanup runs
            serve.proc.wait(10)
            out.facts["applied_before_kill"] = len(ledger_lines(ledger))

            restarted = Serve(forge, bench, data_dir, port, env=env, startup=recovery_wait + 120)
            runs = _runs(data_dir, bench.full_name, number)
            apply = next(r for r in runs if r.kind is RunKind.APPLY)
            out.check(not any(r.in_flight for r in runs), f"runs still in flight after the restart: {[r.id for r in runs if r.in_flight]}")
            out.check(apply.status in (RunStatus.SUCCEEDED, RunStatus.INTERRUPTED), f"apply recorded as {apply.status}")
            out.facts["recovered_as"] = apply.status.value
            run_dir = Path(apply.run_dir or "")
            out.check(not orphans.processes_in(run_dir), "a terraform process of the killed controller is still running")
            local = json.loads((run_dir / "terraform.tfstate").read_text()) if (run_dir / "terraform.tfstate").exists() else None
            saved = saved_state(forge, data_dir, bench.full_name, "web")
            out.check(saved is not None and local is not None and saved.get("serial") == local.get("serial")
                      and addresses(saved, tainted=None) == addresses(local, tainted=None),
                      f"state on cloudops-state ({addresses(saved, tainted=None)}) differs from the run dir's "
                      f"({addresses(local, tainted=None)})")
            live, tainted = addresses(saved), addresses(saved, tainted=True)
            out.facts["tainted_after_recovery"] = len(tainted)
            out.facts["applied_after_recovery"] = len(live)
            comment = latest_comment(bench, number, "apply:web")
            out.check("restart" in comment, "the apply comment does not mention the restart")
            applied_part = comment.split("**Not applied")[0].split("**Failed")[0]
            listed = sorted(line.split("`")[1] for line in applied_part.splitlines() if line.startswith("- `"))
            out.check(listed == live, f"the comment lists {listed} as applied, the state holds {live}")
            failed_part = comment.split("**Failed", 1)[1].split("\n\n", 2)[1] if "**Failed" in comment else ""
            failed = sorted(line.split("`")[1] for line in failed_part.splitlines() if line.startswith("- `"))
            out.check(set(tainted) <= set(failed), f"tainted in the state {tainted} but the comment names {failed} as failed")
            out.check(f"Applied: {len(live)} of {resources}" in comment, "the comment's count is not the state's")
            out.check(sorted(apply.summary.get("applied", [])) == live, "the run record's applied list is not the state's")
            head = bench.head_sha(number)
            left = _settled_statuses(bench, head)
            out.check(not left, f"statuses left pending after the recovery: {left}")

            if len(live) < resources:  # the rest of the story: plan what is left, apply it
                replan = _plan_and_wait(bench, forge, number, "web", data_dir)
                out.check(replan.status is RunStatus.SUCCEEDED and replan.summary.get("add") == resources - len(live),
                          f"the re-plan adds {replan.summary.get('add')} instead of {resources - len(live)}")
                final = _apply_and_wait(bench, forge, number, "web", data_dir)
                out.check(final.status is RunStatus.SUCCEEDED, f"the second apply ended {final.status}: {final.error}")
            ledger_names = ledger_lines(ledger)
            expected = [f"r{i:02d}" for i in range(resources)]
            # A provisioner stopped just after it reached the ledger leaves its resource tainted: terraform
            # replaces it (on a cloud: destroys, then creates), so that name may be there twice; no other.
            replaced = {a.removeprefix("null_resource.") for a in tainted}
            twice = sorted(n for n in set(ledger_names) if ledger_names.count(n) == 2 and n in replaced)
            out.facts["tainted_replaced_after_reaching_the_ledger"] = len(twice)
            out.check(sorted(set(ledger_names)) == expected and len(ledger_names) == resources + len(twice),
                      f"resources not applied exactly once: {sorted(ledger_names)}")
            final_state = saved_state(forge, data_dir, bench.full_name, "web")
            out.check(addresses(final_state) == [f"null_resource.{n}" for n in expected],
                      f"the saved state at the end holds {addresses(final_state)}")
            _no_pending_at_the_end(out, bench, head)
            failing = {c: s for c, s in bench.statuses(head).items() if s[0] != "success"}
            out.check(not failing, f"statuses not green at the end: {failing}")
        except (TimeoutError, AssertionError, StopIteration) as exc:
            out.problems.append(f"{type(exc).__name__}: {exc}")
        finally:
            _stop(serve, restarted)
            ledger.close()
    return out


def crash_mid_plan(workdir: Path, *, resources: int = 400) -> Outcome:
    """SIGKILL serve while terraform plans; restart: the plan is told interrupted and planned again."""
    out = Outcome()
    workdir.mkdir(parents=True, exist_ok=True)
    body = (f'resource "null_resource" "many" {{\n  count = {resources}\n  triggers = {{ i = count.index }}\n}}\n')
    with start_forge(workdir / "forge") as forge:
        bench = make_infra_repo(forge, workdir)
        data_dir, port = workdir / "ctl", free_port()
        serve = Serve(forge, bench, data_dir, port)
        restarted = None
        try:
            register_hook(bench, serve.url)
            number = bench.open_pr("crash-plan", "Crash mid-plan", {"projects/web/main.tf": body})

            def planning():
                runs = [r for r in _runs(data_dir, bench.full_name, number) if r.kind is RunKind.PLAN]
                return next((r for r in runs if r.in_flight and r.pid and orphans.alive(r.pid)), None)

            interrupted = wait_until(planning, timeout=120, what="terraform to be planning")
            serve.proc.kill()
            serve.proc.wait(10)
            restarted = Serve(forge, bench, data_dir, port)
            out.check(not orphans.processes_in(interrupted.run_dir or "/nonexistent"),
                      "the killed controller's terraform plan is still running")
            runs = _runs(data_dir, bench.full_name, number)
            first = next(r for r in runs if r.id == interrupted.id)
            out.check(first.status is RunStatus.INTERRUPTED, f"the interrupted plan is recorded as {first.status}")
            replanned = wait_until(lambda: next((r for r in _runs(data_dir, bench.full_name, number)
                                                 if r.kind is RunKind.PLAN and r.id != interrupted.id and not r.in_flight), None),
                                   timeout=180, what="the plan to run again")
            out.check(replanned.status is RunStatus.SUCCEEDED and replanned.summary.get("add") == resources,
                      f"the new plan ended {replanned.status} adding {replanned.summary.get('add')}")
            wait_until(lambda: f"{resources} to add" in latest_comment(bench, number, "plan:web"), timeout=60,
                       what="the new plan comment")
            head = bench.head_sha(number)

            def plan_states():
                return {c: s for c, s in bench.statuses(head).items() if c.startswith("cloudops/plan")}

            try:  # the run is recorded before its comment and statuses are sent: give those a moment
                wait_until(lambda: plan_states() and all(s[0] == "success" for s in plan_states().values()), timeout=30)
            except TimeoutError:
                pass
            out.check(all(s[0] == "success" for s in plan_states().values()), f"plan statuses after the restart: {plan_states()}")
            final = _apply_and_wait(bench, forge, number, "web", data_dir)
            out.check(final.status is RunStatus.SUCCEEDED, f"the apply ended {final.status}: {final.error}")
            live = addresses(saved_state(forge, data_dir, bench.full_name, "web"))
            out.check(len(live) == resources and len(set(live)) == len(live), f"the saved state holds {len(live)} resources")
            _no_pending_at_the_end(out, bench, head)
        except (TimeoutError, AssertionError, StopIteration) as exc:
            out.problems.append(f"{type(exc).__name__}: {exc}")
        finally:
            _stop(serve, restarted)
    return out
