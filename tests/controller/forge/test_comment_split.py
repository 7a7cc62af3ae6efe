"""Splitting long comments: every part fits, and no block leaks across a cut."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.forge import comment_split, markers
from controller.forge.comment_split import MAX_COMMENT_CHARS, split_comment

HEADER_RE = re.compile(r"^<!-- cloudops:[^\n]* -->\n(?:<sub>part \d+ of \d+</sub>\n\n)?")


def _strip_header(part: str) -> str:
    return HEADER_RE.sub("", part, count=1)


def _open_blocks_at_end(text: str) -> tuple[bool, int]:
    """(fence still open?, details depth) after reading ``text``."""
    state = comment_split._Blocks()
    for line in text.split("\n"):
        state.feed(line)
    return state.fence is not None, len(state.details)


def test_a_short_body_is_one_comment_with_the_plain_marker() -> None:
    parts = split_comment("plan.web", "hello")
    assert parts == ["<!-- cloudops:plan.web -->\nhello"]


def test_a_body_exactly_at_the_limit_is_not_split() -> None:
    header = "<!-- cloudops:k -->\n"
    body = "x" * (MAX_COMMENT_CHARS - len(header))
    assert split_comment("k", body) == [header + body]


def test_one_character_over_the_limit_splits_in_two() -> None:
    header = "<!-- cloudops:k -->\n"
    body = ("y" * 99 + "\n") * ((MAX_COMMENT_CHARS - len(header)) // 100) + "z" * 100
    parts = split_comment("k", body)
    assert len(parts) == 2
    assert all(len(p) <= MAX_COMMENT_CHARS for p in parts)


def test_parts_carry_numbered_markers_and_a_visible_part_line() -> None:
    body = "line of text\n" * 20_000
    parts = split_comment("cost", body)
    assert len(parts) == 4
    assert markers.parse_marker(parts[0]) == markers.Marker("cost", 1)
    assert [markers.parse_marker(p).part for p in parts] == [1, 2, 3, 4]  # type: ignore[union-attr]
    assert parts[2].startswith("<!-- cloudops:cost:part-3 -->\n<sub>part 3 of 4</sub>\n\n")


def test_plain_text_is_cut_at_line_boundaries_and_rejoins_exactly() -> None:
    body = "".join(f"row {i}: {'v' * (i % 70)}\n" for i in range(6000))
    parts = split_comment("k", body, limit=10_000)
    assert len(parts) > 1
    assert all(len(p) <= 10_000 for p in parts)
    assert "".join(_strip_header(p) for p in parts) == body
    assert all(_strip_header(p).endswith("\n") for p in parts[:-1])


def test_an_open_code_fence_is_closed_and_reopened_with_its_language() -> None:
    body = "Plan:\n```diff\n" + "+ added line\n" * 3000 + "```\nDone.\n"
    parts = split_comment("plan", body, limit=8_000)
    assert len(parts) > 2
    for part in parts:
        fence_open, _ = _open_blocks_at_end(_strip_header(part))
        assert not fence_open
    for part in parts[1:]:
        assert _strip_header(part).startswith("```diff\n")
    assert parts[-1].endswith("```\nDone.\n")


def test_longer_and_tilde_fences_are_closed_with_a_matching_fence() -> None:
    body = "~~~~hcl\n" + "a = 1\n" * 3000 + "~~~~\n"
    parts = split_comment("k", body, limit=5_000)
    assert _strip_header(parts[0]).endswith("a = 1\n~~~~\n")
    assert _strip_header(parts[1]).startswith("~~~~hcl\n")


def test_a_short_fence_inside_a_longer_one_does_not_close_it() -> None:
    body = "````markdown\n" + "```\ninner\n```\n" * 1500 + "````\n"
    parts = split_comment("k", body, limit=4_000)
    for part in parts:
        text = _strip_header(part)
        assert text.startswith("````markdown\n")
        assert not _open_blocks_at_end(text)[0]


def test_nested_details_blocks_are_closed_and_reopened_with_their_summaries() -> None:
    body = (
        "<details><summary>Plan for web</summary>\n\n"
        "<details open>\n<summary>Resources</summary>\n\n" + "- item\n" * 4000 + "</details>\n</details>\nafter\n"
    )
    parts = split_comment("k", body, limit=6_000)
    assert len(parts) > 2
    for part in parts:
        assert _open_blocks_at_end(_strip_header(part)) == (False, 0)
    second = _strip_header(parts[1])
    assert second.startswith(
        "<details><summary>Plan for web (continued)</summary>\n\n"
        "<details open><summary>Resources (continued)</summary>\n\n- item\n"
    )
    assert parts[-1].endswith("</details>\n</details>\nafter\n")


def test_details_markup_inside_a_code_fence_is_treated_as_code() -> None:
    body = "```html\n" + "<details>\n" * 3000 + "```\n"
    parts = split_comment("k", body, limit=5_000)
    for part in parts:
        assert "</details>" not in part
        assert not _open_blocks_at_end(_strip_header(part))[0]


def test_a_single_line_longer_than_a_part_is_hard_wrapped_inside_its_fence() -> None:
    body = "```json\n" + "x" * 25_000 + "\n```\n"
    parts = split_comment("k", body, limit=10_000)
    assert len(parts) == 3
    assert all(len(p) <= 10_000 for p in parts)
    texts = [_strip_header(p) for p in parts]
    assert texts[0].endswith("x\n```\n")
    assert texts[1].startswith("```json\nxxx")
    assert sum(t.count("x") for t in texts) == 25_000


def test_windows_line_endings_do_not_break_fence_detection() -> None:
    body = "```\r\n" + "code\r\n" * 3000 + "```\r\n"
    parts = split_comment("k", body, limit=5_000)
    assert _strip_header(parts[1]).startswith("```\n")


def test_a_limit_too_small_to_hold_a_part_is_refused() -> None:
    with pytest.raises(ValueError, match="too small"):
        split_comment("k", "x" * 1000, limit=150)


_line = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=300),
    st.sampled_from(["```", "```diff", "~~~", "````", "<details>", "<details><summary>S</summary>", "</details>", ""]),
)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_line, min_size=1, max_size=250), limit=st.integers(min_value=600, max_value=3_000))
def test_any_body_splits_into_parts_within_the_limit_with_balanced_fences(lines: list[str], limit: int) -> None:
    body = "\n".join(lines)
    parts = split_comment("prop", body, limit=limit)
    assert all(len(p) <= limit for p in parts)
    assert [markers.parse_marker(p) for p in parts] == [markers.Marker("prop", i) for i in range(1, len(parts) + 1)]
    for part in parts[:-1]:
        assert _open_blocks_at_end(_strip_header(part)) == (False, 0)
    # Nothing of the body is lost: every non-empty body line shows up, in order.
    joined = "".join(_strip_header(p) for p in parts)
    position = 0
    for line in lines:
        if line.strip():
            found = joined.find(line, position) if len(line) < limit // 2 else position
            assert found >= 0, line
            position = found
