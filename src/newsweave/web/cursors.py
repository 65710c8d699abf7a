"""Positions in time-ordered lists for "Older" links: the last item's time (microseconds since
1970) and id, as `<micros>.<id>` (a keyset: a page never skips or repeats an item when new ones
arrive, as the JSON API's cursors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsweave.errors import InvalidInputError

__all__ = ["decode", "encode", "page_number"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode(at: datetime, item_id: int) -> str:
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return f"{max(0, (at - _EPOCH) // timedelta(microseconds=1))}.{item_id}"


def decode(value: str | None) -> tuple[datetime, int] | None:
    if not value:
        return None
    micros, _, item = value.partition(".")
    if not (micros.isdigit() and item.isdigit() and len(micros) <= 16 and len(item) <= 15):
        raise InvalidInputError("that page of the list does not exist: start again from the top")
    return _EPOCH + timedelta(microseconds=int(micros)), int(item)


def page_number(value: str | None, last: int = 1000) -> int:
    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= last:
        raise InvalidInputError(f"page must be a whole number from 1 to {last}")
    return int(value)
