"""`cloudops chat` in a real terminal (tmux): deploy → approve (gateway double) → live apply progress."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.tmux import Tmux

ROOT = Path(__file__).resolve().parents[2]
WIRING = f"{Path(__file__).with_name('console_wiring.py')}:build"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="tmux is not installed (Debian package `tmux`); this test installs nothing")


def test_deploy_approve_and_watch_the_apply_in_a_terminal(tmp_path: Path) -> None:
    env = {"CLOUDOPS_TEST_REPO": str(tmp_path / "infra"), "CLOUDOPS_DATA_DIR": str(tmp_path / "data"),
           "CLOUDOPS_TEST_STEP": "0.6", "TERM": "xterm-256color", "PATH": os.environ["PATH"]}
    tmux = Tmux(f"{shlex.quote(sys.executable)} -m cloudops.cli chat --wiring {shlex.quote(WIRING)} "
                f"--user-id 111 --repo acme/infra", env)
    try:
        tmux.wait_for("Cloud ChatOps console")
        tmux.type("/cloud-deploy project:web")
        tmux.wait_for("[1] Add")
        tmux.type("add")
        tmux.wait_for("[1] Vm")
        tmux.type("1")
        for prompt, value in (("Name", "api"), ("Size", "small"), ("Disk", ""), ("Network", ""), ("Subnet", "")):
            tmux.wait_for(prompt)
            tmux.type(value)
        tmux.wait_for("vm · api")
        tmux.type("open pull request")
        tmux.wait_for("Plan ready.")
        tmux.type("approve")
        live = tmux.wait_for("Creating step")  # the live bar, drawn while the apply runs
        assert "%" in live
        final = tmux.wait_for("succeeded")
        assert "10.0.0.5" in final and "Applied" in final
        tmux.type("/quit")
    finally:
        tmux.close()


def test_pipeline_events_are_drawn_above_the_line_being_typed_and_prompts_list_allowed_values(tmp_path: Path) -> None:
    import time

    env = {"CLOUDOPS_TEST_REPO": str(tmp_path / "infra"), "CLOUDOPS_DATA_DIR": str(tmp_path / "data"),
           "CLOUDOPS_TEST_STEP": "1.5", "TERM": "xterm-256color", "PATH": os.environ["PATH"]}
    tmux = Tmux(f"{shlex.quote(sys.executable)} -m cloudops.cli chat --wiring {shlex.quote(WIRING)} "
                f"--user-id 111 --repo acme/infra", env)
    try:
        tmux.wait_for("Cloud ChatOps console")
        tmux.type("/cloud-deploy project:web")
        tmux.wait_for("[1] Add")
        tmux.type("add")
        tmux.wait_for("[1] Vm")
        tmux.type("1")
        tmux.wait_for("Name [lowercase letters, digits and -]:")  # hints are text, not markup
        tmux.type("api")
        assert "Size [small, medium, large, xlarge]:" in tmux.wait_for("Size")
        for value in ("small", "", "", ""):
            tmux.type(value)
        tmux.wait_for("vm · api")
        tmux.type("open pull request")
        tmux.wait_for("PR #1")
        time.sleep(0.3)  # the prompt is back after the lobby
        tmux.keys("/cloud-sta")
        screen = tmux.wait_for("Plan ready.")
        assert "/cloud-sta╭" not in screen and "> ╭" not in screen  # nothing printed after the prompt
        deadline = time.monotonic() + 5
        while tmux.last_line() != "> /cloud-sta":  # the prompt came back below, with what was typed
            assert time.monotonic() < deadline, tmux.screen()
            time.sleep(0.1)
        tmux.type("tus")  # the half-typed line is still the one being edited
        tmux.wait_for("Locks")
        tmux.type("/quit")
    finally:
        tmux.close()
