"""A project's own budget alert thresholds (`budget_alerts`, set by /cloud-set-budget-alert) drive its alerts."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from controller.app import ControllerApp
from controller.pipeline import notices

from .harness import Workbench, as_reviewer, make_infra_repo, settle
from .test_policy_gate import vms

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

CONFIG = textwrap.dedent(
    """\
    version: 1
    projects:
      web:
        target: local
        region: local-1
        budget_monthly_usd: 10
        budget_alerts: [50, 300]   # not the default 80 % and 100 %
      db: {target: local, region: local-1}
    members:
      admin: {role: admin, github: cloudops-admin}
      rita: {role: admin, github: rita}
    """
)


@pytest.fixture
def bench(forge, tmp_path: Path) -> Workbench:
    return make_infra_repo(forge, tmp_path, files={"cloudops.yaml": CONFIG})


async def test_plans_and_applies_alert_at_the_projects_own_thresholds(forge, bench: Workbench,
                                                                       controller: ControllerApp) -> None:
    alerts: list[notices.BudgetAlert] = []
    controller.bus.subscribe(notices.BudgetAlert, alerts.append)
    number = bench.open_pr("vm", "A VM", vms("web", ("api", "medium")))  # ~$25 a month: past 50 %, short of 300 %
    await settle(forge, controller)
    assert [(a.threshold, a.projected) for a in alerts] == [(0.5, True)]
    assert "past 50% of its monthly budget" in bench.comments_with(number, "plan:web")[0]
    as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops apply -p web")
    await settle(forge, controller)
    assert [(a.threshold, a.projected) for a in alerts] == [(0.5, True), (0.5, False)]  # now it is a fact
