"""Check runs are cut to GitHub's limits instead of being refused with a 422."""

from __future__ import annotations

import pytest

from controller.forge import checks
from controller.forge.base import CheckAction, CheckAnnotation, CheckRunSpec


def test_long_output_is_cut_at_a_line_with_a_note() -> None:
    text = "\n".join(f"line {i}" for i in range(20_000))
    cut = checks.cut(text)
    assert len(cut) <= checks.MAX_OUTPUT_CHARS and "cut to fit" in cut
    assert cut.split("\n\n…")[0].endswith(tuple(f"line {i}" for i in range(20_000)))


def test_short_output_is_left_alone() -> None:
    assert checks.cut("Plan: 1 to add.") == "Plan: 1 to add."


def test_annotations_go_in_batches_of_fifty() -> None:
    notes = [CheckAnnotation("a.tf", 1, 1, "warning", str(i)) for i in range(120)]
    assert [len(b) for b in checks.batches(notes)] == [50, 50, 20]
    assert list(checks.batches([])) == [[]]


@pytest.mark.parametrize("action", [CheckAction("A" * 21, "d", "i"), CheckAction("Apply", "d" * 41, "i"),
                                    CheckAction("Apply", "d", "i" * 21), CheckAction("", "d", "i")])
def test_an_action_over_githubs_limits_is_a_programming_error(action: CheckAction) -> None:
    with pytest.raises(ValueError):
        checks.fit(CheckRunSpec(name="n", status="completed", conclusion="success", actions=(action,)))


def test_fit_keeps_titles_one_line_and_lines_positive() -> None:
    spec = checks.fit(CheckRunSpec(name="n", status="completed", conclusion="success", title="a\nb " * 200,
                                   annotations=(CheckAnnotation("a.tf", 0, 0, "notice", "m"),)))
    assert "\n" not in spec.title and len(spec.title) <= checks.MAX_TITLE_CHARS
    assert (spec.annotations[0].start_line, spec.annotations[0].end_line) == (1, 1)
