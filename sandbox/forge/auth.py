"""Who is calling: tokens from `Authorization` headers, as GitHub reads them.

The REST API takes `token T` or `Bearer T` (and Basic with the token as
password, as git sends). A header with an unknown token is refused with 401
"Bad credentials" at once, before any route runs; no header means an
anonymous caller, who may read public repositories and nothing else.

GitHub Apps: `Bearer <JWT>` proves an app (`APP`, for the `/app…` routes
only); an installation token (`ghs_…`) acts as the app's bot user on the
installation's repositories (`CALLER.installation`). See `apps`.
"""

from __future__ import annotations

import base64
import binascii

from aiohttp import web

from . import apps
from .http import ApiError, Handler, bad_credentials
from .storage import Row, Store

USER: web.RequestKey[Row | None] = web.RequestKey("user", object)  # type: ignore[arg-type]
CALLER: web.RequestKey[apps.Caller | None] = web.RequestKey("caller", object)  # type: ignore[arg-type]
APP: web.RequestKey[Row | None] = web.RequestKey("app", object)  # type: ignore[arg-type]


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
    caller = authenticate_caller(store, header)
    return caller.user if caller else None


def authenticate_caller(store: Store, header: str | None) -> apps.Caller | None:
    if not header:
        return None
    token = token_from_header(header)
    caller = apps.caller_of_token(store, token) if token else None
    if caller is None:
        raise bad_credentials()
    return caller


def make_middleware(store: Store) -> web.middleware:  # type: ignore[valid-type]
    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/api/"):
            header = request.headers.get("Authorization")
            token = token_from_header(header) if header else None
            if token and header and header.lower().startswith("bearer ") and apps.looks_like_jwt(token):
                request[APP] = apps.verify_jwt(store, token)
                request[USER] = request[CALLER] = None
            else:
                request[APP] = None
                caller = authenticate_caller(store, header)
                request[CALLER] = caller
                request[USER] = caller.user if caller else None
        return await handler(request)

    return auth_middleware


def require_app(request: web.Request) -> Row:
    """The app of the request's JWT; 401 as GitHub answers anything else on `/app…` routes."""
    app: Row | None = request.get(APP)
    if app is None:
        raise ApiError(401, "A JSON web token could not be decoded")
    return app


def require_installation(request: web.Request) -> apps.Caller:
    """An installation token's caller; 403 as GitHub answers a personal token on the Checks API."""
    caller: apps.Caller | None = request.get(CALLER)
    if caller is None or caller.installation is None:
        if request.get(APP) is None and caller is None:
            raise ApiError(401, "Requires authentication")
        raise ApiError(403, "You must authenticate via a GitHub App.")
    return caller


def require_user(request: web.Request) -> Row:
    """The caller's account; 401 "Requires authentication" for an anonymous caller."""
    user: Row | None = request.get(USER)
    if user is None:
        raise ApiError(401, "Requires authentication")
    return user
