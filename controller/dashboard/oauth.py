"""Signing in with GitHub (or the local forge): the client half of the OAuth web flow.

1. ``authorize_url`` sends the browser to ``<web>/login/oauth/authorize`` with
   the app's client_id, our callback and a random ``state`` kept in the session;
2. the callback gets ``code`` and ``state``; ``state`` must equal the session's;
3. ``exchange`` posts the code with the client secret to
   ``<web>/login/oauth/access_token`` (``Accept: application/json``);
4. ``login_of`` asks ``GET <api>/user`` with the token who this is.
The token is used for that one call and then forgotten: the dashboard acts
with the controller's own forge credentials, never the person's.
"""

from __future__ import annotations

from urllib.parse import urlencode

import aiohttp

from ..errors import ForgeAuthError, ForgeError

TIMEOUT = aiohttp.ClientTimeout(total=15)


def authorize_url(web_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    query = urlencode({"client_id": client_id, "redirect_uri": redirect_uri, "state": state,
                       "scope": "read:user", "allow_signup": "false"})
    return f"{web_url.rstrip('/')}/login/oauth/authorize?{query}"


async def exchange(web_url: str, client_id: str, client_secret: str, code: str, redirect_uri: str) -> str:
    """The access token for ``code``; ``ForgeAuthError`` with GitHub's own words when refused."""
    data = {"client_id": client_id, "client_secret": client_secret, "code": code, "redirect_uri": redirect_uri}
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            async with http.post(f"{web_url.rstrip('/')}/login/oauth/access_token", data=data,
                                 headers={"Accept": "application/json"}) as response:
                doc = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise ForgeError(f"exchanging the sign-in code at {web_url}: {exc or type(exc).__name__}") from exc
    if not isinstance(doc, dict) or "access_token" not in doc:
        reason = doc.get("error_description") or doc.get("error") if isinstance(doc, dict) else None
        raise ForgeAuthError(f"signing in: the forge refused the code ({reason or 'no token in its answer'})",
                             hint="start again from the sign-in page")
    return str(doc["access_token"])


async def login_of(api_url: str, token: str) -> str:
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            async with http.get(f"{api_url.rstrip('/')}/user",
                                headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}) as response:
                if response.status != 200:
                    raise ForgeAuthError(f"signing in: GET /user answered {response.status}")
                doc = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise ForgeError(f"asking {api_url} who signed in: {exc or type(exc).__name__}") from exc
    login = doc.get("login") if isinstance(doc, dict) else None
    if not isinstance(login, str) or not login:
        raise ForgeAuthError("signing in: GET /user gave no login")
    return login
