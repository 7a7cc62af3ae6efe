"""``GET /search/issues``: issues and pull requests of the repositories the caller may see,
matched by ``search`` (GitHub's q syntax) and shaped as GitHub's ``issue-search-result-item``."""

from __future__ import annotations

from aiohttp import web

from . import apps, search
from .auth import CALLER, USER
from .http import ApiError, link_header, page_of, respond
from .routes_repos import API, forge_of
from .storage import Row

routes = web.RouteTableDef()


def _invalid(message: str) -> ApiError:
    return ApiError(422, "Validation Failed", errors=[{"message": message, "resource": "Search", "field": "q",
                                                       "code": "invalid"}])


def _visible_repos(request: web.Request) -> list[Row]:
    forge, caller = forge_of(request), request.get(CALLER)
    rows = forge.store.all("SELECT repos.*, users.login AS owner_login FROM repos "
                           "JOIN users ON users.id = repos.owner_id ORDER BY repos.id")
    if request.get(USER) is None:
        return [r for r in rows if not r["private"]]
    return [r for r in rows if not r["private"] or caller is None or apps.may_use_repo(forge.store, caller, r)]


def _in_scope(query: search.Query, repos: list[Row]) -> list[Row]:
    """The repositories the query can match; 422 for a named one that does not exist here (as GitHub)."""
    by_name = {f"{r['owner_login']}/{r['name']}".lower(): r for r in repos}
    owners = {r["owner_login"].lower() for r in repos}
    named = [v for c in query.wanted("repo") for v in c.values]
    missing = [n for n in named if n not in by_name] + [o for c in query.wanted("owner") for o in c.values
                                                         if o not in owners]
    if missing:
        raise _invalid(f"The listed users and repositories cannot be searched either because the resources do not "
                       f"exist or you do not have permission to view them: {', '.join(missing)}")
    return [r for name, r in by_name.items() if not named or name in named]


def _candidates(request: web.Request, repos: list[Row]) -> list[search.Candidate]:
    store = forge_of(request).store
    found = []
    for repo in repos:
        full = f"{repo['owner_login']}/{repo['name']}"
        for issue in store.all("SELECT * FROM issues WHERE repo_id = ? ORDER BY number", repo["id"]):
            pull = store.one("SELECT * FROM pulls WHERE issue_id = ?", issue["id"])
            labels = store.all("SELECT labels.name FROM labels JOIN issue_labels ON issue_labels.label_id = labels.id "
                               "WHERE issue_labels.issue_id = ?", issue["id"])
            comments = store.all("SELECT body FROM comments WHERE issue_id = ? ORDER BY id", issue["id"])
            found.append(search.Candidate(
                repo=full, number=issue["number"], title=issue["title"], body=issue["body"] or "",
                is_pr=pull is not None, state=issue["state"], author=store.user(issue["user_id"])["login"],
                labels=tuple(lab["name"] for lab in labels), merged=bool(pull and pull["merged_at"]),
                draft=bool(pull and pull["draft"]), head=pull["head_ref"] if pull else None,
                base=pull["base_ref"] if pull else None, comments=tuple(c["body"] for c in comments),
                created_at=issue["created_at"], updated_at=issue["updated_at"], extra={"repo": repo, "issue": issue}))
    return found


@routes.get(API + "/search/issues")
async def search_issues(request: web.Request) -> web.Response:
    forge = forge_of(request)
    sort, order = request.query.get("sort") or None, request.query.get("order", "desc")
    if sort is not None and sort not in search.SORTS:
        raise _invalid(f"sort must be one of {', '.join(search.SORTS)}")
    if order not in ("asc", "desc"):
        raise _invalid("order must be asc or desc")
    try:
        query = search.parse(request.query.get("q", ""))
    except search.QueryError as exc:
        raise _invalid(str(exc)) from None
    matches = search.run(query, _candidates(request, _in_scope(query, _visible_repos(request))), sort=sort,
                         order=order)
    items = []
    for item, score in page_of(request, matches[:search.MAX_RESULTS]):
        doc = forge.issue_doc(item.extra["repo"], item.extra["issue"])
        if doc["body"] is None:  # `issue-search-result-item` has no null body: GitHub's schema leaves it out
            del doc["body"]
        items.append({**doc, "score": score})
    links = link_header(request, min(len(matches), search.MAX_RESULTS))
    return respond({"total_count": len(matches), "incomplete_results": False, "items": items,
                    "search_type": "lexical"}, headers={"Link": links} if links else None)
