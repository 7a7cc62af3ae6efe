"""Grant durations as people type them (``90m``, ``8h``, ``3d``, ``2w``), bounded (pure)."""

from __future__ import annotations

import datetime as dt


MAX_GRANT = dt.timedelta(days=90)  # grants are for incidents and on-call, not forever
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> dt.timedelta:
    """``90m``, ``8h``, ``3d``, ``2w``: between 1 minute and 90 days."""
    text = str(text).strip().lower()
    if len(text) < 2 or text[-1] not in _DURATION_UNITS or not text[:-1].isdigit() or len(text) > 6:
        raise ValueError(f"{text!r} is not a duration like 90m, 8h, 3d or 2w")
    delta = dt.timedelta(**{_DURATION_UNITS[text[-1]]: int(text[:-1])})
    if delta <= dt.timedelta(0) or delta > MAX_GRANT:
        raise ValueError(f"{text!r}: a grant lasts between 1 minute and 90 days")
    return delta


def format_duration(delta: dt.timedelta) -> str:
    """The inverse of :func:`parse_duration` for the durations it makes (``8h``, ``3d``)."""
    minutes = int(delta.total_seconds() // 60)
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
