"""The data dir is private and owned by one controller at a time (issue 22, items 5 and 7)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from controller import data_dir
from controller.errors import ConfigError
from controller.store import open_store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_dir_is_created_0700_and_a_wider_one_is_tightened(tmp_path: Path) -> None:
    assert mode(data_dir.prepare(tmp_path / "new")) == 0o700
    wide = tmp_path / "wide"
    wide.mkdir(mode=0o755)
    wide.chmod(0o755)
    assert mode(data_dir.prepare(wide)) == 0o700


def test_the_runtime_store_and_its_wal_are_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)  # as a default shell has it
    try:
        with open_store(tmp_path / "cloudops.sqlite3") as store:
            store.record_delivery("d-1", event="push")
            files = [p for p in tmp_path.iterdir() if p.name.startswith("cloudops.sqlite3")]
            assert {p.name for p in files} >= {"cloudops.sqlite3", "cloudops.sqlite3-wal"}
            assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        os.umask(old)


def test_a_second_controller_on_the_same_data_dir_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    first = data_dir.DataDirLock.take(tmp_path)
    with pytest.raises(ConfigError) as refused:
        data_dir.DataDirLock.take(tmp_path)
    assert f"(pid {os.getpid()})" in str(refused.value) and "CLOUDOPS_DATA_DIR" in refused.value.hint
    first.release()
    data_dir.DataDirLock.take(tmp_path).release()  # free again once the first stopped


def test_a_lock_file_left_by_a_crash_does_not_block_a_restart(tmp_path: Path) -> None:
    (tmp_path / data_dir.LOCK_FILE).write_text("12345\n")  # nobody holds the flock
    with data_dir.DataDirLock.take(tmp_path):
        pass
