"""The pure pieces: command parsing, the throttle, durations, and the layer rule (no discord here)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from controller.service import commands, config_edit
from controller.service.throttle import EditThrottle


def test_a_typed_command_is_parsed_with_typed_values() -> None:
    spec, values = commands.parse('/cloud-set-quota project:web kind:vm limit:4 reason:"more room"')
    assert spec.name == "cloud-set-quota" and values == {"project": "web", "kind": "vm", "limit": 4, "reason": "more room"}


@pytest.mark.parametrize("line,problem", [
    ("/cloud-nope", "unknown command"),
    ("/cloud-quota", "missing project"),
    ("/cloud-set-quota project:web kind:rocket limit:1 reason:x", "kind must be one of"),
    ("/cloud-cancel pr:abc", "must be a number"),
    ("/cloud-list web", "is not name:value"),
    ("cloud-list", "start with /"),
    # Discord's option ranges, enforced alike in the console's parser
    ("/cloud-set-budget project:web usd:1e12 reason:x", "usd must be from 0 to 1,000,000, not '1e12'"),
    ("/cloud-set-budget project:web usd:nan reason:x", "usd must be from 0 to 1,000,000"),
    ("/cloud-set-budget project:web usd:-1 reason:x", "usd must be from 0 to 1,000,000"),
    ("/cloud-create-project name:x target:local region:local-1 reason:x budget:inf", "budget must be from 0"),
    ("/cloud-set-quota project:web kind:vm limit:100000 reason:x", "limit must be from 0 to 1,000, not '100000'"),
    ("/cloud-grant member:bob project:web role:owner duration:8h reason:x", "role must be one of viewer, user, admin"),
])
def test_a_bad_command_line_says_what_is_wrong(line: str, problem: str) -> None:
    with pytest.raises(commands.ParseError, match=problem):
        commands.parse(line)


def test_viewer_can_be_granted_from_the_console_and_a_member_is_a_name_or_a_chat_id() -> None:
    _, values = commands.parse("/cloud-grant member:bob project:web role:viewer duration:8h reason:x")
    assert values["role"] == "viewer"
    _, values = commands.parse("/cloud-revoke member:<@222> project:web reason:x")
    assert values["member"] == "<@222>"


def test_the_largest_allowed_numbers_pass() -> None:
    _, values = commands.parse("/cloud-set-budget project:web usd:1000000 reason:x")
    assert values["usd"] == 1_000_000.0
    _, values = commands.parse("/cloud-set-quota project:web kind:vm limit:1000 reason:x")
    assert values["limit"] == 1000


def test_command_names_are_unique_and_admin_commands_are_marked() -> None:
    names = [c.name for c in commands.COMMANDS]
    assert len(names) == len(set(names)) == 23
    assert {c.name for c in commands.COMMANDS if c.admin} >= {"cloud-init", "cloud-credentials", "cloud-grant"}


def test_the_throttle_lets_one_edit_through_per_interval_and_always_the_final() -> None:
    now = [0.0]
    throttle = EditThrottle(2.0, lambda: now[0])
    seen = []
    for t in (0.0, 0.5, 1.9, 2.0, 3.0, 4.1):
        now[0] = t
        seen.append(throttle.allow("m"))
    assert seen == [True, False, False, True, False, True]
    assert throttle.allow("m", final=True) and throttle.allow("m")
    assert throttle.allow("other")


@pytest.mark.parametrize("text,hours", [("90m", 1.5), ("8h", 8), ("3d", 72), ("2w", 336)])
def test_durations(text: str, hours: float) -> None:
    assert config_edit.parse_duration(text).total_seconds() == hours * 3600


@pytest.mark.parametrize("text", ["0h", "91d", "h", "8x", "-1h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        config_edit.parse_duration(text)


def test_the_service_layer_never_imports_discord() -> None:
    root = Path(__file__).resolve().parents[3] / "controller" / "service"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "discord" for n in names), path.name


def test_every_command_has_its_row_in_the_seed_table_of_the_docs() -> None:
    table = (Path(__file__).parents[3] / "docs" / "chat-commands.md").read_text()
    ours = {line.split("|")[2].strip().split()[0].strip("`") for line in table.splitlines()
            if line.startswith("| `/") and len(line.split("|")) > 3 and line.split("|")[2].strip().startswith("`/")}
    assert {f"/{c.name}" for c in commands.COMMANDS} <= ours


def test_every_command_has_a_spec_and_a_handler_and_no_handler_lacks_a_command() -> None:
    from controller.service import chatops, commands

    assert {spec.name for spec in commands.COMMANDS} == set(commands.Command)
    handlers = chatops.ChatOps._handlers_by_command(object.__new__(chatops.ChatOps))
    assert set(handlers) == set(commands.Command)
    assert len({h.__name__ for h in handlers.values()}) == len(handlers)  # one named method each
