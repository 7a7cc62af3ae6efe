"""The dashboard's pure parts: roles, filters, cost series, verdicts, the chart, run links, sessions, config."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from controller.dashboard import sessions
from controller.dashboard.access import Access
from controller.dashboard.chart import cost_chart
from controller.dashboard.config import DashboardConfig, web_url_of
from controller.dashboard.links import link_runs
from controller.dashboard.queries import (CostPoint, RunFilter, cost_series, current_cost, latest_planned_cost,
                                          policy_verdicts)
from controller.errors import ConfigError
from controller.repo_config import Role, loads
from controller.store import Run, RunKind, RunStatus

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CONFIG = loads(textwrap.dedent("""\
    version: 1
    projects:
      web: {target: local, region: local-1}
      db: {target: local, region: local-1}
    members:
      ada: {role: admin, github: Ada-GH}
      vera: {role: viewer, github: vera}
      pat: {role: user, github: pat, projects: [db]}
    grants:
      - {member: vera, project: web, role: admin, expires_at: 2100-01-01T00:00:00Z, reason: on call}
      - {member: pat, project: web, role: admin, expires_at: 2001-01-01T00:00:00Z, reason: long over}
    """))


def run(project="web", kind=RunKind.APPLY, status=RunStatus.SUCCEEDED, minutes=0, summary=None, **kw) -> Run:
    at = T0 + dt.timedelta(minutes=minutes)
    return Run(id=kw.pop("id", f"{project}-{kind.value}-{minutes}"), repo="acme/infra", project=project,
               pr_number=kw.pop("pr", 1), head_sha="a" * 40, kind=kind, status=status, created_at=at,
               started_at=at, finished_at=at + dt.timedelta(seconds=30), summary=summary or {}, **kw)


class TestAccess:
    def access(self, login: str, via: str = "oauth") -> Access:
        return Access(login=login, via=via, configs={"acme/infra": CONFIG})

    def test_logins_match_members_case_insensitively(self) -> None:
        assert self.access("ada-gh").role("acme/infra", "web") is Role.ADMIN

    def test_an_active_grant_makes_a_viewer_an_admin_of_that_project_only(self) -> None:
        vera = self.access("vera")
        assert vera.may_unlock("acme/infra", "web") and not vera.may_unlock("acme/infra", "db")
        assert vera.may_read("acme/infra", "db")

    def test_an_expired_grant_gives_nothing(self) -> None:
        pat = self.access("pat")
        assert not pat.may_read("acme/infra", "web") and pat.role("acme/infra", "db") is Role.USER
        assert "not a member" in pat.refusal("acme/infra", "web", "unlock")

    def test_a_stranger_sees_no_repository_and_the_admin_token_sees_all(self) -> None:
        assert self.access("mallory").visible_repos() == []
        token = self.access("admin-token", via="token")
        assert token.visible_repos() == ["acme/infra"] and token.may_unlock("acme/infra", "anything")

    def test_unreadable_rules_give_no_access(self) -> None:
        assert Access(login="ada-gh", via="oauth", configs={"acme/infra": None}).visible_repos() == []


class TestRunFilter:
    def test_bad_values_are_named_and_match_nothing(self) -> None:
        wanted = RunFilter.from_query({"phase": "sleeping", "pr": "abc", "kind": "destroy"})
        assert len(wanted.errors()) == 3 and wanted.apply([run()]) == []

    def test_outcome_never_matches_a_run_in_flight(self) -> None:
        assert RunFilter(outcome="succeeded").apply([run(status=RunStatus.RUNNING)]) == []


class TestCost:
    def test_the_series_holds_priced_successful_applies_only(self) -> None:
        runs = [run(minutes=1, summary={"monthly_after": 10.0}), run(minutes=2, summary={}),  # unpriced: no point
                run(minutes=3, status=RunStatus.FAILED, summary={"monthly_after": 99.0}),
                run(minutes=4, summary={"monthly_after": 25.5}), run("db", minutes=5, summary={"monthly_after": 1.0})]
        assert [p.monthly_usd for p in cost_series(runs, "web")] == [10.0, 25.5]
        assert current_cost(runs, "web") == 25.5

    def test_a_project_never_priced_is_unknown_not_zero(self) -> None:
        assert current_cost([run(summary={})], "web") is None

    def test_the_pending_cost_is_the_newest_priced_plan(self) -> None:
        runs = [run(kind=RunKind.PLAN, minutes=1, summary={"monthly_after": 5.0}),
                run(kind=RunKind.PLAN, minutes=2, summary={"monthly_after": 7.0})]
        assert latest_planned_cost(runs, "web") == 7.0


def test_verdicts_say_when_no_policy_ran() -> None:
    verdicts = policy_verdicts([run(kind=RunKind.PLAN, minutes=1, summary={"policy_checked": False, "policy_passed": True}),
                                run(kind=RunKind.PLAN, minutes=2, summary={"policy_checked": True, "policy_passed": False,
                                                                            "policy_overridable": True})])
    assert [v.word for v in verdicts] == ["denied (soft: can be overridden)", "not run"]


class TestChart:
    def test_nothing_priced_says_unknown(self) -> None:
        assert "unknown" in cost_chart([], 50.0, now=T0, title="x")

    def test_the_budget_line_and_each_point_are_drawn_and_text_is_escaped(self) -> None:
        points = [CostPoint(T0, 10.0, "r1", 1), CostPoint(T0 + dt.timedelta(days=1), 30.0, "r2", 2)]
        svg = cost_chart(points, 40.0, now=T0 + dt.timedelta(days=2), title="<script>")
        assert svg.count("<circle") == 2 and 'class="budget"' in svg and "budget $40.00/mo" in svg
        assert "<script>" not in svg and "&lt;script&gt;" in svg and "style=" not in svg


class TestLinks:
    RUN = "0753a8cb-22f6-4e3c-b156-620e8c235ed0"

    def test_run_mentions_become_links_once(self) -> None:
        body = f"Commit `abc` · run `{self.RUN}`\n\nRun `{self.RUN}`"
        linked = link_runs(body, "https://ops.example/")
        assert linked.count(f"(https://ops.example/runs/{self.RUN})") == 2
        assert link_runs(linked, "https://ops.example") == linked

    def test_other_backticked_text_is_left_alone(self) -> None:
        assert link_runs("run `terraform plan`", "https://ops.example") == "run `terraform plan`"


class TestSessions:
    def test_a_sealed_session_opens_only_with_its_key_and_before_expiry(self) -> None:
        session = sessions.signed_in(sessions.fresh(100.0, 1), "ada", "oauth", 100.0, 1)
        sealed = sessions.seal(session, b"k" * 32)
        assert sessions.open_sealed(sealed, b"k" * 32, 200.0) == session
        assert sessions.open_sealed(sealed, b"x" * 32, 200.0) is None
        assert sessions.open_sealed(sealed, b"k" * 32, 100.0 + 3601) is None

    def test_a_tampered_session_is_refused(self) -> None:
        sealed = sessions.seal(sessions.fresh(0.0, 1), b"k" * 32)
        body, mac = sealed.split(".")
        forged = sessions.seal(sessions.signed_in(sessions.fresh(0.0, 1), "ada", "token", 0.0, 1), b"other" * 7)
        assert sessions.open_sealed(f"{forged.split('.')[0]}.{mac}", b"k" * 32, 1.0) is None
        assert sessions.open_sealed("garbage", b"k" * 32, 1.0) is None

    def test_signing_in_rotates_the_csrf_token(self) -> None:
        anonymous = sessions.fresh(0.0, 1)
        assert sessions.signed_in(anonymous, "ada", "oauth", 0.0, 1).csrf != anonymous.csrf
        assert not anonymous.csrf_ok("") and anonymous.csrf_ok(anonymous.csrf)

    def test_the_key_file_is_private_and_kept(self, tmp_path) -> None:
        key = sessions.load_key(tmp_path / "k")
        assert sessions.load_key(tmp_path / "k") == key and (tmp_path / "k").stat().st_mode & 0o777 == 0o600


class TestConfig:
    def test_a_short_admin_token_is_refused(self) -> None:
        with pytest.raises(ConfigError, match="at least 16"):
            DashboardConfig.from_env({"CLOUDOPS_DASHBOARD_ADMIN_TOKEN": "short"})

    def test_half_an_oauth_app_is_refused(self) -> None:
        with pytest.raises(ConfigError, match="both or neither"):
            DashboardConfig.from_env({"CLOUDOPS_OAUTH_CLIENT_ID": "abc"})

    def test_secrets_stay_out_of_repr(self) -> None:
        config = DashboardConfig.from_env({"CLOUDOPS_DASHBOARD_ADMIN_TOKEN": "t" * 20, "CLOUDOPS_OAUTH_CLIENT_ID": "id",
                                           "CLOUDOPS_OAUTH_CLIENT_SECRET": "s" * 40, "CLOUDOPS_PUBLIC_URL": "https://o/"})
        assert "t" * 20 not in repr(config) and "s" * 40 not in repr(config)
        assert config.public_url == "https://o" and config.secure_cookies and config.oauth_enabled

    @pytest.mark.parametrize(("api", "web"), [("https://api.github.com", "https://github.com"),
                                              ("https://ghe.example/api/v3", "https://ghe.example"),
                                              ("http://127.0.0.1:8765/api/v3/", "http://127.0.0.1:8765")])
    def test_the_web_address_follows_the_api_address(self, api: str, web: str) -> None:
        assert web_url_of(api) == web
