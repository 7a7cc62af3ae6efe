"""Hidden comment markers and the plan that keeps one comment per key."""

from __future__ import annotations

import pytest

from controller.forge.markers import ExistingComment, Marker, marker, parse_marker, plan_sync


@pytest.mark.parametrize(
    ("key", "part", "expected"),
    [
        ("plan", 1, "<!-- cloudops:plan -->"),
        ("plan:projects/web", 1, "<!-- cloudops:plan:projects/web -->"),
        ("plan", 3, "<!-- cloudops:plan:part-3 -->"),
    ],
)
def test_marker_text(key: str, part: int, expected: str) -> None:
    assert marker(key, part) == expected


@pytest.mark.parametrize("key", ["", "has space", "a-->b", "x:part-2", "<b>", "-leading"])
def test_keys_that_would_break_the_marker_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        marker(key)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<!-- cloudops:plan -->\nbody", Marker("plan", 1)),
        ("<!-- cloudops:plan:web -->\nbody", Marker("plan:web", 1)),
        ("<!-- cloudops:plan:web:part-12 -->\n", Marker("plan:web", 12)),
        ("\n  <!-- cloudops:cost -->", Marker("cost", 1)),
        ("hello\n<!-- cloudops:plan -->", None),
        ("<!-- other:plan -->", None),
        ("plain comment", None),
    ],
)
def test_parse_marker_reads_only_the_first_line(body: str, expected: Marker | None) -> None:
    assert parse_marker(body) == expected


def _c(id_: int, key: str | None, part: int = 1, text: str = "old") -> ExistingComment:
    return ExistingComment(id_, (marker(key, part) + "\n" if key else "") + text)


def test_a_new_key_creates_every_part_in_order() -> None:
    plan = plan_sync([_c(1, None)], "plan", ["p1", "p2"])
    assert (plan.create, plan.update, plan.delete) == (["p1", "p2"], [], [])


def test_an_existing_comment_is_edited_in_place() -> None:
    existing = [_c(1, None), _c(2, "plan"), _c(3, "cost")]
    plan = plan_sync(existing, "plan", ["<!-- cloudops:plan -->\nnew"])
    assert plan.update == [(2, "<!-- cloudops:plan -->\nnew")]
    assert (plan.create, plan.delete) == ([], [])


def test_an_identical_body_is_left_alone() -> None:
    body = marker("plan") + "\nsame"
    plan = plan_sync([ExistingComment(5, body)], "plan", [body])
    assert (plan.update, plan.create, plan.delete, plan.unchanged) == ([], [], [], [5])


def test_a_shrunk_body_deletes_leftover_parts() -> None:
    existing = [_c(10, "plan", 1), _c(11, "plan", 2), _c(12, "other"), _c(13, "plan", 3)]
    plan = plan_sync(existing, "plan", [marker("plan") + "\nshort"])
    assert plan.update == [(10, marker("plan") + "\nshort")]
    assert plan.delete == [11, 13]
    assert plan.create == []


def test_a_grown_body_edits_existing_parts_and_appends_the_rest() -> None:
    parts = [marker("plan", i) + f"\n{i}" for i in (1, 2, 3)]
    plan = plan_sync([_c(10, "plan", 1), _c(11, "plan", 2)], "plan", parts)
    assert plan.update == [(10, parts[0]), (11, parts[1])]
    assert plan.create == [parts[2]]


def test_duplicates_left_by_a_race_are_deleted_keeping_the_oldest() -> None:
    plan = plan_sync([_c(1, "plan"), _c(2, "plan"), _c(3, "plan")], "plan", [marker("plan") + "\nx"])
    assert plan.update == [(1, marker("plan") + "\nx")]
    assert plan.delete == [2, 3]


def test_a_key_that_extends_another_is_not_confused_with_it() -> None:
    plan = plan_sync([_c(1, "plan:web"), _c(2, "plan")], "plan", [marker("plan") + "\nx"])
    assert plan.update == [(2, marker("plan") + "\nx")]
    assert plan.delete == []
