"""Finding the feed of a site: the URL itself, <link rel="alternate">, then common paths."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newsweave.errors import FetchError, ParseError
from newsweave.ingest.feeds import ParsedFeed, parse_feed
from newsweave.ingest.fetch import Fetcher
from newsweave.sanitize import looks_binary

__all__ = ["Discovered", "discover", "feed_links"]

_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "text/xml",
    "application/xml",
)
_COMMON_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feed.json")
_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, text/html;q=0.5"


@dataclass(frozen=True, slots=True)
class Discovered:
    feed_url: str
    feed: ParsedFeed
    homepage: str | None
    language: str | None


def feed_links(html: bytes, base_url: str) -> list[str]:
    """Feed URLs a page announces with <link rel="alternate" type="...">, in page order."""
    try:
        doc = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().strip()
        href = link.get("href")
        if "alternate" in rel and kind in _FEED_TYPES and href:
            url = urljoin(base_url, href.strip())
            if url not in found:
                found.append(url)
    return found


def _is_page(content: bytes) -> bool:
    """Whether a response is an HTML page (whatever its Content-Type said)."""
    return not looks_binary(content) and b"<html" in content[:4096].lower()


async def _common_feed(fetcher: Fetcher, url: str) -> str | None:
    """The first of the common feed paths of `url`'s host that holds a feed, if any."""
    for path in _COMMON_PATHS:
        candidate = urljoin(url, path)
        try:
            cresp = await fetcher.get(candidate, accept=_ACCEPT)
            parse_feed(cresp.content, cresp.url, cresp.content_type)
        except (FetchError, ParseError):
            continue
        return cresp.url
    return None


async def discover(fetcher: Fetcher, url: str) -> Discovered:
    """The feed behind `url` (a feed URL or a site URL). Raises ParseError if none is found."""
    resp = await fetcher.get(url, accept=_ACCEPT)
    try:
        feed = parse_feed(resp.content, resp.url, resp.content_type)
        return Discovered(resp.url, feed, feed.link, feed.language)
    except ParseError as exc:
        not_a_feed = exc
    if not _is_page(resp.content):
        # Neither a feed nor a web page (binary data, plain text): nothing here names a feed,
        # so a feed found by guessing paths on the host is somebody else's choice to make.
        guess = await _common_feed(fetcher, resp.url)
        offer = f"; {guess} on the same host is a feed: add that URL to follow it" if guess else ""
        raise ParseError(f"{url} is neither a feed nor a web page ({not_a_feed}){offer}")
    candidates = feed_links(resp.content, resp.url)
    candidates += [
        urljoin(resp.url, p) for p in _COMMON_PATHS if urljoin(resp.url, p) not in candidates
    ]
    tried: list[str] = []
    for candidate in candidates:
        try:
            cresp = await fetcher.get(candidate, accept=_ACCEPT)
            feed = parse_feed(cresp.content, cresp.url, cresp.content_type)
        except (FetchError, ParseError) as exc:
            tried.append(f"{candidate}: {exc}")
            continue
        lang = feed.language
        return Discovered(cresp.url, feed, resp.url, lang)
    raise ParseError(f"no feed found at {url} (tried {len(tried)} candidate URLs)")
