from __future__ import annotations

import datetime as dt

import pytest

from controller.errors import ConfigError
from controller.policy.governance import budget_crossings, expired_grants, prune_grants
from controller.repo_config import loads

from .conftest import CONFIG, NOW

BLOCK = """\
version: 1
projects:
  shop: {target: local, region: local-1}
members:
  bob: {role: user}
  carol: {role: viewer}
grants:   # time-limited roles
  # bob was on call
  - member: bob
    project: shop
    role: admin
    expires_at: 2030-01-01T00:00:00Z   # ended
  # carol helps with the launch
  - member: carol
    project: shop
    role: user
    expires_at: 2031-01-01T00:00:00Z
    reason: launch

policy_sets: {}
"""


def test_expired_grants_are_listed(config) -> None:
    assert [(g.member, g.role.value) for g in expired_grants(config, NOW)] == [("bob", "admin")]


def test_pruning_removes_only_the_expired_item_and_keeps_comments() -> None:
    pruned = prune_grants(BLOCK, NOW)
    assert "expires_at: 2030-01-01" not in pruned
    assert "grants:   # time-limited roles" in pruned and "# carol helps with the launch" in pruned
    assert "\n\npolicy_sets: {}" in pruned
    config = loads(pruned)
    assert [(g.member, g.reason) for g in config.grants] == [("carol", "launch")]


def test_pruning_everything_leaves_an_empty_list() -> None:
    pruned = prune_grants(BLOCK, dt.datetime(2032, 1, 1, tzinfo=dt.UTC))
    assert loads(pruned).grants == ()
    assert "grants: []" in pruned and "policy_sets: {}" in pruned


def test_nothing_expired_returns_the_same_text() -> None:
    early = dt.datetime(2029, 1, 1, tzinfo=dt.UTC)
    assert prune_grants(BLOCK, early) is BLOCK


def test_items_written_as_flow_mappings_are_pruned_by_line() -> None:
    pruned = prune_grants(CONFIG, NOW)
    assert [g.member for g in loads(pruned).grants] == ["carol"]
    assert pruned.replace("  - {member: bob, project: shop, role: admin, expires_at: 2030-05-31T00:00:00Z, reason: last week's on-call}\n", "") == pruned


def test_a_flow_style_grants_list_is_refused() -> None:
    text = BLOCK.split("grants:")[0] + "grants: [{member: bob, project: shop, role: admin, expires_at: 2030-01-01T00:00:00Z}]\n"
    with pytest.raises(ConfigError, match="block list"):
        prune_grants(text, NOW)


@pytest.mark.parametrize("before,after,expected", [
    (50, 70, []), (70, 85, [0.8]), (85, 90, []), (70, 120, [0.8, 1.0]), (90, 100, [1.0]), (120, 60, []),
])
def test_budget_crossings_alert_once_per_threshold(before, after, expected) -> None:
    assert budget_crossings(before, after, 100) == expected


def test_no_budget_no_alerts() -> None:
    assert budget_crossings(0, 1e9, None) == []
    assert budget_crossings(0, 10, 0) == []
