"""Times as readers read them: "an hour ago", "3 days ago"."""

from __future__ import annotations

from datetime import UTC, datetime

_UNITS = (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60))


def relative_time(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return ""
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    for name, size in _UNITS:
        if seconds >= size:
            n = int(seconds // size)
            if n == 1:
                return f"{'an' if name == 'hour' else 'a'} {name} ago"
            return f"{n} {name}s ago"
    return "just now"
