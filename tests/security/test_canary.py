"""Canaries through the whole pipeline: no secret reaches any output.

Planted: a guild's AWS credentials in the vault (injected into the run, and
echoed by a provisioner on purpose), and a `sensitive` terraform variable
that flows into a resource and an output. The PR is planned, applied (one
resource fails, printing the secret in its error) and merged; then every
output is searched: PR comments, statuses, PR titles and bodies, every commit
on every branch, run records, events (what chat shows) and log records.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import subprocess
from pathlib import Path

import pytest

from controller.app import ControllerApp
from controller.bus import DomainEvent
from controller.secrets import credentials
from controller.secrets.vault import Vault
from controller.service.guilds import GuildRegistry
from controller.store import utc_now
from tests.e2e.harness import (Workbench, as_reviewer, controller_config, make_infra_repo, register_hook, settle,
                               start_forge)

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

KEY_ID = "AKIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
SECRET = "cAnArY" + secrets.token_hex(17)  # 40 characters, like an AWS secret
SENSITIVE = "sensitive-canary-" + secrets.token_hex(8)

PROJECT_TF = f"""
variable "db_password" {{
  type      = string
  sensitive = true
  default   = "{SENSITIVE}"
}}

resource "null_resource" "talkative" {{
  triggers = {{ name = "talkative" }}
  provisioner "local-exec" {{
    command = "echo secret=$AWS_SECRET_ACCESS_KEY id=$AWS_ACCESS_KEY_ID"
  }}
}}

resource "null_resource" "password" {{
  triggers = {{ password = var.db_password }}
}}

resource "null_resource" "broken" {{
  depends_on = [null_resource.talkative]
  provisioner "local-exec" {{
    command = "echo failing with $AWS_SECRET_ACCESS_KEY >&2; exit 1"
  }}
}}

output "password" {{
  value     = var.db_password
  sensitive = true
}}
"""


def forms(value: str) -> list[str]:
    return [value, json.dumps(value)[1:-1], base64.b64encode(value.encode()).decode()]


def assert_clean(where: str, text: str) -> None:
    for canary in (SECRET, SENSITIVE):
        for form in forms(canary):
            assert form not in text, f"{where} leaks a canary"


async def test_no_canary_reaches_any_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("CLOUDOPS_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    caplog.set_level(logging.DEBUG)
    with start_forge(tmp_path / "forge") as forge:
        bench: Workbench = make_infra_repo(forge, tmp_path)
        config = controller_config(forge, tmp_path / "controller", bench.full_name)
        data_dir = config.settings.data_dir
        data_dir.mkdir(parents=True)
        vault = Vault.open(config.settings)
        vault.put("guild-1", credentials.aws(KEY_ID, SECRET))
        registry = GuildRegistry(data_dir / "chatops.sqlite3")
        registry.connect("guild-1", bench.full_name, by="admin", at=utc_now())
        registry.close()

        events: list[DomainEvent] = []
        async with ControllerApp(config) as app:
            app.bus.subscribe(DomainEvent, events.append)
            register_hook(bench, app.webhook_url)
            number = bench.open_pr("leaky", "Leaky change", {"projects/web/main.tf": PROJECT_TF})
            await settle(forge, app)
            as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops apply -p web")
            await settle(forge, app)
            runs = app.store.list_runs(repo=bench.full_name, pr_number=number)

        # The run really got the secret (else this test proves nothing): terraform saw it and failed on it.
        apply_comment = bench.comments_with(number, "apply:web")[0]

        assert "null_resource.broken" in apply_comment and "‹redacted›" in apply_comment

        pull = bench.repo.get_pull(number)
        assert_clean("the PR title/body", pull.title + (pull.body or ""))
        for comment in bench.repo.get_issue(number).get_comments():
            assert_clean(f"comment {comment.id}", comment.body)
        for status in bench.repo.get_commit(pull.head.sha).get_statuses():
            assert_clean(f"status {status.context}", status.description or "")
        subprocess.run(["git", "fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*"], cwd=bench.clone, check=True)
        history = subprocess.run(["git", "log", "--all", "-p", "--format=%H %an %s%n%b"], cwd=bench.clone,
                                 capture_output=True, check=True).stdout.decode("utf-8", "replace")
        assert SENSITIVE in history  # the PR itself carries the variable default: the author wrote it
        assert_clean("git history", _without_pr_files(history))
        for run in runs:
            assert_clean(f"run {run.id}", json.dumps({"error": run.error, "summary": run.summary}))
        for event in events:
            assert_clean(f"event {type(event).__name__}", repr(event))
        assert_clean("the logs", "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records))
        workdirs = list(config.settings.runs_dir.glob("*/.cloudops-credentials/*"))
        assert workdirs == []  # credentials files are gone after the runs


def _without_pr_files(history: str) -> str:
    """The PR's own diff holds the variable default the author typed; everything the controller wrote must not."""
    kept, skipping = [], False
    for line in history.splitlines():
        if line.startswith("diff --git"):
            skipping = "projects/web/main.tf" in line
        if not skipping:
            kept.append(line)
    return "\n".join(kept)
