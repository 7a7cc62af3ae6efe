from __future__ import annotations

from pathlib import Path

import pytest

from controller.assembly import assemble

from .harness import Workbench, controller_config, make_infra_repo, register_hook, start_forge


@pytest.fixture
def forge(tmp_path: Path):
    with start_forge(tmp_path / "forge") as running:
        yield running


@pytest.fixture
def bench(forge, tmp_path: Path) -> Workbench:
    return make_infra_repo(forge, tmp_path)


@pytest.fixture
async def controller(forge, bench: Workbench, tmp_path: Path, shared_data_dir: Path):
    async with assemble(controller_config(forge, tmp_path / "controller", bench.full_name)) as assembled:
        register_hook(bench, assembled.app.webhook_url)
        yield assembled.app


@pytest.fixture
async def assembly(forge, bench: Workbench, tmp_path: Path):
    """The controller and the chat service, assembled as every entry point assembles them."""
    async with assemble(controller_config(forge, tmp_path / "controller", bench.full_name)) as assembled:
        register_hook(bench, assembled.app.webhook_url)
        yield assembled
