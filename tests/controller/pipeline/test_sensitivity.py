"""nonsensitive() in a pull request is found in both syntaxes, by file and line."""

from __future__ import annotations

from controller.pipeline import sensitivity


def test_nonsensitive_is_found_in_hcl_and_json_by_file_and_line() -> None:
    findings = sensitivity.nonsensitive_calls({
        "main.tf": 'resource "null_resource" "x" {\n  triggers = { v = nonsensitive(var.db_password) }\n}\n',
        "extra.tf.json": '{"output": {"o": {"value": "${nonsensitive (var.key)}"}}}',
        "README.md": "never call nonsensitive(var.x)",
    })
    assert [f.file for f in findings] == ["extra.tf.json:1", "main.tf:2"]
    assert "print it" in findings[0].problem


def test_comments_and_similar_names_are_not_findings() -> None:
    assert sensitivity.nonsensitive_calls({
        "main.tf": "# nonsensitive(var.x) would leak\n// nonsensitive(var.y)\nlocals { my_nonsensitive_flag = true }\n",
    }) == []


def test_the_refusal_says_how_to_allow_it() -> None:
    text = sensitivity.render_refusal("web", sensitivity.nonsensitive_calls({"a.tf": "x = nonsensitive(var.y)\n"}))
    assert "allow_nonsensitive: true" in text and "a.tf:1" in text
