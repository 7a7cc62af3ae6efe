"""Rate-limit progress edits (pure): at most one per interval, the last always.

Chat and PR comments are edited while an apply runs; both sides rate-limit
edits, so the pipeline sends at most one per ``interval`` seconds and lets
the caller always send the final state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Throttle:
    interval: float
    clock: Callable[[], float]
    _last: float | None = field(default=None, init=False)

    def ready(self) -> bool:
        """True (and start a new interval) when an edit may be sent now."""
        now = self.clock()
        if self._last is None or now - self._last >= self.interval:
            self._last = now
            return True
        return False
