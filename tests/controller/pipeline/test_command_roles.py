"""Every comment command needs a role from the default branch's cloudops.yaml."""

from __future__ import annotations

import textwrap

import pytest

from controller.pipeline.comment_parser import Verb
from controller.pipeline.rules import rules_from_config
from controller.repo_config import loads

CONFIG = textwrap.dedent(
    """\
    version: 1
    projects:
      web: {target: local, region: local-1}
      db: {target: local, region: local-1, allow_self_policy_override: true}
    members:
      ada: {role: admin, github: ada}
      uma: {role: user, github: uma, projects: [web]}
      vic: {role: viewer, github: vic}
    """
)
RULES = rules_from_config(loads(CONFIG, source="cloudops.yaml"))


@pytest.mark.parametrize(
    ("login", "verb", "project", "allowed"),
    [("ada", Verb.APPLY, "db", True), ("ada", Verb.APPROVE_POLICIES, "web", True),
     ("uma", Verb.PLAN, "web", True), ("uma", Verb.APPLY, "web", True), ("uma", Verb.CANCEL, "web", True),
     ("uma", Verb.PLAN, "db", False), ("uma", Verb.APPROVE_POLICIES, "web", False),
     ("vic", Verb.PLAN, "web", False), ("vic", Verb.APPLY, "web", False), ("vic", Verb.CANCEL, "web", False),
     ("mallory", Verb.PLAN, "web", False), ("mallory", Verb.UNLOCK, "web", False), ("mallory", Verb.HELP, "web", True)],
)
def test_the_role_each_command_needs(login: str, verb: Verb, project: str, allowed: bool) -> None:
    assert RULES.may_command(login, verb, project) is allowed


def test_members_are_known_by_github_login_case_insensitively() -> None:
    assert RULES.is_member("Uma") and RULES.is_member("vic") and not RULES.is_member("mallory")


def test_self_policy_override_is_off_unless_the_project_allows_it() -> None:
    assert not RULES.may_override_own("web") and RULES.may_override_own("db")


def test_the_new_key_is_validated_like_the_others() -> None:
    from controller.errors import ConfigError

    bad = CONFIG.replace("allow_self_policy_override: true", "allow_self_policy_override: maybe")
    with pytest.raises(ConfigError, match="allow_self_policy_override"):
        loads(bad, source="cloudops.yaml")
