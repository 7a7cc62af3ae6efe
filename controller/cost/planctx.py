"""What a plan says around its resources: provider regions and configuration references (pure).

A provider's region is often a variable (``region = var.aws_region``): the
value is then in the plan's ``variables`` (or the variable's default in
``configuration``), not in the provider block. A resource's configuration
expressions name the resources they reference (an autoscaling group's
``launch_template.id`` → ``aws_launch_template.web``), which lets a pricer
read the referenced resource's planned values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..terraform.plan import Plan

PROVIDER_REGION_KEYS = {"google": "region", "google-beta": "region", "aws": "region", "azurerm": "location"}
_PROVIDER_OF = {"google-beta": "google"}
_VAR = re.compile(r"^var\.([A-Za-z0-9_\-]+)$")
_ADDRESS = re.compile(r"^((?:module\.[A-Za-z0-9_\-]+(?:\[[^\]]*\])?\.)*(?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_\-]+)")


def _get(doc: Any, key: str) -> Any:
    return doc.get(key) if isinstance(doc, Mapping) else None


def variable_value(plan: Plan, name: str) -> Any:
    """A root variable's value in the plan, else its declared default, else None."""
    given = _get(plan.variables, name)
    if isinstance(given, Mapping) and "value" in given:
        return given["value"]
    declared = _get(_get(_get(plan.configuration, "root_module"), "variables"), name)
    return _get(declared, "default")


def expression_value(plan: Plan, expr: Any) -> Any:
    """A constant, or a ``var.x`` reference resolved through the plan's variables."""
    if not isinstance(expr, Mapping):
        return None
    if "constant_value" in expr:
        return expr["constant_value"]
    refs = expr.get("references") or ()
    for ref in refs:
        match = _VAR.match(str(ref))
        if match:
            value = variable_value(plan, match[1])
            if value is not None:
                return value
    return None


def provider_regions(plan: Plan) -> dict[str, str]:
    """Region (or location) of each provider's default block, constant or from a variable."""
    found: dict[str, str] = {}
    config = _get(plan.configuration, "provider_config") or {}
    for key, block in config.items():
        if not isinstance(block, Mapping):
            continue
        name = str(block.get("name", key))
        attr = PROVIDER_REGION_KEYS.get(name)
        if not attr or block.get("alias"):
            continue
        value = expression_value(plan, _get(block.get("expressions"), attr))
        provider = _PROVIDER_OF.get(name, name)
        if isinstance(value, str) and value and provider not in found:
            found[provider] = value
    for key, block in config.items():  # an aliased block only when no default block says
        name = str(_get(block, "name") or key)
        attr = PROVIDER_REGION_KEYS.get(name)
        provider = _PROVIDER_OF.get(name, name)
        if attr and provider not in found:
            value = expression_value(plan, _get(_get(block, "expressions"), attr))
            if isinstance(value, str) and value:
                found[provider] = value
    return found


def aliased_regions(plan: Plan) -> dict[str, tuple[str, str]]:
    """Configuration address -> (provider, region) for resources on an aliased provider block with its own region.

    ``provider = aws.west`` (or a module given ``providers = { aws = aws.west }``) runs the resource in the
    alias's region, not the default block's: pricing it at the default region would be a wrong number.
    A resource names its block by ``provider_config_key`` ("aws.west", "module.dr:aws" for a module's own).
    """
    config = _get(plan.configuration, "provider_config") or {}
    by_key: dict[str, tuple[str, str]] = {}
    for key, block in config.items():
        name = str(_get(block, "name") or key)
        attr = PROVIDER_REGION_KEYS.get(name)
        value = expression_value(plan, _get(_get(block, "expressions"), attr)) if attr and _get(block, "alias") else None
        if isinstance(value, str) and value:
            by_key[str(key)] = (_PROVIDER_OF.get(name, name), value)
    out: dict[str, tuple[str, str]] = {}
    if by_key:
        _walk_provider_keys(_get(plan.configuration, "root_module"), "", by_key, out)
    return out


def _walk_provider_keys(module: Any, prefix: str, by_key: Mapping[str, tuple[str, str]],
                        out: dict[str, tuple[str, str]]) -> None:
    for res in _get(module, "resources") or ():
        key = str(_get(res, "provider_config_key") or "")
        if key in by_key:
            out[f"{prefix}{res.get('address', '')}"] = by_key[key]
    for name, call in (_get(module, "module_calls") or {}).items():
        _walk_provider_keys(_get(call, "module"), f"{prefix}module.{name}.", by_key, out)


def _refs_in(expr: Any, out: list[str]) -> None:
    if isinstance(expr, Mapping):
        for ref in expr.get("references") or ():
            match = _ADDRESS.match(str(ref))
            if match and not str(ref).startswith(("var.", "local.", "each.", "count.", "path.")):
                out.append(match[1])
        for key, value in expr.items():
            if key != "references":
                _refs_in(value, out)
    elif isinstance(expr, (list, tuple)):
        for item in expr:
            _refs_in(item, out)


def _walk(module: Any, prefix: str, out: dict[str, dict[str, tuple[str, ...]]]) -> None:
    for res in _get(module, "resources") or ():
        address = f"{prefix}{res.get('address', '')}"
        attrs: dict[str, tuple[str, ...]] = {}
        for attr, expr in (_get(res, "expressions") or {}).items():
            found: list[str] = []
            _refs_in(expr, found)
            if found:
                attrs[attr] = tuple(a if a.startswith("module.") else f"{prefix}{a}" for a in dict.fromkeys(found))
        out[address] = attrs
    for name, call in (_get(module, "module_calls") or {}).items():
        _walk(_get(call, "module"), f"{prefix}module.{name}.", out)


def references(plan: Plan) -> dict[str, dict[str, tuple[str, ...]]]:
    """Configuration address (no index) -> attribute -> referenced resource addresses."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    _walk(_get(plan.configuration, "root_module"), "", out)
    return out


_INDEX = re.compile(r"\[[^\]]*\]")


def config_address(address: str) -> str:
    """module.a["x"].aws_instance.web[0] -> module.a.aws_instance.web (how configuration names it)."""
    return _INDEX.sub("", address)
