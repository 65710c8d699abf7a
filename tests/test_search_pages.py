"""Search as a reader expects it (issue 14's defects): words match their stems ("boosters"
finds "booster"), the page says how many matched, sorts by date on request and shows a story
once; on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import lxml.html

from newsweave import pipeline
from newsweave.model import ArticleIn
from newsweave.store import search
from newsweave.store.db import Database
from tests.test_discussion import Browser

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def _add(db: Database, n: int, title: str, text: str, source: str = "Health Desk") -> int:
    art = ArticleIn(
        url=f"https://h.example/{n}", title=title, text=text, source_name=source,
        published=T0 + timedelta(hours=n), language="en",
    )  # fmt: skip
    return pipeline.ingest(db, art, enrich_now=False)[0]


def test_stems_counts_and_date_order(db: Database) -> None:
    body = "Regulators reviewed the data from the trial over several weeks before deciding. " * 6
    one = _add(db, 1, "A booster for the elderly", "The booster dose was approved. " + body)
    two = _add(db, 2, "Boosters for everyone", "Boosters were offered to all adults. " + body)
    _add(db, 3, "Unrelated council news", "The council met and approved the budget. " * 12)
    with db.connect() as conn:
        singular = {h.id for h in search.search(conn, "booster")}
        plural = {h.id for h in search.search(conn, "boosters")}
        assert singular == plural == {one, two}
        assert search.count(conn, "boosters") == 2
        newest = [h.id for h in search.search(conn, "booster", order="date")]
        assert newest == [two, one]
        assert search.count(conn, "zeppelin") == 0


def test_search_page_counts_sorts_and_shows_a_story_once(
    events_db: tuple[Database, dict[str, int]],
) -> None:
    sqlite_db, _ = events_db
    b = Browser(sqlite_db)
    page = b.get("/search?q=floods").text
    doc = lxml.html.fromstring(page)
    assert "articles · page 1" in doc.xpath("//main/p[@class='meta']")[0].text_content()
    lines = doc.xpath("//ul[@class='cards']/li")
    more = doc.xpath("//a[contains(., 'more on this story')]")
    assert more, "the floods story's articles are one line"
    assert len(lines) < 3
    dated = lxml.html.fromstring(b.get("/search?q=ECB&sort=date").text)
    times = [t.get("datetime") for t in dated.xpath("//ul[@class='cards']/li//time")]
    assert times == sorted(times, reverse=True)
    assert b.get("/search?q=ECB&sort=sideways").status_code == 400
    api = b.get("/api/search?q=rates&sort=date").json()["items"]
    assert [i["published"] for i in api] == sorted((i["published"] for i in api), reverse=True)
