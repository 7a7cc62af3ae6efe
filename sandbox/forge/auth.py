"""Who is calling: tokens from `Authorization` headers, as GitHub reads them.

The REST API takes `token T` or `Bearer T` (and Basic with the token as
password, as git sends). A header with an unknown token is refused with 401
"Bad credentials" at once, before any route runs; no header means an
anonymous caller, who may read public repositories and nothing else.
"""

from __future__ import annotations

import base64
import binascii

from aiohttp import web

from .http import ApiError, Handler, bad_credentials
from .storage import Row, Store

USER: web.RequestKey[Row | None] = web.RequestKey("user", object)  # type: ignore[arg-type]


def token_from_header(header: str) -> str | None:
    """The token in an Authorization header value, or None when it carries none."""
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme in ("token", "bearer"):
        return value.strip() or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        _, _, password = decoded.partition(":")
        return password or None
    return None


def authenticate(store: Store, header: str | None) -> Row | None:
    """The account of the header's token; None for no header; 401 for a bad one."""
    if not header:
        return None
    token = token_from_header(header)
    user = store.user_by_token(token) if token else None
    if user is None:
        raise bad_credentials()
    return user


def make_middleware(store: Store) -> web.middleware:  # type: ignore[valid-type]
    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/api/"):
            request[USER] = authenticate(store, request.headers.get("Authorization"))
        return await handler(request)

    return auth_middleware


def require_user(request: web.Request) -> Row:
    """The caller's account; 401 "Requires authentication" for an anonymous caller."""
    user: Row | None = request.get(USER)
    if user is None:
        raise ApiError(401, "Requires authentication")
    return user
