"""The call scanner finds every function call terraform would make, and nothing in literal text."""

from __future__ import annotations

import json

import pytest

from controller.pipeline.hcl_calls import calls_in_hcl, calls_in_json, calls_in_template, unquote_literal


def names(calls) -> list[str]:
    return [c.name for c in calls]


def test_calls_in_attributes_strings_heredocs_and_keys_are_all_found() -> None:
    text = '''
locals {
  a = file("x")
  b = "pre ${upper(filebase64("y"))} post"
  c = <<-EOT
    one ${templatefile("t", {})}
    %{ for f in fileset(path.module, "*") }${f}%{ endfor }
  EOT
  d = { (filemd5("k")) = 1 }
}
'''
    assert sorted(names(calls_in_hcl(text))) == ["file", "filebase64", "filemd5", "fileset", "templatefile", "upper"]


def test_comments_and_literal_text_are_not_calls() -> None:
    text = '''
# file("/etc/passwd")
// file("/etc/shadow")
/* templatefile("x", {}) */
locals {
  description = "reads file(s) from disk; $${file("escaped")}"
  profile = "profile(1)"
}
'''
    assert names(calls_in_hcl(text)) == []


def test_arguments_are_source_text_split_at_top_level_commas() -> None:
    [call] = [c for c in calls_in_hcl('x = fileset(path.module, "a,b/*")\n') if c.name == "fileset"]
    assert call.args == ("path.module", '"a,b/*"') and call.line == 1


def test_lines_are_where_the_call_starts() -> None:
    calls = calls_in_hcl('a = 1\n\nb = file(\n  "z"\n)\n')
    assert [(c.name, c.line) for c in calls] == [("file", 3)]


def test_every_string_of_a_json_file_is_a_template() -> None:
    text = json.dumps({"resource": {"null_resource": {"a": {"triggers": {"k": '${file("/etc/hostname")}'}}}},
                       "//": '${file("comment")}'}, indent=1)
    calls = calls_in_json(text)
    assert [(c.name, c.args) for c in calls] == [("file", ('"/etc/hostname"',))]
    assert calls[0].line == text.splitlines().index(next(l for l in text.splitlines() if "hostname" in l)) + 1


def test_a_template_file_is_scanned_only_inside_interpolations() -> None:
    assert names(calls_in_template('file("no") ${file("yes")} %{ if fileexists("also") }x%{ endif }')) == ["file", "fileexists"]


@pytest.mark.parametrize(("argument", "text"), [('"a/b.txt"', "a/b.txt"), ('"tab\\there"', "tab\there"),
                                                ('"${path.module}/x"', None), ("var.x", None), ('"a" + "b"', None)])
def test_only_plain_quoted_strings_are_literals(argument: str, text: str | None) -> None:
    assert unquote_literal(argument) == text


def test_unterminated_input_does_not_hang_or_raise() -> None:
    for text in ('x = file("a', "x = <<EOT\nno end", "x = (((", '"${', "/* open"):
        calls_in_hcl(text)
