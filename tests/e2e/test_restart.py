"""`cloudops serve` as a real process: it starts, stops on SIGTERM, and after a crash
mid-apply the next start tells the PR and keeps the lock."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from controller.store import RunKind, RunStatus, open_store

from .harness import (BOT_LOGIN, BOT_TOKEN, WEBHOOK_SECRET, Workbench, as_reviewer, null_resources, register_hook,
                      slow_resource)

pytestmark = [pytest.mark.terraform, pytest.mark.slow]
SLEEP = "sleep 47"  # a marker command, so the test can clean up what the crash orphaned


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Serve:
    def __init__(self, forge, bench: Workbench, data_dir: Path, port: int) -> None:
        env = {**os.environ, "GITHUB_TOKEN": BOT_TOKEN, "CLOUDOPS_WEBHOOK_SECRET": WEBHOOK_SECRET,
               "CLOUDOPS_REPOS": bench.full_name, "GITHUB_API_URL": forge.api_url, "CLOUDOPS_BOT_LOGIN": BOT_LOGIN,
               "CLOUDOPS_DATA_DIR": str(data_dir), "CLOUDOPS_PORT": str(port)}
        env.pop("DISCORD_TOKEN", None)
        self.log = data_dir.parent / f"serve-{time.monotonic_ns()}.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "cloudops.cli", "serve"], env=env, stdout=out,
                                         stderr=subprocess.STDOUT, text=True)
        line = wait_until(lambda: next((l for l in self.output().splitlines() if "listening" in l), None)
                          or (self.proc.poll() is not None and self.fail()), timeout=60)
        self.url = line.split("listening: ", 1)[1].strip()

    def output(self) -> str:
        return self.log.read_text()

    def fail(self):
        raise AssertionError(f"cloudops serve exited {self.proc.returncode}:\n{self.output()}")


def wait_until(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_serve_starts_and_stops_on_sigterm(forge, bench: Workbench, tmp_path: Path) -> None:
    serve = Serve(forge, bench, tmp_path / "ctl", free_port())
    serve.proc.send_signal(signal.SIGTERM)
    assert serve.proc.wait(30) == 0
    assert "stopping" in serve.output()


def test_a_crash_mid_apply_is_reported_after_restart_and_the_lock_kept(forge, bench: Workbench, tmp_path: Path) -> None:
    port, data_dir = free_port(), tmp_path / "ctl"
    serve = Serve(forge, bench, data_dir, port)
    try:
        register_hook(bench, serve.url)
        number = bench.open_pr("slow", "Slow", {"projects/web/main.tf": null_resources("web_a") + slow_resource("web_slow", SLEEP)})
        wait_until(lambda: bench.comments_with(number, "plan:web"))
        as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops apply -p web")
        wait_until(lambda: any("Applying project" in c for c in bench.comments_with(number, "apply:web")))
        time.sleep(1.5)  # terraform is inside the slow provisioner now
        serve.proc.kill()  # a crash: no cleanup runs
        serve.proc.wait(10)

        restarted = Serve(forge, bench, data_dir, port)
        try:
            body = wait_until(lambda: next((c for c in bench.comments_with(number, "apply:web") if "interrupted" in c), None))
            assert "lock is kept" in body
            assert bench.statuses(bench.head_sha(number))["cloudops/apply: web"][0] == "error"
        finally:
            restarted.proc.send_signal(signal.SIGTERM)
            restarted.proc.wait(30)
        with open_store(data_dir / "cloudops.sqlite3") as store:
            applies = [r for r in store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.APPLY]
            assert [r.status for r in applies] == [RunStatus.INTERRUPTED]
            assert store.get_lock(bench.full_name, "web").pr_number == number
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
        subprocess.run(["pkill", "-f", SLEEP], check=False)
