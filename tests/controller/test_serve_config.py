"""The controller's config: file + environment; secrets only from the environment; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller import serve_config
from controller.errors import ConfigError

ENV = {"GITHUB_TOKEN": "tok", "CLOUDOPS_WEBHOOK_SECRET": "sec", "CLOUDOPS_REPOS": "acme/infra, acme/other"}


def test_the_environment_alone_is_enough() -> None:
    config = serve_config.load(None, ENV)
    assert config.repos == ("acme/infra", "acme/other")
    assert (config.github_token, config.webhook_secret, config.port, config.workers) == ("tok", "sec", 8080, 2)
    assert "tok" not in repr(config) and "sec" not in repr(config)


def test_the_file_names_the_variables_that_hold_secrets(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("repos: [acme/infra]\ndata_dir: /srv/cloudops\ngithub: {token_env: BOT_TOKEN, api_url: http://ghe/api/v3}\n"
                    "webhook: {port: 9000, secret_env: HOOK}\nworkers: 4\n")
    config = serve_config.load(path, {"BOT_TOKEN": "t2", "HOOK": "s2"})
    assert (config.github_token, config.webhook_secret, config.api_url) == ("t2", "s2", "http://ghe/api/v3")
    assert (config.port, config.workers, str(config.settings.data_dir)) == (9000, 4, "/srv/cloudops")


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("repos: [acme/infra]\nsurprise: 1\n", ENV, "unknown key(s) surprise"),
        ("repos: [acme/infra]\ngithub: {token: inline}\n", ENV, "github: unknown key(s) token"),
        ("repos: [not-a-repo]\n", ENV, "'not-a-repo' is not owner/name"),
        ("repos: [acme/infra]\nwebhook: {port: seventy}\n", ENV, "whole numbers"),
        ("repos: [acme/infra]\nworkers: 0\n", ENV, "workers at least 1"),
        ("repos: [acme/infra]\n", {"CLOUDOPS_WEBHOOK_SECRET": "s"}, "GITHUB_TOKEN is not set"),
        ("repos: [acme/infra]\n", {"GITHUB_TOKEN": "t"}, "CLOUDOPS_WEBHOOK_SECRET is not set"),
        ("- a list\n", ENV, "must be a mapping"),
        ("repos: [acme/infra\n", ENV, "not valid YAML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, env: dict, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        serve_config.load(path, env)


def test_no_repositories_anywhere_says_where_to_put_them() -> None:
    with pytest.raises(ConfigError, match="no repositories configured") as caught:
        serve_config.load(None, {"GITHUB_TOKEN": "t", "CLOUDOPS_WEBHOOK_SECRET": "s"})
    assert "CLOUDOPS_REPOS" in caught.value.hint


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="reading .*nope.yaml"):
        serve_config.load(tmp_path / "nope.yaml", ENV)


def _pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def test_a_github_app_needs_no_token_and_no_repository_list(tmp_path: Path) -> None:
    key = tmp_path / "app.pem"
    key.write_text(_pem())
    config = serve_config.load(None, {"GITHUB_APP_ID": "123", "GITHUB_APP_PRIVATE_KEY_FILE": str(key),
                                      "CLOUDOPS_WEBHOOK_SECRET": "sec", "GITHUB_API_URL": "https://ghe.example/api/v3"})
    assert config.is_app and config.github_app_id == 123 and config.repos == ()
    assert config.api_url == "https://ghe.example/api/v3"
    assert "PRIVATE KEY" not in repr(config)


def test_the_app_key_may_come_from_the_file_settings_or_a_named_variable(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("github: {app_id: 9, private_key_env: APP_KEY}\n")
    config = serve_config.load(path, {"APP_KEY": _pem(), "CLOUDOPS_WEBHOOK_SECRET": "s"})
    assert config.github_app_id == 9 and config.github_app_private_key


@pytest.mark.parametrize(("env", "message"), [
    ({"GITHUB_APP_ID": "x", "GITHUB_APP_PRIVATE_KEY": "k"}, "must be a number"),
    ({"GITHUB_APP_ID": "1"}, "needs its private key"),
    ({"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY": "not a key"}, "not an unencrypted PEM"),
    ({"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_FILE": "/nonexistent/app.pem"}, "reading the GitHub App private key"),
])
def test_a_broken_app_configuration_says_what_is_wrong(env: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        serve_config.load(None, {**env, "CLOUDOPS_WEBHOOK_SECRET": "s"})
