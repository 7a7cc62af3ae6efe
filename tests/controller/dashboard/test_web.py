"""The dashboard over HTTP: who gets in, what every POST must carry, what a viewer may not do, what is never shown."""

from __future__ import annotations

import asyncio
import json

from controller.pipeline import notices
from controller.store import RunKind, RunStatus

from .conftest import ADMIN_TOKEN, REPO, SECRET, Site, csrf_of


def make_run(site: Site, project: str = "web", *, kind: RunKind = RunKind.PLAN, status: RunStatus | None = None,
             pr: int = 7, actor: str = "uma", summary: dict | None = None, error: str | None = None):
    run = site.store.create_run(repo=REPO, project=project, head_sha="a" * 40, kind=kind, pr_number=pr,
                                trigger="comment", actor=actor)
    if status is not None and status is not RunStatus.QUEUED:
        site.store.update_run_status(run.id, RunStatus.RUNNING)
        if status is not RunStatus.RUNNING:
            run = site.store.update_run_status(run.id, status, summary=summary, error=error)
    return site.store.get_run(run.id)


async def test_a_stranger_is_sent_to_sign_in_and_back(site: Site) -> None:
    async with site.client() as http, http.get(site.url("/runs?project=web"), allow_redirects=False) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/login?next=%2Fruns%3Fproject%3Dweb"


async def test_every_page_carries_a_strict_content_security_policy(site: Site) -> None:
    async with site.client() as http, http.get(site.url("/login")) as response:
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"


async def test_the_admin_token_signs_in_only_with_the_forms_csrf_token(site: Site) -> None:
    async with site.client() as http:
        async with http.post(site.url("/login/token"), data={"token": ADMIN_TOKEN}) as response:
            assert response.status == 403 and "CSRF" in await response.text()
        csrf = await csrf_of(http, site.url("/login"))
        async with http.post(site.url("/login/token"), data={"token": ADMIN_TOKEN, "csrf": csrf, "next": "/locks"},
                             allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == "/locks"
        async with http.get(site.url("/locks")) as response:
            page = await response.text()
            assert 'id="signed-in-as">admin token' in page and ADMIN_TOKEN not in page


async def test_a_wrong_admin_token_is_refused(site: Site) -> None:
    async with site.client() as http:
        csrf = await csrf_of(http, site.url("/login"))
        async with http.post(site.url("/login/token"), data={"token": "x" * 30, "csrf": csrf}) as response:
            assert response.status == 401 and "not the admin token" in await response.text()


async def test_sign_in_never_sends_the_browser_to_another_site(site: Site) -> None:
    async with site.client() as http:
        csrf = await csrf_of(http, site.url("/login"))
        async with http.post(site.url("/login/token"), allow_redirects=False,
                             data={"token": ADMIN_TOKEN, "csrf": csrf, "next": "//evil.example/"}) as response:
            assert response.headers["Location"] == "/runs"


async def test_a_post_from_another_origin_is_refused_even_with_the_token(site: Site) -> None:
    make_run(site, status=RunStatus.SUCCEEDED)
    site.store.try_lock(REPO, "web", pr_number=7, user="uma")
    async with site.client("ada") as http:
        csrf = await csrf_of(http, site.url("/locks"))
        async with http.post(site.url("/locks/unlock"), headers={"Origin": "http://evil.example"},
                             data={"csrf": csrf, "repo": REPO, "project": "web", "pr": "7"}) as response:
            assert response.status == 403 and "evil.example" in await response.text()
    assert site.store.get_lock(REPO, "web") is not None


async def test_a_viewer_is_refused_an_unlock_and_the_lock_stays(site: Site) -> None:
    site.store.try_lock(REPO, "web", pr_number=7, user="uma")
    async with site.client("vera") as http:
        csrf = await csrf_of(http, site.url("/locks"))
        async with http.post(site.url("/locks/unlock"), data={"csrf": csrf, "repo": REPO, "project": "web", "pr": "7"}) as response:
            text = await response.text()
            assert response.status == 403 and "@vera is a viewer of project `web`" in text
    assert site.store.get_lock(REPO, "web").pr_number == 7
    assert site.forge.comments == [] and site.dashboard.journal.audit_log() == []


async def test_an_admin_of_another_project_may_not_unlock_this_one(site: Site) -> None:
    site.store.try_lock(REPO, "web", pr_number=7, user="uma")
    site.store.try_lock(REPO, "db", pr_number=8, user="uma")
    async with site.client("pat") as http:
        csrf = await csrf_of(http, site.url("/locks"))
        async with http.post(site.url("/locks/unlock"), data={"csrf": csrf, "repo": REPO, "project": "web", "pr": "7"}) as response:
            assert response.status == 403 and "not a member" in await response.text()
        async with http.post(site.url("/locks/unlock"), data={"csrf": csrf, "repo": REPO, "project": "db", "pr": "8"}) as response:
            assert response.status == 200 and "Released the lock" in await response.text()
    assert site.store.get_lock(REPO, "web") is not None and site.store.get_lock(REPO, "db") is None


async def test_an_admins_unlock_is_recorded_and_told_to_the_pull_request(site: Site) -> None:
    site.store.try_lock(REPO, "web", pr_number=7, user="uma")
    async with site.client("ada") as http:
        csrf = await csrf_of(http, site.url("/locks"))
        async with http.post(site.url("/locks/unlock"), data={"csrf": csrf, "repo": REPO, "project": "web", "pr": "7"},
                             allow_redirects=False) as response:
            assert response.status == 303
    assert site.store.get_lock(REPO, "web") is None
    [(repo, number, key, body)] = site.forge.comments
    assert (repo, number, key) == (REPO, 7, "dashboard-unlock:web") and "@ada released" in body
    [entry] = site.dashboard.journal.audit_log()
    assert (entry.actor, entry.action, entry.project) == ("ada", "unlock", "web") and "#7" in entry.detail


async def test_an_unlock_of_a_lock_that_moved_on_changes_nothing(site: Site) -> None:
    site.store.try_lock(REPO, "web", pr_number=9, user="uma")  # the page showed #7's lock; #9 holds it now
    async with site.client("ada") as http:
        csrf = await csrf_of(http, site.url("/locks"))
        async with http.post(site.url("/locks/unlock"), data={"csrf": csrf, "repo": REPO, "project": "web", "pr": "7"}) as response:
            assert response.status == 409 and "now held by #9" in await response.text()
    assert site.store.get_lock(REPO, "web").pr_number == 9


async def test_runs_are_filtered_by_status_project_pr_user_and_outcome(site: Site) -> None:
    running = make_run(site, status=RunStatus.RUNNING, pr=1, actor="uma")
    failed = make_run(site, "db", status=RunStatus.FAILED, pr=2, actor="ada", error="boom")
    done = make_run(site, status=RunStatus.SUCCEEDED, pr=3, actor="ada", summary={"add": 1})
    queued = make_run(site, pr=4)
    cases = {"phase=running": {running.id}, "phase=queued": {queued.id}, "phase=done": {failed.id, done.id},
             "project=db": {failed.id}, "pr=3": {done.id}, "user=@ada": {failed.id, done.id},
             "outcome=failed": {failed.id}, "outcome=succeeded&project=web": {done.id}}
    async with site.client("vera") as http:
        for query, expected in cases.items():
            async with http.get(site.url(f"/runs?{query}")) as response:
                page = await response.text()
            shown = {run.id for run in (running, failed, done, queued) if f'data-run="{run.id}"' in page}
            assert shown == expected, query
        async with http.get(site.url("/runs?outcome=exploded")) as response:
            page = await response.text()
            assert "outcome &#39;exploded&#39; is not one of" in page and "data-run=" not in page


async def test_a_non_member_sees_no_runs_and_no_run_page(site: Site) -> None:
    run = make_run(site, status=RunStatus.SUCCEEDED)
    async with site.client("mallory") as http:
        async with http.get(site.url("/runs")) as response:
            page = await response.text()
            assert "not a member of any repository" in page and run.id not in page
        async with http.get(site.url(f"/runs/{run.id}")) as response:
            assert response.status == 404


async def test_no_secret_reaches_a_page_even_from_a_run_record(site: Site) -> None:
    run = make_run(site, kind=RunKind.APPLY, status=RunStatus.FAILED, error=f"provider said: token={SECRET}",
                   summary={"note": SECRET})
    site.dashboard.journal.append_log(run.id, percent=0, completed=0, total=1, line=f"echo {SECRET}")
    async with site.client("vera") as http, http.get(site.url(f"/runs/{run.id}")) as response:
        page = await response.text()
    assert SECRET not in page and "‹redacted›" in page


async def test_the_run_page_links_its_pull_request(site: Site) -> None:
    run = make_run(site, status=RunStatus.SUCCEEDED, summary={"add": 2, "change": 0, "destroy": 0,
                                                              "policy_checked": True, "policy_passed": False,
                                                              "policy_overridable": True})
    async with site.client("vera") as http, http.get(site.url(f"/runs/{run.id}")) as response:
        page = await response.text()
    assert f'href="http://forge.invalid/{REPO}/pull/7"' in page
    assert "denied" in page and "an admin may override" in page
    assert "Monthly cost: <b>unknown</b>" in page  # an unpriced plan is never "$0.00"


async def read_events(body, until: str = "done") -> list[tuple[str, dict, str | None]]:
    events, chunk = [], ""
    async for raw in body:
        chunk += raw.decode()
        while "\n\n" in chunk:
            block, chunk = chunk.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))
            if "event" in fields:
                events.append((fields["event"], json.loads(fields["data"]), fields.get("id")))
                if fields["event"] == until:
                    return events
    return events


async def test_the_live_log_streams_from_the_bus_to_100_percent_and_replays_after_a_reconnect(site: Site) -> None:
    run = make_run(site, kind=RunKind.APPLY, status=RunStatus.RUNNING)
    ids = {"repo": REPO, "project": "web", "pr_number": 7, "head_sha": run.head_sha, "run_id": run.id}
    async with site.client("vera") as http:
        async with http.get(site.url(f"/runs/{run.id}/events")) as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            reading = asyncio.ensure_future(read_events(response.content.iter_any()))
            await asyncio.sleep(0.2)
            await site.bus.publish(notices.ApplyStarted(**ids, actor="ada", total=2))
            for done, current in ((0, "Creating null_resource.a…"), (1, "Creating null_resource.b…"), (2, "")):
                await site.bus.publish(notices.ApplyProgress(**ids, completed=done, total=2, percent=done * 50,
                                                             current=current, rendered="", elapsed_seconds=1.0))
            site.store.update_run_status(run.id, RunStatus.SUCCEEDED)
            await site.bus.publish(notices.ApplyFinished(**ids, succeeded=True, summary="Apply complete!", rendered=""))
            events = await asyncio.wait_for(reading, 10)
        progress = [data for event, data, _ in events if event == "progress"]
        assert [p["percent"] for p in progress] == [0, 0, 50, 100, 100]
        assert progress[-1]["line"].startswith("Apply succeeded")
        assert events[-1][0] == "done" and events[-1][1]["status"] == "succeeded" and events[-1][1]["percent"] == 100
        # A browser that reconnects after event 3 gets the rest, once.
        async with http.get(site.url(f"/runs/{run.id}/events"), headers={"Last-Event-ID": "3"}) as response:
            again = await asyncio.wait_for(read_events(response.content.iter_any()), 10)
        assert [e[2] for e in again if e[0] == "progress"] == ["4", "5"]


async def test_the_oauth_callback_refuses_a_state_it_did_not_issue(site: Site) -> None:
    async with site.client() as http:
        async with http.get(site.url("/login/oauth"), allow_redirects=False) as response:
            location = response.headers["Location"]
            assert location.startswith("http://forge.invalid/login/oauth/authorize?client_id=Ov23litest")
        async with http.get(site.url("/login/oauth/callback?code=abc&state=forged")) as response:
            assert response.status == 400 and "state does not match" in await response.text()
        async with http.get(site.url("/login/oauth/callback?error=access_denied&error_description=denied+it")) as response:
            assert response.status == 401 and "denied it" in await response.text()


async def test_sign_out_needs_the_csrf_token(site: Site) -> None:
    async with site.client("ada") as http:
        async with http.post(site.url("/logout"), data={}) as response:
            assert response.status == 403
        csrf = await csrf_of(http, site.url("/runs"))
        async with http.post(site.url("/logout"), data={"csrf": csrf}, allow_redirects=False) as response:
            assert response.headers["Location"] == "/login"
        async with http.get(site.url("/runs"), allow_redirects=False) as response:
            assert response.status == 303


async def test_the_policy_page_shows_verdicts_and_who_overrode_a_soft_denial(site: Site) -> None:
    denied = make_run(site, status=RunStatus.SUCCEEDED, pr=5, summary={"policy_checked": True, "policy_passed": False,
                                                                       "policy_overridable": True})
    passed = make_run(site, "db", status=RunStatus.SUCCEEDED, pr=6, summary={"policy_checked": True, "policy_passed": True})
    site.forge.overrides[f"policy-override:web:{denied.id}"] = "### Policies of project `web` overridden by @ada\n"
    async with site.client("vera") as http, http.get(site.url("/policy")) as response:
        page = await response.text()
    assert "denied (soft: can be overridden)" in page and "overridden by @ada" in page
    assert f"/runs/{passed.id}" in page and "passed" in page


async def test_drift_is_listed_when_found_and_cleared_by_a_successful_apply(site: Site) -> None:
    await site.bus.publish(notices.DriftFound(repo=REPO, project="web", head_sha="b" * 40,
                                              summary="Plan: 0 to add, 1 to change, 0 to destroy.",
                                              resources=("null_resource.vm_web",)))
    async with site.client("vera") as http:
        async with http.get(site.url("/drift")) as response:
            page = await response.text()
        assert "1 to change" in page and "null_resource.vm_web" in page
        await site.bus.publish(notices.ApplyFinished(repo=REPO, project="web", pr_number=3, head_sha="c" * 40,
                                                     run_id="r", succeeded=True, summary="", rendered=""))
        async with http.get(site.url("/drift")) as response:
            assert "No drift found." in await response.text()


async def test_the_projects_page_shows_cost_against_budget_and_unknown_when_never_priced(site: Site) -> None:
    make_run(site, kind=RunKind.APPLY, status=RunStatus.SUCCEEDED, summary={"monthly_after": 30.0})
    async with site.client("vera") as http, http.get(site.url("/projects")) as response:
        page = await response.text()
    web_row = page.split('data-project="web"')[1].split("</tr>")[0]
    db_row = page.split('data-project="db"')[1].split("</tr>")[0]
    assert "$30.00" in web_row and "$40.00" in web_row and "75 %" in web_row
    assert "unknown" in db_row and "$0.00" not in db_row


async def test_an_admin_token_session_ends_when_the_token_changes(site: Site) -> None:
    from dataclasses import replace

    async with site.client() as http:
        csrf = await csrf_of(http, site.url("/login"))
        async with http.post(site.url("/login/token"), data={"token": ADMIN_TOKEN, "csrf": csrf}) as response:
            assert response.status == 200
        site.dashboard.config = replace(site.dashboard.config, admin_token="a-brand-new-admin-token-0000")
        async with http.get(site.url("/locks"), allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"].startswith("/login")
