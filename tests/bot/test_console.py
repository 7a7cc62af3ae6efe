"""The console driven by piping input: the same commands, choices by label or number, forms as prompts."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
WIRING = f"{Path(__file__).with_name('console_wiring.py')}:build"


def chat(tmp_path: Path, lines: list[str], user: str = "111") -> str:
    env = {**os.environ, "CLOUDOPS_TEST_REPO": str(tmp_path / "infra"), "CLOUDOPS_DATA_DIR": str(tmp_path / "data"),
           "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "cloudops.cli", "chat", "--wiring", WIRING, "--user-id", user,
                           "--repo", "acme/infra"], input="\n".join(lines) + "\n", capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


class Piped:
    """The console as a child process fed line by line through a pipe, its output collected as it comes."""

    def __init__(self, tmp_path: Path, user: str = "111") -> None:
        env = {**os.environ, "CLOUDOPS_TEST_REPO": str(tmp_path / "infra"), "CLOUDOPS_DATA_DIR": str(tmp_path / "data"),
               "COLUMNS": "200"}
        self.proc = subprocess.Popen([sys.executable, "-m", "cloudops.cli", "chat", "--wiring", WIRING, "--user-id", user,
                                      "--repo", "acme/infra"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
        self.out = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.out += line

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.out:
            assert time.monotonic() < deadline, f"{text!r} did not appear; output:\n{self.out[-3000:]}"
            time.sleep(0.05)

    def close(self) -> str:
        self.send("/quit")
        assert self.proc.wait(timeout=20) == 0, self.out
        return self.out


def test_piped_input_runs_commands_and_prints_replies(tmp_path: Path) -> None:
    out = chat(tmp_path, ["/cloud-projects", "/cloud-quota project:web", "/cloud-nope", "/quit"])
    assert "Projects of acme/infra" in out and "1 / 2" in out and "unknown command /cloud-nope" in out


def test_deploy_fills_a_form_by_prompts_and_opens_a_pr_then_plan_and_apply_arrive(tmp_path: Path) -> None:
    console = Piped(tmp_path)
    for line in ["/cloud-deploy project:web", "add", "vm", "api", "small", "", "", ""]:
        console.send(line)
    console.expect("vm · api")
    console.send("open pull request")
    console.expect("Plan ready.")
    console.send("approve")
    console.expect("succeeded")
    out = console.close()
    assert "Add a virtual machine" in out and "PR #1" in out and "+1 ~0 −0" in out
    assert "Creating step 1…" in out and "10.0.0.5" in out  # steps 0.2 s apart: the 2 s throttle lets the first through


def test_a_refusal_is_printed_and_the_console_goes_on(tmp_path: Path) -> None:
    out = chat(tmp_path, ["/cloud-deploy project:web", "/cloud-deploy project:nope", "/quit"], user="333")
    assert "needs the user role; you are viewer" in out and "Unknown project" in out


def test_a_disabled_choice_is_refused(tmp_path: Path) -> None:
    out = chat(tmp_path, ["/cloud-deploy project:web", "open pull request", "/quit"])
    assert "'Open pull request' is not available right now." in out


def test_out_of_range_numbers_are_refused_as_discord_would_and_viewer_can_be_granted(tmp_path: Path) -> None:
    out = chat(tmp_path, ["/cloud-set-budget project:web usd:1e12 reason:x",
                          "/cloud-set-quota project:web kind:vm limit:100000 reason:x",
                          "/cloud-grant member:bob project:data role:viewer duration:8h reason:on-call", "/quit"])
    assert "usd must be from 0 to 1,000,000, not '1e12'" in out
    assert "limit must be from 0 to 1,000, not '100000'" in out
    assert "PR #1: grant bob viewer on data for 8h from the merge" in out  # the only change that went through
