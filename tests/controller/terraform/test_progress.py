"""Apply progress follows terraform's events: replace counts once, errors show, never past 100 %.

The event streams are real `apply -json` output of Terraform 1.0.3 (see
tests/fixtures/plans/SOURCES.md); the clock is a fake, so renders are exact.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controller.terraform import events as ev
from controller.terraform.plan import Plan
from controller.terraform.plan_parser import parse_plan
from controller.terraform.progress import (
    Outcome,
    Progress,
    ProgressTracker,
    bar,
    format_elapsed,
    render,
    render_final,
)

NULL = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "null"
SECRET = "hunter2-s3cr3t-pw"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def plan_of(name: str) -> Plan:
    return parse_plan((NULL / f"{name}.json").read_text())


def stream(name: str) -> list[ev.TerraformEvent]:
    return [ev.parse_event(line) for line in (NULL / f"{name}.apply.jsonl").read_text().splitlines()]


def hook(kind: str, addr: str, action: str, **extra: object) -> ev.TerraformEvent:
    return ev.parse_event(
        {"type": kind, "@message": f"{addr}: {kind}", "hook": {"resource": {"addr": addr}, "action": action, **extra}}
    )


def replay(name: str) -> tuple[ProgressTracker, list[Progress]]:
    tracker = ProgressTracker(plan_of(name))
    seen = []
    for event in stream(name):
        tracker.feed(event)
        seen.append(tracker.snapshot())
    return tracker, seen


class TestTotals:
    def test_total_is_the_resources_apply_touches(self) -> None:
        assert ProgressTracker(plan_of("create")).snapshot().total == 6  # the data source is not work

    def test_a_replace_counts_once(self) -> None:
        snapshot = ProgressTracker(plan_of("changes")).snapshot()
        assert snapshot.total == 5  # web + cache (replaces), queue, legacy, worker[1]

    def test_a_zero_change_plan_is_complete_at_once(self) -> None:
        snapshot = ProgressTracker(plan_of("noop")).snapshot()
        assert (snapshot.completed, snapshot.total, snapshot.percent) == (0, 0, 100)
        assert render(snapshot, 0) == "[▓▓▓▓▓▓▓▓▓▓] 100% No resource changes (0/0 resources) 0s"


class TestRealApplies:
    @pytest.mark.parametrize("name", ["create", "changes", "destroy"])
    def test_a_successful_apply_ends_at_100_percent_and_never_goes_past(self, name: str) -> None:
        tracker, seen = replay(name)
        assert [s.percent for s in seen] == sorted(s.percent for s in seen)
        assert seen[-1].percent == 100 and seen[-1].completed == seen[-1].total
        assert seen[-1].outcome is Outcome.SUCCEEDED and not seen[-1].unplanned

    def test_a_replace_is_done_only_when_both_halves_are(self) -> None:
        tracker = ProgressTracker(plan_of("changes"))
        for event in stream("changes"):
            tracker.feed(event)
            if isinstance(event, ev.ApplyComplete) and event.resource.addr == "null_resource.web":
                break  # web's destroy half has completed, its create has not started
        assert tracker.snapshot().completed == 0

    def test_the_replaced_resource_counts_after_its_create(self) -> None:
        tracker = ProgressTracker(plan_of("changes"))
        done_at = []
        for event in stream("changes"):
            before = tracker.snapshot().completed
            tracker.feed(event)
            if tracker.snapshot().completed > before:
                done_at.append((event.resource.addr, event.action))  # type: ignore[attr-defined]
        assert ("null_resource.web", "create") in done_at and ("null_resource.web", "delete") not in done_at
        assert ("null_resource.cache", "delete") in done_at  # create_before_destroy: delete comes last
        assert len(done_at) == 5

    def test_the_current_action_is_the_latest_started(self) -> None:
        tracker = ProgressTracker(plan_of("create"))
        for event in stream("create"):
            tracker.feed(event)
            if isinstance(event, ev.ApplyStart) and event.resource.addr == "null_resource.db":
                break
        assert tracker.snapshot().current == "Creating null_resource.db…"

    def test_a_failed_apply_names_the_resource_and_its_reason(self) -> None:
        clock = FakeClock()
        tracker = ProgressTracker(plan_of("failing"), clock=clock)
        for event in stream("failing"):
            tracker.feed(event)
        clock.now += 65
        snapshot = tracker.snapshot()
        assert snapshot.outcome is Outcome.FAILED and (snapshot.completed, snapshot.total) == (1, 2)
        assert tracker.render() == (
            "[▓▓▓▓▓░░░░░] 50% Stopping after an error… (1/2 resources) 1m05s\n"
            "✗ null_resource.db failed: local-exec provisioner error"
        )
        assert tracker.render_final() == (
            "✗ Apply failed after 1m05s: 1/2 resources done\n✗ null_resource.db failed: local-exec provisioner error"
        )

    def test_provisioner_output_is_shown_under_the_current_action(self) -> None:
        tracker = ProgressTracker(plan_of("failing"))
        for event in stream("failing"):
            tracker.feed(event)
            if isinstance(event, ev.ProvisionEvent) and event.output == "starting db":
                break
        assert render(tracker.snapshot(), 3) == (
            "[▓▓▓▓▓░░░░░] 50% Creating null_resource.db… (1/2 resources) 3s\n  ↳ (local-exec) starting db"
        )

    @pytest.mark.parametrize("name", ["create", "changes", "noop", "destroy", "failing"])
    def test_no_rendering_holds_a_sensitive_value(self, name: str) -> None:
        assert SECRET in (NULL / f"{name}.apply.jsonl").read_text() or name in ("destroy", "failing")
        tracker = ProgressTracker(plan_of(name))
        texts = []
        for event in stream(name):
            tracker.feed(event)
            texts += [render(tracker.snapshot(), 1), render_final(tracker.snapshot(), 1)]
        assert SECRET not in json.dumps(texts)


class TestGoldenRenders:
    def test_half_way_through_two_creates(self) -> None:
        clock = FakeClock()
        tracker = ProgressTracker(plan_of("failing"), clock=clock)
        tracker.feed(hook("apply_start", "null_resource.web", "create"))
        tracker.feed(hook("apply_complete", "null_resource.web", "create"))
        tracker.feed(hook("apply_start", "null_resource.db", "create"))
        clock.now += 65
        assert tracker.render() == "[▓▓▓▓▓░░░░░] 50% Creating null_resource.db… (1/2 resources) 1m05s"

    def test_a_progress_heartbeat_keeps_the_resource_current(self) -> None:
        tracker = ProgressTracker(plan_of("failing"))
        tracker.feed(hook("apply_start", "null_resource.web", "create"))
        tracker.feed(hook("apply_progress", "null_resource.web", "create", elapsed_seconds=10))
        assert render(tracker.snapshot(), 12) == "[░░░░░░░░░░] 0% Creating null_resource.web… (0/2 resources) 12s"

    def test_destroying_and_waiting(self) -> None:
        tracker = ProgressTracker(plan_of("destroy"))
        assert render(tracker.snapshot(), 0) == "[░░░░░░░░░░] 0% Waiting… (0/5 resources) 0s"
        tracker.feed(hook("apply_start", "null_resource.web", "delete"))
        assert render(tracker.snapshot(), 4) == "[░░░░░░░░░░] 0% Destroying null_resource.web… (0/5 resources) 4s"

    def test_final_success_quotes_terraform(self) -> None:
        tracker, seen = replay("changes")
        assert render_final(seen[-1], 3725) == (
            "✓ Apply complete in 1h02m05s: 5/5 resources · Apply complete! Resources: 3 added, 0 changed, 4 destroyed."
        )

    def test_final_when_terraform_stopped_without_a_summary(self) -> None:
        tracker = ProgressTracker(plan_of("failing"))
        tracker.feed(hook("apply_start", "null_resource.web", "create"))
        assert render_final(tracker.snapshot(), 9) == "✗ Apply stopped after 9s: 0/2 resources done"


class TestUnexpectedEvents:
    def test_a_resource_not_in_the_plan_is_counted_without_passing_100_percent(self) -> None:
        tracker = ProgressTracker(plan_of("failing"))
        for addr in ("null_resource.web", "null_resource.db", "module.extra.null_resource.surprise"):
            tracker.feed(hook("apply_start", addr, "create"))
            tracker.feed(hook("apply_complete", addr, "create"))
        snapshot = tracker.snapshot()
        assert (snapshot.completed, snapshot.total, snapshot.percent) == (3, 3, 100)
        assert snapshot.unplanned == ("module.extra.null_resource.surprise",)

    def test_events_for_an_empty_plan_stay_at_100_percent(self) -> None:
        tracker = ProgressTracker(plan_of("noop"))
        tracker.feed(hook("apply_start", "null_resource.ghost", "delete"))
        assert tracker.snapshot().percent == 0  # the ghost is now work
        tracker.feed(hook("apply_complete", "null_resource.ghost", "delete"))
        assert tracker.snapshot().percent == 100

    def test_repeated_completions_do_not_count_twice(self) -> None:
        tracker = ProgressTracker(plan_of("failing"))
        for _ in range(3):
            tracker.feed(hook("apply_complete", "null_resource.web", "create"))
        assert tracker.snapshot().completed == 1 and tracker.snapshot().percent == 50

    def test_data_sources_in_modules_are_not_work(self) -> None:
        tracker = ProgressTracker(plan_of("noop"))
        tracker.feed(hook("apply_start", 'module.net["a.b"].data.aws_ami.ubuntu', "create"))
        tracker.feed(hook("apply_start", "module.data.null_resource.x", "create"))
        assert tracker.snapshot().total == 1 and tracker.snapshot().unplanned == ("module.data.null_resource.x",)

    def test_unknown_and_unparsed_lines_are_ignored(self) -> None:
        tracker = ProgressTracker(plan_of("failing"))
        before = tracker.snapshot()
        tracker.feed(ev.parse_event('{"type": "brand_new_thing", "@message": "hi"}'))
        tracker.feed(ev.parse_event("not json at all"))
        assert tracker.snapshot() == before

    def test_an_error_diagnostic_without_a_resource_fails_the_apply(self) -> None:
        tracker = ProgressTracker(plan_of("failing"))
        tracker.feed(ev.parse_event({"type": "diagnostic", "diagnostic": {"severity": "error", "summary": "boom"}}))
        tracker.feed(ev.parse_event({"type": "diagnostic", "diagnostic": {"severity": "warning", "summary": "meh"}}))
        snapshot = tracker.snapshot()
        assert snapshot.outcome is Outcome.FAILED and snapshot.errors == ("boom",)
        assert render(snapshot, 0).endswith("\n✗ boom")

    def test_long_provisioner_output_is_cut(self) -> None:
        tracker = ProgressTracker(plan_of("failing"))
        tracker.feed(hook("apply_start", "null_resource.web", "create"))
        tracker.feed(hook("provision_progress", "null_resource.web", "", provisioner="local-exec", output="x" * 500))
        line = render(tracker.snapshot(), 0).splitlines()[1]
        assert len(line) < 200 and line.endswith("…")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (5.9, "5s"), (59, "59s"), (60, "1m00s"), (65, "1m05s"), (3599, "59m59s"), (3600, "1h00m00s"),
     (3725, "1h02m05s"), (-3, "0s")],
)
def test_elapsed_formatting(seconds: float, text: str) -> None:
    assert format_elapsed(seconds) == text


@pytest.mark.parametrize(
    ("percent", "text"),
    [(0, "[░░░░░░░░░░]"), (9, "[░░░░░░░░░░]"), (50, "[▓▓▓▓▓░░░░░]"), (99, "[▓▓▓▓▓▓▓▓▓░]"), (100, "[▓▓▓▓▓▓▓▓▓▓]"),
     (250, "[▓▓▓▓▓▓▓▓▓▓]")],
)
def test_bar(percent: int, text: str) -> None:
    assert bar(percent) == text


def test_percent_rounds_down_and_is_capped() -> None:
    def progress(completed: int, total: int) -> Progress:
        return Progress(completed, total, "", "", (), (), (), Outcome.RUNNING)

    assert progress(1, 6).percent == 16
    assert progress(5, 6).percent == 83
    assert progress(7, 6).percent == 100
