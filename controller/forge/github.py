"""The forge, implemented with PyGithub (REST) and GitPython (git).

One class for github.com and the local forge: only ``api_url`` differs
(``https://api.github.com`` or ``http://host:port/api/v3``). Clone URLs come
from the API's ``clone_url``, so git follows whatever host the API names.

Authentication: a token (a bot account's or a GitHub App's installation
token fixed by the operator), or a GitHub App (``app_auth.InstallationTokens``):
then each repository is served by its installation's token, taken from the
cache on every request, and git pushes use the same token. Only an app may
write check runs (``supports_checks``); token installs use commit statuses.

PyGithub runs in lazy mode: a repository or pull request object costs no
request until an attribute is read, so "set a status on sha X" is one POST,
not a GET of the repo, a GET of the commit and then the POST. Every public
method runs its requests inside ``errors.translating`` with a message that
says what was being done.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Mapping

import github
from github import Auth

from controller.forge import markers, reviews
from controller.forge.app_auth import InstallationTokenAuth, InstallationTokens
from controller.forge.base import (
    Author,
    ChangedFile,
    MergeMethod,
    MergeResult,
    PullRequest,
    RepoInfo,
    Review,
)
from controller.forge.comment_split import MAX_COMMENT_CHARS, split_comment
from controller.forge.errors import translating
from controller.forge.gitrepo import WorkingCopy
from controller.forge.github_feedback import CommitFeedback

GITHUB_API_URL = "https://api.github.com"


def _pull_request(pr: Any) -> PullRequest:
    return PullRequest(
        number=pr.number,
        title=pr.title or "",
        body=pr.body or "",
        head_sha=pr.head.sha,
        head_ref=pr.head.ref,
        base_ref=pr.base.ref,
        author=pr.user.login,
        state=pr.state,
        merged=bool(pr.merged),
        mergeable=pr.mergeable,
        mergeable_state=pr.mergeable_state or "unknown",
        draft=bool(pr.draft),
        merge_commit_sha=pr.merge_commit_sha,
        html_url=pr.html_url,
    )


class GitHubForge(CommitFeedback):
    """``controller.forge.base.Forge`` over PyGithub + GitPython."""

    def __init__(
        self,
        token: str | None = None,
        *,
        app: InstallationTokens | None = None,
        api_url: str = GITHUB_API_URL,
        timeout: int = 30,
        comment_limit: int = MAX_COMMENT_CHARS,
        throttle: bool | None = None,
    ) -> None:
        """``throttle`` keeps PyGithub's pauses between requests (GitHub asks for
        them to avoid secondary rate limits); it defaults to on for github.com
        and off for any other API URL such as the local forge (or a GHES host
        the operator names)."""
        if (token is None) == (app is None):
            raise ValueError("give the forge client either a token or a GitHub App, not both")
        if throttle is None:
            throttle = api_url.rstrip("/") == GITHUB_API_URL
        self._token = token
        self._app = app
        self._login: str | None = None
        self.api_url = api_url.rstrip("/")
        self.comment_limit = comment_limit
        self._options: dict[str, Any] = {
            "base_url": self.api_url, "timeout": timeout, "lazy": True,
            **({} if throttle else {"seconds_between_requests": None, "seconds_between_writes": None}),
        }
        self._gh = github.Github(auth=Auth.Token(token), **self._options) if token else None
        self._clients: dict[int, Any] = {}  # installation id → PyGithub client

    def __repr__(self) -> str:  # never show the token
        mode = f", app_id={self._app.credentials.app_id}" if self._app else ""
        return f"GitHubForge(api_url={self.api_url!r}{mode})"

    @property
    def _secrets(self) -> list[str]:
        return self._app.secrets() if self._app else [self._token or ""]

    @property
    def supports_checks(self) -> bool:
        """Only a GitHub App may write check runs; a token install reports commit statuses."""
        return self._app is not None

    @property
    def app(self) -> InstallationTokens | None:
        return self._app

    def _translating(self, action: str) -> Any:
        return translating(action, secrets=self._secrets)

    def _client(self, repo: str) -> Any:
        if self._app is None:
            return self._gh
        installation = self._app.installation_for(repo)
        client = self._clients.get(installation)
        if client is None:
            client = self._clients[installation] = github.Github(
                auth=InstallationTokenAuth(self._app, installation), **self._options)
        return client

    def _git_token(self, repo: str) -> str:
        if self._app is None:
            assert self._token is not None
            return self._token
        return self._app.token(self._app.installation_for(repo))

    def _repo(self, repo: str) -> Any:
        if repo.count("/") != 1 or not all(repo.split("/")):
            raise ValueError(f"repository must be 'owner/name', got {repo!r}")
        return self._client(repo).get_repo(repo)

    # -- repositories and git -------------------------------------------------

    def get_repo(self, repo: str) -> RepoInfo:
        with self._translating(f"reading repository {repo}"):
            r = self._repo(repo)
            default_branch = r.default_branch  # the first attribute read fetches the repository
            return RepoInfo(
                full_name=r.full_name,
                default_branch=default_branch,
                clone_url=r.clone_url,
                html_url=r.html_url,
                private=bool(r.private),
            )

    def sync_working_copy(self, repo: str, workdir: Path) -> Path:
        return self._working_copy(repo, workdir).path

    def working_copy(self, repo: str, workdir: Path) -> WorkingCopy:
        """An authenticated working copy (for git operations beyond this interface, e.g. the state branch)."""
        return self._working_copy(repo, workdir)

    def _working_copy(self, repo: str, workdir: Path) -> WorkingCopy:
        info = self.get_repo(repo)
        return WorkingCopy.sync(info.clone_url, self._git_token(repo), Path(workdir), name=repo)

    def create_branch(self, repo: str, branch: str, base: str) -> str:
        with self._translating(f"creating branch {branch} from {base} in {repo}"):
            r = self._repo(repo)
            sha = r.get_git_ref(f"heads/{base}").object.sha
            r.create_git_ref(ref=f"refs/heads/{branch}", sha=sha)
            return str(sha)

    def commit_files(
        self,
        repo: str,
        branch: str,
        files: Mapping[str, str | bytes],
        message: str,
        author: Author,
        workdir: Path,
        *,
        delete: Iterable[str] = (),
    ) -> str:
        copy = self._working_copy(repo, workdir)
        copy.checkout_remote_branch(branch)
        sha = copy.write_and_commit(files, list(delete), message, author)
        copy.push(branch)
        return sha

    # -- pull requests -------------------------------------------------------

    def open_pull_request(self, repo: str, *, title: str, body: str, head: str, base: str, draft: bool = False) -> PullRequest:
        with self._translating(f"opening pull request {repo}#{head}→{base}"):
            pr = self._repo(repo).create_pull(base=base, head=head, title=title, body=body, draft=draft)
            return _pull_request(pr)

    def get_pull_request(self, repo: str, number: int, *, wait_for_mergeable: float = 0.0) -> PullRequest:
        deadline = time.monotonic() + wait_for_mergeable
        delay = 0.2
        while True:
            with self._translating(f"reading pull request {repo}#{number}"):
                result = _pull_request(self._repo(repo).get_pull(number))
            if result.mergeable is not None or result.state != "open" or time.monotonic() + delay > deadline:
                return result
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def find_open_pull_request(self, repo: str, head: str, base: str | None = None) -> PullRequest | None:
        """The open PR from branch ``head`` (of the same repository), if any."""
        owner = repo.split("/")[0]
        with self._translating(f"looking for an open pull request from {head} in {repo}"):
            kwargs: dict[str, str] = {"state": "open", "head": f"{owner}:{head}"}
            if base:
                kwargs["base"] = base
            for pr in self._repo(repo).get_pulls(**kwargs):
                return _pull_request(pr)
        return None

    def ensure_webhook(self, repo: str, url: str, secret: str, events: Iterable[str]) -> tuple[int, bool]:
        """The repository's hook to ``url`` with this secret and these events; (hook id, created?)."""
        config = {"url": url, "content_type": "json", "secret": secret, "insecure_ssl": "0"}
        wanted = sorted(events)
        with self._translating(f"registering the webhook of {repo}"):
            r = self._repo(repo)
            for hook in r.get_hooks():
                if hook.config.get("url") == url:
                    hook.edit("web", config, events=wanted, active=True)
                    return hook.id, False
            return r.create_hook("web", config, events=wanted, active=True).id, True

    def close_pull_request(self, repo: str, number: int) -> PullRequest:
        """Close without merging (GitHub then sends ``pull_request`` ``closed``)."""
        with self._translating(f"closing pull request {repo}#{number}"):
            pr = self._repo(repo).get_pull(number)
            pr.edit(state="closed")
        return self.get_pull_request(repo, number)

    def list_changed_files(self, repo: str, number: int) -> list[ChangedFile]:
        with self._translating(f"listing changed files of {repo}#{number}"):
            return [
                ChangedFile(f.filename, f.status, f.additions, f.deletions, f.previous_filename)
                for f in self._repo(repo).get_pull(number).get_files()
            ]

    # -- comments ------------------------------------------------------------

    def login(self) -> str:
        """The login of the account this forge client acts as (cached)."""
        if self._login is None:
            if self._app is not None:  # an installation token may not read /user; its bot is <slug>[bot]
                with self._translating("reading the GitHub App"):
                    self._login = self._app.bot_login()
            else:
                if self._gh is None:
                    raise ValueError("the forge client has an empty token")
                with self._translating("reading the authenticated user"):
                    self._login = self._gh.get_user().login
        return self._login

    def own_comment(self, repo: str, number: int, key: str) -> str | None:
        """The body of our comment marked ``key``, if we wrote one (an audit record others cannot forge)."""
        wanted = markers.marker(key)
        with self._translating(f"reading comments of {repo}#{number}"):
            for comment in self._repo(repo).get_issue(number).get_comments():
                body = comment.body or ""
                if comment.user is not None and comment.user.login == self.login() and body.startswith(wanted):
                    return body
        return None

    def upsert_comment(self, repo: str, number: int, key: str, body: str) -> list[int]:
        parts = split_comment(key, body, limit=self.comment_limit)
        with self._translating(f"updating comment {key!r} on {repo}#{number}"):
            issue = self._repo(repo).get_issue(number)
            # Only our own comments: anyone can type our hidden marker, and we must not adopt their comment.
            listed = [c for c in issue.get_comments() if c.user is not None and c.user.login == self.login()]
            by_id = {c.id: c for c in listed}
            plan = markers.plan_sync([markers.ExistingComment(c.id, c.body or "") for c in listed], key, parts)
            ids: dict[str, int] = {}
            for comment_id, new_body in plan.update:
                by_id[comment_id].edit(new_body)
                ids[new_body] = comment_id
            for comment_id in plan.unchanged:
                ids[by_id[comment_id].body] = comment_id
            for new_body in plan.create:
                ids[new_body] = issue.create_comment(new_body).id
            for comment_id in plan.delete:
                by_id[comment_id].delete()
        return [ids[part] for part in parts]

    # -- reviews and merging -------------------------------------------------

    def list_reviews(self, repo: str, number: int) -> list[Review]:
        with self._translating(f"listing reviews of {repo}#{number}"):
            return [
                Review(r.id, r.user.login if r.user else "", r.state, r.commit_id, i)
                for i, r in enumerate(self._repo(repo).get_pull(number).get_reviews())
            ]

    def approvers(self, repo: str, number: int, *, head_sha: str | None = None) -> list[str]:
        return reviews.approvers(self.list_reviews(repo, number), head_sha=head_sha)

    def merge(
        self,
        repo: str,
        number: int,
        *,
        method: MergeMethod = "merge",
        sha: str | None = None,
        title: str | None = None,
        message: str | None = None,
    ) -> MergeResult:
        kwargs: dict[str, str] = {"merge_method": method}
        if sha:
            kwargs["sha"] = sha
        if title:
            kwargs["commit_title"] = title
        if message:
            kwargs["commit_message"] = message
        with self._translating(f"merging {repo}#{number} ({method})"):
            status = self._repo(repo).get_pull(number).merge(**kwargs)
            return MergeResult(bool(status.merged), status.sha, status.message or "")

    def open_revert_pull_request(
        self,
        repo: str,
        *,
        merge_sha: str,
        original_title: str,
        author: Author,
        workdir: Path,
        body: str = "",
        branch: str | None = None,
    ) -> PullRequest:
        info = self.get_repo(repo)
        branch = branch or f"revert-{merge_sha[:12]}"
        title = f'Revert "{original_title}"'
        copy = WorkingCopy.sync(info.clone_url, self._git_token(repo), Path(workdir), name=repo)
        copy.create_local_branch(branch, f"refs/remotes/origin/{info.default_branch}")
        copy.revert_merge(merge_sha, author, f"{title}\n\nThis reverts commit {merge_sha}.")
        copy.push(branch)
        return self.open_pull_request(
            repo,
            title=title,
            body=body or f"Reverts {merge_sha}.",
            head=branch,
            base=info.default_branch,
        )
