"""Terraform state between runs: encrypted at rest, by default on an orphan branch.

``crypto`` (pure, plus the key file) seals a state file into a versioned
AES-GCM envelope bound to its repository and project. ``git_branch`` keeps
the envelopes on the ``cloudops-state`` branch, one commit per save;
``local`` keeps them under the data dir instead. ``history`` reads the
branch log back (message format and parsing are pure). Both backends
satisfy ``controller.pipeline.planner.StateBackend``.
"""

from __future__ import annotations

from .crypto import StateKey, state_key
from .git_branch import DEFAULT_BRANCH, GitStateBackend
from .history import StateCommit, StateMessage, parse_message, state_message
from .local import LocalStateBackend

__all__ = [
    "DEFAULT_BRANCH",
    "GitStateBackend",
    "LocalStateBackend",
    "StateCommit",
    "StateKey",
    "StateMessage",
    "parse_message",
    "state_key",
    "state_message",
]
