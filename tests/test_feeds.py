"""Feed parsing on the self-describing fixtures in fixtures/feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsweave.errors import ParseError
from newsweave.ingest.feeds import full_text, parse_date, parse_feed

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
BASE = "http://127.0.0.1:9"


def load(name: str) -> bytes:
    return (FEEDS / name).read_bytes().replace(b"{base}", BASE.encode())


def test_rss2_teasers_links_dates_and_relative_urls() -> None:
    feed = parse_feed(load("teasers.xml"), f"{BASE}/feeds/teasers.xml", "application/rss+xml")
    assert feed.title == "The Fixture Times - World"
    assert feed.warning is None
    urls = [i.url for i in feed.items]
    assert urls[1] == f"{BASE}/pages/sudan-council.html"  # "../pages/..." against the feed URL
    assert feed.items[0].published == datetime(2025, 8, 14, 10, 30, tzinfo=UTC)
    assert feed.items[1].published == datetime(2025, 8, 13, 18, 0, tzinfo=UTC)
    assert feed.items[2].published == datetime(2025, 8, 12, 9, 15, tzinfo=UTC)  # odd format
    assert feed.items[3].published is None
    assert all(full_text(i) is None for i in feed.items)  # teasers only


def test_atom_full_text_and_entry_without_link() -> None:
    feed = parse_feed(load("fulltext.atom"), f"{BASE}/feeds/fulltext.atom")
    assert len(feed.items) == 2
    assert feed.items[1].url is None
    text = full_text(feed.items[0])
    assert text is not None
    assert len(text.split()) > 150
    assert feed.items[0].author == "Jo Park"


def test_rss091_and_rss1() -> None:
    old = parse_feed(load("rss091.xml"), BASE)
    assert [i.title for i in old.items] == ["Stocks rally as inflation cools for a third month"]
    rdf = parse_feed(load("rss1.rdf"), BASE)
    assert rdf.items[0].published == datetime(2025, 8, 13, 18, 0, tzinfo=UTC)


def test_json_feed() -> None:
    feed = parse_feed(load("jsonfeed.json"), f"{BASE}/feeds/jsonfeed.json", "application/feed+json")
    assert feed.title == "JSON Daily"
    assert feed.items[0].url == f"{BASE}/pages/summit-talks.html"
    assert feed.items[1].author == "Lena Fischer"
    assert feed.items[1].published == datetime(2025, 8, 12, 9, 15, tzinfo=UTC)


def test_truncated_feed_yields_what_it_can_with_a_warning() -> None:
    feed = parse_feed(load("truncated.xml"), BASE)
    assert feed.warning is not None
    assert "malformed" in feed.warning
    assert 1 <= len(feed.items) <= 3


def test_charsets() -> None:
    honest = parse_feed(load("latin1.xml"), BASE, "application/rss+xml")
    assert honest.items[0].title == "Café in Zürich öffnet wieder"
    liar = parse_feed(load("wrong-charset.xml"), BASE)
    assert len(liar.items) == 1
    assert liar.items[0].title is not None
    assert "Z" in liar.items[0].title


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"<!doctype html><html><body>hi</body></html>", "HTML page, not a feed"),
        (b"\x00\xff\x13garbage\x88" * 50, "not a feed"),
        (b'{"not": "a feed"}', "not a feed"),
        (b"{broken json", "not a feed"),
    ],
)
def test_not_a_feed_is_a_clear_parse_error(content: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_feed(content, BASE)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thu, 14 Aug 2025 10:30:00 +0200", datetime(2025, 8, 14, 8, 30, tzinfo=UTC)),
        ("2025-08-14", datetime(2025, 8, 14, tzinfo=UTC)),
        ("14/08/2025 10:30", datetime(2025, 8, 14, 10, 30, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", None),  # a default, not a date
        ("3025-01-01", None),  # the future
        ("yesterday-ish", None),
        ("", None),
    ],
)
def test_parse_date(raw: str, expected: datetime | None) -> None:
    assert parse_date(raw) == expected


def test_entry_categories_are_kept_as_the_section_the_genre_reads() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Daily Planet</title>'
        b"<item><title>Stop pretending</title><link>https://planet.example/a</link>"
        b"<category>Opinion</category><category>Politics</category></item>"
        b"<item><title>Vote count</title><link>https://planet.example/b</link></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(rss, "https://planet.example/feed.xml")
    assert [i.section for i in feed.items] == ["Opinion, Politics", None]
    jf = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1",'
        b' "url": "https://j.example/1", "content_text": "x", "tags": ["Analysis", 3]}]}'
    )
    assert parse_feed(jf, "https://j.example/feed.json").items[0].section == "Analysis"


def _corpus() -> dict[str, tuple[str, tuple[str, str], tuple[str, str]]]:
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "hostile"))
    import make_corpus

    return make_corpus.ENCODINGS


@pytest.mark.parametrize("encoding", sorted(_corpus()))
def test_a_feed_that_declares_no_encoding_is_detected(encoding: str) -> None:
    """big5, euc-kr, koi8-r, tis-620, windows-1255 and others, with no XML declaration and no
    HTTP charset: detected (feedparser alone reads them as windows-1252)."""
    name, heads, _ = _corpus()[encoding]
    raw = Path(__file__).parent / "fixtures" / "hostile" / "feeds" / f"enc-{encoding}.xml"
    feed = parse_feed(raw.read_bytes(), "https://x.example/feed", "application/rss+xml")
    assert feed.title == name
    assert [i.title for i in feed.items] == list(heads)
    declared = raw.read_bytes().decode(encoding).encode(encoding)  # the same bytes, declared
    header = f"application/rss+xml; charset={encoding}"
    assert parse_feed(declared, "https://x.example/feed", header).title == name
