"""Builders for plan documents in `terraform show -json` shape, kept small and explicit."""

from __future__ import annotations

from typing import Any

import pytest

from controller.terraform.plan import Plan

from controller.terraform.plan_parser import parse_plan

_ACTIONS = {"create": ["create"], "update": ["update"], "delete": ["delete"],
            "replace": ["delete", "create"], "no-op": ["no-op"]}


def change(address: str, action: str, before: Any = None, after: Any = None) -> dict[str, Any]:
    rtype, name = address.split(".", 1)
    return {
        "address": address, "mode": "managed", "type": rtype, "name": name,
        "provider_name": "registry.terraform.io/hashicorp/x",
        "change": {"actions": _ACTIONS[action], "before": before, "after": after,
                   "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}},
    }


def plan_doc(*changes: dict[str, Any], providers: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"root_module": {}}
    if providers:
        config["provider_config"] = {
            name: {"name": name, "expressions": {k: {"constant_value": v} for k, v in attrs.items()}}
            for name, attrs in providers.items()
        }
    return {"format_version": "1.0", "terraform_version": "1.5.7", "planned_values": {"root_module": {}},
            "resource_changes": list(changes), "configuration": config}


def with_refs(doc: dict[str, Any], refs: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    """Give the plan's configuration the references ``refs`` names: address -> attribute -> referenced addresses."""
    doc["configuration"]["root_module"]["resources"] = [
        {"address": address, "mode": "managed", "type": address.split(".")[0], "name": address.split(".")[1],
         "expressions": {attr: {"references": targets} for attr, targets in attrs.items()}}
        for address, attrs in refs.items()]
    return doc


@pytest.fixture
def make_plan():
    def build(*changes: dict[str, Any], providers: dict[str, dict[str, Any]] | None = None) -> Plan:
        return parse_plan(plan_doc(*changes, providers=providers))
    return build
