"""The parts of a reader's pages that are theirs alone and the same at every address, kept
between requests while nothing of theirs changes (For You's follows, reach and unread count; a
reader app's unread counts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request

from newsweave.store.accounts import UserRow
from newsweave.web.cache import TTLCache

__all__ = ["own"]

T = TypeVar("T")


def own(request: Request, user: UserRow, part: str, make: Callable[[], T]) -> T:
    """A part of a reader's pages that is theirs alone and the same at every address (their
    follows, their unread count), made by `make` and kept `page_cache_seconds` in
    app.state.reader_parts under their epoch, which every change of theirs moves
    (web.cache.ReaderPageCache), so a follow, a mute or an article read shows at once; new
    articles within the seconds kept, as on every page. A reload of the reader's page is
    answered from ReaderPageCache; these parts serve the pages that cache cannot: another page
    of For You, its unread-only view, a first view after reading something."""
    shared = request.app.state.shared
    key = (part, user.id, *shared.epochs(user.id))
    kept: TTLCache = request.app.state.reader_parts
    return kept.get_or_make(key, make)
