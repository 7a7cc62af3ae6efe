"""Access rules: one answer for the pipeline, the chat and the dashboard."""

from __future__ import annotations

import datetime as dt

from controller import access, repo_config
from controller.repo_config import Role

CONFIG = repo_config.loads("""\
version: 1
projects:
  shop: {target: local, region: local-1}
  blog: {target: local, region: local-1}
members:
  root: {role: admin, github: Root-Admin}
  shopadmin: {role: admin, github: shopper, projects: [shop]}
  dev: {role: user, github: dev}
  watcher: {role: viewer, github: watcher}
  chatonly: {role: admin, discord: "42"}
grants:
  - {member: dev, project: blog, role: admin, expires_at: 2030-01-01T00:00:00Z}
  - {member: watcher, project: shop, role: admin, expires_at: 2021-01-01T00:00:00Z}
""")
NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def member(name: str) -> repo_config.Member:
    return CONFIG.members[name]


def test_a_project_admin_is_not_a_global_admin_and_a_chat_only_admin_is() -> None:
    assert access.is_global_admin(member("root")) and access.is_global_admin(member("chatonly"))
    assert not access.is_global_admin(member("shopadmin")) and not access.is_global_admin(None)
    assert access.global_admin_logins(CONFIG) == frozenset({"root-admin"})  # lower-case; no GitHub login, no entry


def test_roles_take_the_strongest_of_entry_and_active_grants() -> None:
    assert access.role_on(CONFIG, member("dev"), "blog", NOW) is Role.ADMIN  # granted until 2030
    assert access.role_on(CONFIG, member("dev"), "shop", NOW) is Role.USER
    assert access.role_on(CONFIG, member("watcher"), "shop", NOW) is Role.VIEWER  # the grant expired in 2021
    assert access.role_on(CONFIG, member("shopadmin"), "blog", NOW) is None  # outside its project list
    assert access.role_on(None, member("dev"), "shop", NOW) is None


def test_holds_orders_viewer_user_admin() -> None:
    assert access.holds(CONFIG, member("dev"), "shop", Role.USER, NOW)
    assert access.holds(CONFIG, member("dev"), "shop", Role.VIEWER, NOW)
    assert not access.holds(CONFIG, member("dev"), "shop", Role.ADMIN, NOW)
    assert not access.holds(CONFIG, None, "shop", Role.VIEWER, NOW)


def test_approvals_count_from_project_admins_grants_included_by_login() -> None:
    assert access.approver_logins(CONFIG, "shop", NOW) == frozenset({"root-admin", "shopper"})
    assert access.approver_logins(CONFIG, "blog", NOW) == frozenset({"root-admin", "dev"})
    assert access.approver_logins(None, "shop", NOW) == frozenset()


def test_github_logins_match_without_case() -> None:
    assert access.github_member(CONFIG, "root-admin") is member("root")
    assert access.github_member(CONFIG, "") is None and access.github_member(None, "dev") is None
