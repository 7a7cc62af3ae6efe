"""The forge's OAuth web application flow, as GitHub documents it, driven with requests (no redirects followed)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import github
import pytest
import requests

from sandbox.forge.background import BackgroundForge
from sandbox.forge.routes_oauth import redirect_allowed

CALLBACK = "http://127.0.0.1:9/login/oauth/callback"
ALICE_TOKEN = "lf_alice_token_0123456789"


@pytest.fixture
def forge(tmp_path: Path):
    with BackgroundForge(tmp_path / "forge", tokens={ALICE_TOKEN: "alice"}) as running:
        yield running


@pytest.fixture
def app(forge: BackgroundForge) -> tuple[str, str]:
    return forge.add_oauth_app("Dashboard", CALLBACK)


def answer(forge: BackgroundForge, client_id: str, *, decision: str = "authorize", login: str = "alice",
           password: str = ALICE_TOKEN, state: str = "s-123", redirect_uri: str | None = None) -> requests.Response:
    form = {"client_id": client_id, "state": state, "scope": "read:user", "login": login, "password": password,
            "decision": decision, **({"redirect_uri": redirect_uri} if redirect_uri else {})}
    return requests.post(f"{forge.web_url}/login/oauth/authorize", data=form, allow_redirects=False, timeout=10)


def query_of(response: requests.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def code_for(forge: BackgroundForge, client_id: str) -> str:
    response = answer(forge, client_id)
    assert response.status_code == 302
    return query_of(response)["code"]


def exchange(forge: BackgroundForge, data: dict, accept: str | None = "application/json") -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.post(f"{forge.web_url}/login/oauth/access_token", data=data, headers=headers, timeout=10)


def test_the_authorize_page_asks_who_you_are_for_a_registered_app(forge, app) -> None:
    client_id, _ = app
    page = requests.get(f"{forge.web_url}/login/oauth/authorize",
                        params={"client_id": client_id, "redirect_uri": CALLBACK, "state": "x"}, timeout=10)
    assert page.status_code == 200 and "Dashboard" in page.text and "name='password'" in page.text


def test_an_unknown_client_id_is_not_found(forge) -> None:
    page = requests.get(f"{forge.web_url}/login/oauth/authorize", params={"client_id": "nope"}, timeout=10)
    assert page.status_code == 404


def test_authorizing_redirects_to_the_callback_with_a_code_and_the_state(forge, app) -> None:
    response = answer(forge, app[0])
    assert response.status_code == 302 and response.headers["Location"].startswith(CALLBACK + "?")
    params = query_of(response)
    assert params["state"] == "s-123" and len(params["code"]) == 20


def test_cancelling_redirects_with_access_denied(forge, app) -> None:
    params = query_of(answer(forge, app[0], decision="cancel"))
    assert params["error"] == "access_denied" and params["state"] == "s-123" and "denied" in params["error_description"]


def test_a_redirect_uri_elsewhere_is_refused_at_the_registered_callback(forge, app) -> None:
    response = answer(forge, app[0], redirect_uri="http://evil.example/login/oauth/callback")
    assert response.headers["Location"].startswith(CALLBACK + "?")
    assert query_of(response)["error"] == "redirect_uri_mismatch"


def test_a_wrong_token_on_the_sign_in_form_gives_no_code(forge, app) -> None:
    response = answer(forge, app[0], password="lf_not_a_token")
    assert response.status_code == 401 and "Location" not in response.headers


@pytest.mark.parametrize(("registered", "given", "allowed"), [
    ("http://h:1/cb", "http://h:1/cb", True),
    ("http://h:1/cb", "http://h:1/cb/deeper", True),
    ("http://h:1/cb", "http://h:1/cbx", False),
    ("http://h:1/cb", "http://h:2/cb", False),
    ("http://h:1/cb", "https://h:1/cb", False),
    ("http://h:1/cb", "http://other:1/cb", False),
])
def test_redirect_uris_follow_githubs_rule(registered: str, given: str, allowed: bool) -> None:
    assert redirect_allowed(registered, given) is allowed


def test_the_code_buys_a_token_that_works_with_get_user(forge, app) -> None:
    client_id, secret = app
    doc = exchange(forge, {"client_id": client_id, "client_secret": secret, "code": code_for(forge, client_id),
                           "redirect_uri": CALLBACK}).json()
    assert doc["token_type"] == "bearer" and doc["scope"] == "read:user" and doc["access_token"].startswith("gho_")
    gh = github.Github(base_url=forge.api_url, auth=github.Auth.Token(doc["access_token"]))
    assert gh.get_user().login == "alice"


def test_the_default_answer_is_form_encoded(forge, app) -> None:
    client_id, secret = app
    response = exchange(forge, {"client_id": client_id, "client_secret": secret, "code": code_for(forge, client_id)},
                        accept=None)
    assert response.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert parse_qs(response.text)["token_type"] == ["bearer"]


def test_a_code_is_good_once(forge, app) -> None:
    client_id, secret = app
    data = {"client_id": client_id, "client_secret": secret, "code": code_for(forge, client_id)}
    assert "access_token" in exchange(forge, data).json()
    again = exchange(forge, data)
    assert again.status_code == 200 and again.json()["error"] == "bad_verification_code"


def test_a_wrong_secret_is_incorrect_client_credentials(forge, app) -> None:
    client_id, _ = app
    doc = exchange(forge, {"client_id": client_id, "client_secret": "0" * 40, "code": code_for(forge, client_id)}).json()
    assert doc["error"] == "incorrect_client_credentials" and "access_token" not in doc


def test_exchanging_with_another_redirect_uri_is_a_mismatch(forge, app) -> None:
    client_id, secret = app
    doc = exchange(forge, {"client_id": client_id, "client_secret": secret, "code": code_for(forge, client_id),
                           "redirect_uri": CALLBACK + "/other"}).json()
    assert doc["error"] == "redirect_uri_mismatch"
