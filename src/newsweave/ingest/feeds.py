"""Reading feeds: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed 1.x by hand.

Like feedparser, this never gives up on a feed that is only partly broken: a truncated or
malformed feed yields the entries that could be read plus a warning. Only a document that holds
no feed at all (HTML, garbage, empty) raises ParseError, with a message that says what it was.
"""

from __future__ import annotations

import calendar
import codecs
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import charset_normalizer
import feedparser
from dateutil import parser as dateparser

from newsweave.errors import ParseError
from newsweave.model import FeedItem
from newsweave.sanitize import to_text
from newsweave.words import word_count

__all__ = ["ParsedFeed", "full_text", "parse_date", "parse_feed"]

#: Feed content with at least this many words is taken as the full article (no page fetch).
#: Teasers in the fixtures and in feeds seen in the wild run 20-80 words.
FULL_TEXT_MIN_WORDS = 150
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    link: str | None
    language: str | None
    items: list[FeedItem]
    warning: str | None  # set when the feed was only partly readable


def parse_date(value: str | None, now: datetime | None = None) -> datetime | None:
    """A timezone-aware UTC datetime from the odd date formats feeds use, or None.

    Naive dates are taken as UTC. Dates before 1990 or more than two days ahead are nonsense
    (a default 1970 value, a wrong year) and become None rather than corrupting the ordering.
    """
    if not value or not value.strip():
        return None
    try:
        parsed = dateparser.parse(value.strip(), fuzzy=True)
    except (ValueError, OverflowError):
        return None
    return _sane(parsed, now)


def _sane(when: datetime, now: datetime | None = None) -> datetime | None:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    ceiling = (now or datetime.now(UTC)) + timedelta(days=2)
    return when if _EARLIEST <= when <= ceiling else None


def _struct_date(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    return _sane(datetime.fromtimestamp(calendar.timegm(value), UTC))


def full_text(item: FeedItem) -> str | None:
    """The article text if the feed carries all of it, None if it is a teaser."""
    if not item.content_html:
        return None
    text = to_text(item.content_html)
    return text if word_count(text) >= FULL_TEXT_MIN_WORDS else None


def parse_feed(content: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a fetched feed document. Raises ParseError when it holds no feed at all."""
    head = content[:2048].lstrip().lower()
    if not head:
        raise ParseError("the response is empty")
    if "json" in content_type or head.startswith(b"{"):
        return _parse_json_feed(content, url)
    content = _as_declared(content, content_type)
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(content, response_headers=headers)
    if not parsed.version and not parsed.entries:
        if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
            raise ParseError(
                "this is an HTML page, not a feed (add the site URL to discover its feed)"
            )
        reason = parsed.get("bozo_exception")
        raise ParseError(f"not a feed{f': {reason}' if reason else ''}")
    warning = None
    # A feed served as text/html or text/plain is common and harmless: not worth a warning.
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.NonXMLContentType):
        warning = f"feed is malformed, read {len(parsed.entries)} entries: {parsed.bozo_exception}"
    feed: Mapping[str, Any] = parsed.feed
    items = [_item_from_entry(e, url) for e in parsed.entries]
    return ParsedFeed(
        title=_clean(feed.get("title")),
        link=feed.get("link"),
        language=feed.get("language"),
        items=items,
        warning=warning,
    )


# Single-byte code pages in the order the web uses them (W3Techs, 2024): detection prefers them
# to rarer ones that decode a sample just as cleanly.
_WEB_SINGLE_BYTE = (
    "cp1252", "iso8859_15", "cp1251", "cp1250", "iso8859_2", "cp1256", "cp1253", "iso8859_7",
    "cp1254", "iso8859_9", "cp1255", "iso8859_8", "koi8_r", "koi8_u", "cp1257", "iso8859_13",
    "cp874", "iso8859_5", "cp866", "cp1258",
)  # fmt: skip
_WEB_ENCODINGS = frozenset(
    {*_WEB_SINGLE_BYTE, "utf_8", "utf_16", "utf_32", "gb18030", "gbk", "gb2312", "big5",
     "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp", "iso2022_jp", "euc_kr", "cp949",
     "tis_620", "iso8859_11", "iso8859_6", "iso8859_1", "ascii"}
)  # fmt: skip
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?\sencoding\s*=\s*[\"'][^\"']+[\"']")
_DECL_ENCODING = re.compile(r"(<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']")


def _as_declared(content: bytes, content_type: str) -> bytes:
    """The feed as feedparser can read it: unchanged when the HTTP charset, the XML declaration
    or the bytes themselves (UTF-8) say the encoding; else transcoded to UTF-8 from what
    charset-normalizer detects. feedparser alone reads an undeclared big5, koi8-r or
    windows-1255 feed as windows-1252 (RFC 7303 says to assume UTF-8, which these are not)."""
    if "charset=" in content_type.lower() or _XML_ENCODING.match(content[:512]):
        return content
    if not content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return content
    best = charset_normalizer.from_bytes(content[:1_000_000]).best()
    if best is None:
        return content
    encoding = best.encoding
    if encoding not in _WEB_ENCODINGS:  # a rare code page that reads as well as a common one
        encoding = _commonest_fit(content[:100_000], best.chaos, best.coherence) or encoding
    text = content.decode(encoding, errors="replace")
    text = _DECL_ENCODING.sub(r"\1", text, count=1).lstrip("\ufeff")
    return text.encode("utf-8")


def _commonest_fit(sample: bytes, chaos: float, coherence: float) -> str | None:
    """The first of the web's common single-byte code pages that decodes `sample` as cleanly as
    the detector's pick. charset-normalizer reads Polish in ISO-8859-2 as ISO-8859-14 (equal
    scores; it keeps the first it tries), which garbles "przyjął" into "przyjḟġ"."""
    for enc in _WEB_SINGLE_BYTE:
        m = charset_normalizer.from_bytes(sample, cp_isolation=[enc]).best()
        if m is not None and m.chaos <= chaos + 0.01 and m.coherence >= coherence - 0.01:
            return enc
    return None


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    return to_text(value) or None


def _absolute(link: str | None, base: str) -> str | None:
    if not link or not link.strip():
        return None
    joined = urljoin(base, link.strip())
    return joined if joined.startswith(("http://", "https://")) else None


def _item_from_entry(entry: Mapping[str, Any], feed_url: str) -> FeedItem:
    guid = entry.get("id")
    link = _absolute(entry.get("link"), feed_url)
    if link is None and guid and str(guid).startswith(("http://", "https://")):
        link = str(guid)
    content_html = None
    if entry.get("content"):
        content_html = max((c.get("value", "") for c in entry["content"]), key=len) or None
    summary_html = entry.get("summary")
    published = _struct_date(entry.get("published_parsed")) or _struct_date(
        entry.get("updated_parsed")
    )
    if published is None:
        published = parse_date(entry.get("published") or entry.get("updated"))
    return FeedItem(
        url=link,
        title=_clean(entry.get("title")),
        summary=_clean(summary_html),
        content_html=content_html or (summary_html if summary_html else None),
        published=published,
        author=_clean(entry.get("author")),
        guid=str(guid) if guid else None,
        section=_section(t.get("term") or t.get("label") for t in entry.get("tags") or ()),
    )


def _section(terms: Iterable[object]) -> str | None:
    """An entry's categories as one label ("Opinion, Politics"), for the genre to read."""
    names = [str(t).strip() for t in terms if isinstance(t, str) and t.strip()]
    return ", ".join(dict.fromkeys(names))[:200] or None


def _parse_json_feed(content: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (jsonfeed.org), which feedparser 6 does not read."""
    try:
        doc = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"not a feed: invalid JSON ({exc})") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise ParseError("not a feed: JSON without a jsonfeed.org version")
    items: list[FeedItem] = []
    raw_items = doc.get("items")
    for raw in raw_items if isinstance(raw_items, list) else []:
        if not isinstance(raw, dict):
            continue
        authors = raw.get("authors") or ([raw["author"]] if raw.get("author") else [])
        author = ", ".join(a.get("name", "") for a in authors if isinstance(a, dict)) or None
        content_html = raw.get("content_html") or raw.get("content_text")
        items.append(
            FeedItem(
                url=_absolute(raw.get("url") or raw.get("external_url"), url),
                title=_clean(raw.get("title")),
                summary=_clean(raw.get("summary")),
                content_html=content_html,
                published=parse_date(raw.get("date_published") or raw.get("date_modified")),
                author=author,
                guid=str(raw["id"]) if raw.get("id") is not None else None,
                section=_section(raw.get("tags") or ()),
            )
        )
    return ParsedFeed(
        title=_clean(doc.get("title")),
        link=doc.get("home_page_url"),
        language=doc.get("language"),
        items=items,
        warning=None,
    )
