"""Syntax errors are told as file:line:column with what is wrong, never as a security finding."""

from __future__ import annotations

import pytest

from controller.terraform import syntax


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ('resource "null_resource" "a" {\n  triggers = { a = "b" }\n', (1, 30), "unclosed `{`"),
        ('resource "null_resource" "a" {\n  provisioner "local-exec" {\n    command = "x"\n}\n', (1, 30), "unclosed `{`"),
        ('resource "a" "b" {\n  x = = 1\n}\n', (2, 7), "unexpected `="),
        ('resource "a" "b" {\n  x = "unterminated\n}\n', (2, 7), "unterminated string"),
        ('locals {\n  x = [1, 2\n}\n', (3, 1), "unexpected `}`"),
        ('/* never closed\nresource "a" "b" {}\n', (1, 1), "unterminated comment"),
    ],
)
def test_a_syntax_error_names_file_line_column_and_the_fault(text: str, where: tuple[int, int], says: str) -> None:
    problem = syntax.check_hcl("projects/db/main.tf", text)
    assert problem is not None
    assert str(problem).startswith(f"projects/db/main.tf:{where[0]}:")
    assert says in problem.message
    if where[0] == 1 or "unclosed" in says or "unterminated" in says:
        assert (problem.line, problem.column) == where


def test_valid_hcl_with_braces_in_strings_heredocs_and_comments_has_no_problem() -> None:
    text = (
        'resource "a" "b" {\n  x = "${var.a} {"\n  # a comment with {\n  y = <<-EOT\n    { not a block\n  EOT\n'
        '  // another }\n}\n'
    )
    assert syntax.check_hcl("main.tf", text) is None


def test_json_configuration_is_checked_too() -> None:
    problem = syntax.check_json("projects/web/extra.tf.json", '{"resource": {},\n}')
    assert problem is not None and (problem.line, problem.column) == (2, 1)


def test_only_terraform_files_are_read_and_paths_get_the_prefix() -> None:
    problems = syntax.check_files({"main.tf": "resource {", "README.md": "{", "ok.tf": 'locals {}\n'},
                                  prefix="projects/db/")
    assert [p.file for p in problems] == ["projects/db/main.tf"]
