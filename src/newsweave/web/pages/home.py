"""The front page: the top stories by breadth of coverage, then the latest articles."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from newsweave.lists import by_story
from newsweave.reading import hidden
from newsweave.store.views import ArticleCard, article_list, label_values, top_stories
from newsweave.web import cursors
from newsweave.web.pages.reader import reader_of
from newsweave.web.reads import own_read

_LABELS = ("language", "country", "ownership", "kind", "lean")
VALUES_SECONDS = 60.0  # the filters' value lists (a scan of the articles) are kept this long
PER_PAGE = 60


def _story(card: ArticleCard) -> int | None:
    return card.story_id


def warm(app: FastAPI) -> None:
    """Have the filters' values made in a thread as the process starts (a scan of the
    articles, ~0.3 s at a million on SQLite: with two web processes the front page as served
    showed p99 250-300 ms while each process's first was made, bench/archive.py session 32)."""
    app.state.label_values.warm("all", own_read(app, label_values))


def page(request: Request) -> HTMLResponse:
    """`?language=en&country=GB&ownership=public broadcaster&kind=wire` narrow both lists;
    `?before=` is a page of older articles (the "Older" link)."""
    labels = {k: request.query_params[k][:64] for k in _LABELS if request.query_params.get(k)}
    before = cursors.decode(request.query_params.get("before"))
    muted = hidden(reader_of(request))
    with request.app.state.db.read() as conn:
        items = article_list(conn, after=before, limit=PER_PAGE + 1, labels=labels, exclude=muted)
        stories = [] if before else top_stories(conn, limit=8, labels=labels, exclude=muted)
    values = request.app.state.label_values.get_or_make("all", own_read(request.app, label_values))
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "home.html",
        {
            "title": "Latest news",
            "articles": by_story(items[:PER_PAGE], _story),
            "older": cursors.encode(items[PER_PAGE - 1].at, items[PER_PAGE - 1].id)
            if len(items) > PER_PAGE
            else None,
            "paged": before is not None,
            "stories": stories,
            "labels": labels,
            "values": values,
        },
    )
