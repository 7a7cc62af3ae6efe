"""A local GitHub-compatible forge: GitHub's REST API under `/api/v3`, git over
smart HTTP, and HMAC-signed webhooks, backed by bare repositories and SQLite.

Public face: `LocalForge` (start, stop, URLs, tokens, `drain_webhooks`).
`payloads` and `events` are the pure JSON builders the contract tests check.
"""

from .server import DEFAULT_OWNER, LocalForge

__all__ = ["DEFAULT_OWNER", "LocalForge"]
