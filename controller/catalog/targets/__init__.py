"""Per-target renderers, looked up by :class:`~controller.catalog.specs.Target`."""

from __future__ import annotations

from types import ModuleType

from ..specs import Target
from . import aws, azure, gcp, local

MODULES: dict[Target, ModuleType] = {Target.GCP: gcp, Target.AWS: aws, Target.AZURE: azure, Target.LOCAL: local}


def module(target: Target | str) -> ModuleType:
    return MODULES[Target(target)]
