"""The controller as a GitHub App: JWT → installation tokens (cached, renewed before
expiry, one per installation), repositories found from installations, check runs
within GitHub's limits — all against the local forge."""

from __future__ import annotations

import time
from pathlib import Path

import github
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from controller.errors import ConfigError, ForgeNotFound
from controller.forge.app_auth import AppCredentials, InstallationTokens, credentials_from_env
from controller.forge.base import Author, CheckAction, CheckAnnotation, CheckRunSpec
from controller.forge.github import GitHubForge
from sandbox.forge.background import BackgroundForge


def _key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


KEY = _key()


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def forge(tmp_path: Path):
    with BackgroundForge(tmp_path / "forge") as running:
        yield running


@pytest.fixture
def owner(forge: BackgroundForge) -> github.Github:
    return github.Github(base_url=forge.api_url, auth=github.Auth.Token(forge.owner_token),
                         seconds_between_requests=None, seconds_between_writes=None)


@pytest.fixture
def app_id(forge: BackgroundForge) -> int:
    return forge.create_app("cloudops", private_key_pem=KEY)


def tokens(forge: BackgroundForge, app_id: int, clock: Clock | None = None) -> InstallationTokens:
    return InstallationTokens(AppCredentials(app_id, KEY), forge.api_url, clock=clock or time.time)


def test_a_token_is_made_once_per_installation_and_renewed_before_it_expires(
        forge: BackgroundForge, owner: github.Github, app_id: int) -> None:
    owner.get_user().create_repo("infra", auto_init=True)
    forge.add_user("acme")
    first = forge.install_app(app_id)
    second = forge.install_app(app_id, account="acme")
    clock = Clock()
    cache = tokens(forge, app_id, clock)
    a = cache.token(first)
    assert cache.token(first) == a and cache.issued == 1
    b = cache.token(second)
    assert b != a and cache.issued == 2
    clock.offset = 3600 - 299  # under five minutes left: renewed now, not mid-apply
    renewed = cache.token(first)
    assert renewed != a and cache.issued == 3
    assert a in cache.secrets() and KEY.strip() in cache.secrets()


def test_repositories_are_discovered_from_the_installations(
        forge: BackgroundForge, owner: github.Github, app_id: int) -> None:
    for name in ("infra", "web", "secret"):
        owner.get_user().create_repo(name, auto_init=True)
    installation = forge.install_app(app_id, repos=["infra", "web"])
    cache = tokens(forge, app_id)
    assert cache.discover() == {f"{forge.owner_login}/infra": installation, f"{forge.owner_login}/web": installation}
    assert cache.installation_for(f"{forge.owner_login}/infra") == installation
    with pytest.raises(ForgeNotFound, match="not installed"):
        tokens(forge, app_id).installation_for(f"{forge.owner_login}/secret")
    cache.installation_changed(installation, removed=[f"{forge.owner_login}/web"])
    forge.change_installation(installation, remove=["web"])
    with pytest.raises(ForgeNotFound):
        cache.installation_for(f"{forge.owner_login}/web")


def test_the_forge_client_works_as_the_apps_bot_with_git_and_checks(
        forge: BackgroundForge, owner: github.Github, app_id: int, tmp_path: Path) -> None:
    owner.get_user().create_repo("infra", auto_init=True, private=True)
    forge.install_app(app_id)
    client = GitHubForge(app=tokens(forge, app_id), api_url=forge.api_url)
    repo = f"{forge.owner_login}/infra"
    assert client.supports_checks and client.login() == "cloudops[bot]"
    client.create_branch(repo, "feature", "main")
    sha = client.commit_files(repo, "feature", {"projects/web/main.tf": 'resource "null_resource" "a" {}\n'},
                              "add web", Author("Bot", "bot@example.com"), tmp_path / "wc")
    notes = tuple(CheckAnnotation("projects/web/main.tf", 1, 1, "failure", f"problem {i}") for i in range(120))
    spec = CheckRunSpec(name="cloudops plan: web", status="completed", conclusion="failure", title="Plan: 1 to add",
                        summary="s" * 70_000, text="line\n" * 20_000, annotations=notes,
                        actions=(CheckAction("Re-plan", "Plan this project again", "replan"),),
                        external_id="cloudops:plan:web:1")
    made = client.publish_check_run(repo, sha, spec)
    run = owner.get_repo(repo).get_check_run(made.id)
    assert run.output.annotations_count == 120  # in three requests of at most 50
    assert len(run.output.summary) <= 65535 and "cut to fit" in run.output.summary
    assert client.find_check_run(repo, sha, "cloudops plan: web").id == made.id
    again = client.publish_check_run(repo, sha, CheckRunSpec(name="cloudops plan: web", status="completed",
                                                            conclusion="success", title="ok", summary="ok"),
                                     check_run_id=made.id)
    assert again.id == made.id and again.conclusion == "success"


def test_a_token_install_does_not_claim_check_runs(forge: BackgroundForge) -> None:
    assert not GitHubForge(forge.owner_token, api_url=forge.api_url).supports_checks
    with pytest.raises(ValueError, match="either a token or a GitHub App"):
        GitHubForge(api_url=forge.api_url)


def test_credentials_come_from_a_file_or_an_environment_variable(tmp_path: Path) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text(KEY)
    assert AppCredentials.load("42", key_file=key_file).app_id == 42
    escaped = KEY.strip().replace("\n", "\\n")
    assert credentials_from_env({"GITHUB_APP_ID": "7", "GITHUB_APP_PRIVATE_KEY": escaped}).private_key == KEY
    assert credentials_from_env({}) is None
    with pytest.raises(ConfigError, match="must be a number"):
        AppCredentials.load("my-app", key_pem=KEY)
    with pytest.raises(ConfigError, match="not an unencrypted PEM"):
        AppCredentials.load("7", key_pem="-----BEGIN RSA PRIVATE KEY-----\nnope\n")
    with pytest.raises(ConfigError, match="needs its private key"):
        AppCredentials.load("7")
    assert KEY not in repr(AppCredentials(7, KEY))


def test_the_chat_commands_run_as_the_app_when_one_is_configured() -> None:
    from controller.service import wiring

    forge = wiring.forge_from_env({"GITHUB_APP_ID": "5", "GITHUB_APP_PRIVATE_KEY": KEY,
                                   "GITHUB_API_URL": "https://ghe.example/api/v3"})
    assert isinstance(forge, GitHubForge) and forge.supports_checks and forge.api_url == "https://ghe.example/api/v3"
    assert not wiring.forge_from_env({"CLOUDOPS_GITHUB_TOKEN": "t"}).supports_checks
