"""Git's smart HTTP protocol, served by `git http-backend` as a CGI program.

Clients authenticate with HTTP Basic where the password is a forge token
(`http://x-access-token:TOKEN@host/owner/repo.git`); without a valid one the
answer is 401 with `WWW-Authenticate: Basic`, which makes git ask for (or
fail without) credentials. A `git-receive-pack` POST (a push) runs under the
repository's lock between two ref snapshots, so the forge knows exactly which
refs moved and fires `push` and `pull_request`/`synchronize` for them.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable

from aiohttp import web

from . import gitrepo
from . import apps
from .auth import token_from_header
from .core import FORGE, Forge

log = logging.getLogger(__name__)

ROUTE = "/{owner}/{repo}.git/{tail:.*}"
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="Local forge"'}


def _refuse(status: int, text: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=text + "\n", headers=headers)


async def handle(request: web.Request) -> web.StreamResponse:
    forge: Forge = request.app[FORGE]
    header = request.headers.get("Authorization", "")
    token = token_from_header(header) if header.lower().startswith("basic ") else None
    caller = apps.caller_of_token(forge.store, token) if token else None
    if caller is None:
        return _refuse(401, "Authentication required: use a forge token as the password", _CHALLENGE)
    user = caller.user
    repo = forge.store.repo(request.match_info["owner"], request.match_info["repo"])
    if repo is None or not apps.may_use_repo(forge.store, caller, repo):
        return _refuse(404, "Repository not found")
    tail = request.match_info["tail"]
    data = await request.read()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_PROJECT_ROOT": str(forge.repos_root),
        "GIT_HTTP_EXPORT_ALL": "1", "GIT_HTTP_MAX_REQUEST_BUFFER": "100M",
        "PATH_INFO": f"/{repo['owner_login']}/{repo['name']}.git/{tail}", "QUERY_STRING": request.query_string,
        "REQUEST_METHOD": request.method, "CONTENT_TYPE": request.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(data)), "REMOTE_USER": user["login"], "REMOTE_ADDR": request.remote or "",
        "GIT_COMMITTER_NAME": user["name"] or user["login"], "GIT_COMMITTER_EMAIL": user["email"],
    }
    if "Git-Protocol" in request.headers:
        env["HTTP_GIT_PROTOCOL"] = request.headers["Git-Protocol"]
    if data[:2] == b"\x1f\x8b":  # still gzip-compressed: let git inflate it
        env["HTTP_CONTENT_ENCODING"] = "gzip"
    if tail != "git-receive-pack" or request.method != "POST":
        return await _run_backend(request, env, data)
    path = forge.repo_path(repo)
    async with forge.lock(repo):
        before = await forge.git(gitrepo.refs, path)

        async def announce() -> None:
            # Before the client sees the end of the answer, so that once `git push`
            # returns, the events are already queued (tests drain right after).
            after = await forge.git(gitrepo.refs, path)
            await forge.refs_moved(repo, before, after, user)

        return await _run_backend(request, env, data, announce)


async def _run_backend(request: web.Request, env: dict[str, str], data: bytes,
                       before_eof: Callable[[], Awaitable[None]] | None = None) -> web.StreamResponse:
    """Run one CGI request and stream its answer back; `before_eof` runs once git has exited."""
    proc = await asyncio.create_subprocess_exec(
        "git", "http-backend", env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    assert proc.stdin and proc.stdout and proc.stderr
    try:
        if data:
            proc.stdin.write(data)
            await proc.stdin.drain()
        proc.stdin.close()
    except (BrokenPipeError, ConnectionResetError):
        pass  # git answered without reading the whole body (e.g. a refusal); its answer still follows
    status, headers = 200, {}
    while True:
        line = (await proc.stdout.readline()).decode("latin-1").rstrip("\r\n")
        if not line:
            break
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        else:
            headers[name.strip()] = value.strip()
    response = web.StreamResponse(status=status, headers=headers)
    await response.prepare(request)
    while chunk := await proc.stdout.read(65536):
        await response.write(chunk)
    errors = await proc.stderr.read()
    if await proc.wait() != 0 or errors:
        log.debug("git http-backend %s: %s", env["PATH_INFO"], errors.decode(errors="replace").strip())
    if before_eof is not None:
        await before_eof()
    await response.write_eof()
    return response
