"""HTTP conventions of GitHub's REST API, shared by every route module.

Errors are raised as `ApiError` and rendered once, by `error_middleware`, as
GitHub renders them: a status and `{"message", "documentation_url"}` (plus
`errors` for 422). Pagination follows GitHub: `per_page` (max 100) and
`page`, with a `Link` header naming next/last/first/prev pages, which is what
PyGithub's PaginatedList follows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

log = logging.getLogger(__name__)

T = TypeVar("T")
DOCS = "https://docs.github.com/rest"
PUBLIC_WEB = web.AppKey("public_web", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """An answer GitHub would give instead of the resource."""

    # ``errors``: objects, or plain sentences as GitHub gives for some 422s
    def __init__(self, status: int, message: str, *, errors: list[dict[str, Any] | str] | None = None,
                 documentation_url: str = DOCS) -> None:
        super().__init__(message)
        self.status, self.message, self.errors, self.documentation_url = status, message, errors, documentation_url

    def body(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            doc["errors"] = self.errors
        doc["documentation_url"] = self.documentation_url
        doc["status"] = str(self.status)
        return doc


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def bad_credentials() -> ApiError:
    return ApiError(401, "Bad credentials")


def invalid(resource: str, field: str, code: str = "invalid", message: str | None = None) -> ApiError:
    """422 Validation Failed with one `{resource, field, code}` error, as GitHub sends it."""
    error: dict[str, Any] = {"resource": resource, "field": field, "code": code}
    if message:
        error["message"] = message
    return ApiError(422, "Validation Failed", errors=[error])


def respond(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=json.dumps(data), content_type="application/json",
                        headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn ApiError, unknown routes and bad JSON into GitHub-shaped errors."""
    try:
        return await handler(request)
    except ApiError as exc:
        return respond(exc.body(), exc.status)
    except web.HTTPMethodNotAllowed:
        return respond(ApiError(404, "Not Found").body(), 404)
    except web.HTTPNotFound:
        return respond(ApiError(404, "Not Found").body(), 404)


async def body(request: web.Request) -> dict[str, Any]:
    """The JSON object of a request; 400 "Problems parsing JSON" as GitHub says otherwise."""
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "Problems parsing JSON") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "Problems parsing JSON")
    return data


def require_str(data: dict[str, Any], field: str, resource: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value:
        raise invalid(resource, field, "missing_field")
    return value


def page_params(request: web.Request) -> tuple[int, int]:
    """(per_page, page) as GitHub reads them: per_page default 30, at most 100; bad values → defaults."""
    try:
        per_page = max(1, min(100, int(request.query.get("per_page", "30"))))
    except ValueError:
        per_page = 30
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    return per_page, page


def page_of(request: web.Request, items: Sequence[T]) -> list[T]:
    """The items of the requested page (so costly documents are built for these only)."""
    per_page, page = page_params(request)
    return list(items[(page - 1) * per_page: page * per_page])


def paginate(request: web.Request, items: Sequence[Any], docs: list[Any] | None = None) -> web.Response:
    """One page of items with GitHub's Link header; `docs`, if given, is that page already built."""
    chunk = docs if docs is not None else page_of(request, items)
    links = link_header(request, len(items))
    return respond(chunk, headers={"Link": links} if links else None)


def link_header(request: web.Request, total: int) -> str:
    """GitHub's `Link` header for a list of ``total`` items ('' when one page holds them all)."""
    per_page, page = page_params(request)
    last = max(1, -(-total // per_page))
    links = []

    def page_url(number: int) -> str:
        query = {k: v for k, v in request.query.items() if k != "page"}
        query["page"] = str(number)
        return f"{request.app[PUBLIC_WEB]}{request.path}?{urlencode(query)}"

    if page < last:
        links += [f'<{page_url(page + 1)}>; rel="next"', f'<{page_url(last)}>; rel="last"']
    if page > 1:
        links += [f'<{page_url(1)}>; rel="first"', f'<{page_url(page - 1)}>; rel="prev"']
    return ", ".join(links)
