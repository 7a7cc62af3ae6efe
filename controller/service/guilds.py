"""Which infra repo each chat server drives: the records and the registry live in the runtime store.

Kept as the service layer's name for them; see ``controller.store.guilds``.
"""

from __future__ import annotations

from ..store.guilds import Claim, GuildLink, GuildRegistry, PrLink, UserSession

__all__ = ["Claim", "GuildLink", "GuildRegistry", "PrLink", "UserSession"]
