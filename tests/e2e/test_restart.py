"""`cloudops serve` as a real process: it starts and stops on SIGTERM. Crashes mid-apply and
mid-plan are in ``test_crash_recovery``."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .crash_scenario import Serve, free_port
from .harness import Workbench

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


def test_serve_starts_and_stops_on_sigterm(forge, bench: Workbench, tmp_path: Path) -> None:
    serve = Serve(forge, bench, tmp_path / "ctl", free_port())
    serve.proc.send_signal(signal.SIGTERM)
    assert serve.proc.wait(30) == 0
    assert "stopping" in serve.output()
