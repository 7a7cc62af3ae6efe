"""The forge speaks GitHub Apps: PyGithub's own `GithubIntegration` and `Auth.AppAuth`
work against it unchanged, and the forge refuses what GitHub refuses."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import github
import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.forge.background import BackgroundForge

from .conftest import SECRET, Git, Receiver


def new_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture(scope="module")
def private_key() -> str:
    return new_key()


@pytest.fixture
def app_id(forge: BackgroundForge, receiver: Receiver, private_key: str) -> int:
    return forge.create_app("cloudops-test", private_key_pem=private_key, webhook_url=receiver.url,
                            webhook_secret=SECRET)


def integration(forge: BackgroundForge, app_id: int, key: str) -> github.GithubIntegration:
    return github.GithubIntegration(auth=github.Auth.AppAuth(app_id, key), base_url=forge.api_url,
                                    seconds_between_requests=None, seconds_between_writes=None)


def test_pygithub_integration_lists_installations_and_gets_a_token_that_works(
        forge: BackgroundForge, gh: github.Github, app_id: int, private_key: str, receiver: Receiver) -> None:
    gh.get_user().create_repo("infra", auto_init=True, private=True)
    gh.get_user().create_repo("other", auto_init=True, private=True)
    installation_id = forge.install_app(app_id, repos=["infra"])
    gi = integration(forge, app_id, private_key)

    assert gi.get_app().slug == "cloudops-test"
    assert [i.id for i in gi.get_installations()] == [installation_id]
    assert gi.get_repo_installation(forge.owner_login, "infra").id == installation_id
    token = gi.get_access_token(installation_id)
    assert token.token.startswith("ghs_") and token.expires_at.timestamp() > time.time() + 3000

    # The installation acts as its bot, on its repositories only.
    as_app = gi.get_github_for_installation(installation_id)
    repo = as_app.get_repo(f"{forge.owner_login}/infra")
    status = repo.get_commit(repo.get_branch("main").commit.sha).create_status("success", context="cloudops/plan")
    assert status.creator.login == "cloudops-test[bot]" and status.creator.type == "Bot"
    with pytest.raises(github.UnknownObjectException):
        as_app.get_repo(f"{forge.owner_login}/other").default_branch
    forge.drain_webhooks()
    created = [r for r in receiver.received if r.event == "installation"]
    assert created and created[0].payload["action"] == "created" and created[0].signature_ok
    assert [r["full_name"] for r in created[0].payload["repositories"]] == [f"{forge.owner_login}/infra"]


def test_installation_auth_refreshes_through_pygithub_and_git_clones_with_the_token(
        forge: BackgroundForge, gh: github.Github, app_id: int, private_key: str, tmp_path: Path) -> None:
    gh.get_user().create_repo("infra", auto_init=True, private=True)
    installation_id = forge.install_app(app_id)
    auth = github.Auth.AppAuth(app_id, private_key).get_installation_auth(installation_id)
    client = github.Github(auth=auth, base_url=forge.api_url, seconds_between_requests=None,
                           seconds_between_writes=None)
    assert client.get_repo(f"{forge.owner_login}/infra").default_branch == "main"
    Git(tmp_path)("clone", "-q", forge.git_url(forge.owner_login, "infra", auth.token), str(tmp_path / "c"))
    assert (tmp_path / "c" / "README.md").exists()


def test_installation_repositories_webhooks_follow_the_owners_changes(
        forge: BackgroundForge, gh: github.Github, app_id: int, receiver: Receiver) -> None:
    gh.get_user().create_repo("infra", auto_init=True)
    gh.get_user().create_repo("more", auto_init=True)
    installation_id = forge.install_app(app_id, repos=["infra"])
    forge.change_installation(installation_id, add=["more"])
    forge.change_installation(installation_id, remove=["infra"])
    forge.uninstall_app(installation_id)
    forge.drain_webhooks()
    seen = [(r.event, r.payload["action"]) for r in receiver.received if r.event.startswith("installation")]
    assert seen == [("installation", "created"), ("installation_repositories", "added"),
                    ("installation_repositories", "removed"), ("installation", "deleted")]
    added = next(r.payload for r in receiver.received if r.payload.get("action") == "added")
    assert [r["name"] for r in added["repositories_added"]] == ["more"]


@pytest.mark.parametrize(("claims", "message"), [
    (lambda now, app: {"iat": now - 60, "exp": now + 1200, "iss": str(app)}, "too far in the future"),
    (lambda now, app: {"iat": now - 900, "exp": now - 300, "iss": str(app)}, "future time"),
    (lambda now, app: {"iat": now - 60, "exp": now + 300, "iss": "999999"}, "Integration not found"),
])
def test_bad_app_jwts_are_refused_with_githubs_reasons(
        forge: BackgroundForge, app_id: int, private_key: str, claims: Callable, message: str) -> None:
    token = jwt.encode(claims(int(time.time()), app_id), private_key, algorithm="RS256")
    response = requests.get(f"{forge.api_url}/app", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 401 and message in response.json()["message"]


def test_a_jwt_signed_by_another_key_is_refused(forge: BackgroundForge, app_id: int) -> None:
    with pytest.raises(github.GithubException) as caught:
        integration(forge, app_id, new_key()).get_app()
    assert caught.value.status == 401


def test_a_personal_token_cannot_create_check_runs(forge: BackgroundForge, gh: github.Github) -> None:
    repo = gh.get_user().create_repo("infra", auto_init=True)
    with pytest.raises(github.GithubException) as caught:
        repo.create_check_run("cloudops plan: web", repo.get_branch("main").commit.sha)
    assert caught.value.status == 403
