"""Deliveries are logged and redeliverable, failures are recorded, lists page
as GitHub's do, and `cloudops forge serve` runs the forge on its own."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import urllib.request
from urllib.parse import parse_qs
from pathlib import Path

import github

from sandbox.forge import payloads_issues
from sandbox.forge.background import BackgroundForge


def test_deliveries_are_logged_and_a_redelivery_sends_the_same_guid(forge: BackgroundForge, gh: github.Github,
                                                                     receiver) -> None:
    repo = gh.get_user().create_repo("hooks", auto_init=True)
    hook = repo.create_hook("web", {"url": receiver.url, "content_type": "json", "secret": "hook-secret"},
                            events=["push"])
    forge.drain_webhooks()
    deliveries = list(repo.get_hook_deliveries(hook.id))
    assert [(d.event, d.status_code, d.redelivery) for d in deliveries] == [("ping", 202, False)]
    full = repo.get_hook_delivery(hook.id, deliveries[0].id)
    assert full.request.headers["X-GitHub-Event"] == "ping"
    assert full.request.payload["hook_id"] == hook.id
    assert full.response.payload == "accepted"

    repo._requester.requestJsonAndCheck("POST", f"{repo.url}/hooks/{hook.id}/deliveries/{deliveries[0].id}/attempts")
    forge.drain_webhooks()
    assert [r.delivery for r in receiver.received] == [deliveries[0].guid] * 2
    assert [d.redelivery for d in repo.get_hook_deliveries(hook.id)] == [True, False]
    assert receiver.received[0].payload == receiver.received[1].payload
    assert repo.get_hook(hook.id).last_response.code == 202


def test_a_failing_receiver_is_recorded_not_raised(forge: BackgroundForge, gh: github.Github) -> None:
    repo = gh.get_user().create_repo("down", auto_init=True)
    hook = repo.create_hook("web", {"url": "http://127.0.0.1:9/nowhere", "content_type": "json"}, events=["*"])
    repo.create_file("a.txt", "add", "a")
    forge.drain_webhooks()
    deliveries = list(repo.get_hook_deliveries(hook.id))
    assert [d.event for d in deliveries] == ["push", "ping"]
    assert all(d.status_code == 0 and d.status.startswith("failed to connect") for d in deliveries)


def test_a_form_hook_gets_the_payload_field_signed_as_sent(forge: BackgroundForge, gh: github.Github,
                                                           receiver) -> None:
    forge.run(_swap_to_form_reader(receiver))
    repo = gh.get_user().create_repo("form", auto_init=True)
    repo.create_hook("web", {"url": receiver.url, "content_type": "form", "secret": "s"}, events=["push"])
    forge.drain_webhooks()
    (body, headers), = receiver.raw
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["X-Hub-Signature-256"] == "sha256=" + hmac.new(b"s", body, hashlib.sha256).hexdigest()
    assert headers["X-Hub-Signature"] == "sha1=" + hmac.new(b"s", body, hashlib.sha1).hexdigest()
    assert json.loads(parse_qs(body.decode())["payload"][0])["zen"]
    forge.run(receiver.form_runner.cleanup())


async def _swap_to_form_reader(receiver) -> None:
    """Make the receiver keep raw bodies (form bodies are not JSON)."""
    from aiohttp import web

    receiver.raw = []

    async def handle(request: web.Request) -> web.Response:
        receiver.raw.append((await request.read(), dict(request.headers)))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/form", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/form"
    receiver.form_runner = runner


def test_lists_page_with_a_link_header_that_pygithub_follows(gh: github.Github, forge: BackgroundForge) -> None:
    repo = gh.get_user().create_repo("many", auto_init=True)
    sha = repo.get_branch("main").commit.sha
    for i in range(34):
        repo.create_git_ref(f"refs/heads/b{i:02d}", sha)
    assert len(list(repo.get_branches())) == 35
    request = urllib.request.Request(f"{forge.api_url}/repos/cloudops-admin/many/branches?per_page=10&page=2",
                                     headers={"Authorization": f"Bearer {forge.owner_token}"})
    with urllib.request.urlopen(request) as response:
        link = response.headers["Link"]
        assert len(json.loads(response.read())) == 10
    assert 'page=3>; rel="next"' in link and 'page=4>; rel="last"' in link and 'rel="prev"' in link


def test_combined_status_follows_githubs_precedence() -> None:
    assert payloads_issues.combined_state([]) == "pending"
    assert payloads_issues.combined_state(["success", "success"]) == "success"
    assert payloads_issues.combined_state(["success", "pending"]) == "pending"
    assert payloads_issues.combined_state(["pending", "error"]) == "failure"
    assert payloads_issues.combined_state(["failure", "success"]) == "failure"


def test_latest_status_per_context_wins(gh: github.Github) -> None:
    repo = gh.get_user().create_repo("st", auto_init=True)
    commit = repo.get_commit(repo.get_branch("main").commit.sha)
    commit.create_status("pending", context="plan")
    commit.create_status("failure", context="policy")
    commit.create_status("success", context="policy")
    assert commit.get_combined_status().state == "pending"
    commit.create_status("success", context="plan")
    combined = commit.get_combined_status()
    assert (combined.state, combined.total_count) == ("success", 2)
    assert len(list(commit.get_statuses())) == 4


def test_cloudops_forge_serve_prints_where_to_talk_to_it(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "cloudops.cli", "forge", "serve", "--port", "0",
                             "--data-dir", str(tmp_path / "d"), "--token", "serve-token"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=Path(__file__).resolve().parents[3])
    try:
        lines = {}
        while "git" not in lines:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line, proc.stderr.read()  # type: ignore[union-attr]
            key, _, value = line.strip().partition(": ")
            lines[key] = value
        assert lines["api"].startswith("http://127.0.0.1:") and lines["api"].endswith("/api/v3")
        assert lines["git"].endswith("/<owner>/<repo>.git")
        me = github.Github(base_url=lines["api"], auth=github.Auth.Token("serve-token"), retry=None).get_user()
        assert me.login == "cloudops-admin"
        me.create_repo("made-by-script")
    finally:
        proc.terminate()
        assert proc.wait(20) == 0
    assert (tmp_path / "d" / "repos" / "cloudops-admin" / "made-by-script.git").is_dir()
