"""Third-party failures become our errors once, saying what was happening, never the token."""

from __future__ import annotations

import base64

import git
import pytest
import requests
from github import BadCredentialsException, GithubException, UnknownObjectException

from controller.errors import ForgeAuthError, ForgeError, ForgeNotFound, ForgeValidationError, GitOperationError
from controller.forge.errors import scrub, translating

TOKEN = "ghp_" + "S3cr3t" * 6


@pytest.mark.parametrize(
    ("exc", "expected", "text"),
    [
        (BadCredentialsException(401, {"message": "Bad credentials"}), ForgeAuthError, "doing it: Bad credentials (HTTP 401)"),
        (GithubException(403, {"message": "Resource not accessible"}), ForgeAuthError, "doing it: Resource not accessible (HTTP 403)"),
        (UnknownObjectException(404, {"message": "Not Found"}), ForgeNotFound, "doing it: Not Found (HTTP 404)"),
        (GithubException(500, {"message": "boom"}), ForgeError, "doing it: boom (HTTP 500)"),
        (GithubException(502, None), ForgeError, "doing it: HTTP 502 (HTTP 502)"),
    ],
)
def test_github_statuses_map_to_our_hierarchy(exc: Exception, expected: type, text: str) -> None:
    with pytest.raises(expected) as caught, translating("doing it"):
        raise exc
    assert type(caught.value) is expected
    assert str(caught.value) == text
    assert caught.value.__cause__ is exc


def test_a_422_keeps_githubs_field_errors_and_names_them() -> None:
    data = {
        "message": "Validation Failed",
        "errors": [{"resource": "PullRequest", "field": "base", "code": "invalid"}, {"message": f"bad {TOKEN}"}],
    }
    with pytest.raises(ForgeValidationError) as caught, translating("opening pull request a/b#x→main", secrets=[TOKEN]):
        raise GithubException(422, data)
    assert str(caught.value) == "opening pull request a/b#x→main: Validation Failed: PullRequest base invalid; bad *** (HTTP 422)"
    assert caught.value.errors[0] == {"resource": "PullRequest", "field": "base", "code": "invalid"}
    assert TOKEN not in repr(caught.value.errors)


def test_a_git_failure_quotes_stderr_without_the_token_in_any_form() -> None:
    basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    stderr = (
        f"fatal: unable to access 'https://x-access-token:{TOKEN}@github.com/a/b.git/': "
        f"Authorization: Basic {basic} refused\nfatal: Authentication failed"
    )
    with pytest.raises(GitOperationError) as caught, translating("pushing main (a/b)", secrets=[TOKEN]):
        raise git.GitCommandError(["git", "push"], 128, stderr.encode())
    message = caught.value.user_message()
    assert message.startswith("pushing main (a/b): fatal: unable to access 'https://***@github.com/a/b.git/'")
    assert TOKEN not in message and basic not in message
    assert "check the token" in caught.value.hint


def test_an_unreachable_forge_is_a_forge_error() -> None:
    with pytest.raises(ForgeError, match=r"^reading repository a/b: cannot reach the forge: ConnectionError"):
        with translating("reading repository a/b"):
            raise requests.ConnectionError("refused")


def test_errors_already_translated_pass_through_unchanged() -> None:
    inner = ForgeNotFound("reading x: Not Found")
    with pytest.raises(ForgeNotFound) as caught, translating("outer"):
        raise inner
    assert caught.value is inner


def test_other_exceptions_are_not_swallowed() -> None:
    with pytest.raises(KeyError), translating("doing it"):
        raise KeyError("k")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"token {TOKEN} here", "token *** here"),
        ("https://user:pw@host/x", "https://***@host/x"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
        ("nothing secret", "nothing secret"),
    ],
)
def test_scrub(text: str, expected: str) -> None:
    assert scrub(text, [TOKEN]) == expected
