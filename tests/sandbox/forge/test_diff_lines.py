"""Anchoring review comments on a file's diff: lines per side, positions, hunks."""

from __future__ import annotations

from sandbox.forge import diff_lines

# Line 2 changed, line 9 removed; two hunks (git's default context of 3).
PATCH = "\n".join([
    "@@ -1,5 +1,5 @@",
    " a",
    "-b",
    "+B",
    " c",
    " d",
    " e",
    "@@ -7,4 +7,3 @@ def f():",
    " g",
    " h",
    "-i",
    " j",
])


def test_a_line_of_the_new_file_is_found_with_its_position_and_hunk() -> None:
    found = diff_lines.anchor(PATCH, 2, "RIGHT")
    assert found is not None and (found.position, found.side) == (3, "RIGHT")
    assert found.diff_hunk == "@@ -1,5 +1,5 @@\n a\n-b\n+B"


def test_a_removed_line_is_on_the_left_and_the_second_hunk_counts_its_header() -> None:
    found = diff_lines.anchor(PATCH, 9, "LEFT")
    assert found is not None and found.position == 10
    assert found.diff_hunk.startswith("@@ -7,4 +7,3 @@") and found.diff_hunk.endswith("-i")
    assert diff_lines.anchor(PATCH, 9, "RIGHT") is not None  # the new file's line 9 is "j"
    assert diff_lines.anchor(PATCH, 9, "RIGHT").position == 11


def test_lines_outside_every_hunk_are_not_part_of_the_diff() -> None:
    assert diff_lines.anchor(PATCH, 6, "RIGHT") is None  # between the hunks
    assert diff_lines.anchor(PATCH, 40, "RIGHT") is None
    assert diff_lines.anchor("", 1, "RIGHT") is None


def test_a_position_names_a_line_and_a_header_names_none() -> None:
    assert diff_lines.at_position(PATCH, 2) == diff_lines.anchor(PATCH, 2, "LEFT")
    assert diff_lines.at_position(PATCH, 7) is None  # the second hunk's header
    assert diff_lines.at_position(PATCH, 99) is None


def test_a_multi_line_comment_must_stay_in_one_hunk_and_run_downwards() -> None:
    first, last = diff_lines.anchor(PATCH, 1, "RIGHT"), diff_lines.anchor(PATCH, 4, "RIGHT")
    other = diff_lines.anchor(PATCH, 8, "RIGHT")
    assert first and last and other
    assert diff_lines.same_hunk(PATCH, first, last)
    assert not diff_lines.same_hunk(PATCH, last, first)
    assert not diff_lines.same_hunk(PATCH, first, other)


def test_a_no_newline_note_is_no_line() -> None:
    patch = "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file"
    assert diff_lines.anchor(patch, 1, "RIGHT").position == 3
    assert diff_lines.at_position(patch, 2) is None
