"""web.cache's page caches under concurrent readers: one build at a time per address, the expired
copy served while it is rebuilt, and a failed or abandoned build never leaves anyone waiting;
and the same of the parts kept for every reader (TTLCache.get_or_make), from handler threads
and through the real site's article page and API article.

The pages here come from a small ASGI app that counts its builds and takes the time a slow page
does, so that the readers' requests overlap as wrk's do (bench/archive.py); test_web.py holds
the cache to what the real site's pages show."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from newsweave import pipeline
from newsweave.model import ArticleIn
from newsweave.store.db import Database
from newsweave.web import api
from newsweave.web.app import create_app
from newsweave.web.cache import (
    PARTS_BYTES,
    READER_EPOCHS,
    PageCache,
    ReaderPageCache,
    TTLCache,
    reader_epochs,
)
from newsweave.web.pages import article as article_page
from newsweave.web.shared import shared_state


class SlowPages:
    """A site whose every page takes `seconds` to build and says which build it is."""

    def __init__(self, seconds: float = 0.2, status: int = 200) -> None:
        self.seconds = seconds
        self.status = status
        self.builds = 0
        self.fail = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.builds += 1
        n = self.builds
        await asyncio.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("the database went away")
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": f"build {n}".encode()})


async def _get_many(app: PageCache, n: int, path: str = "/tags") -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
        return list(await asyncio.gather(*(c.get(path) for _ in range(n))))


def test_readers_arriving_together_share_one_build() -> None:
    pages = SlowPages()
    cache = PageCache(pages, ttl=60)
    started = time.perf_counter()
    answers = asyncio.run(_get_many(cache, 16))
    assert pages.builds == 1
    assert [a.text for a in answers] == ["build 1"] * 16
    assert time.perf_counter() - started < 16 * pages.seconds / 2  # not one build each
    assert asyncio.run(_get_many(cache, 4, "/tags?page=2"))[0].text == "build 2"  # its own address


def test_kept_pages_are_bounded_by_their_bytes_oldest_forgotten_first() -> None:
    """PageCache(max_bytes): a cache bounded by count alone held ~1 GB of a reader's pages."""
    built: list[str] = []

    async def pages(scope: Scope, receive: Receive, send: Send) -> None:
        query = scope["query_string"].decode()
        built.append(query)
        size = int(query.split("size=")[1])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x" * size})

    cache = PageCache(pages, ttl=60, max_bytes=10_000)

    async def ask(*queries: str) -> list[int]:
        transport = httpx.ASGITransport(app=cache)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
            return [len((await c.get(f"/tags?{q}")).content) for q in queries]

    assert asyncio.run(ask("n=1&size=4000", "n=2&size=4000", "n=3&size=4000")) == [4000] * 3
    assert cache._pages.bytes == 8000  # the first forgotten: three would be 12,000
    assert asyncio.run(ask("n=2&size=4000", "n=3&size=4000")) == [4000] * 2
    assert len(built) == 3  # both kept
    assert asyncio.run(ask("n=1&size=4000")) == [4000]
    assert built[-1] == "n=1&size=4000"  # built again
    assert asyncio.run(ask("huge=1&size=20000", "huge=1&size=20000")) == [20_000] * 2
    assert built[-2:] == ["huge=1&size=20000"] * 2  # answered, never kept
    assert cache._pages.bytes == 8000
    assert len(cache._pages.entries) == 2


def _harbour_plan(db: Database, body: str) -> int:
    """One readable article, "Council approves the harbour plan", an hour old."""
    art, _ = pipeline.ingest(
        db,
        ArticleIn(url="https://e.example/1", title="Council approves the harbour plan",
                  text=body, source_name="E", published=datetime.now(UTC) - timedelta(hours=1)),
    )  # fmt: skip
    return art


def test_kept_parts_are_bounded_by_their_bytes_and_a_huge_one_is_not_kept() -> None:
    """TTLCache(max_bytes, size): by count alone the article parts and API answers (5,000
    each, an article's whole text in every one) could hold gigabytes."""
    parts = TTLCache(ttl=60, max_bytes=10, size=len)
    parts.put("a", "xxxx")
    parts.put("b", "xxxx")
    parts.put("c", "xxxx")
    assert list(parts._entries) == ["b", "c"]  # the oldest forgotten: three would be 12
    assert parts.bytes == 8
    parts.put("b", "xx")  # kept again: its old size no longer counts
    assert (list(parts._entries), parts.bytes) == (["c", "b"], 6)
    parts.put("huge", "x" * 11)
    assert parts.get("huge") is None  # larger than the whole budget: made, answered, not kept
    assert (list(parts._entries), parts.bytes) == (["c", "b"], 6)
    assert parts.get_or_make("huge", lambda: "y" * 11) == "y" * 11
    assert parts.bytes == 6
    parts.clear()
    assert parts.bytes == 0


def test_the_app_bounds_article_parts_and_api_answers_by_what_they_hold(
    sqlite_db: Database,
) -> None:
    """The app's caches of article parts and API answers count each one's size: its text and
    HTML, its JSON bytes."""
    text_ = "The council met on Monday and approved the harbour plan. " * 40
    art = _harbour_plan(sqlite_db, text_)
    app = create_app(sqlite_db)
    with TestClient(app) as client:
        assert client.get(f"/articles/{art}").status_code == 200
        answer = client.get(f"/api/articles/{art}")
    assert answer.status_code == 200
    assert app.state.api_articles.bytes == len(answer.content)
    assert app.state.api_articles.max_bytes == PARTS_BYTES
    assert app.state.article_parts.bytes > 2 * len(text_.strip())  # its row and its HTML
    assert app.state.article_parts.max_bytes == PARTS_BYTES


def test_kept_pages_and_parts_past_their_grace_are_forgotten_not_held() -> None:
    """An entry more than ttl past its time is never answered again (_in_grace): the caches
    forget it at the next keep, so a quiet site holds what it kept lately, not the last
    5,000 or 20,000 pages ever asked for."""

    async def pages(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x" * 1000})

    cache = PageCache(pages, ttl=0.05)

    async def ask(*paths: str) -> None:
        transport = httpx.ASGITransport(app=cache)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
            for path in paths:
                assert (await c.get(path)).status_code == 200

    asyncio.run(ask("/tags?n=1", "/tags?n=2"))
    assert len(cache._pages.entries) == 2
    time.sleep(0.12)  # past both pages' time and grace
    asyncio.run(ask("/tags?n=3"))
    assert list(cache._pages.entries) == ["/tags?n=3"]
    assert cache._pages.bytes == 1000
    parts = TTLCache(ttl=0.5)
    parts.put("a", 1)
    parts.put("b", 2)
    time.sleep(0.6)  # past their time, inside their grace: kept (get_or_make may answer them)
    parts.put("c", 3)
    assert list(parts._entries) == ["a", "b", "c"]
    time.sleep(0.6)  # a and b past their grace, c inside its own
    parts.put("d", 4)
    assert list(parts._entries) == ["c", "d"]


def test_an_expired_page_is_served_while_one_request_builds_it_again() -> None:
    pages = SlowPages(seconds=0.3)
    cache = PageCache(pages, ttl=0.5)
    asyncio.run(_get_many(cache, 1))
    time.sleep(0.6)  # expired: the next request builds, the others get the old copy at once

    async def late_readers() -> tuple[list[str], list[float]]:
        transport = httpx.ASGITransport(app=cache)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
            builder = asyncio.create_task(c.get("/tags"))
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            others = await asyncio.gather(*(c.get("/tags") for _ in range(8)))
            waited = time.perf_counter() - started
            return [(await builder).text, *[o.text for o in others]], [waited]

    texts, (waited,) = asyncio.run(late_readers())
    assert pages.builds == 2
    assert texts == ["build 2"] + ["build 1"] * 8
    assert waited < 0.15  # the old copy, not a wait for the build
    time.sleep(0.5 + 0.5 + 0.1)  # past its time and the grace after it: nothing stale is served
    assert [r.text for r in asyncio.run(_get_many(cache, 6))] == ["build 3"] * 6


@pytest.mark.parametrize("how", ["error answer", "exception"])
def test_a_build_that_is_not_kept_leaves_the_waiting_readers_to_build_their_own(how: str) -> None:
    pages = SlowPages(status=503 if how == "error answer" else 200)
    pages.fail = how == "exception"
    cache = PageCache(pages, ttl=60)

    async def readers() -> list[int | str]:
        transport = httpx.ASGITransport(app=cache, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
            got = await asyncio.gather(*(c.get("/tags") for _ in range(4)))
            return [r.status_code for r in got]

    statuses = asyncio.run(readers())
    assert pages.builds == 4  # the first, then each waiting reader's own
    assert statuses == [503] * 4 if how == "error answer" else [500] * 4
    assert not cache._building  # nothing left in flight


def test_a_reader_who_leaves_mid_build_does_not_cancel_it_for_the_others() -> None:
    pages = SlowPages(seconds=0.3)
    cache = PageCache(pages, ttl=60)

    async def one_leaves() -> list[str]:
        transport = httpx.ASGITransport(app=cache)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
            builder = asyncio.create_task(c.get("/tags"))
            await asyncio.sleep(0.05)
            leaver = asyncio.create_task(c.get("/tags"))
            stayer = asyncio.create_task(c.get("/tags"))
            await asyncio.sleep(0.05)
            leaver.cancel()
            return [(await builder).text, (await stayer).text]

    assert asyncio.run(one_leaves()) == ["build 1", "build 1"]
    assert pages.builds == 1


def test_a_readers_page_is_built_once_and_never_served_stale_past_their_own_act() -> None:
    """ReaderPageCache: the same coalescing per reader, page and epochs; an expired copy is
    served meanwhile only under the epochs it was made with, so a reader's own follow, mute or
    comment shows at once even while another of their tabs builds the page."""
    pages = SlowPages(seconds=0.3)
    # The expired copy is served up to a ttl late: a ttl of 1 s leaves ~0.8 s of slack for a
    # loaded machine between the sleeps below and the tabs' arrival (at 0.5 s, 0.3 s was too
    # little for CI on a slow VM).
    cache = ReaderPageCache(pages, ttl=1.0)
    shared = shared_state(None)

    async def started(builds: int) -> None:
        """Until the lead request's build has begun (a fixed 50 ms was not always enough)."""
        for _ in range(400):
            if pages.builds > builds:
                return
            await asyncio.sleep(0.005)

    async def signed_in(scope: Scope, receive: Receive, send: Send) -> None:
        # what SessionMiddleware leaves for the cache: the reader, their browser, the epochs
        scope["state"] = {
            "user": SimpleNamespace(id=7),
            "csrf_seed": "seed",
            READER_EPOCHS: reader_epochs(shared, 7),
        }
        scope["app"] = SimpleNamespace(state=SimpleNamespace(shared=shared))
        await cache(scope, receive, send)

    async def tabs(n: int, lead: bool = False) -> list[str]:
        transport = httpx.ASGITransport(app=signed_in)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
            builds = pages.builds
            builder = asyncio.create_task(c.get("/foryou")) if lead else None
            if lead:
                await started(builds)
            got = [r.text for r in await asyncio.gather(*(c.get("/foryou") for _ in range(n)))]
            return [(await builder).text, *got] if builder else got

    assert asyncio.run(tabs(8)) == ["build 1"] * 8
    assert pages.builds == 1
    time.sleep(1.1)  # expired, nothing of the reader's changed: the old copy while one builds
    assert asyncio.run(tabs(4, lead=True)) == ["build 2"] + ["build 1"] * 4
    time.sleep(1.1)
    shared.reader_changed(7)  # they followed something: no copy made before is served
    assert asyncio.run(tabs(4, lead=True)) == ["build 3"] * 5

    async def act_mid_build() -> list[str]:
        transport = httpx.ASGITransport(app=signed_in)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
            builds = pages.builds
            before = asyncio.create_task(c.get("/foryou?page=2"))
            await started(builds)
            shared.reader_changed(7)  # while a page made before their act is being built
            after = await c.get("/foryou?page=2")
            return [(await before).text, after.text]

    assert asyncio.run(act_mid_build()) == ["build 4", "build 5"]  # not the build before it
    assert pages.builds == 5


class Maker:
    """A value that takes until `gate` opens to make, counting the times it was made; the first
    `failures` makes fail."""

    def __init__(self, failures: int = 0) -> None:
        self.gate = threading.Event()
        self.calls = 0
        self.failures = failures

    def __call__(self) -> str:
        self.calls += 1
        n = self.calls
        self.gate.wait(5)
        if n <= self.failures:
            raise RuntimeError("the database went away")
        return f"value {n}"


def test_threads_asking_together_for_a_missing_part_share_one_make() -> None:
    cache, make = TTLCache(ttl=60), Maker()
    with ThreadPoolExecutor(8) as pool:
        asked = [pool.submit(cache.get_or_make, "parts", make) for _ in range(8)]
        time.sleep(0.1)
        assert make.calls == 1  # the others wait for it
        make.gate.set()
        assert [a.result(5) for a in asked] == ["value 1"] * 8
    assert cache.get("parts") == "value 1"
    assert cache.get_or_make("parts", make) == "value 1"
    assert make.calls == 1


def test_an_expired_part_is_answered_at_once_while_one_thread_makes_it_again() -> None:
    cache, make = TTLCache(ttl=0.5), Maker()
    cache.put("parts", "old")
    time.sleep(0.55)
    assert cache.get("parts") is None
    assert cache.usable("parts") is None
    with ThreadPoolExecutor(1) as pool:
        builder = pool.submit(cache.get_or_make, "parts", make)
        time.sleep(0.05)
        assert cache.usable("parts") == "old"
        started = time.perf_counter()
        assert cache.get_or_make("parts", make) == "old"
        assert time.perf_counter() - started < 0.05  # the old value, not a wait
        make.gate.set()
        assert builder.result(5) == "value 1"
    assert make.calls == 1
    assert cache.get("parts") == "value 1"
    time.sleep(0.6)  # past its time, and nobody building: nothing stale is answered
    assert cache.usable("parts") is None


def test_an_expired_part_past_its_grace_is_waited_for_not_answered() -> None:
    cache, make = TTLCache(ttl=0.2), Maker()
    cache.put("parts", "old")
    time.sleep(0.45)  # its time and as long again after it
    with ThreadPoolExecutor(2) as pool:
        builder = pool.submit(cache.get_or_make, "parts", make)
        time.sleep(0.05)
        waiter = pool.submit(cache.get_or_make, "parts", make)
        time.sleep(0.05)
        assert not waiter.done()
        make.gate.set()
        assert (builder.result(5), waiter.result(5)) == ("value 1", "value 1")


def test_a_failed_make_leaves_each_waiting_thread_to_make_its_own() -> None:
    cache, make = TTLCache(ttl=60), Maker(failures=1)
    with ThreadPoolExecutor(4) as pool:
        builder = pool.submit(cache.get_or_make, "parts", make)
        time.sleep(0.05)
        waiters = [pool.submit(cache.get_or_make, "parts", make) for _ in range(3)]
        time.sleep(0.05)
        assert make.calls == 1
        make.gate.set()
        with pytest.raises(RuntimeError, match="went away"):
            builder.result(5)
        assert sorted(w.result(5) for w in waiters) == ["value 2", "value 3", "value 4"]
    assert make.calls == 4
    assert cache.get_or_make("parts", make) == "value 5"  # a new make, kept from now on
    assert cache.get("parts") == "value 5"


def test_a_cache_that_keeps_nothing_makes_every_time() -> None:
    cache, make = TTLCache(ttl=0), Maker()
    make.gate.set()
    assert [cache.get_or_make("parts", make) for _ in range(3)] == ["value 1", "value 2", "value 3"]
    assert cache.get("parts") is None


def test_the_article_page_and_api_article_make_an_expired_articles_parts_once(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sixteen readers at sixteen addresses (past the page cache) of one article whose parts are
    not kept: one thread reads and renders them, as it did not when the page's p99 was 0.4-1.5 s
    under wrk (bench/archive.py)."""
    art = _harbour_plan(sqlite_db, "The council met on Monday and approved the harbour plan. " * 12)
    made = {"page": 0, "api": 0}
    page_parts, api_answer = article_page._parts, api._article_answer

    def slow_parts(*args: object, **kwargs: object) -> article_page.Parts:
        made["page"] += 1
        time.sleep(0.2)  # the time a starved build takes under load
        return page_parts(*args, **kwargs)  # type: ignore[arg-type]

    def slow_answer(*args: object) -> api.Encoded:
        made["api"] += 1
        time.sleep(0.2)
        return api_answer(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(article_page, "_parts", slow_parts)
    monkeypatch.setattr(api, "_article_answer", slow_answer)
    app = create_app(sqlite_db)

    async def readers(path: str) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
            return list(await asyncio.gather(*(c.get(f"{path}?n={i}") for i in range(16))))

    pages = asyncio.run(readers(f"/articles/{art}"))
    assert [p.status_code for p in pages] == [200] * 16
    assert all("Council approves the harbour plan" in p.text for p in pages)
    answers = asyncio.run(readers(f"/api/articles/{art}"))
    assert {a.json()["title"] for a in answers} == {"Council approves the harbour plan"}
    assert made == {"page": 1, "api": 1}
    missing = asyncio.run(readers("/articles/999999"))
    assert {m.status_code for m in missing} == {404}  # a failed make: each its own, no hang


def test_a_slow_value_is_made_again_ahead_of_its_time_while_readers_get_the_kept_one() -> None:
    """refresh_ahead (the index counts, ~0.3 s at a million articles): past it, the first
    caller starts one build in a thread and every caller is answered from the kept value at
    once; the new one replaces it when made, and a build that fails leaves it standing."""
    cache, make = TTLCache(ttl=0.6, refresh_ahead=0.4), Maker()
    make.gate.set()
    assert cache.get_or_make("counts", make) == "value 1"
    make.gate.clear()
    assert cache.get_or_make("counts", make) == "value 1"  # not yet ahead: nothing started
    time.sleep(0.3)  # within its last 0.4 s
    started = time.perf_counter()
    assert [cache.get_or_make("counts", make) for _ in range(5)] == ["value 1"] * 5
    assert time.perf_counter() - started < 0.05  # answered at once, not waiting
    deadline = time.monotonic() + 5
    while make.calls < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    make.gate.set()
    while cache.get("counts") != "value 2":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert make.calls == 2  # one build for the five

    def broken() -> str:
        raise RuntimeError("the database went away")

    time.sleep(0.3)
    assert cache.get_or_make("counts", broken) == "value 2"
    time.sleep(0.1)
    assert cache.get("counts") == "value 2"  # the failed build left it standing


def test_a_value_warmed_at_start_is_waited_for_not_made_twice() -> None:
    cache, make = TTLCache(ttl=60), Maker()
    cache.warm("counts", make)  # a process's start: in a thread, nobody waiting
    with ThreadPoolExecutor(1) as pool:
        asked = pool.submit(cache.get_or_make, "counts", make)
        time.sleep(0.05)
        assert not asked.done()  # the first reader waits for the warm build
        make.gate.set()
        assert asked.result(5) == "value 1"
    assert make.calls == 1
    cache.warm("counts", make)  # kept already: nothing made
    assert make.calls == 1


def test_a_slow_value_expired_unasked_is_answered_while_made_again() -> None:
    """Past its time with nobody asking in its last seconds, a refresh_ahead value is still
    answered at once (up to ttl past it) while one build runs in a thread."""
    cache, make = TTLCache(ttl=0.3, refresh_ahead=0.1), Maker()
    cache.put("counts", "old")
    time.sleep(0.35)
    started = time.perf_counter()
    assert [cache.get_or_make("counts", make) for _ in range(3)] == ["old"] * 3
    assert time.perf_counter() - started < 0.05
    make.gate.set()
    deadline = time.monotonic() + 5
    while cache.get("counts") != "value 1":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert make.calls == 1
