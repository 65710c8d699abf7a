"""The parts of a reader's pages kept between requests: those that are theirs alone and the same
at every address, while nothing of theirs changes (For You's follows, reach and unread count; a
reader app's unread counts), and the HTML of each card on their lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from fastapi import Request
from markupsafe import Markup

from newsweave.reading import Item
from newsweave.store.accounts import UserRow
from newsweave.web.cache import TTLCache

__all__ = ["cards", "own"]

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


def cards(request: Request, items: Sequence[Item]) -> Markup:
    """The HTML of a reader's list (For You, Saved): each card's kept `page_cache_seconds` in
    app.state.card_html, keyed by all it shows (the article's card, read, saved, why), so a
    change to any of them is a new card at once, and only its relative time ("an hour ago")
    may be as old as any kept page. Rendering 50 cards was the larger half of a For You whose
    reader's parts are kept (py-spy under wrk, 10,000 articles: the template 47 % of the GIL's
    samples, Markup and escaping 15 %); every Save or Mark read rebuilds the page, and 49 of
    its 50 cards are as they were. See bench/README.md (session 26) for the figures."""
    kept: TTLCache = request.app.state.card_html
    item = request.app.state.templates.env.get_template("_item.html").module.item
    out: list[Markup] = []
    for it in items:
        key = (it.card, it.read, it.saved, *it.why)
        html = kept.get(key)
        if not isinstance(html, Markup):
            html = item(it)
            kept.put(key, html)
        out.append(html)
    return Markup("").join(out)
