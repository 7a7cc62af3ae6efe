"""PyGithub calls beyond the pull-request flow get answers, not 404s: rate limit, README, trees,
collaborators, the repository's issue list (their JSON is checked against GitHub's schemas in tests/contract)."""

from __future__ import annotations

import github


def test_rate_limit_readme_tree_collaborators_and_issues(gh: github.Github) -> None:
    repo = gh.get_user().create_repo("more", auto_init=True)
    repo.create_file("projects/web/main.tf", "add web", "# web\n", branch="main")
    assert gh.get_rate_limit().rate.remaining > 0
    assert repo.get_readme().decoded_content == b"# more\n"
    shallow = {e.path: e.type for e in repo.get_git_tree("main").tree}
    assert shallow == {"README.md": "blob", "projects": "tree"}
    deep = {e.path for e in repo.get_git_tree("main", recursive=True).tree}
    assert {"projects/web", "projects/web/main.tf"} <= deep
    assert [c.login for c in repo.get_collaborators()][0] == repo.owner.login
    repo.create_git_ref("refs/heads/b", repo.get_branch("main").commit.sha)
    repo.create_file("x.txt", "x", "x\n", branch="b")
    pull = repo.create_pull(title="t", body="", head="b", base="main")
    assert [i.number for i in repo.get_issues()] == [pull.number]
    pull.edit(state="closed")
    assert [i.number for i in repo.get_issues()] == []
    assert [i.number for i in repo.get_issues(state="closed")] == [pull.number]


def test_an_unknown_tree_is_404(gh: github.Github) -> None:
    repo = gh.get_user().create_repo("trees", auto_init=True)
    try:
        repo.get_git_tree("0" * 40)
    except github.UnknownObjectException:
        return
    raise AssertionError("an unknown tree was answered")


def test_reactions_on_issues_and_comments_and_labels(gh: github.Github) -> None:
    repo = gh.get_user().create_repo("react", auto_init=True)
    repo.create_git_ref("refs/heads/b", repo.get_branch("main").commit.sha)
    repo.create_file("x.txt", "x", "x\n", branch="b")
    pull = repo.create_pull(title="t", body="", head="b", base="main")
    issue = repo.get_issue(pull.number)
    first = issue.create_reaction("eyes")
    assert first.content == "eyes" and issue.create_reaction("eyes").id == first.id  # one per user and content
    comment = issue.create_comment("cloudops plan")
    assert comment.create_reaction("+1").content == "+1"
    try:
        issue.create_reaction("thumbsup")
    except github.GithubException as exc:
        assert exc.status == 422
    else:
        raise AssertionError("an unknown reaction was accepted")
    repo.create_label("cloudops:planned", "0e8a16", "planned by cloudops")
    assert [label.name for label in repo.get_labels()] == ["cloudops:planned"]
    issue.add_to_labels("cloudops:planned", "needs-review")
    assert sorted(label.name for label in repo.get_issue(pull.number).labels) == ["cloudops:planned", "needs-review"]
