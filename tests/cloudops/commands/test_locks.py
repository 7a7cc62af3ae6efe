"""`cloudops locks` lists holders and ages; `--release` frees one; bad input changes nothing."""

from __future__ import annotations

import pytest

from cloudops.cli import main
from controller.settings import Settings
from controller.store import RunKind, open_store


@pytest.fixture
def locked() -> None:
    with open_store(Settings.from_env()) as store:
        run = store.create_run(repo="acme/infra", project="web", head_sha="a" * 40, kind=RunKind.PLAN, pr_number=7)
        assert store.try_lock("acme/infra", "web", pr_number=7, user="alice", run_id=run.id).acquired


def test_no_locks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locks"]) == 0
    assert "no project is locked" in capsys.readouterr().out


def test_listing_and_releasing(locked, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locks"]) == 0
    assert "acme/infra:web  held by #7 by alice  for " in capsys.readouterr().out
    assert main(["locks", "--release", "acme/infra:web"]) == 0
    assert "released acme/infra:web (held by #7)" in capsys.readouterr().out
    assert main(["locks", "--release", "acme/infra:web"]) == 1
    assert "was not locked" in capsys.readouterr().out


def test_a_malformed_release_is_refused_and_changes_nothing(locked, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locks", "--release", "web"]) == 2
    assert "REPO:PROJECT" in capsys.readouterr().err
    with open_store(Settings.from_env()) as store:
        assert store.get_lock("acme/infra", "web") is not None
