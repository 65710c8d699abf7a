"""Hashtag, story and source pages, and the indexes of each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from newsweave import comments, perspective
from newsweave.reading import hidden
from newsweave.store.sources import get_source
from newsweave.store.views import (
    SourceCount,
    TagCount,
    article_list,
    lean_counts,
    source_list,
    story_list,
    story_page,
    tag_list,
    tag_page,
)
from newsweave.web import cursors
from newsweave.web.cache import TTLCache
from newsweave.web.pages.reader import reader_of
from newsweave.web.reads import own_read

T = TypeVar("T")


def tag(request: Request, slug: str) -> HTMLResponse:
    r = reader_of(request)
    with request.app.state.db.read() as conn:
        data = tag_page(conn, slug, exclude=hidden(r))
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "tag.html",
        {
            "title": data.tag.display,
            "feed": f"/tags/{slug}/feed",
            "tag": data.tag,
            "tag_id": data.tag_id,
            "articles": data.articles,
            "following": r is not None and data.tag_id in r.follows.tag_ids,
            "muted": r is not None and data.tag_id in r.mutes.tag_ids,
        },
    )


def story(request: Request, story_id: int) -> HTMLResponse:
    r = reader_of(request)
    with request.app.state.db.read() as conn:
        data = story_page(conn, story_id, exclude=hidden(r))
    thread = comments.thread(request.app.state.db, None, request.state.user, story_id=story_id)
    count = comments.visible_count(thread)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "story.html",
        {
            "title": data.story.title or "Story",
            "feed": f"/stories/{story_id}/feed",
            "thread": thread,
            "comment_count": count,
            "comments_url": f"/stories/{story_id}/comments",
            "story": data.story,
            "articles": data.articles,
            "by_outlet": data.by_outlet,
            "by_label": data.by_label,
            "who": data.who,
            "following": r is not None and story_id in r.follows.story_ids,
            "blind": perspective.blindspot(data.by_label.get("lean", {})),
        },
    )


def source(request: Request, source_id: int) -> HTMLResponse:
    """A muted source's page still lists its articles: the reader came here on purpose, and the
    page says it is muted, with the button to unmute."""
    r = reader_of(request)
    muted = r is not None and source_id in r.mutes.source_ids
    with request.app.state.db.read() as conn:
        src = get_source(conn, source_id)
        items = article_list(conn, limit=50, source_id=source_id)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "source.html",
        {
            "title": src.name,
            "src": src,
            "articles": items,
            "feed": f"/sources/{source_id}/feed",
            "following": r is not None and source_id in r.follows.source_ids,
            "muted": muted,
        },
    )


BLINDSPOT_DAYS = 30


def blindspots(request: Request) -> HTMLResponse:
    """Stories of the last month (before the newest story: an archive's month, on a site fed
    from old archives) covered mostly by one side, left or right."""
    with request.app.state.db.read() as conn:
        newest = story_list(conn, limit=1)
        found = []
        if newest:
            since = newest[0].last_seen_at - timedelta(days=BLINDSPOT_DAYS)
            for story, counts in lean_counts(conn, since):
                spot = perspective.blindspot(counts)
                if spot is not None:
                    named = {lean or "unlabelled": n for lean, n in counts.items()}
                    found.append((story, spot, named))
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "blindspots.html",
        {
            "title": "Blindspots",
            "left": [f for f in found if f[1].covered_by == "left"],
            "right": [f for f in found if f[1].covered_by == "right"],
            "days": BLINDSPOT_DAYS,
        },
    )


def _index(
    request: Request, kind: str, title: str, items: Sequence[object], more: str | None
) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "index.html", {"title": title, "kind": kind, "items": items, "more": more}
    )


TAGS_PER_PAGE = 300
SOURCES_PER_PAGE = 200
STORIES_PER_PAGE = 100


def counted(request: Request, key: tuple[object, ...], count: Callable[[Connection], T]) -> T:
    """An index's counts (articles per hashtag, per source), kept app.state.index_counts'
    seconds (a minute, as the front page's filter values). Both are read off counts kept as
    articles are written (store.views: tag_counts, source_counts and its moves), a few ms at
    any size where counting the archive took 0.3-0.6 s at a million articles; kept all the
    same, as a query saved on every signed-in reader's view of an index page."""

    kept: TTLCache = request.app.state.index_counts
    return kept.get_or_make(key, own_read(request.app, count))


# Each index page's counts: their key in app.state.index_counts and what counts them, the same
# for the page and for the warm-up at start (which must fill the key the page reads).
Counting = tuple[tuple[object, ...], Callable[[Connection], T]]


def _tag_counts(offset: int) -> Counting[list[TagCount]]:
    limit = TAGS_PER_PAGE + 1
    return ("tags", limit, offset), lambda conn: tag_list(conn, limit=limit, offset=offset)


def _source_counts(offset: int) -> Counting[list[SourceCount]]:
    limit = SOURCES_PER_PAGE + 1
    return ("sources", limit, offset), lambda conn: source_list(conn, limit=limit, offset=offset)


def warm(app: FastAPI) -> None:
    """Have the first page of each index counted in threads as the process starts, so that
    no reader waits for it (when the sources' were counted off the archive, ~0.3 s at a million
    articles on SQLite, the second web process's first count stood in the way: p99 380 ms as
    served, bench/archive.py, session 32); kept, each is made again ahead of its time
    (TTLCache's refresh_ahead)."""
    kept: TTLCache = app.state.index_counts
    for key, count in (_tag_counts(0), _source_counts(0)):
        kept.warm(key, own_read(app, count))


def tags(request: Request) -> HTMLResponse:
    """The most used hashtags, 300 a page (`?page=`)."""
    n = cursors.page_number(request.query_params.get("page"))
    items = counted(request, *_tag_counts((n - 1) * TAGS_PER_PAGE))
    more = f"/tags?page={n + 1}" if len(items) > TAGS_PER_PAGE else None
    return _index(request, "tags", "Hashtags", items[:TAGS_PER_PAGE], more)


def sources(request: Request) -> HTMLResponse:
    """Every source by name, 200 a page (`?page=`)."""
    n = cursors.page_number(request.query_params.get("page"))
    items = counted(request, *_source_counts((n - 1) * SOURCES_PER_PAGE))
    more = f"/sources?page={n + 1}" if len(items) > SOURCES_PER_PAGE else None
    return _index(request, "sources", "Sources", items[:SOURCES_PER_PAGE], more)


def stories(request: Request) -> HTMLResponse:
    """Stories, most recently fed first, 100 a page (`?before=`: a keyset, so a page never
    repeats a story when others are fed meanwhile)."""
    before = cursors.decode(request.query_params.get("before"))
    with request.app.state.db.read() as conn:
        items = story_list(conn, after=before, limit=STORIES_PER_PAGE + 1)
    more = None
    if len(items) > STORIES_PER_PAGE:
        last = items[STORIES_PER_PAGE - 1]
        more = "/stories?before=" + cursors.encode(last.last_seen_at, last.id)
    return _index(request, "stories", "Stories", items[:STORIES_PER_PAGE], more)
