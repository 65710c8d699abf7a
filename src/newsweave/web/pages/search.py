"""The search page: full text with filters (source, labels, language, hashtag, dates), paged."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy import Connection

from newsweave.errors import InvalidInputError
from newsweave.lists import by_story
from newsweave.store.search import COUNT_CAP, HIT_END, HIT_START, Filters, SearchHit
from newsweave.store.sources import source_names
from newsweave.web.pages.reader import reader_of
from newsweave.web.reads import own_read
from newsweave.web.searches import kept_search

PER_PAGE = 20


@dataclass(frozen=True, slots=True)
class _Result:
    """One line of the page. An object, not a dict: Jinja reads `r.title` by getattr first and
    falls back to the key only after AttributeError, which on dicts was ~220 exceptions a page
    (a third of the template's time at a million articles, py-spy)."""

    id: int
    title: str | None
    source: str
    published_at: datetime | None
    snippet_html: str
    story_id: int | None
    more: int


def _result(h: SearchHit, more: int) -> _Result:
    snippet = html.escape(h.snippet).replace(HIT_START, "<mark>").replace(HIT_END, "</mark>")
    return _Result(h.id, h.title, h.source, h.published, snippet, h.story_id, more)


def _story(hit: SearchHit) -> int | None:
    return hit.story_id


MAX_PAGE = 250


def _int(value: str | None, name: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        raise InvalidInputError(f"{name} must be a whole number from {low} to {high}")
    return int(value)


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"{name} must be a date like 2026-11-24") from None
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _source_options(sources: list[tuple[int, str]], chosen: str | None) -> Markup:
    """The source filter's <option>s. Built here, not in the template: Jinja's loop over 200
    sources was ~2 ms of a ~9 ms search page (bench/archive.py, 100,000 articles), and
    Markup.format as much; the name is the only text and html.escape escapes it. Kept a
    minute per chosen source, as the home page's filter values are (app.state.source_options):
    reading the 200 names on every search was a fifth of a search page at a fresh address
    (py-spy, 10,000 articles)."""
    return Markup(  # noqa: S704
        "".join(
            f'<option value="{sid}"{" selected" if str(sid) == chosen else ""}>'
            f"{html.escape(name)}</option>"
            for sid, name in sources
        )
    )


def page(request: Request) -> HTMLResponse:
    p = request.query_params
    q = (p.get("q") or "").strip()
    if len(q) > 500:
        raise InvalidInputError("a search is at most 500 characters")
    number = _int(p.get("page"), "page", 1, MAX_PAGE) or 1
    order = p.get("sort") or "rank"
    if order not in ("rank", "date"):
        raise InvalidInputError("sort is rank (best first) or date (newest first)")
    until = _date(p.get("to"), "to")
    filters = Filters(
        source_id=_int(p.get("source"), "source", 1, 2**31),
        language=(p.get("language") or "")[:16] or None,
        tag=(p.get("tag") or "")[:200] or None,
        country=(p.get("country") or "")[:64] or None,
        ownership=(p.get("ownership") or "")[:64] or None,
        kind=(p.get("kind") or "")[:64] or None,
        date_from=_date(p.get("from"), "from"),
        date_to=until + timedelta(days=1) if until else None,
        mutes=r.mutes if (r := reader_of(request)) is not None else None,
    )
    chosen = p.get("source")
    offset = (number - 1) * PER_PAGE
    # A story's first hit on the page stands for it (by_story below): only it needs a snippet.
    hits, counted = kept_search(
        request, q, PER_PAGE + 1, offset, filters, order, counted=True, story_snippets=True
    )
    total = counted or 0

    def options(conn: Connection) -> Markup:
        return _source_options(source_names(conn), chosen)

    sources = request.app.state.source_options.get_or_make(chosen, own_read(request.app, options))
    # One line per story on a page: its best (or newest) hit, and how many more it has here.
    results = [_result(line.item, line.more) for line in by_story(hits[:PER_PAGE], _story)]
    params = {k: v for k, v in p.items() if k != "page" and v}
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "search.html",
        {
            "title": f"Search: {q}" if q else "Search",
            "q": q,
            "results": results,
            "total": total,
            "capped": total >= COUNT_CAP,
            "sort": order,
            "page": number,
            "more": len(hits) > PER_PAGE and number < MAX_PAGE,
            "params": params,
            "sources": sources,
            "f": p,
        },
    )
