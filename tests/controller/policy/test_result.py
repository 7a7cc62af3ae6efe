from __future__ import annotations

import json

from controller.policy.result import PolicyResult, Severity, Violation
from controller.repo_config import Enforcement


def _deny(enforcement=Enforcement.HARD, msg="bad | thing") -> Violation:
    return Violation("regions", "aws_instance.web", msg, Severity.DENY, enforcement)


def test_markdown_has_a_verdict_line_and_an_escaped_table() -> None:
    result = PolicyResult("shop", denies=(_deny(),), warns=(Violation("budget", "", "near", Severity.WARN),), evaluated=("regions", "budget"))
    text = result.to_markdown()
    assert text.splitlines()[0] == "⛔ **Policies denied** 1 change(s): fix the plan to apply"
    assert "| ⛔ | regions | `aws_instance.web` | bad \\| thing |" in text
    assert "| ⚠️ | budget | (project) | near |" in text


def test_soft_denials_tell_how_to_override() -> None:
    result = PolicyResult("shop", denies=(_deny(Enforcement.SOFT),), evaluated=("regions",))
    assert "cloudops approve_policies" in result.to_markdown()
    assert result.overridable and not result.passed
    overridden = result.override("alice")
    assert overridden.passed and "overridden" in overridden.to_markdown().lower()


def test_json_round_trips() -> None:
    result = PolicyResult("shop", denies=(_deny(),), evaluated=("regions",))
    data = json.loads(result.to_json())
    assert data["passed"] is False and data["denies"][0]["enforcement"] == "hard"


def test_summary_fits_a_commit_status() -> None:
    many = PolicyResult("shop", denies=tuple(_deny() for _ in range(500)), evaluated=("regions",))
    assert len(many.summary()) <= 140
    assert PolicyResult("shop", evaluated=("a", "b")).summary() == "passed 2 policies"
