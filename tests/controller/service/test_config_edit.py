"""cloudops.yaml edits keep the file as people wrote it: comments, layout, a one-line diff."""

from __future__ import annotations

import datetime as dt
import difflib

import pytest

from controller import repo_config
from controller.catalog.specs import Kind, Target
from cloudops.commands.init_repo import template_dir
from controller.repo_config import Role
from controller.service import config_edit

from .doubles import CONFIG as FLOW_STYLE_CONFIG

TEMPLATE = (template_dir() / "cloudops.yaml").read_text()


def changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_a_quota_change_is_a_one_line_diff_that_keeps_every_comment() -> None:
    after = config_edit.set_quota(TEMPLATE, "example", Kind.VM, 5)
    assert changed(TEMPLATE, after) == ["-      vm: 3", "+      vm: 5"]
    assert repo_config.loads(after).projects["example"].quotas[Kind.VM] == 5


def test_a_budget_change_keeps_the_comment_on_its_line() -> None:
    after = config_edit.set_budget(TEMPLATE, "example", 250)
    (minus, plus) = changed(TEMPLATE, after)
    assert minus.startswith("-    budget_monthly_usd: 100  # cost comments") and plus.startswith("+    budget_monthly_usd: 250  # cost comments")


def test_flow_style_quotas_stay_flow_style() -> None:
    after = config_edit.set_quota(FLOW_STYLE_CONFIG, "web", Kind.BUCKET, 7)
    assert changed(FLOW_STYLE_CONFIG, after) == ["-    quotas: {vm: 2, database: 1, network: 1, bucket: 5, cluster: 0}",
                                                 "+    quotas: {vm: 2, database: 1, network: 1, bucket: 7, cluster: 0}"]


def test_a_grant_is_appended_pending_its_clock_counted_from_the_merge() -> None:
    after = config_edit.grant(TEMPLATE, "carol", "example", Role.USER, dt.timedelta(hours=8), "incident\n42")
    assert changed(TEMPLATE, after) == ["+  - member: carol", "+    project: example", "+    role: user",
                                        "+    duration: 8h", "+    reason: incident 42"]
    grant = repo_config.loads(after).grants[-1]
    assert grant.member == "carol" and grant.pending and grant.duration == dt.timedelta(hours=8)
    assert not grant.active(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))  # nothing until the controller starts it
    assert "\n\npolicy_sets:" in after  # the blank line before the next section stays where it was


def test_revoking_removes_exactly_that_grant() -> None:
    after, removed = config_edit.revoke(TEMPLATE, "bob", "example")
    assert removed == 1 and all(line.startswith("-") for line in changed(TEMPLATE, after))
    assert repo_config.loads(after).grants == () or list(repo_config.loads(after).grants) == []


def test_a_new_project_goes_at_the_end_of_projects() -> None:
    after = config_edit.create_project(TEMPLATE, "payments", Target.LOCAL, "local-1", 75.5)
    assert changed(TEMPLATE, after) == ["+  payments:", "+    target: local", "+    region: local-1",
                                        "+    budget_monthly_usd: 75.5"]


@pytest.mark.parametrize("usd", [float("nan"), float("inf"), -1, 1e308, 1_000_000.01, "12abc"])
def test_a_budget_must_be_a_finite_bounded_amount(usd) -> None:
    with pytest.raises(ValueError, match="usd"):
        config_edit.set_budget(TEMPLATE, "example", usd)


@pytest.mark.parametrize("limit", [-1, 1001, 100000, True, 2.5])
def test_a_quota_must_be_a_bounded_whole_number(limit) -> None:
    with pytest.raises(ValueError, match="limit"):
        config_edit.set_quota(TEMPLATE, "example", Kind.VM, limit)


def test_cents_are_kept_and_whole_dollars_stay_whole() -> None:
    assert config_edit.check_budget(12.345) == 12.35 and config_edit.check_budget(40.0) == 40
    assert isinstance(config_edit.check_budget(40.0), int)


def test_an_edit_that_would_break_the_file_is_refused() -> None:
    with pytest.raises(ValueError, match="project 'nope'"):
        config_edit.set_quota(TEMPLATE, "nope", Kind.VM, 1)


def test_budget_alerts_are_one_new_line_after_the_budget_and_then_change_in_place() -> None:
    after = config_edit.set_budget_alerts(TEMPLATE, "example", [50, 100])
    assert changed(TEMPLATE, after) == ["+    budget_alerts: [50, 100]"]
    lines = after.splitlines()
    budget_line = next(i for i, line in enumerate(lines) if line.startswith("    budget_monthly_usd: 100  # cost comments"))
    assert lines[budget_line + 1] == "    budget_alerts: [50, 100]"  # beside the budget, its comment untouched
    again = config_edit.set_budget_alerts(after, "example", [90])
    assert changed(after, again) == ["-    budget_alerts: [50, 100]", "+    budget_alerts: [90]"]
    assert repo_config.loads(again).projects["example"].budget_alerts == (0.9,)


@pytest.mark.parametrize("text", ["", "0", "50,50", "1,2,3,4,5,6", "2000", "nan", "1e3", "-5", "50.5", "eighty"])
def test_budget_alert_percents_must_be_a_short_list_of_whole_bounded_percents(text: str) -> None:
    with pytest.raises(ValueError, match="percents"):
        config_edit.check_alerts(text)


def test_budget_alert_percents_are_read_forgivingly_and_sorted() -> None:
    assert config_edit.check_alerts(" 100%, 50 ;80") == [50, 80, 100]
    assert config_edit.check_alerts("1000") == [1000]
