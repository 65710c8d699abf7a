"""The front page: the top stories by breadth of coverage, then the latest articles."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from newsweave.reading import hidden
from newsweave.store.views import article_list, label_values, top_stories
from newsweave.web.pages.reader import reader_of

_LABELS = ("language", "country", "ownership", "kind", "lean")
VALUES_SECONDS = 60.0  # the filters' value lists (a scan of the articles) are kept this long


def page(request: Request) -> HTMLResponse:
    """`?language=en&country=GB&ownership=public broadcaster&kind=wire` narrow both lists."""
    labels = {k: request.query_params[k][:64] for k in _LABELS if request.query_params.get(k)}
    muted = hidden(reader_of(request))
    values = request.app.state.label_values.get("all")
    with request.app.state.db.connect() as conn:
        items = article_list(conn, limit=60, labels=labels, exclude=muted)
        stories = top_stories(conn, limit=8, labels=labels, exclude=muted)
        if values is None:
            values = label_values(conn)
            request.app.state.label_values.put("all", values)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "home.html",
        {
            "title": "Latest news",
            "articles": items,
            "stories": stories,
            "labels": labels,
            "values": values,
        },
    )
