"""The JSON API under /api/: what the pages show, as data, with cursor pagination and caching.

Lists answer {"items": [...], "next": CURSOR or null}; pass `cursor=` back for the next page.
Cursors are opaque (a keyset, base64url): a page never skips or repeats an item when new
articles arrive between requests. Every answer carries an ETag (and Last-Modified where the data
has a time); a conditional request with a current validator gets 304 and no body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from newsweave.errors import NotFoundError
from newsweave.model import VISIBLE_STATES
from newsweave.store import search as search_store
from newsweave.store import sources as source_store
from newsweave.store import views
from newsweave.store.articles import ArticleRow, get_article
from newsweave.store.db import Database
from newsweave.web import cursors
from newsweave.web.cache import TTLCache
from newsweave.web.pages.topics import counted
from newsweave.web.reads import quick_read
from newsweave.web.searches import kept_search

__all__ = ["ERRORS", "ApiError", "Problem", "router"]


class Problem(BaseModel):
    """What every API error answers (validation errors aside, which FastAPI shapes)."""

    error: str = Field(description="What went wrong, in a sentence a person can act on.")


# The answers every API operation may give besides its own: in the schema, so that the schema
# is the API (schemathesis checks both agree, tests/test_schema_fuzz.py).
ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the client's copy (If-None-Match) is current."},
    400: {"model": Problem, "description": "A parameter the API cannot use (a stale cursor)."},
    404: {"model": Problem, "description": "Nothing has that id or name."},
}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1-100).")]
# A position in a list: the last item's time (microseconds since 1970) and id. Every string the
# pattern admits is a position, so the schema is the whole rule (a cursor past the end gives an
# empty page).
Cursor = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{1,16}\.[0-9]{1,15}$", description="`next` of the previous page."),
]


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Encoded:
    """An answer as sent: its JSON bytes, their ETag, and its time for Last-Modified. A kept
    answer is kept encoded: an API article at a fresh address spent ~0.35 ms of its ~0.9
    serialising the same article again and hashing it (bench/archive.py)."""

    body: bytes
    etag: str
    modified: datetime | None
    last_modified: str | None

    def size(self) -> int:
        """Its bytes: what bounds app.state.api_articles."""
        return len(self.body)


def encode(payload: Any, modified: datetime | None = None) -> Encoded:
    # orjson writes the bytes json.dumps(..., ensure_ascii=False, separators=(",", ":")) would,
    # datetimes as isoformat(), in ~0.03 ms where json took ~0.65 for a list of 50 articles.
    data = orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)
    etag = 'W/"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    stamp = format_datetime(modified.astimezone(UTC), usegmt=True) if modified else None
    return Encoded(data, etag, modified, stamp)


def respond(request: Request, payload: Any, modified: datetime | None = None) -> Response:
    """JSON with an ETag and Last-Modified; 304 when the client's copy is current."""
    return send(request, encode(payload, modified))


def send(request: Request, answer: Encoded) -> Response:
    """An encoded answer, or 304 when the client's copy is current."""
    headers = {"ETag": answer.etag, "Cache-Control": "no-cache"}
    modified = answer.modified
    if answer.last_modified is not None:
        headers["Last-Modified"] = answer.last_modified
    inm = request.headers.get("if-none-match")
    if inm is not None:
        if answer.etag in {t.strip() for t in inm.split(",")} or inm.strip() == "*":
            return Response(status_code=304, headers=headers)
    elif modified is not None and (ims := request.headers.get("if-modified-since")):
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            since = None
        if since is not None and since.tzinfo and modified.replace(microsecond=0) <= since:
            return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type="application/json", headers=headers)


def _aware(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_encode, _decode = cursors.encode, cursors.decode


def _next(items: Sequence[views.ArticleCard | views.StoryCard], limit: int) -> str | None:
    """The cursor after a page of `limit` items, asked for with one more: None at the end."""
    if len(items) <= limit or not limit:
        return None
    last = items[limit - 1]
    at = last.at if isinstance(last, views.ArticleCard) else last.last_seen_at
    return _encode(at, last.id)


def _article_item(a: views.ArticleCard | ArticleRow) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "url": a.url,
        "source": {"id": a.source_id, "name": a.source},
        "published": a.published_at or a.first_seen_at,
        "summary": a.summary,
        "language": a.language,
        "story_id": a.story_id,
        "links": {"html": f"/articles/{a.id}", "api": f"/api/articles/{a.id}"},
    }


def _story_item(s: views.StoryCard) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "summary": s.summary,
        "first_seen_at": s.first_seen_at,
        "last_seen_at": s.last_seen_at,
        "article_count": s.article_count,
        "outlet_count": s.outlet_count,
    }


@router.get("/articles", summary="Latest articles, newest first")
async def list_articles(
    request: Request,
    limit: Limit = 20,
    cursor: Cursor = None,
    source: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    story: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> Response:
    # A page of rows off the time index, ~1 ms: on the event loop on SQLite (web.reads). In a
    # handler thread the same page answered 226-300 requests/s at fresh addresses, 16
    # connections, 100,000 articles; inline 624-651 (bench/archive.py's archive, wrk).
    after = _decode(cursor)
    filters = {"source_id": source, "language": language, "tag": tag, "story_id": story}
    rows = await quick_read(request, _article_rows, request.app.state.db, after, limit, filters)
    items = [_article_item(a) for a in rows[:limit]]
    newest = max((a.at for a in rows[:limit]), default=None)
    return respond(request, {"items": items, "next": _next(rows, limit)}, newest)


def _article_rows(
    db: Database, after: tuple[datetime, int] | None, limit: int, filters: dict[str, Any]
) -> list[views.ArticleCard]:
    """A page of the list and the first article after it (which says whether there is more)."""
    with db.read() as conn:
        return views.article_list(conn, after=after, limit=limit + 1, **filters)


@router.get("/articles/{article_id}", summary="One article with all its analyses")
async def get_article_api(request: Request, article_id: int) -> Response:
    # One article's answer is the same for every client, as its page's parts are: kept as long
    # (a cached answer skips six queries, ~3 ms; bench/archive.py), and sent from the event
    # loop; made in a thread, once at a time per article (web.cache.TTLCache.get_or_make).
    kept: TTLCache = request.app.state.api_articles
    made = partial(_article_answer, request.app.state.db, article_id)
    return send(request, await kept.get_or_make_in_thread(article_id, made))


def _article_answer(db: Database, article_id: int) -> Encoded:
    with db.read() as conn:
        art = get_article(conn, article_id)
        if art.state not in VISIBLE_STATES:
            raise NotFoundError(f"article {article_id} is not available")
        i = views.article_insights(conn, article_id, art.story_id)
    out = {
        **_article_item(art),
        "byline": art.byline,
        "text": art.text,
        "image": art.image,
        "duplicate_of": art.duplicate_of,
        "kind": i.kind,
        "hashtags": [
            {"tag": t.display, "label": t.label, "slug": t.slug, "kind": t.kind} for t in i.tags
        ],
        "summary": i.summary or art.summary,
        "key_points": i.key_points,
        "attributions": [asdict(w) for w in i.attributions],
        "entities": [{"text": e.name, "type": e.type, "count": e.count} for e in i.entities],
        "related": [_article_item(r) for r in i.related],
        "coverage": [_article_item(r) for r in i.coverage],
    }
    return encode(out, art.updated_at)


@router.get("/stories", summary="Stories, most recently fed first")
def list_stories(request: Request, limit: Limit = 20, cursor: Cursor = None) -> Response:
    with request.app.state.db.read() as conn:
        rows = views.story_list(conn, after=_decode(cursor), limit=limit + 1)
    items = [_story_item(s) for s in rows[:limit]]
    newest = max((s.last_seen_at for s in rows[:limit]), default=None)
    return respond(request, {"items": items, "next": _next(rows, limit)}, newest)


@router.get("/stories/{story_id}", summary="One story: its articles, outlets and speakers")
def get_story_api(request: Request, story_id: int) -> Response:
    with request.app.state.db.read() as conn:
        data = views.story_page(conn, story_id)
    out = {
        **_story_item(data.story),
        "articles": [_article_item(a) for a in data.articles],
        "outlets": sorted(data.by_outlet),
        "who_says_what": [asdict(w) for w in data.who],
    }
    return respond(request, out, data.story.last_seen_at)


@router.get("/sources", summary="Every source with its labels and health")
def list_sources(request: Request) -> Response:
    with request.app.state.db.read() as conn:
        rows = source_store.all_sources(conn)
    return respond(request, {"items": [r.as_dict() for r in rows], "next": None})


@router.get("/sources/{source_id}", summary="One source")
def get_source_api(request: Request, source_id: int) -> Response:
    with request.app.state.db.read() as conn:
        return respond(request, source_store.get_source(conn, source_id).as_dict())


@router.get("/tags", summary="The most used hashtags")
def list_tags(request: Request, limit: Limit = 100) -> Response:
    found = counted(request, ("tags", limit, 0), lambda conn: views.tag_list(conn, limit))
    return respond(request, {"items": [asdict(t) for t in found], "next": None})


@router.get("/tags/{slug}", summary="One hashtag and its articles")
def get_tag_api(request: Request, slug: str, limit: Limit = 20, cursor: Cursor = None) -> Response:
    with request.app.state.db.read() as conn:
        tag = views.tag_page(conn, slug, limit=0).tag
        rows = views.article_list(conn, after=_decode(cursor), limit=limit + 1, tag=slug)
    items = [_article_item(a) for a in rows[:limit]]
    return respond(request, {"tag": asdict(tag), "items": items, "next": _next(rows, limit)})


@router.get("/search", summary="Full-text search, best first")
def search_api(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Limit = 20,
    cursor: Cursor = None,
    source: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    country: Annotated[str | None, Query(max_length=64)] = None,
    ownership: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
    sort: Annotated[Literal["rank", "date"], Query(description="best match or newest first")] = (
        "rank"
    ),
) -> Response:
    """Filters narrow the hits: source id, language, hashtag slug, source labels, and a time
    range (`from` inclusive, `to` exclusive, ISO 8601). Words match their English stems too
    ("boosters" finds "booster")."""
    filters = search_store.Filters(
        source_id=source,
        language=language,
        tag=tag,
        country=country,
        ownership=ownership,
        kind=kind,
        date_from=_aware(since),
        date_to=_aware(until),
    )
    offset = 0
    if cursor:
        decoded = _decode(cursor)
        offset = decoded[1] if decoded else 0
    if offset > 10_000:  # search pages stop at 10,000 results: refine the query
        return respond(request, {"items": [], "next": None})
    hits, _ = kept_search(request, q, limit + 1, offset, filters, sort)
    more = len(hits) > limit
    items = [h.as_dict() for h in hits[:limit]]
    nxt = _encode(_EPOCH, offset + limit) if more else None
    return respond(request, {"items": items, "next": nxt})
