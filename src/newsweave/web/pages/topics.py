"""Hashtag, story and source pages, and the indexes of each."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request
from fastapi.responses import HTMLResponse

from newsweave import comments
from newsweave.store.sources import get_source
from newsweave.store.views import (
    article_list,
    source_list,
    story_list,
    story_page,
    tag_list,
    tag_page,
)


def tag(request: Request, slug: str) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        data = tag_page(conn, slug)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "tag.html",
        {
            "title": data.tag.display,
            "feed": f"/tags/{slug}/feed",
            "tag": data.tag,
            "articles": data.articles,
        },
    )


def story(request: Request, story_id: int) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        data = story_page(conn, story_id)
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
        },
    )


def source(request: Request, source_id: int) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        src = get_source(conn, source_id)
        items = article_list(conn, limit=50, source_id=source_id)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "source.html",
        {"title": src.name, "src": src, "articles": items, "feed": f"/sources/{source_id}/feed"},
    )


def _index(request: Request, kind: str, title: str, items: Sequence[object]) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "index.html", {"title": title, "kind": kind, "items": items}
    )


def tags(request: Request) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        items = tag_list(conn, limit=300)
    return _index(request, "tags", "Hashtags", items)


def sources(request: Request) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        items = source_list(conn)
    return _index(request, "sources", "Sources", items)


def stories(request: Request) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        items = story_list(conn, limit=100)
    return _index(request, "stories", "Stories", items)
