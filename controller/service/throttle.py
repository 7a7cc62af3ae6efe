"""At most one progress edit per message every ``interval`` seconds; the final edit always.

Pure apart from the clock it is given (tests pass a fake one). Discord
rate-limits message edits (about five per five seconds per channel), and a
terraform apply can emit dozens of progress events a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class EditThrottle:
    def __init__(self, interval: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}

    def allow(self, key: str, *, final: bool = False) -> bool:
        """Whether to send this edit now; a final edit is always sent and forgets the key."""
        now = self.clock()
        if final:
            self._last.pop(key, None)
            return True
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            return False
        self._last[key] = now
        return True
