"""Times as readers read them: "an hour ago", "3 days ago", and past a week the date itself
("12 Mar 2021"): "267 weeks ago" says nothing a reader can use."""

from __future__ import annotations

from datetime import UTC, datetime

_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


def relative_time(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return ""
    now = now or datetime.now(UTC)
    seconds = (now - when).total_seconds()
    if seconds >= 7 * 86400:
        day = when.astimezone(UTC)
        return f"{day.day} {day:%b}" + (f" {day.year}" if day.year != now.year else "")
    for name, size in _UNITS:
        if seconds >= size:
            n = int(seconds // size)
            if n == 1:
                return f"{'an' if name == 'hour' else 'a'} {name} ago"
            return f"{n} {name}s ago"
    return "just now"
