from __future__ import annotations

from controller.pipeline.budget import Crossing, crossings, describe


def test_each_threshold_is_crossed_once() -> None:
    assert crossings(10, 90, 100) == [Crossing(0.8, 90, 100)]
    assert crossings(10, 120, 100) == [Crossing(0.8, 120, 100), Crossing(1.0, 120, 100)]
    assert crossings(85, 95, 100) == []  # already past 80 %, not yet 100 %
    assert crossings(10, 120, 100, already=[0.8]) == [Crossing(1.0, 120, 100)]


def test_no_budget_no_alert_and_going_down_is_not_a_crossing() -> None:
    assert crossings(10, 500, None) == []
    assert crossings(120, 10, 100) == []


def test_the_message_says_plan_or_apply_and_the_figures() -> None:
    text = describe("web", Crossing(1.0, 120.5, 100), projected=True)
    assert "would take `web` past 100%" in text and "$120.50 of $100.00" in text
    assert "took `web`" in describe("web", Crossing(0.8, 81, 100), projected=False)


def test_a_projects_own_thresholds_replace_the_defaults() -> None:
    assert crossings(10, 120, 100, thresholds=(0.5, 1.5)) == [Crossing(0.5, 120, 100)]
    assert crossings(10, 160, 100, thresholds=(0.5, 1.5)) == [Crossing(0.5, 160, 100), Crossing(1.5, 160, 100)]
    assert "past 150%" in describe("web", Crossing(1.5, 160, 100), projected=True)
