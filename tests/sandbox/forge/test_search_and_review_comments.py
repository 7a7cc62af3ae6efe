"""PyGithub's ``search_issues`` and review comments on lines, against the local forge (their JSON is
checked against GitHub's schemas in tests/contract)."""

from __future__ import annotations

import time

import github
import pytest

MAIN_TF = "".join(f'resource "null_resource" "r{i}" {{}}\n' for i in range(1, 9))  # 8 lines


def _pr(repo, branch: str, title: str, body: str = "", files: dict[str, str] | None = None):
    repo.create_git_ref(f"refs/heads/{branch}", repo.get_branch("main").commit.sha)
    for name, text in (files or {f"{branch}.txt": "x\n"}).items():
        repo.create_file(name, f"add {name}", text, branch=branch)
    return repo.create_pull(title=title, body=body, head=branch, base="main")


def _numbers(gh: github.Github, q: str, **kwargs) -> list[int]:
    return sorted(i.number for i in gh.search_issues(q, **kwargs))


def test_search_issues_reads_githubs_qualifiers(gh: github.Github, bob: github.Github) -> None:
    repo = gh.get_user().create_repo("searched", auto_init=True)
    other = gh.get_user().create_repo("elsewhere", auto_init=True)
    web = _pr(repo, "deploy-web", "Deploy web servers", "Adds the web tier.")
    db = _pr(repo, "deploy-db", "Deploy database", "A postgres instance for web.")
    issue = repo.create_issue("Plan stuck on web", "the plan never finishes")
    _pr(other, "deploy-web", "Deploy web elsewhere")
    repo.create_label("cloudops:planned", "0e8a16")
    repo.get_issue(web.number).add_to_labels("cloudops:planned")
    db.edit(state="closed")
    bob.get_repo(repo.full_name).get_issue(issue.number).create_comment("seen the timeout too")
    name = repo.full_name

    assert _numbers(gh, f"repo:{name}") == [web.number, db.number, issue.number]
    assert _numbers(gh, f"repo:{name} is:pr") == [web.number, db.number]
    assert _numbers(gh, f"repo:{name} is:issue") == [issue.number]
    assert _numbers(gh, f"repo:{name} is:pr is:open") == [web.number]
    assert _numbers(gh, f"repo:{name} is:closed") == [db.number]
    assert _numbers(gh, f"repo:{name} label:cloudops:planned") == [web.number]
    assert _numbers(gh, f"repo:{name} -label:cloudops:planned is:pr") == [db.number]
    assert _numbers(gh, f"repo:{name} author:{gh.get_user().login}") == [web.number, db.number, issue.number]
    assert _numbers(gh, f"repo:{name} author:{bob.get_user().login}") == []
    assert _numbers(gh, f"repo:{name} web") == [web.number, db.number, issue.number]  # title or body
    assert _numbers(gh, f"repo:{name} web in:title") == [web.number, issue.number]
    assert _numbers(gh, f'repo:{name} "web servers"') == [web.number]
    assert _numbers(gh, f"repo:{name} timeout in:comments") == [issue.number]
    assert _numbers(gh, "deploy web is:pr", repo=name) == [web.number, db.number]  # PyGithub's qualifiers
    assert _numbers(gh, f"user:{gh.get_user().login} deploy elsewhere") == [1]  # the other repo's PR
    best = gh.search_issues(f"repo:{name} web")  # title words count double: 2 + 1, then 2, then 1
    assert best.totalCount == 3 and [i.number for i in best] == [web.number, issue.number, db.number]
    assert [i.score for i in best] == [3.0, 2.0, 1.0]
    assert [i.number for i in gh.search_issues(f"repo:{name}", sort="created", order="asc")] == \
        [web.number, db.number, issue.number]
    found = next(iter(gh.search_issues(f"repo:{name} is:pr is:open")))
    assert found.pull_request is not None and found.repository.full_name == name


def test_search_issues_pages_and_refuses_what_it_cannot_answer(gh: github.Github) -> None:
    repo = gh.get_user().create_repo("paged", auto_init=True)
    for i in range(5):
        repo.create_issue(f"issue {i}")
    paged = gh.search_issues(f"repo:{repo.full_name} is:issue")
    paged.per_page = 2  # three pages, followed by PyGithub through the Link header
    assert paged.totalCount == 5
    for q in ("", f"repo:{repo.full_name} assignee:bob", "repo:nobody/nothing", "x" * 257):
        with pytest.raises(github.GithubException) as refused:
            list(gh.search_issues(q or " "))
        assert refused.value.status == 422, q


def test_review_comments_on_lines_replies_and_a_review_with_comments(gh: github.Github, bob: github.Github) -> None:
    repo = gh.get_user().create_repo("reviewed", auto_init=True)
    pull = _pr(repo, "deploy", "Deploy", files={"projects/web/main.tf": MAIN_TF})
    head = pull.head.sha
    theirs = bob.get_repo(repo.full_name).get_pull(pull.number)

    first = theirs.create_review_comment("r3 needs a trigger", head, "projects/web/main.tf", line=3, side="RIGHT")
    assert (first.path, first.line, first.side, first.commit_id) == ("projects/web/main.tf", 3, "RIGHT", head)
    assert first.position == 3 and first.diff_hunk.startswith("@@ -0,0 +1,8 @@") and first.diff_hunk.endswith('"r3" {}')
    assert first.pull_request_review_id is not None  # a COMMENTED review made around it, as GitHub does
    multi = theirs.create_review_comment("these two", head, "projects/web/main.tf", line=6, start_line=5)
    assert (multi.start_line, multi.line) == (5, 6)
    reply = pull.create_review_comment_reply(first.id, "added one")
    assert reply.in_reply_to_id == first.id and reply.line == 3 and reply.user.login == gh.get_user().login

    review = theirs.create_review(body="two more", event="COMMENT", comments=[
        {"path": "projects/web/main.tf", "line": 8, "body": "last one"},
        {"path": "projects/web/main.tf", "position": 1, "body": "first one"}])
    in_review = theirs.get_single_review_comments(review.id)
    assert [(c.line, c.body) for c in in_review] == [(8, "last one"), (1, "first one")]

    listed = pull.get_review_comments()
    assert [c.body for c in listed] == ["r3 needs a trigger", "these two", "added one", "last one", "first one"]
    assert pull.get_review_comment(first.id).body == "r3 needs a trigger"
    assert repo.get_pull(pull.number).review_comments == 5
    assert [c.id for c in repo.get_pulls_review_comments()] == [c.id for c in listed]
    first = bob.get_repo(repo.full_name).get_pull(pull.number).get_review_comment(first.id)
    first.edit("r3 needs a trigger, please")
    assert pull.get_review_comment(first.id).body == "r3 needs a trigger, please"
    reply.delete()
    assert len(list(pull.get_review_comments())) == 4


@pytest.mark.parametrize(("where", "field"), [
    ({"path": "projects/web/main.tf", "line": 9}, "pull_request_review_thread.line"),  # below the file's end
    ({"path": "projects/web/main.tf", "line": 2, "side": "LEFT"}, "pull_request_review_thread.line"),  # new file
    ({"path": "README.md", "line": 1}, "path"),  # not changed by the pull request
    ({"path": "projects/web/main.tf", "line": 2, "start_line": 4}, "pull_request_review_thread.start_line"),
])
def test_a_comment_off_the_diff_is_refused_and_nothing_is_kept(gh: github.Github, bob: github.Github,
                                                                where: dict, field: str) -> None:
    repo = gh.get_user().create_repo("refused", auto_init=True)
    pull = _pr(repo, "deploy", "Deploy", files={"projects/web/main.tf": MAIN_TF})
    theirs = bob.get_repo(repo.full_name).get_pull(pull.number)
    with pytest.raises(github.GithubException) as refused:
        theirs.create_review(body="x", event="COMMENT", comments=[{**where, "body": "here"}])
    assert refused.value.status == 422 and refused.value.data["errors"][0]["field"] == field
    with pytest.raises(github.GithubException) as refused:
        theirs.create_review_comment("here", pull.head.sha, where["path"], line=where["line"],
                                     **({"side": where["side"]} if "side" in where else {}),
                                     **({"start_line": where["start_line"]} if "start_line" in where else {}))
    assert refused.value.status == 422
    assert list(pull.get_review_comments()) == [] and [r.state for r in pull.get_reviews()] == []


def test_a_comment_on_a_commit_outside_the_pull_request_is_refused(gh: github.Github, bob: github.Github) -> None:
    repo = gh.get_user().create_repo("outside", auto_init=True)
    pull = _pr(repo, "deploy", "Deploy", files={"projects/web/main.tf": MAIN_TF})
    with pytest.raises(github.GithubException) as refused:
        bob.get_repo(repo.full_name).get_pull(pull.number).create_review_comment(
            "here", repo.get_branch("main").commit.sha, "projects/web/main.tf", line=1)
    assert refused.value.status == 422 and refused.value.data["errors"][0]["field"] == "commit_id"


def test_review_comments_are_announced_as_githubs_webhook(gh: github.Github, bob: github.Github, receiver) -> None:
    repo = gh.get_user().create_repo("hooked", auto_init=True)
    repo.create_hook("web", {"url": receiver.url, "content_type": "json", "secret": "hook-secret"}, ["*"], active=True)
    pull = _pr(repo, "deploy", "Deploy", files={"projects/web/main.tf": MAIN_TF})
    comment = bob.get_repo(repo.full_name).get_pull(pull.number).create_review_comment(
        "why", pull.head.sha, "projects/web/main.tf", line=2)
    wanted = {("pull_request_review_comment", "created"), ("pull_request_review", "submitted")}  # and its review
    deadline = time.monotonic() + 10
    while not wanted <= set(receiver.events()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert wanted <= set(receiver.events())
    sent = next(r for r in receiver.received if r.event == "pull_request_review_comment")
    assert sent.signature_ok and sent.payload["comment"]["id"] == comment.id and sent.payload["comment"]["line"] == 2
