"""Who reads an alert: the admin channel when there is one, else the project's admins directly."""

from __future__ import annotations

import datetime as dt

from controller import repo_config
from controller.service import alerts
from controller.service.alerts import AlertTarget

NOW = dt.datetime(2030, 1, 20, 10, 0, tzinfo=dt.UTC)
CONFIG = repo_config.loads("""
version: 1
projects:
  web: {target: local, region: local-1}
  data: {target: local, region: local-1}
members:
  zed: {role: admin, github: zed, discord: "9"}
  ann: {role: admin, github: ann, discord: "1", projects: [web]}
  bob: {role: user, github: bob, discord: "2"}
  cat: {role: viewer, github: cat, discord: "3"}
  dan: {role: admin, github: dan}
  eve: {role: user, github: eve, discord: "5"}
grants:
  - {member: bob, project: data, role: admin, expires_at: 2030-01-31T18:00:00Z, reason: on-call}
  - {member: eve, project: web, role: admin, expires_at: 2030-01-01T00:00:00Z, reason: expired}
""")


def test_a_channel_takes_the_alert_and_nobody_is_told_directly() -> None:
    assert alerts.target("g", "555", CONFIG, "web", NOW) == AlertTarget("g", "555")


def test_without_a_channel_the_projects_admins_are_told_in_name_order() -> None:
    # ann (admin of web only) and zed (every project); bob's grant is on data, eve's expired; dan has no chat id
    assert alerts.target("g", None, CONFIG, "web", NOW) == AlertTarget("g", None, ("1", "9"))


def test_an_active_grant_makes_an_admin_for_its_project() -> None:
    assert alerts.project_admins(CONFIG, "data", NOW) == ["2", "9"]
    assert alerts.project_admins(CONFIG, "data", dt.datetime(2031, 1, 1, tzinfo=dt.UTC)) == ["9"]


def test_a_server_wide_alert_goes_to_the_admins_of_every_project() -> None:
    assert alerts.project_admins(CONFIG, None, NOW) == ["9"]
    assert alerts.project_admins(CONFIG, "gone", NOW) == ["9"]  # a project since removed


def test_unreadable_config_means_nobody_to_tell_directly() -> None:
    assert alerts.target("g", None, None, "web", NOW) == AlertTarget("g", None, ())


def test_a_long_admin_list_is_capped_and_says_how_many_were_left_out() -> None:
    many = repo_config.loads("version: 1\nprojects:\n  web: {target: local, region: local-1}\nmembers:\n" + "".join(
        f'  m{i:02d}: {{role: admin, github: m{i:02d}, discord: "{100 + i}"}}\n' for i in range(13)))
    chosen = alerts.target("g", None, many, "web", NOW)
    assert chosen.direct == tuple(str(100 + i) for i in range(alerts.MAX_DIRECT)) and chosen.left_out == 3
