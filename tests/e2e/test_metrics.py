"""/metrics reports what an end-to-end flow did: runs by outcome, durations, webhooks, locks, cost."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from .dashboard_stack import make_stack, vms
from .harness import as_reviewer, register_hook, settle, start_forge

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


@pytest.fixture
def forge(tmp_path: Path):
    with start_forge(tmp_path / "forge") as running:
        yield running


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(found: dict, name: str, **labels: str) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


async def scrape(url: str, **headers: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        return response.status, await response.text()


async def test_metrics_report_the_runs_of_a_plan_a_refused_plan_and_an_apply(forge, tmp_path: Path) -> None:
    stack = make_stack(forge, tmp_path)
    async with stack.controller(tmp_path / "controller") as app:
        register_hook(stack.bench, app.webhook_url)
        repo = stack.bench.full_name
        first = stack.bench.open_pr("first", "First", vms("web", "base", "api"))
        await settle(forge, app)
        stack.bench.open_pr("second", "Second", vms("web", "base", "other"))  # web is locked by the first
        await settle(forge, app)
        as_reviewer(forge).get_repo(repo).get_issue(first).create_comment("cloudops apply -p web")
        await settle(forge, app)

        status, text = await scrape(f"{app.base_url}/metrics")
        assert status == 200
        found = samples(text)
        assert value(found, "cloudops_runs_finished_total", kind="plan", outcome="succeeded") == 1
        assert value(found, "cloudops_runs_finished_total", kind="plan", outcome="locked") == 1
        assert value(found, "cloudops_runs_finished_total", kind="apply", outcome="succeeded") == 1
        assert value(found, "cloudops_plan_duration_seconds_count", repo=repo, project="web") == 1
        assert value(found, "cloudops_apply_duration_seconds_count", repo=repo, project="web") == 1
        assert value(found, "cloudops_apply_duration_seconds_sum", repo=repo, project="web") > 0
        # Every delivery the forge made was timed: two PRs opened, the comment, the bot's own comments.
        assert value(found, "cloudops_webhook_response_seconds_count", event="pull_request", status="202") >= 2
        assert value(found, "cloudops_webhook_response_seconds_count", event="issue_comment", status="202") >= 1
        assert value(found, "cloudops_queue_depth") == 0
        assert value(found, "cloudops_lock_held_seconds", repo=repo, project="web", pr=str(first)) > 0
        applied = value(found, "cloudops_project_monthly_cost_usd", repo=repo, project="web")
        assert applied is not None and applied > 0  # the local VMs carry a price profile
        assert value(found, "cloudops_project_monthly_cost_usd", repo=repo, project="db") is None  # never priced: absent
        assert value(found, "cloudops_project_budget_monthly_usd", repo=repo, project="web") == 60
        assert value(found, "cloudops_project_budget_monthly_usd", repo=repo, project="db") is None  # no budget set


async def test_a_metrics_token_is_required_when_configured(forge, tmp_path: Path) -> None:
    stack = make_stack(forge, tmp_path)
    async with stack.controller(tmp_path / "controller", metrics_token="metrics-token-0123456789") as app:
        status, text = await scrape(f"{app.base_url}/metrics")
        assert status == 401 and "CLOUDOPS_METRICS_TOKEN" in text
        status, text = await scrape(f"{app.base_url}/metrics", Authorization="Bearer metrics-token-0123456789")
        assert status == 200 and "cloudops_queue_depth" in text
