"""Signals to terraform's group: under bubblewrap a graceful one spares the sandbox's own processes."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from controller.terraform import processes
from controller.terraform.sandbox import detect

# Says when it got SIGINT, takes a moment to "save its state", then exits 3 (as terraform does, gracefully).
GRACEFUL = "trap 'echo interrupted > got; sleep 0.5; echo saved >> got; exit 3' INT; echo up > got; sleep 30 & wait"


def _start(argv: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(argv, cwd=cwd, start_new_session=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not (cwd / "got").exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the script did not start"
        time.sleep(0.02)
    return proc


@pytest.fixture
def bwrap():
    sandbox = detect("auto")
    if not sandbox.active:
        pytest.fail(f"bubblewrap does not work here ({sandbox.reason}); run scripts/install.sh")
    return sandbox


def test_sigint_to_a_sandboxed_group_reaches_the_program_and_the_sandbox_waits_for_it(bwrap, tmp_path: Path) -> None:
    proc = _start(bwrap.wrap(["/bin/sh", "-c", GRACEFUL], workdir=tmp_path), tmp_path)
    try:
        members = processes.group_members(proc.pid)
        monitors = processes.sandbox_monitors(proc.pid)
        assert proc.pid in monitors and len(monitors) == 2 and monitors < members.keys()
        assert processes.signal_group(proc.pid, signal.SIGINT)
        # bwrap lives until the program has finished its graceful stop, and hands on its exit status.
        assert proc.wait(10) == 3
        assert (tmp_path / "got").read_text().split() == ["interrupted", "saved"]
    finally:
        proc.kill()
        proc.wait()


def test_sigkill_takes_the_whole_sandboxed_group(bwrap, tmp_path: Path) -> None:
    proc = _start(bwrap.wrap(["/bin/sh", "-c", GRACEFUL], workdir=tmp_path), tmp_path)
    try:
        assert processes.signal_group(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 5
        while processes.group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not processes.group_alive(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def test_without_a_sandbox_the_leader_is_the_program_and_gets_the_signal(tmp_path: Path) -> None:
    proc = _start(["/bin/sh", "-c", GRACEFUL], tmp_path)
    try:
        assert processes.sandbox_monitors(proc.pid) == set()
        assert processes.signal_group(proc.pid, signal.SIGINT)
        assert proc.wait(10) == 3
        assert (tmp_path / "got").read_text().split() == ["interrupted", "saved"]
    finally:
        proc.kill()
        proc.wait()


def test_a_group_that_is_gone_is_neither_alive_nor_signalled(tmp_path: Path) -> None:
    proc = subprocess.Popen(["true"], cwd=tmp_path, start_new_session=True)
    proc.wait()
    assert not processes.group_alive(proc.pid) and not processes.alive(proc.pid)
    assert processes.signal_group(proc.pid, signal.SIGINT) is False
