"""The dashboard in headless Chromium: sign in with the forge, watch an apply reach 100 %, unlock (or be refused).

Real pieces throughout: the local forge (its OAuth flow and REST API), git,
the controller with terraform, and Debian's chromium driven by Playwright.
Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from controller.pipeline import notices
from tests.support.browser import launch, shot

from .dashboard_stack import (ADMIN_TOKEN, REVIEWER_LOGIN, REVIEWER_TOKEN, VIEWER_LOGIN, VIEWER_TOKEN, make_stack,
                              vms)
from .harness import as_reviewer, register_hook, settle, start_forge

pytestmark = [pytest.mark.terraform, pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture
def forge(tmp_path: Path):
    with start_forge(tmp_path / "forge") as running:
        yield running


async def sign_in_with_forge(page: Page, base: str, login: str, token: str) -> None:
    await page.goto(f"{base}/runs")
    assert page.url.startswith(f"{base}/login")  # not signed in yet: sent to the sign-in page
    await page.click("#sign-in-forge")
    await page.fill("input[name=login]", login)  # the forge's own sign-in form
    await page.fill("input[name=password]", token)
    await page.click("button[value=authorize]")
    await page.wait_for_url(f"{base}/runs")
    assert (await page.inner_text("#signed-in-as")) == f"@{login}"


async def comment_as_reviewer(forge, repo: str, number: int, body: str) -> None:
    await asyncio.to_thread(lambda: as_reviewer(forge).get_repo(repo).get_issue(number).create_comment(body))
    await asyncio.to_thread(forge.run, forge.forge.drain_webhooks())


async def test_an_admin_signs_in_with_the_forge_and_watches_a_live_apply_reach_100_percent(forge, tmp_path: Path, request) -> None:
    stack = make_stack(forge, tmp_path)
    async with stack.controller(tmp_path / "controller") as app:
        register_hook(stack.bench, app.webhook_url)
        number = stack.bench.open_pr("three-vms", "Three VMs", vms("web", "base", "api", "worker", "cache"))
        await settle(forge, app)
        started: list[notices.ApplyStarted] = []
        app.bus.subscribe(notices.ApplyStarted, started.append)

        async with async_playwright() as pw:
            browser = await launch(pw)
            page = await (await browser.new_context(viewport={"width": 1280, "height": 860})).new_page()
            await sign_in_with_forge(page, stack.base, REVIEWER_LOGIN, REVIEWER_TOKEN)
            assert await page.locator("#runs tr.status-succeeded").count() >= 1  # the plan of the PR
            await shot(page, request.node.name, "1-runs")

            await comment_as_reviewer(forge, stack.bench.full_name, number, "cloudops apply -p web")
            for _ in range(600):
                if started:
                    break
                await asyncio.sleep(0.05)
            run_id = started[0].run_id
            await page.goto(f"{stack.base}/runs/{run_id}")
            first = int(await page.get_attribute("#progress", "value") or 0)
            lines_at_load = (await page.inner_text("#log")).count("\n")
            assert first < 100, "the apply should still be running when the page opens"
            # Under the page's strict CSP (no eval): locator assertions poll without injecting code.
            await expect(page.locator("#percent")).to_have_text("100 %", timeout=90_000)
            await expect(page.locator("#run-status")).to_have_text("succeeded", timeout=30_000)
            log = await page.inner_text("#log")
            assert log.count("\n") > lines_at_load  # the lines arrived over server-sent events, no reload
            assert "Apply succeeded" in log and "[5/5 done]" in log
            await shot(page, request.node.name, "2-apply-100")
            # The run page links to its pull request, and the PR comment links back to the run page.
            assert await page.get_attribute("#pr-link", "href") == f"{forge.web_url}/{stack.bench.full_name}/pull/{number}"
            await settle(forge, app)
            apply_comment = stack.bench.comments_with(number, "apply:web")[0]
            assert f"({stack.base}/runs/{run_id})" in apply_comment
            plan_comment = stack.bench.comments_with(number, "plan:web")[0]
            assert f"{stack.base}/runs/" in plan_comment

            await page.goto(f"{stack.base}/projects")
            cost = await page.inner_text("#projects tr[data-project=web] td.cost")
            assert cost.startswith("$") and cost != "$0.00"  # priced from the local VMs' price profile
            assert await page.locator("svg.chart path.cost").count() >= 1
            await shot(page, request.node.name, "3-projects-cost")

            # Once merged, the project's history (from git) shows the PR, its approver and the apply.
            await asyncio.to_thread(lambda: stack.bench.repo.get_pull(number).merge())
            await settle(forge, app)
            await page.goto(f"{stack.base}/projects/{stack.bench.full_name}/web")
            history = await page.inner_text("#history")
            assert f"#{number} Three VMs" in history and "succeeded by @rita" in history
            await shot(page, request.node.name, "4-project-history")
            await browser.close()


async def test_an_admin_unlocks_a_lock_and_a_viewer_is_refused(forge, tmp_path: Path, request) -> None:
    stack = make_stack(forge, tmp_path)
    async with stack.controller(tmp_path / "controller") as app:
        register_hook(stack.bench, app.webhook_url)
        number = stack.bench.open_pr("hold", "Hold the lock", vms("web", "base", "held"))
        await settle(forge, app)
        repo = stack.bench.full_name
        assert app.store.get_lock(repo, "web").pr_number == number

        async with async_playwright() as pw:
            browser = await launch(pw)
            viewer = await (await browser.new_context(viewport={"width": 1280, "height": 760})).new_page()
            await sign_in_with_forge(viewer, stack.base, VIEWER_LOGIN, VIEWER_TOKEN)
            await viewer.goto(f"{stack.base}/locks")
            button = viewer.locator("#locks tr[data-project=web] button")
            assert await button.is_disabled()
            assert "viewer" in (await button.get_attribute("title") or "")
            # The server refuses on its own, whatever the page allows: force the form through.
            await button.evaluate("b => b.disabled = false")
            await button.click()
            await viewer.wait_for_selector("#refusal")
            assert "@vera is a viewer of project `web`" in await viewer.inner_text("#refusal")
            await shot(viewer, request.node.name, "1-viewer-refused")
            assert app.store.get_lock(repo, "web").pr_number == number

            admin = await (await browser.new_context(viewport={"width": 1280, "height": 760})).new_page()
            await sign_in_with_forge(admin, stack.base, REVIEWER_LOGIN, REVIEWER_TOKEN)
            await admin.goto(f"{stack.base}/locks")
            await shot(admin, request.node.name, "2-admin-locks")
            admin.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
            await admin.click("#locks tr[data-project=web] button.danger")
            await admin.wait_for_selector("#unlocked")
            assert app.store.get_lock(repo, "web") is None
            audit = await admin.inner_text("#audit")
            assert f"@{REVIEWER_LOGIN} unlock {repo}:web" in audit and f"#{number}" in audit
            await shot(admin, request.node.name, "3-admin-unlocked")
            await browser.close()
        comment = stack.bench.comments_with(number, "dashboard-unlock:web")[0]
        assert "@rita released this pull request's lock on `web`" in comment


async def test_the_admin_token_signs_in_and_a_wrong_one_is_refused(forge, tmp_path: Path, request) -> None:
    stack = make_stack(forge, tmp_path)
    async with stack.controller(tmp_path / "controller") as app:
        async with async_playwright() as pw:
            browser = await launch(pw)
            page = await browser.new_page()
            await page.goto(f"{stack.base}/locks")
            await page.fill("#token", "not-the-admin-token-at-all")
            await page.click("#sign-in-token")
            assert "not the admin token" in await page.inner_text("#login-error")
            await page.fill("#token", ADMIN_TOKEN)
            await page.click("#sign-in-token")
            await page.wait_for_url(f"{stack.base}/locks")
            assert await page.inner_text("#signed-in-as") == "admin token"
            assert ADMIN_TOKEN not in await page.content()
            await shot(page, request.node.name, "admin-token")
            await browser.close()
        assert app.dashboard is not None
