"""PR comments rendered from real plans match their golden files.

Regenerate after an intended change with:
    CLOUDOPS_UPDATE_GOLDEN=1 ./test.sh tests/controller/pipeline/test_comments.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from controller.errors import DiagnosticRef
from controller.pipeline import comments, plan_diff
from controller.terraform.plan_parser import parse_plan

HERE = Path(__file__).resolve().parent
PLANS = HERE.parents[1] / "fixtures" / "plans" / "null"
GOLDEN = HERE / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CLOUDOPS_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"golden file {name} missing: run with CLOUDOPS_UPDATE_GOLDEN=1"
    assert text == path.read_text()


def report(fixture: str, **overrides) -> comments.PlanReport:
    plan = parse_plan((PLANS / fixture).read_text())
    fields = dict(
        project="web",
        head_sha="0123456789abcdef0123456789abcdef01234567",
        run_id="run-1",
        summary_line=plan.summary().line(),
        diff_text=plan_diff.render(plan),
        has_changes=plan.has_changes,
        apply_on=comments.ApplyOn.MERGE,
    )
    fields.update(overrides)
    return comments.PlanReport(**fields)


@pytest.mark.parametrize("fixture", ["create.json", "changes.json", "destroy.json", "noop.json"])
def test_plan_comments_match_golden_files(fixture: str) -> None:
    check_golden(f"plan-{fixture.removesuffix('.json')}.md", comments.plan_comment(report(fixture)))


def test_the_diff_ends_with_terraforms_own_summary_line() -> None:
    plan = parse_plan((PLANS / "changes.json").read_text())
    assert plan_diff.render(plan).endswith(plan.summary().line())


def test_without_engines_the_comment_says_so_plainly() -> None:
    body = comments.plan_comment(report("create.json"))
    assert "**Policy:** no policies configured" in body
    assert "**Cost:** cost not estimated" in body


def test_apply_on_approve_tells_how_to_apply_by_comment() -> None:
    body = comments.plan_comment(report("create.json", apply_on=comments.ApplyOn.APPROVE))
    assert "comment `cloudops apply -p web`" in body


def test_a_policy_failure_blocks_the_next_step() -> None:
    body = comments.plan_comment(report("create.json", policy_passed=False, policy_markdown="1 denied"))
    assert "blocked by policy" in body and "approve_policies" in body


def test_a_config_change_is_flagged() -> None:
    assert "changes `cloudops.yaml`" in comments.plan_comment(report("create.json", config_changed=True))


def test_long_plans_are_folded_short_ones_are_not() -> None:
    short = comments.plan_comment(report("create.json", diff_text="+ a"))
    long = comments.plan_comment(report("create.json", diff_text="\n".join(f"+ r{i}" for i in range(100))))
    assert "<details>" not in short
    assert "<details><summary>Show plan (100 lines)</summary>" in long


def test_a_code_fence_inside_the_plan_cannot_close_the_block() -> None:
    body = comments.plan_comment(report("create.json", diff_text="+ x = \"```\""))
    assert "````diff" in body


def test_a_failed_plan_quotes_terraforms_diagnostic_with_file_and_line() -> None:
    diag = DiagnosticRef("error", "Unsupported argument", 'An argument named "bogus" is not expected here.', "main.tf", 7)
    body = comments.plan_failed_comment("web", "abc", "run-2", "plan failed", [diag])
    check_golden("plan-failed.md", body)
    assert "Unsupported argument at `main.tf:7`" in body


def test_lock_and_timeout_comments_match_golden_files() -> None:
    check_golden("lock-contended.md", comments.lock_contended_comment("web", 12, "alice"))
    check_golden("plan-timed-out.md", comments.plan_timed_out_comment("web", "abc", "run-3", 600))
