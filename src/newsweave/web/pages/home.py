"""The front page: the top stories by breadth of coverage, then the latest articles."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from newsweave.store.articles import latest_articles
from newsweave.store.views import top_stories


def page(request: Request) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        items = latest_articles(conn, limit=60)
        stories = top_stories(conn, limit=8)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "home.html", {"title": "Latest news", "articles": items, "stories": stories}
    )
