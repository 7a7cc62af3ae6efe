"""The one place PyGithub, GitPython and transport errors become ours.

Every forge operation runs inside ``translating("opening pull request
acme/infra#feature→main", secrets=[token])``; whatever escapes is re-raised as
a ``controller.errors.ForgeError`` subclass whose message says what was being
done and what GitHub or git answered — with every secret (the token, and its
base64 form as used in an HTTP Basic header) replaced by ``***``.

    GithubException 401 (BadCredentials)  → ForgeAuthError
    GithubException 403                   → ForgeAuthError (permission / rate limit)
    GithubException 404 (UnknownObject)   → ForgeNotFound
    GithubException 422                   → ForgeValidationError (with GitHub's ``errors``)
    other GithubException, requests error → ForgeError
    GitCommandError / other GitError      → GitOperationError
"""

from __future__ import annotations

import base64
import contextlib
import re
from typing import Any
from collections.abc import Iterator, Sequence

import git
import requests
from github import GithubException

from controller.errors import (
    ForgeAuthError,
    ForgeError,
    ForgeNotFound,
    ForgeValidationError,
    GitOperationError,
)

_URL_CREDENTIALS_RE = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s:]*:[^/@\s]*@", re.IGNORECASE)
_AUTH_HEADER_RE = re.compile(r"(Authorization:\s*(?:Basic|Bearer|token))\s+\S+", re.IGNORECASE)


def secret_forms(secret: str) -> list[str]:
    """The ways a token can appear in output: itself and inside Basic credentials."""
    if not secret:
        return []
    forms = [secret]
    for user in ("x-access-token", "token", "git", "oauth2", ""):
        forms.append(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return forms


def scrub(text: str, secrets: Sequence[str]) -> str:
    """``text`` with secrets, credentials in URLs and auth headers masked."""
    for secret in secrets:
        for form in secret_forms(secret):
            text = text.replace(form, "***")
    text = _URL_CREDENTIALS_RE.sub(r"\g<scheme>***@", text)
    return _AUTH_HEADER_RE.sub(r"\1 ***", text)


def _github_detail(exc: GithubException) -> tuple[str, list[dict[str, Any]]]:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or exc.message or "").strip() or f"HTTP {exc.status}"
    errors = [e for e in data.get("errors") or [] if isinstance(e, dict)]
    details = []
    for err in errors:
        text = err.get("message") or " ".join(str(err.get(k)) for k in ("resource", "field", "code") if err.get(k))
        if text:
            details.append(str(text))
    return (f"{message}: {'; '.join(details)}" if details else message), errors


def _map_github(action: str, exc: GithubException, secrets: Sequence[str]) -> ForgeError:
    detail, errors = _github_detail(exc)
    text = scrub(f"{action}: {detail} (HTTP {exc.status})", secrets)
    if exc.status == 401:
        return ForgeAuthError(text)
    if exc.status == 403:
        return ForgeAuthError(text, hint="the token lacks permission for this, or the API rate limit was hit")
    if exc.status == 404:
        return ForgeNotFound(text, hint="check the repository name and that the token can see it")
    if exc.status == 422:
        return ForgeValidationError(text, errors=[_scrub_obj(e, secrets) for e in errors])
    return ForgeError(text)


def _scrub_obj(obj: Any, secrets: Sequence[str]) -> Any:
    if isinstance(obj, str):
        return scrub(obj, secrets)
    if isinstance(obj, dict):
        return {k: _scrub_obj(v, secrets) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_scrub_obj(v, secrets) for v in obj]
    return obj


def _map_git(action: str, exc: git.GitError, secrets: Sequence[str]) -> GitOperationError:
    if isinstance(exc, git.GitCommandError):
        stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
        stderr = " ".join(line.strip() for line in stderr.strip().splitlines() if line.strip())
        stderr = stderr.removeprefix("stderr: ").strip("' ")
        detail = stderr or f"git exited with status {exc.status}"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    text = scrub(f"{action}: {detail}", secrets)
    hint = ""
    if re.search(r"Authentication failed|403|401|could not read Username", detail, re.IGNORECASE):
        hint = "check the token: the forge refused it for git over HTTP"
    return GitOperationError(text, hint=hint)


@contextlib.contextmanager
def translating(action: str, *, secrets: Sequence[str] = ()) -> Iterator[None]:
    """Re-raise third-party failures inside the block as ForgeError subclasses.

    ``action`` is a gerund phrase ("merging acme/infra#4"); it starts the
    message. Errors already translated by an inner block pass through. The
    original stays chained for debugging; it carries no token because the
    token never appears in a URL or a git command line (see ``gitrepo``).
    """
    try:
        yield
    except ForgeError:
        raise
    except GithubException as exc:
        raise _map_github(action, exc, secrets) from exc
    except git.GitError as exc:
        raise _map_git(action, exc, secrets) from exc
    except requests.RequestException as exc:
        raise ForgeError(scrub(f"{action}: cannot reach the forge: {type(exc).__name__}: {exc}", secrets)) from exc
