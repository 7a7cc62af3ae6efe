"""State files under the data dir, sealed like the branch's."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.errors import StateError
from controller.settings import Settings
from controller.state import LocalStateBackend, StateKey

STATE = b'{"version": 4, "serial": 9, "outputs": {"pw": {"value": "local-canary"}}}'


@pytest.fixture
def backend(tmp_path: Path) -> LocalStateBackend:
    return LocalStateBackend(Settings(data_dir=tmp_path / "data"), key=StateKey.generate())


async def test_nothing_saved_restores_nothing(backend: LocalStateBackend, tmp_path: Path) -> None:
    assert await backend.restore("acme/infra", "web", tmp_path / "out") is False
    assert not (tmp_path / "out").exists()


async def test_a_save_is_encrypted_on_disk_and_restores_the_same_bytes(backend: LocalStateBackend, tmp_path: Path) -> None:
    (tmp_path / "s").write_bytes(STATE)
    await backend.save("acme/infra", "web", tmp_path / "s", message="state: web after apply of PR #3\n\nbody")
    stored = backend.path("acme/infra", "web")
    assert b"local-canary" not in stored.read_bytes()
    assert stored.with_name("saves.log").read_text().rstrip().endswith("\tstate: web after apply of PR #3")
    assert await backend.restore("acme/infra", "web", tmp_path / "out") is True
    assert (tmp_path / "out").read_bytes() == STATE


async def test_a_file_copied_to_another_project_is_refused(backend: LocalStateBackend, tmp_path: Path) -> None:
    (tmp_path / "s").write_bytes(STATE)
    await backend.save("acme/infra", "web", tmp_path / "s", message="m")
    moved = backend.path("acme/infra", "db")
    moved.parent.mkdir(parents=True)
    moved.write_bytes(backend.path("acme/infra", "web").read_bytes())
    with pytest.raises(StateError, match="copied from another"):
        await backend.restore("acme/infra", "db", tmp_path / "out")


def test_a_project_name_cannot_leave_the_state_dir(backend: LocalStateBackend) -> None:
    with pytest.raises(StateError, match="not a valid project name"):
        backend.path("acme/infra", "../../escape")


@pytest.mark.parametrize("backend_class", ["GitStateBackend", "LocalStateBackend"])
@pytest.mark.parametrize("method", ["restore", "save"])
def test_both_backends_match_the_planners_state_backend_protocol(backend_class: str, method: str) -> None:
    import inspect

    from controller import state
    from controller.pipeline.planner import StateBackend

    implemented = getattr(getattr(state, backend_class), method)
    assert inspect.iscoroutinefunction(implemented)
    assert inspect.signature(implemented) == inspect.signature(getattr(StateBackend, method))
