"""Searches kept for the seconds a page is kept: the hits and count of one query, its filters,
order and page, whatever else the address holds.

The URL-keyed page cache (web/cache.py) answers a search only at the same address, and only for
an anonymous reader: the same query asked again with another parameter (a tracking tag, a
signed-in reader, the API), or by the next reader of a trending word, ran the whole search
again: the pool's 1,000 matches walked and ranked by bm25, and the page's snippets made
(~4.6 ms in-process at a million articles, its FTS5 part SQLite's own). As the article page
keeps its parts (app.state.article_parts), a search keeps its hits as long as the page cache
keeps a page, so they are as fresh as any page: an article collected since shows within
`page_cache_seconds`. A reader's mutes are part of the key (they change the hits), so nobody
is shown what another reader kept. bench/archive.py measures both: "search, fresh URL" asks the
same query at a new address (kept hits), "search, new query" a different word every request
(a whole search).
"""

from __future__ import annotations

from fastapi import Request

from newsweave.store.search import Filters, Hits, count, search
from newsweave.web.cache import TTLCache

__all__ = ["kept_search"]


def kept_search(
    request: Request,
    query: str,
    limit: int,
    offset: int,
    filters: Filters,
    order: str,
    *,
    counted: bool = False,
    story_snippets: bool = False,
) -> tuple[Hits, int | None]:
    """A page of hits for `query` (and how many matched, up to the cap, where `counted`),
    kept in app.state.search_hits; `story_snippets` as store.search takes it."""
    key = (" ".join(query.split()), limit, offset, filters, order, counted, story_snippets)

    def find() -> tuple[Hits, int | None]:
        with request.app.state.db.read() as conn:
            hits = search(
                conn,
                query,
                limit,
                offset,
                filters,
                order,
                story_snippets=story_snippets,
                index=request.app.state.search_index,
            )
            return hits, count(conn, query, filters, hits) if counted else None

    kept: TTLCache = request.app.state.search_hits
    return kept.get_or_make(key, find)
