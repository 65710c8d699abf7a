"""The front page: the latest articles (stories come with enrichment)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from newsweave.store.articles import latest_articles


def page(request: Request) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        items = latest_articles(conn, limit=60)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "home.html", {"title": "Latest news", "articles": items}
    )
