"""GitHub's OAuth web application flow, as the local forge serves it.

    GET  /login/oauth/authorize     client_id, redirect_uri, state, scope, login
    POST /login/oauth/authorize     the person's answer (authorize or cancel)
    POST /login/oauth/access_token  client_id, client_secret, code, redirect_uri

As on GitHub: the authorize step ends in a redirect to the callback with
``code`` and ``state`` (or ``error=access_denied`` / ``redirect_uri_mismatch``);
a code lives ten minutes and is good once; the token endpoint answers 200
even for its errors (``incorrect_client_credentials``,
``redirect_uri_mismatch``, ``bad_verification_code``), form-encoded by default
and JSON with ``Accept: application/json``; the token (``gho_…``) then works
with ``GET /user``. A redirect_uri is accepted when its scheme, host and port
equal the registered callback's and its path lies under the callback's path.

The forge has no web login, so the authorize page asks for the account's
login and one of its tokens (its stand-in for GitHub's password form).
"""

from __future__ import annotations

import html
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from .core import FORGE
from .storage import Row, Store

routes = web.RouteTableDef()
CODE_LIFETIME = 600.0  # seconds, as GitHub
_TROUBLE = "/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/"
_AUTH_TROUBLE = "/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/"
ERRORS = {
    "incorrect_client_credentials": ("The client_id and/or client_secret passed are incorrect.",
                                     _TROUBLE + "#incorrect-client-credentials"),
    "redirect_uri_mismatch": ("The redirect_uri MUST match the registered callback URL for this application.",
                              _AUTH_TROUBLE + "#redirect-uri-mismatch2"),
    "bad_verification_code": ("The code passed is incorrect or expired.", _TROUBLE + "#bad-verification-code"),
    "access_denied": ("The user has denied your application access.", _AUTH_TROUBLE + "#access-denied"),
}


def register_app(store: Store, name: str, callback_url: str) -> tuple[str, str]:
    """A new OAuth app; returns (client_id, client_secret)."""
    client_id = "Ov23li" + secrets.token_hex(7)
    client_secret = secrets.token_hex(20)
    store.insert("oauth_apps", client_id=client_id, client_secret=client_secret, name=name,
                 callback_url=callback_url, created_at=time.time())
    return client_id, client_secret


def redirect_allowed(registered: str, given: str) -> bool:
    """GitHub's rule: same scheme, host and port; the path a subdirectory of the registered one."""
    a, b = urlsplit(registered), urlsplit(given)
    if (a.scheme, a.hostname, a.port) != (b.scheme, b.hostname, b.port):
        return False
    base = a.path.rstrip("/")
    return b.path == a.path or b.path == base or b.path.startswith(base + "/")


def _with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def _error_redirect(callback: str, error: str, state: str | None) -> web.HTTPFound:
    description, uri = ERRORS[error]
    params = {"error": error, "error_description": description, "error_uri": uri}
    if state:
        params["state"] = state
    return web.HTTPFound(_with_query(callback, params))


def _app(store: Store, client_id: str) -> Row | None:
    return store.one("SELECT * FROM oauth_apps WHERE client_id = ?", client_id) if client_id else None


def _page(title: str, body: str, status: int = 200) -> web.Response:
    doc = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
           "<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto}label,input,button{display:block;"
           "margin:.4rem 0}input{width:100%;padding:.4rem}</style></head>"
           f"<body><h1>{html.escape(title)}</h1>{body}</body></html>")
    return web.Response(status=status, text=doc, content_type="text/html")


def _authorize_target(request: web.Request, params: Any) -> tuple[Row, str] | web.Response:
    """The app and the redirect_uri to use, or the page GitHub shows for an unusable request."""
    app = _app(request.app[FORGE].store, params.get("client_id", ""))
    if app is None:
        return _page("Not Found", "<p>No OAuth application has this client_id.</p>", 404)
    redirect_uri = params.get("redirect_uri") or app["callback_url"]
    if not redirect_allowed(app["callback_url"], redirect_uri):
        raise _error_redirect(app["callback_url"], "redirect_uri_mismatch", params.get("state"))
    return app, redirect_uri


@routes.get("/login/oauth/authorize")
async def authorize_page(request: web.Request) -> web.Response:
    target = _authorize_target(request, request.query)
    if isinstance(target, web.Response):
        return target
    app, redirect_uri = target
    q = request.query
    hidden = "".join(f"<input type='hidden' name='{k}' value='{html.escape(v, quote=True)}'>"
                     for k, v in (("client_id", app["client_id"]), ("redirect_uri", redirect_uri),
                                  ("state", q.get("state", "")), ("scope", q.get("scope", ""))))
    form = (f"<p><b>{html.escape(app['name'])}</b> wants to know who you are"
            f"{' (scope: ' + html.escape(q['scope']) + ')' if q.get('scope') else ''}.</p>"
            f"<form method='post' action='/login/oauth/authorize'>{hidden}"
            f"<label>Username <input name='login' autocomplete='username' value='{html.escape(q.get('login', ''), quote=True)}'></label>"
            "<label>Token <input name='password' type='password' autocomplete='current-password'></label>"
            "<button name='decision' value='authorize' type='submit'>Authorize</button>"
            "<button name='decision' value='cancel' type='submit'>Cancel</button></form>")
    return _page("Sign in to the local forge", form)


@routes.post("/login/oauth/authorize")
async def authorize_answer(request: web.Request) -> web.Response:
    form = await request.post()
    target = _authorize_target(request, form)
    if isinstance(target, web.Response):
        return target
    app, redirect_uri = target
    state = str(form.get("state") or "")
    if form.get("decision") != "authorize":
        raise _error_redirect(redirect_uri, "access_denied", state)
    store = request.app[FORGE].store
    user = store.user_by_token(str(form.get("password") or ""))
    if user is None or user["login"].lower() != str(form.get("login") or "").strip().lower():
        return _page("Sign in to the local forge", "<p>Incorrect username or token.</p>", 401)
    code = secrets.token_hex(10)
    store.insert("oauth_codes", code=code, client_id=app["client_id"], user_id=user["id"],
                 redirect_uri=redirect_uri, scope=str(form.get("scope") or ""),
                 expires_at=time.time() + CODE_LIFETIME, used=0)
    params = {"code": code, **({"state": state} if state else {})}
    raise web.HTTPFound(_with_query(redirect_uri, params))


def _answer(request: web.Request, doc: dict[str, str]) -> web.Response:
    accept = request.headers.get("Accept", "")
    if "application/json" in accept:
        return web.json_response(doc)
    if "application/xml" in accept:
        inner = "".join(f"<{k}>{html.escape(v)}</{k}>" for k, v in doc.items())
        return web.Response(text=f"<OAuth>{inner}</OAuth>", content_type="application/xml")
    return web.Response(text=urlencode(doc), content_type="application/x-www-form-urlencoded")


def _error(request: web.Request, error: str) -> web.Response:
    description, uri = ERRORS[error]
    return _answer(request, {"error": error, "error_description": description, "error_uri": uri})


@routes.post("/login/oauth/access_token")
async def access_token(request: web.Request) -> web.Response:
    params: dict[str, str] = dict(request.query)
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except ValueError:
            data = {}
        params.update({k: str(v) for k, v in data.items()} if isinstance(data, dict) else {})
    else:
        params.update({k: str(v) for k, v in (await request.post()).items()})
    store = request.app[FORGE].store
    app = _app(store, params.get("client_id", ""))
    if app is None or not secrets.compare_digest(app["client_secret"], params.get("client_secret", "")):
        return _error(request, "incorrect_client_credentials")
    row = store.one("SELECT * FROM oauth_codes WHERE code = ? AND client_id = ?", params.get("code", ""),
                    app["client_id"])
    if row is None or row["used"] or row["expires_at"] < time.time():
        return _error(request, "bad_verification_code")
    if params.get("redirect_uri") and params["redirect_uri"] != row["redirect_uri"]:
        return _error(request, "redirect_uri_mismatch")
    with store.transaction() as db:  # a code is good once, even under two racing exchanges
        if db.execute("UPDATE oauth_codes SET used = 1 WHERE code = ? AND used = 0", (row["code"],)).rowcount != 1:
            return _error(request, "bad_verification_code")
    token = "gho_" + secrets.token_urlsafe(27)[:36]
    store.add_token(token, row["user_id"])
    return _answer(request, {"access_token": token, "scope": row["scope"], "token_type": "bearer"})
