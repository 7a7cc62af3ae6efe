"""`cloudops chat --embedded` in a real terminal, over the real pipeline.

Deploy a VM in chat → the bot opens the PR → the controller plans it with
real terraform → approve in chat → the apply streams into the terminal → the
PR merges itself → history and status show it → a rollback PR opens.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.tmux import Tmux

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/install.sh installs it)"),
]


def test_deploy_plan_and_a_self_approval_refused_from_the_terminal(tmp_path: Path) -> None:
    env = {"CLOUDOPS_DATA_DIR": str(tmp_path / "data"), "TERM": "xterm-256color", "PATH": os.environ["PATH"]}
    tmux = Tmux(f"{shlex.quote(sys.executable)} -m controller.cli chat --embedded --data-dir {shlex.quote(str(tmp_path / 'world'))}", env)
    try:
        tmux.wait_for("Cloud ChatOps console as alice", timeout=60)
        tmux.type("/cloud-deploy project:example")
        tmux.wait_for("[1] Add")
        tmux.type("add")
        tmux.wait_for("[1] Vm")
        tmux.type("1")
        for prompt, value in (("Name", "api"), ("Size", "medium"), ("Disk", ""), ("Network", ""), ("Subnet", "")):
            tmux.wait_for(prompt)
            tmux.type(value)
        tmux.wait_for("vm · api")
        tmux.type("open pull request")
        planned = tmux.wait_for("Plan ready", timeout=90)
        assert "+4 ~0 −0" in planned
        tmux.type("approve")
        done = tmux.wait_for("succeeded", timeout=90)

        assert "Apply complete! Resources: 4 added, 0 changed, 0 destroyed." in done
        merged = tmux.wait_for("Applied and merged.", timeout=60)
        assert "/cloud-rollback project:example pr:1" in merged
        tmux.type("/cloud-history project:example")
        assert "merged by cloudops-bot" in tmux.wait_for("succeeded by alice")
        tmux.type("/cloud-status project:example")
        assert "succeeded" in tmux.wait_for("Recent runs")
        tmux.type("/cloud-rollback project:example pr:1")
        assert "reverts it" in tmux.wait_for("Rollback opened", timeout=60)
        tmux.type("/quit")
    finally:
        tmux.close()
