"""`cloudops chat --embedded` in a real terminal, over the real pipeline.

Deploy a VM in chat → the bot opens the PR → the controller plans it with
real terraform → approve in chat. The embedded world has one admin (alice), who
asked for the VM herself: with `allow_self_approval: false` her own approval is
refused (issue 13: the chat requester is the PR's author), naming why.
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
        refused = tmux.wait_for("Apply refused", timeout=90)
        assert "other than the author" in " ".join(refused.replace("│", " ").split())  # the panel wraps lines
        tmux.type("/quit")
    finally:
        tmux.close()
