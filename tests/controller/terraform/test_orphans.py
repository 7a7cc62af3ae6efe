"""Processes left in a run directory are found by their working directory and stopped by group."""

from __future__ import annotations

import subprocess
from pathlib import Path

from controller.terraform import orphans


async def test_a_process_working_in_the_run_dir_is_found_and_stopped(tmp_path: Path) -> None:
    run_dir = tmp_path / "runs" / "r1"
    (run_dir / "sub").mkdir(parents=True)
    other = tmp_path / "elsewhere"
    other.mkdir()
    # A "terraform" that ignores SIGINT (as a busy provisioner may), with a child in a subdirectory.
    leader = subprocess.Popen(["sh", "-c", "trap '' INT; (cd sub && exec sleep 60) & exec sleep 60"], cwd=run_dir,
                              start_new_session=True)
    unrelated = subprocess.Popen(["sleep", "60"], cwd=other, start_new_session=True)
    try:
        found = await _eventually(lambda: len(orphans.processes_in(run_dir)) == 2, lambda: orphans.processes_in(run_dir))
        assert leader.pid in found and unrelated.pid not in found
        sent = await orphans.stop(found, grace=0.5)
        assert sent[0] == "SIGINT" and not orphans.processes_in(run_dir)
        assert orphans.alive(unrelated.pid)
    finally:
        for proc in (leader, unrelated):
            proc.kill()
            proc.wait()


async def test_waiting_for_processes_that_end_on_their_own(tmp_path: Path) -> None:
    proc = subprocess.Popen(["sleep", "0.3"], cwd=tmp_path, start_new_session=True)
    try:
        assert await orphans.wait_gone([proc.pid], 0.05) is False or proc.poll() is not None
        proc.wait()
        assert await orphans.wait_gone([proc.pid], 5.0) is True
    finally:
        proc.kill()


async def _eventually(ok, value, timeout: float = 5.0):
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not ok() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return value()
