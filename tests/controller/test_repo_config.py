"""cloudops.yaml: the template loads; every mistake names file, line and key."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from controller import repo_config
from controller.catalog.specs import Kind, Target
from controller.errors import ConfigError

TEMPLATE = Path(__file__).parents[2] / "repo_template"

GOOD = """\
version: 1
projects:
  shop:
    target: gcp
    region: europe-west1
    quotas: {vm: 2}
    policy_sets: [baseline]
members:
  alice: {role: admin, github: alice, discord: "1234"}
  bob: {role: viewer, projects: [shop]}
grants:
  - {member: bob, project: shop, role: user, expires_at: 2030-01-01T00:00:00Z}
policy_sets:
  baseline: {policies: [builtin/naming], enforcement: soft}
"""


def test_the_template_config_loads_into_typed_values() -> None:
    config = repo_config.load(TEMPLATE)
    example = config.projects["example"]
    assert example.target is Target.LOCAL
    assert example.quotas[Kind.VM] == 3
    assert example.apply_on is repo_config.ApplyOn.APPROVE
    assert config.members["alice"].role is repo_config.Role.ADMIN
    assert config.grants[0].expires_at.tzinfo is not None


def test_grants_raise_roles_until_they_expire() -> None:
    config = repo_config.loads(GOOD)
    before = dt.datetime(2029, 12, 31, tzinfo=dt.UTC)
    after = dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
    assert config.role_of("bob", "shop", before) is repo_config.Role.USER
    assert config.role_of("bob", "shop", after) is repo_config.Role.VIEWER
    assert config.member_by(discord="1234").name == "alice"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    quotas: {vm: 2}", "    quotas: {vm: 2}\n    colour: red", "cloudops.yaml:7: projects.shop.colour: unknown key"),
        ("quotas: {vm: 2}", "quotas: {vms: 2}", "cloudops.yaml:6: projects.shop.quotas.vms: 'vms' is not one of vm, database"),
        ("quotas: {vm: 2}", "quotas: {vm: two}", "cloudops.yaml:6: projects.shop.quotas.vm: must be a whole number, not str"),
        ("quotas: {vm: 2}", "quotas: {vm: -1}", "cloudops.yaml:6: projects.shop.quotas.vm: must be at least 0"),
        ("region: europe-west1", "region: eu-west-1", "cloudops.yaml:5: projects.shop.region: 'eu-west-1' is not a gcp region"),
        ("target: gcp", "target: oracle", "cloudops.yaml:4: projects.shop.target: 'oracle' is not one of"),
        ("role: admin,", "role: owner,", "cloudops.yaml:9: members.alice.role: 'owner' is not one of viewer, user, admin"),
        ("projects: [shop]}", "projects: [shoe]}", "cloudops.yaml:10: members.bob.projects[0]: unknown project 'shoe'"),
        ("project: shop, role: user", "project: nope, role: user", "cloudops.yaml:12: grants[0].project: unknown project 'nope'"),
        ("member: bob,", "member: eve,", "cloudops.yaml:12: grants[0].member: unknown member 'eve'"),
        ("policy_sets: [baseline]", "policy_sets: [strict]", "cloudops.yaml:7: projects.shop.policy_sets[0]: unknown policy set 'strict'"),
        ("expires_at: 2030-01-01T00:00:00Z", "expires_at: soon", "cloudops.yaml:12: grants[0].expires_at: 'soon' is not an ISO 8601 time"),
        ("enforcement: soft", "enforcement: maybe", "cloudops.yaml:14: policy_sets.baseline.enforcement: 'maybe' is not one of"),
        ("builtin/naming", "../secrets", "cloudops.yaml:14: policy_sets.baseline.policies[0]: '../secrets' must be a relative path"),
        ("version: 1", "version: 2", "cloudops.yaml:1: version: only version 1 is supported"),
        ('discord: "1234"', "discord: alice#1", "cloudops.yaml:9: members.alice.discord: must be a Discord user id"),
        ("quotas: {vm: 2}", "quotas: {vm: 2}\n    budget_alerts: [0]",
         "cloudops.yaml:7: projects.shop.budget_alerts[0]: must be a whole percent from 1 to 1000"),
        ("quotas: {vm: 2}", "quotas: {vm: 2}\n    budget_alerts: [80, 80]",
         "cloudops.yaml:7: projects.shop.budget_alerts: lists a percent twice"),
        ("quotas: {vm: 2}", "quotas: {vm: 2}\n    budget_alerts: [.nan]",
         "cloudops.yaml:7: projects.shop.budget_alerts[0]: must be a whole number"),
        ("quotas: {vm: 2}", "quotas: {vm: 2}\n    budget_alerts: []",
         "cloudops.yaml:7: projects.shop.budget_alerts: must list 1 to 5 percents"),
    ],
)
def test_mistakes_are_config_errors_with_line_and_key(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError) as info:
        repo_config.loads(GOOD.replace(old, new, 1))
    assert str(info.value).startswith(expected), str(info.value)


def test_missing_required_keys_and_bad_yaml_are_reported() -> None:
    with pytest.raises(ConfigError, match=r"cloudops.yaml:1: cloudops.yaml: missing required key 'projects'"):
        repo_config.loads("version: 1\n")
    with pytest.raises(ConfigError, match=r"cloudops.yaml:3: not valid YAML"):
        repo_config.loads("version: 1\nprojects: [\n")  # the parser notices at the end
    with pytest.raises(ConfigError, match="empty"):
        repo_config.loads("")


def test_a_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        repo_config.load(tmp_path)
    assert "init-repo" in info.value.hint
    (tmp_path / "cloudops.yaml").write_text(textwrap.dedent(GOOD).replace("version: 1", "version: true"))
    with pytest.raises(ConfigError, match=r"cloudops.yaml:1: version: must be a whole number, not true/false"):
        repo_config.load(tmp_path)


def test_apply_requirements_automerge_and_plan_drafts_are_read() -> None:
    from controller.repo_config import ApplyRequirement, loads

    config = loads(
        "version: 1\n"
        "pipeline:\n  plan_drafts: true\n"
        "projects:\n  web:\n    target: local\n    region: local-1\n"
        "    apply_requirements: [approved, policy_passed]\n    automerge: true\n"
    )
    web = config.projects["web"]
    assert web.apply_requirements == (ApplyRequirement.APPROVED, ApplyRequirement.POLICY_PASSED)
    assert web.automerge is True
    assert config.plan_drafts is True


def test_an_unknown_apply_requirement_names_the_line() -> None:
    import pytest

    from controller.errors import ConfigError
    from controller.repo_config import loads

    with pytest.raises(ConfigError, match=r"cloudops.yaml:6: projects.web.apply_requirements\[0\]: 'nothing' is not one of"):
        loads("version: 1\nprojects:\n  web:\n    target: local\n    region: local-1\n    apply_requirements: [nothing]\n")


def test_budget_alerts_default_to_80_and_100_percent_and_are_read_as_sorted_fractions() -> None:
    assert repo_config.loads(GOOD).projects["shop"].budget_alerts == (0.8, 1.0)
    custom = repo_config.loads(GOOD.replace("quotas: {vm: 2}", "quotas: {vm: 2}\n    budget_alerts: [150, 50]"))
    assert custom.projects["shop"].budget_alerts == (0.5, 1.5)
