"""Collecting end to end: sources on the local server, fetched, extracted and stored once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from newsweave import collecting, jobs, pipeline
from newsweave.errors import ParseError
from newsweave.ingest.discover import discover
from newsweave.ingest.fetch import Fetcher, FetchPolicy
from newsweave.model import SourceInfo
from newsweave.store import articles as store
from newsweave.store import sources as source_store
from newsweave.store.db import Database
from newsweave.store.views import article_list
from tests.fixture_server import FIXTURES, FixtureServer


def add(db: Database, name: str, url: str) -> int:
    with db.begin() as conn:
        return source_store.add_source(conn, SourceInfo(name=name, feed_url=url))[0]


def collect(db: Database, policy: FetchPolicy, ids: list[int] | None = None) -> collecting.Report:
    return asyncio.run(collecting.Collector(db, policy).collect(ids))


def test_teaser_feed_pages_are_fetched_and_extracted(
    db: Database, server: FixtureServer, policy: FetchPolicy
) -> None:
    sid = add(db, "Fixture Times", server.url("feeds/teasers.xml"))
    secret_hits = server.count("/pages/private/secret.html")  # the server is the session's
    report = collect(db, policy)
    assert report.sources_failed == 0
    assert report.discovered == 4
    assert report.pages_fetched == 3  # the robots-disallowed page is never fetched
    with db.connect() as conn:
        arts = {a.title: a for a in article_list(conn, limit=50)}
        assert len(arts) == 4
        summit = store.get_article(conn, arts["Leaders prepare for Alaska summit as talks loom"].id)
        assert summit.byline == "Anna Petrova"
        assert "Kremlin spokesman Dmitry Peskov" in summit.text
        assert "Most read" not in summit.text
        assert summit.url == server.url("pages/summit-talks.html")
        secret = store.get_article(conn, arts["Members-only briefing on the summit"].id)
        assert "robots.txt" in secret.last_error
        assert secret.text.startswith("A members-only briefing")  # the teaser stands in
        src = source_store.get_source(conn, sid)
        assert (src.error_count, src.etag is not None) == (0, True)
    assert server.count("/pages/private/secret.html") == secret_hits  # never fetched here

    again = collect(db, policy)  # conditional GET: 304, nothing new, nothing twice
    assert (again.not_modified, again.inserted, again.discovered) == (1, 0, 0)
    with db.connect() as conn:
        assert len(article_list(conn, limit=50)) == 4


def test_full_text_feed_needs_no_page_fetch(
    db: Database, server: FixtureServer, policy: FetchPolicy
) -> None:
    add(db, "Council Watch", server.url("feeds/fulltext.atom"))
    report = collect(db, policy)
    assert (report.inserted, report.pages_fetched) == (2, 0)
    assert server.count("/council/does-not-exist-budget.html") == 0


def test_bad_sources_get_their_error_and_the_rest_goes_on(
    db: Database, server: FixtureServer, policy: FetchPolicy
) -> None:
    fast = replace(policy, max_retries=0)
    bad = {
        "html": (server.url("pages/summit-talks.html"), "HTML page, not a feed"),
        "500": (server.url("status/500"), "HTTP 500"),
        "410": (server.url("status/410"), "gone"),
        "garbage": (server.url("garbage"), "not a feed"),
        "empty": (server.url("empty"), "empty"),
        "slow": (server.url("slow/4/feeds/rss091.xml"), "timed out"),
        "bomb": (server.url("bomb"), "cap"),
        "dead": ("http://127.0.0.1:1/feed.xml", "network error"),
    }
    ids = {name: add(db, name, url) for name, (url, _) in bad.items()}
    good = add(db, "good", server.url("feeds/fulltext.atom"))
    report = collect(db, fast)
    assert report.sources_failed == len(bad)
    assert report.inserted == 2
    with db.connect() as conn:
        for name, (_, message) in bad.items():
            src = source_store.get_source(conn, ids[name])
            assert src.error_count == 1, name
            assert src.last_error is not None
            assert message in src.last_error, (name, src.last_error)
        assert source_store.get_source(conn, ids["410"]).status == "gone"
        assert source_store.get_source(conn, good).error_count == 0


def test_a_malformed_feed_that_reads_is_a_warning_not_an_error(
    db: Database, server: FixtureServer, policy: FetchPolicy
) -> None:
    sid = add(db, "truncated", server.url("feeds/truncated.xml"))
    collect(db, policy)
    with db.connect() as conn:
        src = source_store.get_source(conn, sid)
    assert (src.error_count, src.last_error) == (0, None)  # the poll worked
    assert src.last_warning is not None
    assert "malformed" in src.last_warning


def test_permanent_redirect_updates_the_feed_url(
    db: Database, server: FixtureServer, policy: FetchPolicy
) -> None:
    sid = add(db, "moved", server.url("redirect/301/2/feeds/rss091.xml"))
    collect(db, policy)
    with db.connect() as conn:
        assert source_store.get_source(conn, sid).feed_url == server.url("feeds/rss091.xml")


def test_retries_get_through_a_flaky_host(
    db: Database, server: FixtureServer, policy: FetchPolicy
) -> None:
    add(db, "flaky", server.url("flaky/collect/1/feeds/fulltext.atom"))
    assert collect(db, policy).inserted == 2


def test_discovery_from_site_and_feed_urls(server: FixtureServer, policy: FetchPolicy) -> None:
    async def find(url: str) -> str:
        async with Fetcher(policy) as f:
            return (await discover(f, url)).feed_url

    assert asyncio.run(find(server.url("site/"))) == server.url("feeds/teasers.xml")
    assert asyncio.run(find(server.url("feeds/jsonfeed.json"))) == server.url("feeds/jsonfeed.json")


def test_a_url_that_is_no_feed_is_refused_and_the_hosts_feed_offered(
    server: FixtureServer, policy: FetchPolicy
) -> None:
    async def find(url: str) -> str:
        async with Fetcher(policy) as f:
            return (await discover(f, url)).feed_url

    rss = (FIXTURES / "feeds" / "rss091.xml").read_bytes().replace(b"{base}", server.base.encode())
    server.extra["/feed"] = (200, "application/rss+xml", rss)
    try:
        with pytest.raises(ParseError) as info:
            asyncio.run(find(server.url("garbage")))  # binary bytes served as text/html
    finally:
        del server.extra["/feed"]
    message = str(info.value)
    assert "is neither a feed nor a web page" in message
    assert f"{server.url('feed')} on the same host is a feed: add that URL" in message


def test_default_sources_load(sqlite_db: Database) -> None:
    added = jobs.load_default_sources(sqlite_db)
    assert added >= 30
    with sqlite_db.connect() as conn:
        rows = source_store.all_sources(conn)
    assert len({r.country for r in rows}) >= 15
    assert all(r.country and r.ownership and r.kind and r.feed_url for r in rows)
    assert {"state-controlled", "public broadcaster", "private"} <= {r.ownership for r in rows}
    assert jobs.load_default_sources(sqlite_db) == 0


def test_page_without_article_falls_back_to_a_long_teaser_or_fails(
    db: Database, server: FixtureServer, policy: FetchPolicy
) -> None:
    add(db, "Sections", server.url("feeds/no-article-pages.xml"))
    report = collect(db, policy)
    assert (report.discovered, report.pages_fetched) == (2, 2)
    with db.connect() as conn:
        (listed,) = article_list(conn, limit=50)
        row = store.get_article(conn, listed.id)
        assert row.title == "Budget talks continue into the night"
        assert row.text.startswith("Negotiators from both parties")
        assert row.last_error.startswith("extraction: no article text found")
        assert row.last_error.endswith("showing the feed's teaser")
        failed = [a for a in store.iter_export(conn) if a["state"] == "failed"]
        assert [a["title"] for a in failed] == ["Short teaser only"]
        assert "no article text found" in failed[0]["last_error"]


def test_extract_stored_re_extracts_from_the_kept_page(
    db: Database, server: FixtureServer, policy: FetchPolicy
) -> None:
    add(db, "Fixture Times", server.url("feeds/teasers.xml"))
    collect(db, policy)
    with db.connect() as conn:
        (summit,) = [a for a in article_list(conn, limit=50) if a.title.startswith("Leaders")]
        before = store.get_article(conn, summit.id)
        url, html = store.raw_page(conn, summit.id) or ("", b"")
    assert url == server.url("pages/summit-talks.html")  # fetched by its canonical URL
    assert b"Kremlin spokesman" in html
    outcome = pipeline.extract_stored(db, summit.id, before.fetched_at)
    assert outcome == pipeline.Outcome.UNCHANGED  # same page, same text: nothing to do
    with db.connect() as conn:
        assert store.get_article(conn, summit.id).version == before.version


def test_pages_extracted_in_worker_processes_are_stored_as_in_process(
    db: Database, server: FixtureServer, policy: FetchPolicy
) -> None:
    """A big batch's pages are extracted in spawned worker processes (here from 1 page on)."""
    add(db, "Fixture Times", server.url("feeds/teasers.xml"))
    add(db, "Daily Fixture", server.url("gen/feed/3?chrome=1"))
    with collecting.Enricher(2) as enricher:
        collector = collecting.Collector(db, policy, enricher=enricher, min_pages_for_pool=1)
        report = asyncio.run(collector.collect())
        assert enricher.running  # the pages really went through the workers
    # 6 pages fetched and extracted; the robots-disallowed one shows its teaser; all enriched.
    assert (report.inserted, report.articles_failed, report.enriched) == (6, 0, 7)
    with db.connect() as conn:
        arts = {a.title: store.get_article(conn, a.id) for a in article_list(conn, limit=50)}
    summit = arts["Leaders prepare for Alaska summit as talks loom"]
    assert summit.byline == "Anna Petrova"
    assert "Kremlin spokesman Dmitry Peskov" in summit.text
    assert "Most read" not in summit.text
    assert arts["Members-only briefing on the summit"].text.startswith("A members-only")
    generated = [a for t, a in arts.items() if t.startswith("Report ")]
    assert len(generated) == 3
    for art in generated:
        assert art.byline.startswith("Reporter ")
        assert art.state == "enriched"
        assert 500 < len(art.text.split()) < 620  # the article, not the page's furniture
        assert "Sign up" not in art.text
        assert "Most read" not in art.text


@pytest.mark.parametrize("killed", ["both", "one"])
def test_a_worker_that_dies_loses_no_page(
    db: Database, server: FixtureServer, policy: FetchPolicy, killed: str
) -> None:
    """Worker processes killed under the collector: the pages are extracted here instead."""
    import os
    import signal

    add(db, "Daily Fixture", server.url("gen/feed/4?chrome=1"))
    with collecting.Enricher(2) as enricher:
        assert enricher.map(abs, [-1, -2]) == [1, 2]  # the workers are up
        pids = enricher.pids()
        for pid in pids if killed == "both" else pids[1:]:  # as the OOM killer would
            os.kill(pid, signal.SIGKILL)
        collector = collecting.Collector(db, policy, enricher=enricher, min_pages_for_pool=1)
        report = asyncio.run(collector.collect())
        assert enricher.workers == 1  # it carried on without them
    assert (report.inserted, report.articles_failed, report.enriched) == (4, 0, 4)
    with db.connect() as conn:
        arts = [store.get_article(conn, a.id) for a in article_list(conn, limit=50)]
    assert all(a.state == "enriched" and len(a.text.split()) > 500 for a in arts)


def test_a_page_waiting_on_a_live_worker_when_the_other_dies_is_extracted_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One worker of two dies: the pages sent to the live one are extracted there before it
    stops (not cancelled and done again here, or raised as a cancellation of the collector's
    task); the dead one's, and every page after, in this process."""
    import os
    import signal
    import time

    html = (FIXTURES / "pages" / "summit-talks.html").read_bytes()
    here: list[str] = []
    to_thread = asyncio.to_thread

    async def in_this_process(fn: Any, page: bytes, url: str) -> Any:
        here.append(url)
        return await to_thread(fn, page, url)

    monkeypatch.setattr(asyncio, "to_thread", in_this_process)

    async def run(enricher: collecting.Enricher) -> list[object]:
        busy = [enricher._pools[0].submit(time.sleep, 1.5) for _ in range(2)]  # its queue full
        waiting = asyncio.ensure_future(enricher.extract(html, "https://example.org/a"))
        await asyncio.sleep(0.2)
        os.kill(enricher.pids()[1], signal.SIGKILL)
        await asyncio.sleep(1)  # the executor notices its worker's death
        other = await enricher.extract(html, "https://example.org/b")  # its turn: the dead one
        assert not enricher.running
        del busy
        return [await waiting, other]

    with collecting.Enricher(2) as enricher:
        assert enricher.map(abs, [-1, -2]) == [1, 2]
        got = asyncio.run(run(enricher))
    assert [type(x).__name__ for x in got] == ["Extracted", "Extracted"]
    assert here == ["https://example.org/b"]


def test_an_enricher_of_one_runs_everything_here() -> None:
    with collecting.Enricher(1) as enricher:
        assert enricher.map(abs, [-1, -2]) == [1, 2]
        assert not enricher.running
        assert enricher.pids() == []


def test_each_language_has_one_home_until_it_fills_it() -> None:
    """Articles in a language other than English go to one worker, chosen by what each holds;
    a second one only once the language fills the first (collecting.LanguageHomes)."""
    homes = collecting.LanguageHomes(2, {"ru": 186, "zh": 151, "fr": 66}, other=50, spill=16)
    idle = [0, 0]
    assert homes.home("en", idle, idle) is None  # every worker holds English
    assert homes.home(None, idle, idle) is None  # not known before the analysis
    assert homes.home("ru", [0, 4], idle) == 0  # the first: the idler of two empty workers
    assert homes.home("zh", [9, 0], idle) == 1  # the next: the worker holding less
    assert homes.home("fr", [0, 9], idle) == 1  # 151 MB there against 186
    assert homes.home("de", [0, 0], idle) == 0  # a language not weighed: 50 MB
    assert homes.held == [236, 217]
    assert homes.home("ru", [12, 0], [12, 0]) == 0  # stays home, the other idle or not
    assert homes.home("ru", [16, 4], [16, 0]) == 1  # its home full of it: the idlest joins
    assert homes.home("ru", [20, 6], [16, 2]) == 1  # of its two homes, the idler
    assert homes.homes == {"ru": [0, 1], "zh": [1], "fr": [1], "de": [0]}
    assert homes.held == [236, 403]
