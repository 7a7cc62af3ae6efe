"""Lines of terraform's -json output become typed events, none dropped.

The sample lines were produced by Terraform 1.0.3 with hashicorp/null 2.1.2
on this project's example configurations.
"""

from __future__ import annotations

import json

import pytest

from controller.terraform import events as ev

APPLY_COMPLETE = (
    '{"@level":"info","@message":"null_resource.a[1]: Creation complete after 1s [id=704178632739170631]",'
    '"@module":"terraform.ui","@timestamp":"2026-11-22T00:11:58.797983Z","hook":{"resource":{"addr":"null_resource.a[1]",'
    '"module":"","resource":"null_resource.a[1]","implied_provider":"null","resource_type":"null_resource",'
    '"resource_name":"a","resource_key":1},"action":"create","id_key":"id","id_value":"704178632739170631",'
    '"elapsed_seconds":1},"type":"apply_complete"}'
)
PLANNED = (
    '{"@level":"info","@message":"null_resource.a[0]: Plan to create","@module":"terraform.ui",'
    '"@timestamp":"2026-11-22T00:11:56.801600Z","change":{"resource":{"addr":"null_resource.a[0]","module":"",'
    '"resource":"null_resource.a[0]","implied_provider":"null","resource_type":"null_resource","resource_name":"a",'
    '"resource_key":0},"action":"create"},"type":"planned_change"}'
)
SUMMARY = (
    '{"@level":"info","@message":"Plan: 3 to add, 0 to change, 0 to destroy.","@module":"terraform.ui",'
    '"@timestamp":"2026-11-22T00:11:56.801795Z","changes":{"add":3,"change":0,"remove":0,"operation":"plan"},'
    '"type":"change_summary"}'
)
DIAGNOSTIC = json.dumps(
    {
        "@level": "error",
        "@message": "Error: Unsupported argument",
        "type": "diagnostic",
        "diagnostic": {
            "severity": "error",
            "summary": "Unsupported argument",
            "detail": 'An argument named "bogus" is not expected here.',
            "range": {"filename": "main.tf", "start": {"line": 7, "column": 3, "byte": 80}, "end": {"line": 7, "column": 8, "byte": 85}},
            "snippet": {"context": 'resource "null_resource" "a"', "code": '  bogus = 1', "start_line": 7},
        },
    }
)
OUTPUTS = json.dumps(
    {
        "type": "outputs",
        "@level": "info",
        "@message": "Outputs: 2",
        "outputs": {
            "address": {"sensitive": False, "type": "string", "value": "10.0.0.1"},
            "password": {"sensitive": True, "type": "string", "value": "hunter2"},
        },
    }
)


def test_apply_complete_carries_resource_action_and_id() -> None:
    event = ev.parse_event(APPLY_COMPLETE)
    assert isinstance(event, ev.ApplyComplete)
    assert event.resource.addr == "null_resource.a[1]"
    assert event.resource.resource_key == 1
    assert event.action == "create"
    assert event.id_value == "704178632739170631"
    assert event.elapsed_seconds == 1


def test_planned_change_and_summary_are_typed() -> None:
    change = ev.parse_event(PLANNED)
    summary = ev.parse_event(SUMMARY)
    assert isinstance(change, ev.PlannedChange) and change.action == "create"
    assert isinstance(summary, ev.ChangeSummary)
    assert (summary.add, summary.change, summary.remove, summary.operation) == (3, 0, 0, "plan")
    assert summary.total == 3


def test_diagnostic_has_file_and_line() -> None:
    diag = ev.parse_event(DIAGNOSTIC)
    assert isinstance(diag, ev.Diagnostic)
    assert diag.severity == "error"
    assert diag.location() == "main.tf:7"
    assert diag.snippet == "  bogus = 1"


def test_sensitive_output_values_are_dropped_at_parse_time() -> None:
    outputs = ev.parse_event(OUTPUTS)
    assert isinstance(outputs, ev.OutputsEvent)
    by_name = {o.name: o for o in outputs.outputs}
    assert by_name["address"].value == "10.0.0.1"
    assert by_name["password"].sensitive and by_name["password"].value is None
    assert "hunter2" not in repr(outputs.outputs)


@pytest.mark.parametrize("kind", ["provision_start", "provision_progress", "provision_complete", "provision_errored"])
def test_provision_events_keep_the_provisioner_and_output(kind: str) -> None:
    line = {"type": kind, "hook": {"resource": {"addr": "null_resource.x"}, "provisioner": "local-exec", "output": "hello"}}
    event = ev.parse_event(line)
    assert isinstance(event, ev.ProvisionEvent)
    assert event.type == kind and event.provisioner == "local-exec" and event.output == "hello"


def test_unknown_types_are_kept_whole() -> None:
    event = ev.parse_event('{"type":"test_run","@message":"x","novel":{"a":1}}')
    assert isinstance(event, ev.UnknownEvent)
    assert event.raw["novel"] == {"a": 1}


def test_a_known_type_with_a_broken_shape_is_kept_as_unknown() -> None:
    event = ev.parse_event({"type": "change_summary", "changes": {"add": "many"}})
    assert isinstance(event, ev.UnknownEvent)


def test_non_json_lines_are_kept_as_unparsed() -> None:
    event = ev.parse_event(b"Acquiring state lock. This may take a few moments...\n")
    assert isinstance(event, ev.UnparsedLine)
    assert event.message.startswith("Acquiring state lock")
