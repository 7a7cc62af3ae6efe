"""The dashboard's HTTP plumbing: sessions, CSRF, security headers, sign-in, rendering.

Every dashboard response carries a strict Content-Security-Policy (scripts
and styles only from ``/static/``), ``X-Frame-Options: DENY`` and no-store
caching. Every POST must carry the session's CSRF token in a ``csrf`` form
field and, when the browser sends ``Origin``, come from this site. Every
value a template prints passes through the leak guard (Jinja's ``finalize``),
so a secret that reached a run record is still never rendered.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import jinja2
import markupsafe
from aiohttp import web

from ..errors import CloudOpsError
from . import oauth, sessions
from .access import ADMIN_TOKEN_LOGIN, Access

if TYPE_CHECKING:
    from . import Dashboard

log = logging.getLogger(__name__)

DASHBOARD = web.AppKey("dashboard", object)
ACCESS: web.RequestKey[Access] = web.RequestKey("dashboard_access", Access)
SESSION: web.RequestKey[sessions.Session] = web.RequestKey("dashboard_session", sessions.Session)
ORIGINAL: web.RequestKey[str] = web.RequestKey("dashboard_session_sealed", str)
PUBLIC_PATHS = ("/login", "/static/", "/healthz", "/metrics", "/webhooks/")
DASHBOARD_PREFIXES = ("/runs", "/locks", "/projects", "/policy", "/drift", "/login", "/logout", "/static/")
REDACTION_CACHE = 20_000  # distinct strings remembered between redactor changes
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self' {forms}; frame-ancestors 'none'; base-uri 'none'")


def dash_of(request: web.Request) -> Dashboard:
    return request.app[DASHBOARD]  # type: ignore[return-value]


def is_dashboard_path(path: str) -> bool:
    return path == "/" or path.startswith(DASHBOARD_PREFIXES)


def make_templates(guard) -> jinja2.Environment:
    # Pages repeat the same strings (repos, projects, statuses): each is redacted once per redactor.
    cache: dict[str, str] = {}
    current: list[Any] = [None]

    def redact(text: str) -> str:
        redactor = guard.redactor()
        if redactor is not current[0] or len(cache) > REDACTION_CACHE:
            cache.clear()
            current[0] = redactor
        done = cache.get(text)
        if done is None:
            done = cache[text] = redactor.redact(text)
        return done

    def finalize(value: Any) -> Any:
        if isinstance(value, markupsafe.Markup):  # our own escaped markup (the SVG chart) stays markup
            return markupsafe.Markup(redact(str(value)))
        return redact(value) if isinstance(value, str) else value

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True, finalize=finalize, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["ago"] = _ago
    env.filters["epoch"] = lambda t: _ago(datetime.fromtimestamp(t, UTC))
    env.filters["money"] = lambda v: "unknown" if v is None else f"${v:,.2f}"
    env.filters["short"] = lambda sha: (sha or "")[:12]
    env.filters["seconds"] = lambda s: "—" if s is None else (f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min")
    return env


def _ago(when: Any) -> str:
    if when is None:
        return "—"
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    dash = dash_of(request)
    session = request[SESSION]
    page = dash.templates.get_template(template).render(
        session=session, csrf=session.csrf, me=request.get(ACCESS), config=dash.config,
        repos=dash.repos, path=request.path, **values)
    return web.Response(text=page, status=status, content_type="text/html")


def refuse(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "error.html", status=status, message=message)


# --- middleware ---------------------------------------------------------------

@web.middleware
async def dashboard_middleware(request: web.Request, handler) -> web.StreamResponse:
    if not is_dashboard_path(request.path):
        return await handler(request)
    dash = dash_of(request)
    now = time.time()
    sealed = request.cookies.get(sessions.COOKIE, "")
    session = sessions.open_sealed(sealed, dash.key, now)
    if session is not None and session.via == "token" and not hmac.compare_digest(
            session.token_fp, sessions.fingerprint(dash.key, dash.config.admin_token)):
        session = None  # the admin token changed or was removed: its sessions end with it
    session = session or sessions.fresh(now, dash.config.session_hours)
    request[SESSION] = session
    request[ORIGINAL] = sealed
    if request.method == "POST":
        refusal = await _csrf_refusal(request, session)
        if refusal:
            log.warning("dashboard: %s %s refused: %s", request.method, request.path, refusal)
            response: web.StreamResponse = refuse(request, 403, refusal)
            return _finish(request, response)
    if session.signed_in:
        request[ACCESS] = await dash.access_for(session.login or "", session.via or "")
    elif not request.path.startswith(PUBLIC_PATHS):
        if request.method == "GET":
            return _finish(request, redirect(f"/login?next={quote(request.path_qs, safe='')}"))
        return _finish(request, refuse(request, 401, "sign in first"))
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # a redirect or a 404 from the router: still gets cookies and headers
        response = web.Response(status=exc.status, reason=exc.reason, body=exc.body,
                                headers={k: v for k, v in exc.headers.items() if k.lower() != "content-length"})
    return _finish(request, response)


def redirect(location: str, status: int = 303) -> web.Response:
    return web.Response(status=status, headers={"Location": location})


async def _csrf_refusal(request: web.Request, session: sessions.Session) -> str | None:
    origin = request.headers.get("Origin")
    if origin and not _same_site(request, origin):  # "null" (a sandboxed or file: page) is not us either
        return f"this form was posted from {origin}, not from the dashboard itself"
    form = await request.post()
    if not session.csrf_ok(str(form.get("csrf") or "")):
        return "the form's CSRF token is missing or stale; reload the page and try again"
    return None


def _same_site(request: web.Request, origin: str) -> bool:
    dash = dash_of(request)
    allowed = {f"{request.scheme}://{request.host}"}
    if dash.config.public_url:
        parts = urlsplit(dash.config.public_url)
        allowed.add(f"{parts.scheme}://{parts.netloc}")
    return origin in allowed


def _finish(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    if response.prepared:  # a stream (server-sent events) sent its headers already
        return response
    dash = dash_of(request)
    session = request[SESSION]
    sealed = sessions.seal(session, dash.key)
    if sealed != request[ORIGINAL]:
        response.set_cookie(sessions.COOKIE, sealed, httponly=True, samesite="Lax", path="/",
                            secure=dash.config.secure_cookies, max_age=int(dash.config.session_hours * 3600))
    forms = dash.oauth_web_url if dash.config.oauth_enabled else ""
    response.headers.setdefault("Content-Security-Policy", CSP.format(forms=forms).replace("  ", " "))
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def set_session(request: web.Request, session: sessions.Session) -> None:
    request[SESSION] = session


# --- sign-in ------------------------------------------------------------------

def _safe_next(value: str | None) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/runs"
    return value


async def login_page(request: web.Request) -> web.Response:
    nxt = _safe_next(request.query.get("next"))
    return render(request, "login.html", next=nxt, error=request.query.get("error", ""))


async def login_with_token(request: web.Request) -> web.StreamResponse:
    dash = dash_of(request)
    form = await request.post()
    given = str(form.get("token") or "")
    expected = dash.config.admin_token
    if not expected:
        return render(request, "login.html", status=400, next="/runs",
                      error="no admin token is configured (CLOUDOPS_DASHBOARD_ADMIN_TOKEN)")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("dashboard: a sign-in with a wrong admin token was refused")
        return render(request, "login.html", status=401, next=_safe_next(str(form.get("next") or "")),
                      error="that is not the admin token")
    set_session(request, replace(sessions.signed_in(request[SESSION], ADMIN_TOKEN_LOGIN, "token", time.time(),
                                                    dash.config.session_hours),
                                 token_fp=sessions.fingerprint(dash.key, expected)))
    log.info("dashboard: signed in with the admin token")
    return redirect(_safe_next(str(form.get("next") or "")))


async def login_with_forge(request: web.Request) -> web.StreamResponse:
    dash = dash_of(request)
    if not dash.config.oauth_enabled:
        return render(request, "login.html", status=400, next="/runs",
                      error="signing in with the forge is not configured (CLOUDOPS_OAUTH_CLIENT_ID/SECRET)")
    state = secrets.token_urlsafe(24)
    session = request[SESSION]
    set_session(request, replace(session, oauth_state=state, next_path=_safe_next(request.query.get("next"))))
    return redirect(oauth.authorize_url(dash.oauth_web_url, dash.config.oauth_client_id or "",
                                        callback_url(request), state), status=302)


def callback_url(request: web.Request) -> str:
    dash = dash_of(request)
    base = dash.config.public_url or f"{request.scheme}://{request.host}"
    return f"{base}/login/oauth/callback"


async def oauth_callback(request: web.Request) -> web.StreamResponse:
    dash = dash_of(request)
    session = request[SESSION]
    q = request.query
    if q.get("error"):
        return render(request, "login.html", status=401, next="/runs",
                      error=f"the forge did not sign you in: {q.get('error_description') or q['error']}")
    if not session.oauth_state or not hmac.compare_digest(session.oauth_state, q.get("state", "")):
        return render(request, "login.html", status=400, next="/runs",
                      error="this sign-in did not start here (its state does not match); start again")
    try:
        token = await oauth.exchange(dash.oauth_web_url, dash.config.oauth_client_id or "",
                                     dash.config.oauth_client_secret or "", q.get("code", ""), callback_url(request))
        login = await oauth.login_of(dash.api_url, token)
    except CloudOpsError as exc:
        return render(request, "login.html", status=401, next="/runs", error=str(exc))
    set_session(request, sessions.signed_in(session, login, "oauth", time.time(), dash.config.session_hours))
    log.info("dashboard: @%s signed in with the forge", login)
    return redirect(_safe_next(session.next_path))


async def logout(request: web.Request) -> web.StreamResponse:
    dash = dash_of(request)
    set_session(request, sessions.fresh(time.time(), dash.config.session_hours))
    return redirect("/login")


def require_access(request: web.Request) -> Access:
    access = request.get(ACCESS)
    if access is None:
        raise web.HTTPFound("/login")
    return access
