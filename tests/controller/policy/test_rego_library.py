"""The built-in policies' own Rego unit tests, one pytest case per test rule."""

from __future__ import annotations

import pytest

from controller.policy import library, testing

OUTCOMES = testing.run_tests()


def test_every_builtin_policy_has_tests() -> None:
    lib = library.builtin_library()
    assert set(lib.policies) <= set(lib.tests), sorted(set(lib.policies) - set(lib.tests))


@pytest.mark.parametrize("outcome", OUTCOMES, ids=[o.id for o in OUTCOMES])
def test_rego_unit_test(outcome: testing.TestOutcome) -> None:
    assert outcome.passed, outcome.detail


def test_a_failing_rego_test_is_reported_as_failed(tmp_path) -> None:
    (tmp_path / "mine.rego").write_text("package team.mine\nimport rego.v1\ndeny := [1]\n")
    (tmp_path / "mine_test.rego").write_text(
        "package team.mine_test\nimport rego.v1\nimport data.team.mine\n"
        "test_holds if { count(mine.deny) == 1 }\ntest_broken if { count(mine.deny) == 2 }\n")
    outcomes = {o.name: o for o in testing.run_dir(tmp_path)}
    assert outcomes["test_holds"].passed
    assert not outcomes["test_broken"].passed
