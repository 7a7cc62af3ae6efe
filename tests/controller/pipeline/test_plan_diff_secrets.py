"""A plan value holding a secret terraform did not mark is shown as (sensitive), however long it is."""

from __future__ import annotations

import secrets

from controller.pipeline import plan_diff
from controller.pipeline.leaks import LeakGuard
from controller.terraform.plan_parser import parse_plan

SECRET = "cAnArY" + secrets.token_hex(17)


def plan_with(triggers: dict[str, str]) -> dict:
    return {
        "format_version": "1.0", "terraform_version": "1.0.3",
        "resource_changes": [{
            "address": "null_resource.leak", "mode": "managed", "type": "null_resource", "name": "leak",
            "provider_name": "registry.terraform.io/hashicorp/null",
            "change": {"actions": ["create"], "before": None, "after": {"triggers": triggers},
                       "after_unknown": {"id": True}, "before_sensitive": False, "after_sensitive": {}},
        }],
    }


def test_a_value_derived_from_a_secret_is_shown_as_sensitive() -> None:
    guard = LeakGuard(lambda: [SECRET])
    plan = parse_plan(plan_with({"upper": SECRET.upper(), "piece": SECRET[5:25], "name": "web"}))
    text = plan_diff.render(plan, guard.redact)
    assert "(sensitive)" in text and '"name": "web"' in text
    assert SECRET.upper() not in text and SECRET[5:25] not in text


def test_a_secret_past_the_display_cut_is_still_found_before_the_value_is_shortened() -> None:
    guard = LeakGuard(lambda: [SECRET])
    padded = "p" * 110 + SECRET  # the cut at 120 characters leaves only 9 characters of the secret
    text = plan_diff.render(parse_plan(plan_with({"v": padded})), guard.redact)
    assert "(sensitive)" in text
    assert SECRET[:9] not in text


def test_without_a_redactor_values_are_only_shortened() -> None:
    text = plan_diff.render(parse_plan(plan_with({"v": "x" * 300})))
    assert "…" in text and "(sensitive)" not in text
