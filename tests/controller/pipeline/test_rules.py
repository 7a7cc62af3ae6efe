"""Rules come from the default branch, fetched again after a push or when old."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from controller.errors import ConfigError
from controller.pipeline.repo_source import RepoSource
from controller.pipeline.rules import RulesLoader, rules_from_config
from controller.repo_config import ApplyOn, loads

CONFIG = "version: 1\nprojects:\n  web:\n    target: local\n    region: local-1\n    apply_on: {apply_on}\n" \
         "members:\n  ann:\n    role: admin\n    github: Ann\n"


class FolderForge:
    """The one forge call RepoSource makes: clone or fetch from a local origin."""

    def __init__(self, origin: Path) -> None:
        self.origin = origin
        self.fetches = 0

    def sync_working_copy(self, repo: str, workdir: Path) -> Path:
        self.fetches += 1
        if (workdir / ".git").exists():
            git.Repo(workdir).remotes.origin.fetch()
        else:
            git.Repo.clone_from(self.origin, workdir)
        return workdir


def commit_config(origin: Path, apply_on: str) -> None:
    repo = git.Repo(origin)
    (origin / "cloudops.yaml").write_text(CONFIG.format(apply_on=apply_on))
    repo.index.add(["cloudops.yaml"])
    repo.index.commit(f"apply_on {apply_on}")


@pytest.fixture
def setup(tmp_path: Path):
    origin = tmp_path / "origin"
    git.Repo.init(origin, initial_branch="main")
    commit_config(origin, "approve")
    forge = FolderForge(origin)
    source = RepoSource(forge, "acme/infra", tmp_path / "cache")
    clock = [0.0]
    loader = RulesLoader({"acme/infra": source}, {"acme/infra": "main"}, max_age=60, clock=lambda: clock[0])
    return origin, forge, loader, clock


async def test_rules_are_read_from_the_default_branch(setup) -> None:
    origin, forge, loader, clock = setup
    rules = await loader("acme/infra")
    assert rules.apply_on_for("web") is ApplyOn.APPROVE
    assert rules.is_admin("ann") and not rules.is_admin("bob")


async def test_a_push_invalidates_and_age_limits_the_cache(setup) -> None:
    origin, forge, loader, clock = setup
    await loader("acme/infra")
    commit_config(origin, "merge")
    assert (await loader("acme/infra")).apply_on_for("web") is ApplyOn.APPROVE  # not fetched again yet
    loader.invalidate("acme/infra")
    assert (await loader("acme/infra")).apply_on_for("web") is ApplyOn.MERGE
    fetches = forge.fetches
    commit_config(origin, "approve")
    clock[0] += 61
    assert (await loader("acme/infra")).apply_on_for("web") is ApplyOn.APPROVE
    assert forge.fetches == fetches + 1


async def test_a_repo_without_cloudops_yaml_is_a_clear_error(setup) -> None:
    origin, forge, loader, clock = setup
    repo = git.Repo(origin)
    repo.index.remove(["cloudops.yaml"], working_tree=True)
    repo.index.commit("remove config")
    loader.invalidate("acme/infra")
    with pytest.raises(ConfigError, match="no cloudops.yaml on main"):
        await loader("acme/infra")


def test_admins_scoped_to_some_projects_are_not_repo_admins() -> None:
    config = loads(CONFIG.format(apply_on="approve").replace("github: Ann", "github: Ann\n    projects: [web]"))
    assert not rules_from_config(config).is_admin("ann")


def test_the_chat_member_behind_a_bot_opened_pr_is_its_author_for_self_approval() -> None:
    rules = rules_from_config(loads(CONFIG.format(apply_on="approve")))
    body = "Requested in chat by **ann** …\n<!-- cloudops-session: s1 -->\n<!-- cloudops-requested-by: ann -->"
    assert rules.requester("cloudops-bot", body, "cloudops-bot") == "Ann"
    assert rules.requester("cloudops-bot", "", "cloudops-bot") == "cloudops-bot"  # no marker


def test_a_marker_in_a_pr_not_opened_by_the_bot_changes_nothing() -> None:
    rules = rules_from_config(loads(CONFIG.format(apply_on="approve")))
    forged = "<!-- cloudops-requested-by: ann -->"
    assert rules.requester("mallory", forged, "cloudops-bot") == "mallory"
    assert rules.requester("cloudops-bot", "<!-- cloudops-requested-by: nobody -->", "cloudops-bot") == "cloudops-bot"


def test_closing_an_applied_pr_keeps_its_lock_unless_configured() -> None:
    from controller.repo_config import CloseApplied

    assert loads(CONFIG.format(apply_on="approve")).on_close_applied is CloseApplied.KEEP_LOCK
    released = loads(CONFIG.format(apply_on="approve") + "pipeline:\n  on_close_applied: release\n")
    assert released.on_close_applied is CloseApplied.RELEASE
    with pytest.raises(ConfigError, match="on_close_applied"):
        loads(CONFIG.format(apply_on="approve") + "pipeline:\n  on_close_applied: forget\n")
