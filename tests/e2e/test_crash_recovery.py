"""`cloudops serve` killed with SIGKILL mid-apply and mid-plan, restarted: nothing applied twice,
the state branch holds what terraform wrote, no status left pending, the PR told the truth.

The scenarios live in ``crash_scenario`` so ``scripts/crash_recovery_loop.py`` can run them 20 times.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .crash_scenario import crash_mid_apply, crash_mid_plan

pytestmark = [pytest.mark.terraform, pytest.mark.slow, pytest.mark.timeout(600)]


def test_an_apply_that_outlives_the_killed_controller_finishes_and_is_recorded_once(tmp_path: Path) -> None:
    outcome = crash_mid_apply(tmp_path, resources=10, sleep=1.5, kill_after=2, recovery_wait=60)
    assert outcome.clean, "\n".join(outcome.problems)
    assert outcome.facts["recovered_as"] == "succeeded"  # terraform finished on its own after the kill


def test_an_apply_stopped_by_the_recovery_pass_is_saved_told_and_finished_by_a_new_plan(tmp_path: Path) -> None:
    # Terraform creates 10 at a time: the kill comes after the first 10, the last 2 sleep 20 s more,
    # so they are surely running when the restarted controller's recovery pass stops terraform.
    outcome = crash_mid_apply(tmp_path, resources=12, sleep=20, kill_after=1, recovery_wait=0.5)
    assert outcome.clean, "\n".join(outcome.problems)
    assert outcome.facts["recovered_as"] == "interrupted"
    assert 0 < outcome.facts["applied_after_recovery"] < 12


def test_a_plan_cut_off_by_a_crash_is_stopped_told_and_planned_again(tmp_path: Path) -> None:
    outcome = crash_mid_plan(tmp_path, resources=300)
    assert outcome.clean, "\n".join(outcome.problems)
