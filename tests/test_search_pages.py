"""Search as a reader expects it (issue 14's defects): words match their stems ("boosters"
finds "booster"), the page says how many matched, sorts by date on request and shows a story
once; on both databases."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import lxml.html

from newsweave import pipeline
from newsweave.model import ArticleIn
from newsweave.store import search
from newsweave.store.db import Database
from tests.test_discussion import Browser
from tests.test_reader import _signed_in, _source_id

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
    # The story's line shows its first hit's snippet; the hits it stands for had none made,
    # and the API, asked the same query after the page, still gets every hit's snippet.
    assert all(line.xpath(".//mark") for line in lines)
    with sqlite_db.connect() as conn:
        hits = search.search(conn, "floods", story_snippets=True)
    told = [h for h in hits if h.story_id is not None]
    assert told[0].snippet
    assert told[1:]
    assert not any(h.snippet for h in told[1:])
    api = b.get("/api/search?q=floods").json()["items"]
    assert len(api) == len(hits)
    assert all("floods" in i["snippet"].lower() for i in api)
    dated = lxml.html.fromstring(b.get("/search?q=ECB&sort=date").text)
    times = [t.get("datetime") for t in dated.xpath("//ul[@class='cards']/li//time")]
    assert times == sorted(times, reverse=True)
    assert b.get("/search?q=ECB&sort=sideways").status_code == 400
    api = b.get("/api/search?q=rates&sort=date").json()["items"]
    assert [i["published"] for i in api] == sorted((i["published"] for i in api), reverse=True)


def test_a_search_is_kept_as_long_as_a_page_for_every_address_and_reader(
    sqlite_db: Database,
) -> None:
    """The same query at another address (a tracking tag, the next reader) is answered from
    the hits kept for `page_cache_seconds` (web/searches.py), not searched again; a reader's
    mutes are part of what is kept; an article collected since shows once they expire."""
    from sqlalchemy import event

    from newsweave.web.app import create_app

    body = "Regulators reviewed the data from the trial over several weeks before deciding. " * 6
    _add(sqlite_db, 1, "Booster approved", "The booster dose was approved. " + body)
    _add(sqlite_db, 2, "Booster for all", "Boosters were offered. " + body, "Other Desk")
    searched: list[str] = []

    def seen(_c: object, _cur: object, statement: str, *_a: object) -> None:
        if "MATCH" in statement:
            searched.append(statement)

    event.listen(sqlite_db.engine, "before_cursor_execute", seen)
    anonymous = Browser(sqlite_db)
    anonymous.app = create_app(sqlite_db, "test-secret", page_cache_seconds=1.0)

    def ids(b: Browser, path: str) -> set[int]:
        return {int(i["id"]) for i in b.get(path).json()["items"]}

    both = ids(anonymous, "/api/search?q=booster")
    assert len(both) == 2
    assert searched
    before = len(searched)
    assert ids(anonymous, "/api/search?q=booster&utm_source=mail") == both
    assert ids(anonymous, "/api/search?q=booster&utm_source=feed") == both
    page = anonymous.get("/search?q=booster&ref=1").text
    asked = len(searched)
    assert asked > before  # the page asks for one more hit and a count: its own key
    assert anonymous.get("/search?q=booster&ref=2").text.count("Booster") == page.count("Booster")
    assert len(searched) == asked, "the same search at a new address ran again"

    # A reader who muted a source never gets hits kept for someone else, nor theirs to them.
    reader = _signed_in(sqlite_db)
    reader.app = anonymous.app
    other = _source_id(sqlite_db, "Other Desk")
    reader.get(f"/sources/{other}")
    assert reader.post(f"/mute/source/{other}", {}).status_code == 303
    assert len(ids(reader, "/api/search?q=booster&utm_source=mail")) == 2  # the API: no reader
    html = reader.get("/search?q=booster&ref=3").text
    assert "Booster for all" not in html
    assert "Booster approved" in html
    assert "Booster for all" in anonymous.get("/search?q=booster&ref=4").text

    # Kept a second (this site's page_cache_seconds): then a new article is found.
    third = _add(sqlite_db, 3, "Booster campaign starts", "The booster campaign began. " + body)
    time.sleep(1.1)
    assert third in ids(anonymous, "/api/search?q=booster&utm_source=mail")
    event.remove(sqlite_db.engine, "before_cursor_execute", seen)


def test_the_site_keeps_its_search_index_and_ranks_with_it(sqlite_db: Database) -> None:
    """`serve` keeps the search engine beside the database in a thread (store/searchindex.py):
    once built it ranks the page's and the API's searches; an article stored a moment ago is
    found at once (the database answers while the index is behind), and the thread stops
    with the site."""
    import threading

    from fastapi.testclient import TestClient

    from newsweave.web.app import create_app

    body = "Regulators reviewed the data from the trial over several weeks before deciding. " * 6
    _add(sqlite_db, 1, "Booster approved", "The booster dose was approved. " + body)
    _add(sqlite_db, 2, "Booster for all", "Boosters were offered. " + body, "Other Desk")
    app = create_app(sqlite_db, "test-secret", page_cache_seconds=0, search_index=True)
    with TestClient(app) as client:
        index = app.state.search_index
        assert index is not None
        deadline = time.monotonic() + 30
        while not index.ready and time.monotonic() < deadline:
            time.sleep(0.05)
        assert index.ready
        answered: list[bool] = []  # whether the index answered each search (it holds the log)
        holds = index.holds

        def counted(newest: int | None) -> bool:
            answered.append(holds(newest))
            return answered[-1]

        index.holds = counted

        def found() -> list[str]:
            return [i["title"] for i in client.get("/api/search?q=booster").json()["items"]]

        assert sorted(found()) == ["Booster approved", "Booster for all"]
        assert answered == [True], "the index did not rank the search"
        page = client.get("/search?q=booster").text
        assert "Booster approved" in page
        assert "Booster for all" in page
        _add(sqlite_db, 3, "Booster campaign starts", "The booster campaign began. " + body)
        # Found at once: by the database while the index is behind (or by the index, where
        # its keeper caught up in the meantime).
        assert "Booster campaign starts" in found()
        deadline = time.monotonic() + 30
        while not answered[-1] and time.monotonic() < deadline:
            time.sleep(0.05)
            assert "Booster campaign starts" in found()
        assert answered[-1], "the index did not catch up"
    assert app.state.search_index is None
    assert not [t for t in threading.enumerate() if t.name == "search-index"]
