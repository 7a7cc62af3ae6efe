"""REST routes for repository contents: read a file or directory, write a file
as a commit on a branch (GitHub's "create or update file contents").
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from aiohttp import web

from . import gitrepo, payloads
from .auth import require_user
from .gitrepo import Identity
from .http import ApiError, body, invalid, not_found, require_str, respond
from .routes_repos import REPO, forge_of, repo_of
from .storage import Row

routes = web.RouteTableDef()


@routes.get(REPO + "/contents")
@routes.get(REPO + "/contents/{path:.*}")
async def get_contents(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    path = request.match_info.get("path", "").strip("/")
    ref = request.query.get("ref") or repo["default_branch"]
    found = await forge.git(gitrepo.read_path, forge.repo_path(repo), ref, path)
    if found is None:
        raise not_found()
    kind, sha, content = found
    if kind == "blob":
        return respond(payloads.content_file(forge.urls, repo, path, sha, content, ref))
    entries = []
    for record in content.split(b"\x00"):
        if not record:
            continue
        meta, name = record.decode(errors="replace").split("\t", 1)
        _mode, entry_kind, entry_sha, size = meta.split()
        entry_path = f"{path}/{name}" if path else name
        entries.append(payloads.content_dir_entry(forge.urls, repo, entry_path, entry_sha, entry_kind,
                                                  int(size) if size.isdigit() else 0, ref))
    return respond(entries)


def _person(data: Any, fallback: Identity) -> Identity:
    if not isinstance(data, dict) or not data.get("name") or not data.get("email"):
        return fallback
    return Identity(str(data["name"]), str(data["email"]), data.get("date"))


def _put_file_sync(repo_path: Path, branch: str, default_branch: str, path: str, content: bytes, message: str,
                   expected_sha: str | None, author: Identity, committer: Identity) -> tuple[int, str, str | dict]:
    """(status, message, commit sha or ''): the write, under the repository lock."""
    tip = gitrepo.resolve(repo_path, f"refs/heads/{branch}")
    if tip is None and (gitrepo.refs(repo_path) or branch != default_branch):
        return 404, f"Branch {branch} not found", ""
    existing = gitrepo.read_path(repo_path, tip, path) if tip else None
    if existing is not None and existing[0] != "blob":
        return 422, f"{path} is a directory", ""
    if existing is not None and not expected_sha:
        return 422, 'Invalid request.\n\n"sha" wasn\'t supplied.', ""
    if existing is not None and expected_sha != existing[1]:
        return 409, f"{path} does not match {expected_sha}", ""
    tree = gitrepo.write_tree_with_file(repo_path, tip, path, content)
    sha = gitrepo.commit_tree(repo_path, tree, [tip] if tip else [], message, author, committer)
    if not gitrepo.update_ref(repo_path, f"refs/heads/{branch}", sha, tip or gitrepo.ZERO_SHA):
        return 409, f"{branch} moved while writing {path}; try again", ""
    return (200 if existing is not None else 201), "", sha


@routes.put(REPO + "/contents/{path:.+}")
async def put_contents(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    data = await body(request)
    path = request.match_info["path"].strip("/")
    message = require_str(data, "message", "Commit")
    if not isinstance(data.get("content"), str):
        raise invalid("Commit", "content", "missing_field")
    try:
        content = base64.b64decode(data["content"], validate=False)
    except (binascii.Error, ValueError) as exc:
        raise invalid("Commit", "content", "invalid", "content is not valid Base64") from exc
    me = Identity(user["name"] or user["login"], user["email"])
    committer = _person(data.get("committer"), me)
    author = _person(data.get("author"), committer)
    branch = data.get("branch") or repo["default_branch"]
    status, reason, sha = await forge.write(
        repo, user, _put_file_sync, forge.repo_path(repo), branch, repo["default_branch"], path, content, message,
        data.get("sha"), author, committer)
    if reason:
        raise ApiError(status, reason)
    return respond(await forge.git(_file_commit_doc, forge, repo, path, branch, str(sha)), status)


def _file_commit_doc(forge: Any, repo: Row, path: str, branch: str, sha: str) -> dict[str, Any]:
    repo_path = forge.repo_path(repo)
    found = gitrepo.read_path(repo_path, sha, path)
    assert found is not None, "the file just written must exist"
    return payloads.file_commit(forge.urls, repo, path, found[1], len(found[2]), branch, gitrepo.commit(repo_path, sha))
