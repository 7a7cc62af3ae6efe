"""Fixtures for the catalog tests: rendered example projects per target."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.catalog import examples, render
from controller.catalog.specs import Target

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
FIXTURES = HERE / "fixtures"
TARGETS = [t.value for t in Target]


def rendered_example(target: str) -> dict[str, str]:
    specs = examples.example_specs(target)
    return render.render_project("shop", target, specs[0].region, specs)


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest) -> str:
    return request.param
