"""What an interrupted apply did, read from its event log, and which state wins."""

from __future__ import annotations

import json

from controller.pipeline import adoption
from controller.terraform import events as ev


def events(*lines: dict) -> list[ev.TerraformEvent]:
    return [ev.parse_event(json.dumps(line).encode()) for line in lines]


def planned(addr: str, action: str = "create") -> dict:
    return {"type": "planned_change", "@message": "", "change": {"resource": {"addr": addr}, "action": action}}


def hook(kind: str, addr: str) -> dict:
    return {"type": kind, "@message": "", "hook": {"resource": {"addr": addr}, "action": "create"}}


SUMMARY = {"type": "change_summary", "@message": "", "changes": {"add": 2, "change": 0, "remove": 0, "operation": "apply"}}


def test_an_apply_cut_off_lists_what_completed_and_what_did_not() -> None:
    log = adoption.read_apply_log(events(planned("a.x"), planned("a.y"), planned("a.z")),
                                  events(hook("apply_start", "a.x"), hook("apply_complete", "a.x"),
                                         hook("apply_start", "a.y"), hook("apply_errored", "a.y")))
    assert (log.applied, log.errored, log.not_applied) == (("a.x",), ("a.y",), ("a.z",))
    assert not log.finished and not log.succeeded


def test_an_apply_that_finished_everything_succeeded() -> None:
    log = adoption.read_apply_log(events(planned("a.x"), planned("a.n", "noop")),
                                  events(hook("apply_complete", "a.x"), SUMMARY))
    assert log.succeeded and log.summary.startswith("Apply complete! Resources: 2 added")


def test_the_newer_serial_of_one_lineage_wins_and_lineages_are_never_mixed() -> None:
    def info(serial: int, lineage: str = "L") -> adoption.StateInfo:
        return adoption.StateInfo(serial=serial, lineage=lineage, resources=1)

    assert adoption.choose_state(info(5), info(4)) == adoption.StateChoice.SAVE_RUN_DIR
    assert adoption.choose_state(info(4), info(4)) == adoption.StateChoice.KEEP_SAVED
    assert adoption.choose_state(info(3), info(4)) == adoption.StateChoice.KEEP_SAVED
    assert adoption.choose_state(info(1), None) == adoption.StateChoice.SAVE_RUN_DIR
    assert adoption.choose_state(None, info(4)) == adoption.StateChoice.KEEP_SAVED
    assert adoption.choose_state(info(9, "other"), info(4)) == adoption.StateChoice.CONFLICT


def test_state_info_reads_serial_lineage_and_instances() -> None:
    text = json.dumps({"version": 4, "serial": 7, "lineage": "abc", "resources": [
        {"type": "null_resource", "name": "x", "instances": [{}, {}]}]})
    assert adoption.state_info(text) == adoption.StateInfo(serial=7, lineage="abc", resources=2)
    assert adoption.state_info("not json") is None and adoption.state_info(None) is None
