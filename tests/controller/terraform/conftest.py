"""Fixtures that run the real terraform binary with the bundled null provider.

The toolchain (and its provider mirror) is resolved once per session in the
shared data dir; each test writes its own small configuration.
CLOUDOPS_TERRAFORM selects another binary, as it does for the controller.
"""

from __future__ import annotations

import dataclasses
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from controller.settings import Settings
from controller.terraform.runner import TerraformRunner
from controller.terraform.toolchain import Toolchain, resolve_toolchain

NULL_PROVIDER = textwrap.dedent(
    """\
    terraform {
      required_providers {
        null = {
          source  = "hashicorp/null"
          version = "2.1.2"
        }
      }
    }
    """
)


@pytest.fixture(scope="session")
def tf_settings(shared_data_dir: Path) -> Settings:
    env = dict(os.environ, CLOUDOPS_DATA_DIR=str(shared_data_dir))
    # Short grace so stop tests escalate quickly; generous limits otherwise.
    return dataclasses.replace(Settings.from_env(env), interrupt_grace=2.0, plan_timeout=60.0, apply_timeout=60.0)


@pytest.fixture(scope="session")
def toolchain(tf_settings: Settings) -> Toolchain:
    return resolve_toolchain(tf_settings)


@pytest.fixture
def runner(toolchain: Toolchain, tf_settings: Settings) -> TerraformRunner:
    return TerraformRunner(toolchain, tf_settings)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], Path]:
    """Write ``main.tf`` (null provider pinned) with the given body into a fresh directory."""
    counter = iter(range(1000))

    def make(body: str, *, with_provider: bool = True) -> Path:
        workdir = tmp_path / f"project-{next(counter)}"
        workdir.mkdir()
        (workdir / "main.tf").write_text((NULL_PROVIDER if with_provider else "") + textwrap.dedent(body))
        return workdir

    return make
