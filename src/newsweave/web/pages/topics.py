"""Hashtag and story pages."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from newsweave.store.views import story_page, tag_page


def tag(request: Request, slug: str) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        data = tag_page(conn, slug)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "tag.html", {"title": data["tag"]["display"], **data}
    )


def story(request: Request, story_id: int) -> HTMLResponse:
    with request.app.state.db.connect() as conn:
        data = story_page(conn, story_id)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "story.html", {"title": data["story"]["title"] or "Story", **data}
    )
