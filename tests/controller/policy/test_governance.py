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


PENDING = """\
version: 1
projects:
  shop: {target: local, region: local-1}
members:
  bob: {role: user}
  carol: {role: viewer}
grants:
  # bob covers the launch; the clock starts at the merge
  - member: bob
    project: shop
    role: admin
    duration: 8h   # from the merge
    reason: launch
  - {member: carol, project: shop, role: user, duration: "2d", reason: review}
  - {member: carol, project: shop, role: admin, expires_at: 2001-01-01T00:00:00Z}
"""


def test_a_pending_grant_grants_nothing_and_is_not_pruned_as_expired() -> None:
    from controller.repo_config import Role

    config = loads(PENDING)
    assert [g.pending for g in config.grants] == [True, True, False]
    assert config.role_of("bob", "shop", NOW) is Role.USER  # not admin: not started
    assert [g.member for g in expired_grants(config, NOW)] == ["carol"]  # only the one whose time is up
    assert "duration: 8h" in prune_grants(PENDING, NOW)


def test_starting_grants_replaces_exactly_their_duration_in_block_and_flow_style() -> None:
    from controller.policy.governance import activate_grants
    from controller.repo_config import Role

    merged = dt.datetime(2030, 1, 20, 9, 30, 15, tzinfo=dt.UTC)
    after = activate_grants(PENDING, {0: merged, 1: merged})
    changed = [(a, b) for a, b in zip(PENDING.splitlines(), after.splitlines()) if a != b]
    assert changed == [
        ("    duration: 8h   # from the merge", "    expires_at: 2030-01-20T17:30:15Z   # from the merge"),
        ('  - {member: carol, project: shop, role: user, duration: "2d", reason: review}',
         "  - {member: carol, project: shop, role: user, expires_at: 2030-01-22T09:30:15Z, reason: review}"),
    ]
    config = loads(after)
    assert config.role_of("bob", "shop", merged + dt.timedelta(hours=7)) is Role.ADMIN
    assert config.role_of("bob", "shop", merged + dt.timedelta(hours=8)) is Role.USER  # 8 h from the merge, not more


def test_only_a_pending_grant_can_be_started() -> None:
    from controller.policy.governance import activate_grants

    with pytest.raises(ConfigError, match="not pending"):
        activate_grants(PENDING, {2: NOW})


@pytest.mark.parametrize(("line", "problem"), [
    ("", "needs exactly one of expires_at (a time) or duration"),
    ("    duration: 8h\n    expires_at: 2030-01-01T00:00:00Z\n", "needs exactly one of expires_at (a time) or duration"),
    ("    duration: forever\n", "grants[0].duration: 'forever' is not a duration like 90m, 8h, 3d or 2w"),
    ("    duration: 91d\n", "grants[0].duration: '91d': a grant lasts between 1 minute and 90 days"),
])
def test_a_grant_has_either_an_expiry_or_a_duration_within_bounds(line: str, problem: str) -> None:
    import re

    with pytest.raises(ConfigError, match=re.escape(problem)):
        loads(PENDING.replace("    duration: 8h   # from the merge\n", line, 1))
