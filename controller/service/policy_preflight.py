"""Pre-flight policy for the chat lobby: the same Rego policies, on a synthetic plan of the specs.

So a person hears "region not allowed" or "quota exceeded" before a PR exists.
The PR's real plan is checked again by the pipeline; this is advice, not the gate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..catalog.specs import ResourceSpec
from ..policy import inputs as policy_inputs
from ..policy.preflight import preflight
from ..repo_config import RepoConfig
from .assess import PolicyView

MAX_LINES = 6


def preflight_policy(specs: Sequence[ResourceSpec], config: RepoConfig, actor_github: str,
                     used: Mapping[str, int]) -> PolicyView:
    project = specs[0].project
    actor = policy_inputs.actor_for(config, project, github=actor_github)
    result = preflight(list(specs), config, actor, dict(used))
    lines = [f"⛔ {v.msg}" for v in result.denies] + [f"⚠️ {v.msg}" for v in result.warns]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [f"… and {len(lines) - MAX_LINES} more"]
    return PolicyView(passed=result.passed, lines=tuple(lines) or ("passed",))
