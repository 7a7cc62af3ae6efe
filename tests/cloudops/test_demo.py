"""`cloudops demo` runs the whole product to the end on the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudops.cli import main

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


def test_the_demo_goes_from_pr_to_rollback_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--data-dir", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    for expected in (
        "Plan: 5 to add, 0 to change, 0 to destroy.",
        "Apply complete! Resources: 5 added, 0 changed, 0 destroyed.",
        "Merged",
        "cloudops history example",
        "Plan: 0 to add, 0 to change, 2 to destroy.",
        "Apply complete! Resources: 0 added, 0 changed, 2 destroyed.",
        "2 encrypted state commits on `cloudops-state`",
        "demo finished",
    ):
        assert expected in out, expected


def test_the_demo_refuses_a_non_empty_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "something").write_text("x")
    assert main(["demo", "--data-dir", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err
