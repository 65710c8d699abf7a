"""Feeds out: Atom 1.0 and JSON Feed 1.1 of the latest articles, a hashtag, a source, a story;
and the sources as OPML. Built with lxml (Atom) and json, so text is always escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from lxml import etree

from newsweave.ingest.opml import write_opml
from newsweave.sanitize import clean_text
from newsweave.store import sources as source_store
from newsweave.store import views

__all__ = ["router"]

router = APIRouter(
    tags=["feeds"],
    responses={404: {"content": {"text/html": {}}, "description": "Nothing has that id or name."}},
)
_FEED: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/atom+xml": {}, "application/feed+json": {}},
        "description": "Atom 1.0 (`.atom`) or JSON Feed 1.1 (`.json`).",
    }
}
_ATOM = "http://www.w3.org/2005/Atom"
_N = 50


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _atom(request: Request, title: str, path: str, items: list[views.ArticleCard]) -> Response:
    base = _base(request)
    feed = etree.Element(f"{{{_ATOM}}}feed", nsmap={None: _ATOM})
    etree.SubElement(feed, f"{{{_ATOM}}}title").text = clean_text(title)
    etree.SubElement(feed, f"{{{_ATOM}}}id").text = base + path
    # Its own address is the one it was asked at (was `path` + ".atom": "/.atom", a 404).
    etree.SubElement(feed, f"{{{_ATOM}}}link", rel="self", href=base + request.url.path)
    etree.SubElement(feed, f"{{{_ATOM}}}link", rel="alternate", href=base + path)
    updated = max((a.at for a in items), default=datetime.now(UTC))
    etree.SubElement(feed, f"{{{_ATOM}}}updated").text = updated.isoformat()
    gen = etree.SubElement(feed, f"{{{_ATOM}}}generator")
    gen.text = "newsweave"
    for a in items:
        entry = etree.SubElement(feed, f"{{{_ATOM}}}entry")
        # Text stored before the edge cleaned it may hold what XML forbids (a 500 otherwise).
        etree.SubElement(entry, f"{{{_ATOM}}}title").text = clean_text(a.title or "(untitled)")
        etree.SubElement(entry, f"{{{_ATOM}}}id").text = f"{base}/articles/{a.id}"
        etree.SubElement(entry, f"{{{_ATOM}}}link", rel="alternate", href=f"{base}/articles/{a.id}")
        if a.url:
            etree.SubElement(entry, f"{{{_ATOM}}}link", rel="via", href=a.url)
        etree.SubElement(entry, f"{{{_ATOM}}}updated").text = a.at.isoformat()
        author = etree.SubElement(entry, f"{{{_ATOM}}}author")
        etree.SubElement(author, f"{{{_ATOM}}}name").text = clean_text(a.source or "")
        if a.summary:
            etree.SubElement(entry, f"{{{_ATOM}}}summary").text = clean_text(a.summary)
    body = etree.tostring(feed, xml_declaration=True, encoding="utf-8")
    return Response(body, media_type="application/atom+xml")


def _json_feed(request: Request, title: str, path: str, items: list[views.ArticleCard]) -> Response:
    base = _base(request)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": base + path,
        "feed_url": base + request.url.path,
        "items": [
            {
                "id": f"{base}/articles/{a.id}",
                "url": f"{base}/articles/{a.id}",
                "external_url": a.url,
                "title": a.title or "(untitled)",
                "summary": a.summary,
                "content_text": a.summary or a.title or "",
                "date_published": a.at.isoformat(),
                "authors": [{"name": a.source}],
            }
            for a in items
        ],
    }
    return Response(json.dumps(feed, ensure_ascii=False), media_type="application/feed+json")


def _feed(
    request: Request, fmt: str, title: str, path: str, items: list[views.ArticleCard]
) -> Response:
    return (_atom if fmt == "atom" else _json_feed)(request, title, path, items)


@router.get(
    "/feeds/latest.{fmt}",
    summary="The latest articles as Atom or JSON Feed",
    response_class=Response,
    responses=_FEED,
)
def latest(request: Request, fmt: views.FeedFormat) -> Response:
    with request.app.state.db.read() as conn:
        items = views.article_list(conn, limit=_N)
    return _feed(request, fmt, "newsweave: latest", "/", items)


@router.get(
    "/tags/{slug}/feed.{fmt}",
    summary="A hashtag's articles as a feed",
    response_class=Response,
    responses=_FEED,
)
def tag_feed(request: Request, slug: str, fmt: views.FeedFormat) -> Response:
    with request.app.state.db.read() as conn:
        tag = views.tag_page(conn, slug, limit=0).tag
        items = views.article_list(conn, limit=_N, tag=slug)
    return _feed(request, fmt, f"newsweave: {tag.display}", f"/tags/{slug}", items)


@router.get(
    "/sources/{source_id}/feed.{fmt}",
    summary="A source's articles as a feed",
    response_class=Response,
    responses=_FEED,
)
def source_feed(request: Request, source_id: int, fmt: views.FeedFormat) -> Response:
    with request.app.state.db.read() as conn:
        src = source_store.get_source(conn, source_id)
        items = views.article_list(conn, limit=_N, source_id=source_id)
    return _feed(request, fmt, f"newsweave: {src.name}", f"/sources/{source_id}", items)


@router.get(
    "/stories/{story_id}/feed.{fmt}",
    summary="A story's articles as a feed",
    response_class=Response,
    responses=_FEED,
)
def story_feed(request: Request, story_id: int, fmt: views.FeedFormat) -> Response:
    with request.app.state.db.read() as conn:
        story = views.story_page(conn, story_id).story
        items = views.article_list(conn, limit=_N, story_id=story_id)
    return _feed(request, fmt, f"newsweave: {story.title}", f"/stories/{story_id}", items)


@router.get(
    "/sources.opml",
    summary="Every source as OPML 2.0",
    response_class=Response,
    responses={200: {"content": {"text/x-opml": {}}, "description": "OPML 2.0."}},
)
def sources_opml(request: Request) -> Response:
    with request.app.state.db.read() as conn:
        rows = source_store.all_sources(conn)
    return Response(write_opml(r.info for r in rows), media_type="text/x-opml")
