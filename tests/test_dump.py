"""Scraped aggregator pages: shared/seed-page.txt and the relative times it uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsweave.errors import ParseError
from newsweave.ingest.dump import parse_dump, parse_relative_time

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed-page.txt"
SEED_COPY = Path(__file__).parent / "fixtures" / "archives" / "seed-page.txt"
NOW = datetime(2025, 8, 14, 12, 0, tzinfo=UTC)


def seed_text() -> str:
    return (SEED if SEED.exists() else SEED_COPY).read_text()


def test_seed_page_main_article_and_related_articles() -> None:
    arts = parse_dump(seed_text(), NOW)
    assert len(arts) == 4
    main, *related = arts
    assert main.title == "Why Kiev always escalates before talks – and why it won't work this time"
    assert main.text.startswith("This came two days after the Russian Ministry of Defence")
    assert main.text.endswith("why they must be ignored.")
    for chrome in ("Hashtags", "Try Our AI Features", "No comments yet", "Related Articles"):
        assert chrome not in main.text
    assert [a.source_name for a in related] == ["Russia Today"] * 3
    assert [a.title for a in related] == [
        "Why Putin and Trump had to talk in person",
        "Fyodor Lukyanov: Putin-Trump meeting seeks to settle unfinished Cold War business",
        "UN rejects parallel government in Sudan",
    ]
    assert related[0].published == NOW - timedelta(hours=1)
    assert related[1].published == NOW - timedelta(hours=3)
    assert related[2].text.startswith("The UN Security Council has rejected")
    assert all("- Russia Today" not in a.text for a in related)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("an hour ago", timedelta(hours=1)),
        ("3 hours ago", timedelta(hours=3)),
        ("a minute ago", timedelta(minutes=1)),
        ("12 mins ago", timedelta(minutes=12)),
        ("2 days ago", timedelta(days=2)),
        ("yesterday", timedelta(days=1)),
        ("just now", timedelta(0)),
        ("About 1 week ago", timedelta(weeks=1)),
    ],
)
def test_relative_times(text: str, delta: timedelta) -> None:
    assert parse_relative_time(text, NOW) == NOW - delta


def test_unknown_relative_time_is_none() -> None:
    assert parse_relative_time("last Tuesday-ish", NOW) is None


def test_empty_or_headline_only_dump_is_an_error() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_dump("\n \n", NOW)
    with pytest.raises(ParseError, match="no article body"):
        parse_dump("Just a headline\nHashtags\n", NOW)
