"""Issue 22, second hostile audit: each attack through the real forge, controller and terraform.

* fuzzy secrets: a PR reads the run's injected GCP key and prints it changed
  (``upper()``, ``substr()``, ``strrev()``, one JSON field, a base64 prefix,
  a value long enough to be cut for display) — no piece reaches any output;
* ``nonsensitive()`` is refused, and the refused plan leaves the project free;
* an undeclared ``projects/<dir>`` is not planned and gets no credentials;
* a forge outage mid-plan ends with the real outcome on the PR;
* a second controller on the same data dir refuses to start;
* the data dir is 0700 and the store 0600; a secret in a failed plan's error
  text is not kept in the store file.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from controller.app import ControllerApp
from controller.errors import ConfigError
from controller.secrets import credentials, fragments
from controller.secrets.vault import Vault
from controller.service.guilds import GuildRegistry
from controller.store import utc_now
from tests.e2e.conftest import bench, forge  # noqa: F401 - the e2e fixtures: the real forge and an infra repo
from tests.e2e.harness import (VERSIONS, WEBHOOK_SECRET, Workbench, controller_config, null_resources,
                               register_hook, settle)

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


def gcp_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return json.dumps({
        "type": "service_account", "project_id": "canary-project-1234", "private_key_id": secrets.token_hex(20),
        "private_key": pem, "client_email": "deployer@canary-project-1234.iam.gserviceaccount.com",
        "client_id": "1" + "".join(secrets.choice("0123456789") for _ in range(20)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
    })


@pytest.fixture
def master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDOPS_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())


def connect_guild(config, bench: Workbench, *records) -> None:
    data_dir = config.settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    vault = Vault.open(config.settings)
    for record in records:
        vault.put("guild-1", record)
    registry = GuildRegistry(data_dir / "chatops.sqlite3")
    registry.connect("guild-1", bench.full_name, by="admin", at=utc_now())
    registry.close()


def surviving_pieces(text: str, secret: str) -> list[str]:
    """Runs of ``FRAGMENT_LENGTH`` characters of ``secret`` (or its reversal), any case, found in ``text``."""
    size, lowered = fragments.FRAGMENT_LENGTH, text.lower()
    found = []
    for form in (secret, secret[::-1]):
        for piece in form.lower().split():
            found += [piece[i:i + size] for i in range(len(piece) - size + 1) if piece[i:i + size] in lowered]
    return found


LEAKY_TF = """
locals {
  sa = jsondecode(file("${path.module}/.cloudops-credentials/gcp-service-account.json"))
}

resource "null_resource" "leak" {
  triggers = {
    upper   = upper(local.sa.private_key)
    piece   = substr(local.sa.private_key, 60, 40)
    rev     = strrev(substr(local.sa.private_key, 120, 50))
    key_id  = local.sa.private_key_id
    b64     = substr(base64encode(local.sa.private_key), 0, 64)
    cut     = "${join("", [for i in range(100) : "p"])}${substr(local.sa.private_key, 200, 60)}"
    pem     = substr(local.sa.private_key, 0, 180)
    email   = local.sa.client_email
  }
}
"""


async def test_a_credential_changed_in_hcl_leaves_no_piece_in_any_output(
        tmp_path: Path, forge, bench: Workbench, master_key, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    document = gcp_key()
    sa = json.loads(document)
    config = controller_config(forge, tmp_path / "controller", bench.full_name)
    connect_guild(config, bench, credentials.gcp_from_json(document))
    async with ControllerApp(config) as app:
        register_hook(bench, app.webhook_url)
        number = bench.open_pr("leaky", "Leaky", {"projects/web/leak.tf": LEAKY_TF})
        await settle(forge, app)
        runs = app.store.list_runs(repo=bench.full_name, pr_number=number)

    comment = bench.comments_with(number, "plan:web")[0]
    # The attack really ran (else this proves nothing): terraform planned it, with the key file present.
    assert "null_resource.leak will be created" in comment, comment
    assert "(sensitive)" in comment
    assert sa["client_email"] in comment  # a public id stays readable
    outputs = {"plan comment": comment}
    for c in bench.repo.get_issue(number).get_comments():
        outputs[f"comment {c.id}"] = c.body
    for status in bench.repo.get_commit(bench.head_sha(number)).get_statuses():
        outputs[f"status {status.context}"] = status.description or ""
    outputs["runs"] = json.dumps([{"error": r.error, "summary": r.summary} for r in runs])
    outputs["store file"] = (config.settings.store_path.read_bytes().decode("utf-8", "replace"))
    outputs["logs"] = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    for where, text in outputs.items():
        for secret in (sa["private_key"], sa["private_key_id"],
                       base64.b64encode(sa["private_key"].encode()).decode()):
            assert surviving_pieces(text, secret) == [], f"{where} leaks a piece of the credential"


async def test_nonsensitive_is_refused_and_the_refused_plan_leaves_the_project_free(
        tmp_path: Path, forge, bench: Workbench) -> None:
    unmask = ('variable "db_password" {\n  type = string\n  sensitive = true\n  default = "hunter2-canary-9f3"\n}\n'
              'resource "null_resource" "x" {\n  triggers = { v = nonsensitive(var.db_password) }\n}\n')
    config = controller_config(forge, tmp_path / "controller", bench.full_name)
    async with ControllerApp(config) as app:
        register_hook(bench, app.webhook_url)
        attack = bench.open_pr("unmask", "Unmask", {"projects/web/unmask.tf": unmask})
        await settle(forge, app)
        refused = bench.comments_with(attack, "plan:web")[0]
        assert "nonsensitive()" in refused and "unmask.tf:7" in refused and "allow_nonsensitive" in refused
        assert "hunter2-canary-9f3" not in refused
        assert bench.statuses(bench.head_sha(attack))["cloudops/plan: web"][0] == "failure"
        assert app.store.list_locks(repo=bench.full_name) == []  # a refused plan holds nothing

        honest = bench.open_pr("honest", "Honest", {"projects/web/main.tf": null_resources("web_a", "honest")})
        await settle(forge, app)
        assert "null_resource.honest will be created" in bench.comments_with(honest, "plan:web")[0]


async def test_an_undeclared_project_is_not_planned_and_gets_no_credentials(
        tmp_path: Path, forge, bench: Workbench, master_key) -> None:
    config = controller_config(forge, tmp_path / "controller", bench.full_name)
    connect_guild(config, bench, credentials.gcp_from_json(gcp_key()))
    async with ControllerApp(config) as app:
        register_hook(bench, app.webhook_url)
        number = bench.open_pr("sneaky", "New project", {
            "projects/sneaky/versions.tf": VERSIONS,
            "projects/sneaky/main.tf": null_resources("sneaky"),
        })
        await settle(forge, app)
        bench.repo.get_issue(number).create_comment("cloudops plan -p sneaky")
        await settle(forge, app)
        runs = app.store.list_runs(repo=bench.full_name, pr_number=number)

    comment = bench.comments_with(number, "plan:sneaky")[0]
    assert "not declared in `cloudops.yaml`" in comment and "/cloud-create-project" in comment
    statuses = bench.statuses(bench.head_sha(number))
    assert statuses["cloudops/plan: sneaky"] == ("failure", "not declared in cloudops.yaml")
    assert statuses["cloudops/plan"][0] == "failure"
    assert runs == []  # terraform never ran, so no credentials were ever written for it
    assert not list((config.settings.runs_dir).glob("*")) if config.settings.runs_dir.exists() else True


async def test_a_forge_outage_mid_plan_ends_with_the_real_outcome_on_the_pr(
        tmp_path: Path, forge, bench: Workbench) -> None:
    config = controller_config(forge, tmp_path / "controller", bench.full_name)
    faults = forge.forge.faults
    async with ControllerApp(config) as app:
        register_hook(bench, app.webhook_url)
        app.pipeline.planner.report_retry_delays = (0.5, 1.0, 1.0, 2.0, 2.0, 4.0, 4.0)
        runner = app.pipeline.ctx.runner
        planned = runner.plan

        async def plan_then_outage(*args, **kwargs):
            result = await planned(*args, **kwargs)
            faults.api_down = True  # the forge goes down right after terraform planned
            threading.Timer(3.0, lambda: setattr(faults, "api_down", False)).start()
            return result

        runner.plan = plan_then_outage
        number = bench.open_pr("outage", "Outage", {"projects/web/main.tf": null_resources("web_a", "during")})
        await settle(forge, app)

    assert faults.refused > 0  # the outage really happened
    comment = bench.comments_with(number, "plan:web")[0]
    assert "null_resource.during will be created" in comment
    statuses = bench.statuses(bench.head_sha(number))
    assert statuses["cloudops/plan: web"][0] == "success"
    assert statuses["cloudops/plan"] == ("success", "1/1 projects planned")


async def test_a_second_controller_on_the_same_data_dir_refuses_to_start(tmp_path: Path, forge, bench: Workbench) -> None:
    config = controller_config(forge, tmp_path / "controller", bench.full_name)
    async with ControllerApp(config) as first:
        with pytest.raises(ConfigError, match="another controller .* is running on the data dir"):
            async with ControllerApp(config):
                pass
        register_hook(bench, first.webhook_url)  # the first goes on as if nothing happened
        number = bench.open_pr("still", "Still", {"projects/web/main.tf": null_resources("web_a", "still")})
        await settle(forge, first)
        assert "null_resource.still will be created" in bench.comments_with(number, "plan:web")[0]
    async with ControllerApp(config):  # and once it stopped, the next one starts
        pass


async def test_the_data_dir_is_private_and_a_secret_in_an_error_is_not_kept(
        tmp_path: Path, forge, bench: Workbench) -> None:
    old = os.umask(0o022)
    try:
        config = controller_config(forge, tmp_path / "controller", bench.full_name)
        # The PR names the webhook secret in an expression terraform rejects: the error quotes the line.
        broken = f'resource "null_resource" "x" {{\n  count = "{WEBHOOK_SECRET}-{WEBHOOK_SECRET.upper()}"\n}}\n'
        async with ControllerApp(config) as app:
            register_hook(bench, app.webhook_url)
            number = bench.open_pr("broken", "Broken", {"projects/web/main.tf": broken})
            await settle(forge, app)
            runs = app.store.list_runs(repo=bench.full_name, pr_number=number)
            locks = app.store.list_locks(repo=bench.full_name)
    finally:
        os.umask(old)
    data_dir = config.settings.data_dir
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for path in data_dir.glob("*.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert runs and runs[0].error  # the plan failed, and said why
    assert locks == []  # a failed plan gives the project back
    comment = bench.comments_with(number, "plan:web")[0]
    for text in (runs[0].error, comment, config.settings.store_path.read_bytes().decode("utf-8", "replace")):
        assert surviving_pieces(text, WEBHOOK_SECRET) == []
