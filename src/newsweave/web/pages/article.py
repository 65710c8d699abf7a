"""The article page: the article, hashtags, the AI panel, other coverage, related articles."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from newsweave import comments
from newsweave.errors import NotFoundError
from newsweave.model import VISIBLE_STATES
from newsweave.store.articles import get_article
from newsweave.store.views import article_insights


def page(request: Request, article_id: int) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        art = get_article(conn, article_id)
        if art["state"] not in VISIBLE_STATES:
            raise NotFoundError(f"article {article_id} is not available")
        cache = request.app.state.insights
        key = (article_id, art["updated_at"], art["story_id"])
        insights = cache.get(key)
        if insights is None:
            insights = article_insights(conn, article_id, art["story_id"])
            cache.put(key, insights)
    thread = comments.thread(request.app.state.db, article_id, request.state.user)
    count = comments.visible_count(thread)
    paragraphs = [p for p in (art["text"] or "").split("\n") if p.strip()]
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "article.html",
        {
            "title": art["title"],
            "a": art,
            "paragraphs": paragraphs,
            "i": insights,
            "thread": thread,
            "comment_count": count,
            "comments_url": f"/articles/{article_id}/comments",
        },
    )
