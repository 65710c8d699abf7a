"""A micro-cache of the pages anonymous readers see, for a few seconds.

Most readers are not signed in, and for them an article, story, tag or source page is the same
bytes for everyone. Keeping each such page for `ttl` seconds (the "microcaching" nginx and
Varnish setups use for news sites) takes the page's SQL and rendering off the hot path: measured
with bench/web.py, the article page went from ~145 to ~4,900 requests/s (a bare FastAPI
endpoint: ~1,800, since a hit skips the framework). Signed-in
readers (a session cookie) always get a fresh page, so their own comments show at once; anonymous
readers see a new comment within `ttl` seconds. Only 200 answers to GET are kept, without their
Set-Cookie headers.

Searches, the JSON API and the public feeds are the same for every anonymous reader too, and
kept alike: a search ranks a thousand matches (~4 ms at any archive size, bench/archive.py),
which a popular query repeated by many readers need not redo. Requests that carry credentials
(an API token, a session) or ask conditionally (If-None-Match, If-Modified-Since: a feed
reader's poll, answered 304 by the handler) always reach the app.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from newsweave.web.shared import SharedState

__all__ = [
    "DISCUSSIONS",
    "PAGE_BYTES",
    "PARTS_BYTES",
    "READER_EPOCHS",
    "PageCache",
    "ReaderPageCache",
    "TTLCache",
    "reader_epochs",
]

log = logging.getLogger(__name__)

_PREFIXES = ("/articles/", "/stories/", "/tags/", "/sources/", "/search", "/api/", "/feeds/")
# The index pages, the same for every anonymous reader. Left out, each was built on every
# request: at 10,000 articles 190-590 requests/s as served against ~20,000 for the pages
# kept, and /tags then took 19 s to build at a million (bench/archive.py, session 20).
_INDEXES = ("/tags", "/sources", "/stories", "/blindspots")
# Headers that make an answer this request's own: credentials, and conditional requests.
_OWN = (b"authorization", b"if-none-match", b"if-modified-since")


async def _run_and_keep(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run the app, passing its answer on, and return its status, headers and body."""
    status = 0
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        await send(message)

    await app(scope, receive, capture)
    return status, headers, b"".join(chunks)


@dataclass(slots=True)
class _Entry:
    expires: float
    headers: list[tuple[bytes, bytes]]
    body: bytes


# What each page cache's bodies may hold (per process). Its count alone bounded it before:
# 20,000 of a reader's pages of ~48 KB (For You) is ~1 GB, reached by one reader asking new
# addresses (a crawler with their cookie, or wrk's fresh URLs); 128 MiB is ~2,700 such pages.
PAGE_BYTES = 128 * 1024 * 1024
# What the kept article parts and API answers may hold each (TTLCache's max_bytes): ~1,800
# articles of ~3,700 characters each, the hot set of many seconds of a busy site.
PARTS_BYTES = 64 * 1024 * 1024


class PageCache:
    """The anonymous pages, kept `ttl` seconds; one build at a time per address.

    When a kept page expires, the first request builds it again and every other request for
    the same address meanwhile gets the expired copy (up to `ttl` seconds past its time), or,
    with none, waits for that one build and gets its answer: nginx's `proxy_cache_lock` and
    `proxy_cache_use_stale updating`. Without it every request that arrived during a build
    built the page too: at 200,000 articles with two web processes (each filling its own
    cache), the tags index (150 ms to build) answered at p99 766 ms as served
    (bench/archive.py, session 24).
    """

    def __init__(
        self, app: ASGIApp, ttl: float = 10.0, max_entries: int = 5000, max_bytes: int = PAGE_BYTES
    ) -> None:
        self.app = app
        self.ttl = ttl
        self._pages: _Kept[str, _Entry] = _pages(ttl, max_entries, max_bytes)
        # The addresses being built, each with what its build will keep (None: nothing).
        self._building: dict[Any, asyncio.Future[Any]] = {}

    def _cacheable(self, scope: Scope) -> bool:
        if self.ttl <= 0 or scope["type"] != "http" or scope["method"] != "GET":
            return False
        path: str = scope["path"]
        if path != "/" and path not in _INDEXES and not path.startswith(_PREFIXES):
            return False
        for name, value in scope["headers"]:
            if name in _OWN or (name == b"cookie" and b"nw_session=" in value):
                return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = scope["path"] + "?" + scope["query_string"].decode("latin-1")
        now = time.monotonic()
        hit = self._pages.entries.get(key)
        if hit is not None and hit.expires > now:
            await _send_entry(send, hit)
            return
        stale = hit if hit is not None and _in_grace(hit.expires, self.ttl, now) else None

        async def build() -> _Entry | None:
            status, headers, body = await _run_and_keep(self.app, scope, receive, send)
            if status != 200:
                return None
            headers = [(k, v) for k, v in headers if k != b"set-cookie"]
            return self._pages.keep(key, _Entry(now + self.ttl, headers, body))

        await _one_build(
            self._building, key, stale, build, partial(self.app, scope, receive, send), send
        )


async def _one_build(
    building: dict[Any, asyncio.Future[Any]],
    flight: object,
    stale: _Entry | None,
    build: Callable[[], Awaitable[_Entry | None]],
    own: Callable[[], Awaitable[None]],
    send: Send,
) -> None:
    """Answer a request for a page not kept (or expired): build it, or, while another request
    builds the same `flight`, send the `stale` copy, or else wait for that build and send its
    answer (or, where it kept none, run `own`: this request's own build, not kept)."""
    running = building.get(flight)
    if running is not None:
        if stale is not None:
            await _send_entry(send, stale)  # expired lately, and being built again
            return
        # shielded: a reader who leaves must not cancel the build the others wait for
        built = await asyncio.shield(running)
        if built is not None:
            await _send_entry(send, built)
        else:  # the build failed, or its answer is not kept (an error): build our own
            await own()
        return
    building[flight] = done = asyncio.get_running_loop().create_future()
    kept: _Entry | None = None
    try:
        kept = await build()
    finally:
        del building[flight]
        done.set_result(kept)


_K = TypeVar("_K")
_V = TypeVar("_V")


def _in_grace(expires: float, ttl: float, now: float) -> bool:
    """Whether a value past its time may still be answered while it is being built again: up
    to `ttl` late, so that a page or part unread for a while is waited for, never answered
    older than twice its ttl (the caches' one promise of freshness)."""
    return expires + ttl > now


class _Kept(Generic[_K, _V]):
    """Values in the order they were kept (a hit does not move its value: hits stay cheap, and
    a value is made again within ttl anyway), bounded by their count, by their bytes (`size`
    of each, where `max_bytes` is given), and by time: a value past its grace (_in_grace, from
    `expires` of each) can never be answered again, and is forgotten, so a quiet site holds
    what it kept in the last two ttl, not the last `max_entries` values ever asked for. The
    page caches' pages and TTLCache's parts alike; not thread-safe (TTLCache locks around)."""

    def __init__(
        self,
        ttl: float,
        max_entries: int,
        max_bytes: int | None,
        expires: Callable[[_V], float],
        size: Callable[[_V], int],
    ) -> None:
        self.entries: OrderedDict[_K, _V] = OrderedDict()
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._expires = expires
        self._size = size

    def keep(self, key: _K, value: _V) -> _V:
        """Keep `value` (one larger than the whole budget is answered, not kept), forgetting
        the oldest past any bound; returns `value` (what a build answers its waiters)."""
        now = time.monotonic()
        entries, budget, size = self.entries, self.max_bytes, self._size
        old = entries.pop(key, None)
        if old is not None:
            self.bytes -= size(old)
        grown = size(value)
        if budget is not None and grown > budget:
            return value
        entries[key] = value
        self.bytes += grown
        while entries and (
            len(entries) > self.max_entries
            or (budget is not None and self.bytes > budget)
            or not _in_grace(self._expires(next(iter(entries.values()))), self.ttl, now)
        ):
            self.bytes -= size(entries.popitem(last=False)[1])
        return value

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0


def _pages(ttl: float, max_entries: int, max_bytes: int) -> _Kept[Any, Any]:
    """The kept pages of a page cache, weighed by their bodies."""
    return _Kept(ttl, max_entries, max_bytes, attrgetter("expires"), lambda e: len(e.body))


async def _send_entry(send: Send, entry: _Entry) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
    await send({"type": "http.response.body", "body": entry.body})


class TTLCache:
    """A small time-limited map: the parts of pages that are the same for every reader (the
    article and its AI panel), so that a signed-in reader's page does not redo them, and who
    a session cookie belongs to, for pages that only read.

    `get_or_make` builds a missing value once at a time per key, as the page caches do
    (_one_build), from any thread: when an article's parts expired under 16 connections at a
    fresh address each request built them again, every build starved of the GIL by the event
    loop rendering the others (~8 ms alone, 150-300 ms so), one after another on the handler
    threads: the article page's p99 was 0.4-1.5 s (bench/archive.py, 100,000 articles). Now
    one request builds, and the others get the expired value meanwhile (kept up to `ttl`
    past its time), or wait for that build where there is none."""

    def __init__(
        self,
        ttl: float,
        max_entries: int = 5000,
        max_bytes: int | None = None,
        size: Callable[[Any], int] | None = None,
        refresh_ahead: float = 0.0,
    ) -> None:
        self.ttl = ttl
        # Seconds before a value expires from which the first caller to meet it has it made
        # again in a thread, answering from it meanwhile (refresh-ahead, as Caffeine's
        # refreshAfterWrite), and likewise up to `ttl` past its time (stale-while-revalidate):
        # for values slow to make (an index's counts, ~0.3 s at a million articles), so no
        # request waits for one once made. 0: made by the first caller past its time.
        self._ahead = refresh_ahead
        self._size = size  # what a value holds, roughly in bytes, where max_bytes bounds them
        # each value kept as (expires, value, size)
        self._kept: _Kept[object, tuple[float, object, int]] = _Kept(
            ttl, max_entries, max_bytes, itemgetter(0), itemgetter(2)
        )
        self._entries = self._kept.entries
        self._flights: dict[object, _Flight] = {}
        self._lock = threading.Lock()

    def get(self, key: object) -> object | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] <= time.monotonic():
            return None
        return hit[1]

    def usable(self, key: object) -> object | None:
        """The value kept for `key` if current, or if expired lately while it is being built
        again (what get_or_make would answer without waiting), else None."""
        hit = self._entries.get(key)
        if hit is None:
            return None
        now = time.monotonic()
        if hit[0] > now or (key in self._flights and _in_grace(hit[0], self.ttl, now)):
            return hit[1]
        return None

    def get_or_make(self, key: object, make: Callable[[], _V]) -> _V:
        """The value kept for `key`, made by `make` (and kept) where there is none current:
        by one caller at a time; the others meanwhile get the expired value or wait for that
        build (and where it fails, make their own, not kept). Blocks: call it from a thread,
        or on the event loop only where no thread builds the same keys."""
        if self.ttl <= 0:
            return make()
        hit = self._entries.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            if hit[0] - now < self._ahead and key not in self._flights:
                self._refresh(key, make)
            return cast("_V", hit[1])
        if hit is not None and self._ahead and _in_grace(hit[0], self.ttl, now):
            # expired while nobody asked in its last seconds: made again in a thread too, the
            # expired value answered meanwhile (stale-while-revalidate)
            self._refresh(key, make)
            return cast("_V", hit[1])
        with self._lock:
            flight = self._flights.get(key)
            mine = flight is None
            if flight is None:
                now_hit = self._entries.get(key)
                if now_hit is not None and now_hit[0] > now:  # built while we looked
                    return cast("_V", now_hit[1])
                flight = self._flights[key] = _Flight()
        if not mine:
            if hit is not None and _in_grace(hit[0], self.ttl, now):
                return cast("_V", hit[1])  # expired lately, and being built again
            flight.done.wait()
            return cast("_V", flight.value) if flight.made else make()
        return self._fly(key, make, flight)

    def _fly(self, key: object, make: Callable[[], _V], flight: _Flight) -> _V:
        """Make and keep `key`'s value as its one build (`flight`, registered by the caller),
        then let whoever waits on it go."""
        try:
            value = make()
            self.put(key, value)
            flight.value, flight.made = value, True
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()
        return value

    def _refresh(self, key: object, make: Callable[[], object]) -> None:
        """Make `key`'s value again in a thread of its own, as one build (get_or_make's)."""
        with self._lock:
            if key in self._flights:
                return
            flight = self._flights[key] = _Flight()

        def run() -> None:
            try:
                self._fly(key, make, flight)
            except Exception:  # the kept value stands; the next caller past it makes its own
                log.exception("refreshing a kept value failed")

        threading.Thread(target=run, name="refresh-ahead", daemon=True).start()

    def warm(self, key: object, make: Callable[[], object]) -> None:
        """Have `key`'s value made in a thread now (a process's start), none waiting for it."""
        if self.ttl > 0 and self.get(key) is None:
            self._refresh(key, make)

    async def get_or_make_in_thread(self, key: object, make: Callable[[], _V]) -> _V:
        """get_or_make for an async handler: a kept (or being rebuilt) value without leaving
        the event loop, else get_or_make in a handler thread."""
        hit = self.usable(key)
        if hit is not None:
            return cast("_V", hit)
        return await run_in_threadpool(self.get_or_make, key, make)

    @property
    def bytes(self) -> int:
        return self._kept.bytes

    @property
    def max_bytes(self) -> int | None:
        return self._kept.max_bytes

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def put(self, key: object, value: object) -> None:
        """Keep `value` as the page caches keep pages (_Kept); under the lock: handler threads
        put."""
        if self.ttl <= 0:
            return
        size = self._size(value) if self._size is not None else 0
        expires = time.monotonic() + self.ttl
        with self._lock:
            self._kept.keep(key, (expires, value, size))


@dataclass(slots=True)
class _Flight:
    """One build under way in a TTLCache: its callers' wait, and what it made."""

    done: threading.Event = field(default_factory=threading.Event)
    made: bool = False
    value: object = None


# The epoch of every discussion: a comment posted, edited, hidden or restored anywhere makes
# every reader's cached pages stale (a thread must show a moderator's act at once).
DISCUSSIONS = 0


def reader_epochs(shared: SharedState, user_id: int) -> tuple[int, ...]:
    """What a reader's kept page is keyed by: the session epoch, theirs and the discussions'.
    web.security reads them when it checks the session it keeps, in the same round trip,
    and leaves them in the request's state (READER_EPOCHS) for ReaderPageCache: with Redis,
    asking twice was half of the time of a kept For You (two processes, py-spy)."""
    return shared.epochs(user_id, DISCUSSIONS)


READER_EPOCHS = "reader_epochs"  # the request's state: reader_epochs(), read with its session

# A signed-in reader's pages that may be kept: lists and pages they reload (not forms, not
# the moderation queue, not feeds, which have their own addresses and no session).
_READER_PATHS = ("/", "/foryou", "/following", "/saved", "/digest", "/tags", "/sources",
                 "/stories", "/blindspots", "/search")  # fmt: skip


def _reader_cacheable(path: str) -> bool:
    if path in _READER_PATHS:
        return True
    return path.startswith(_PREFIXES) and "/feed." not in path and not path.endswith("/comments")


@dataclass(slots=True)
class _ReaderEntry(_Entry):
    epochs: tuple[int, ...]


class ReaderPageCache:
    """A signed-in reader's pages, kept `ttl` seconds per (reader, browser, address) and
    dropped the moment anything of theirs changes.

    Every form a signed-in reader sends, and every change a page or reader app makes for them
    (opening an article reads it; a reader app marks, stars, subscribes), moves their epoch in
    the shared state (web.shared: this process, or Redis for many); any comment written or
    moderated moves everyone's (DISCUSSIONS); an entry made under other epochs, or before a
    session was revoked, is never served. So a reload of For You or of a
    hashtag page costs a lookup, and the reader still sees their own follow, mute, read state
    or comment at once, on any web process. What others do (new articles, others' comments)
    shows within `ttl` seconds, as for anonymous readers. bench/web.py has the figures.

    Sits inside SessionMiddleware (it needs the reader) and keys by the browser's CSRF seed
    too, since the pages' forms carry that browser's token.
    """

    def __init__(
        self,
        app: ASGIApp,
        ttl: float = 10.0,
        max_entries: int = 20_000,
        max_bytes: int = PAGE_BYTES,
    ) -> None:
        self.app = app
        self.ttl = ttl
        self._pages: _Kept[tuple[object, ...], _ReaderEntry] = _pages(ttl, max_entries, max_bytes)
        self._building: dict[Any, asyncio.Future[Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state") or {}
        user = state.get("user") if scope["type"] == "http" else None
        if user is None:
            await self.app(scope, receive, send)
            return
        shared = scope["app"].state.shared
        if scope["method"] not in ("GET", "HEAD"):
            try:
                await self.app(scope, receive, send)
            finally:
                shared.reader_changed(user.id)  # whatever the form did, it was theirs
                if "/comments" in scope["path"]:
                    shared.reader_changed(DISCUSSIONS)  # everyone's threads show it
            return
        if self.ttl <= 0 or not _reader_cacheable(scope["path"]):
            await self.app(scope, receive, send)
            return
        key = (user.id, state.get("csrf_seed"), scope["path"], scope["query_string"])
        epochs: tuple[int, ...] = state.get(READER_EPOCHS) or reader_epochs(shared, user.id)
        now = time.monotonic()
        hit = self._pages.entries.get(key)
        if hit is not None and hit.expires > now and hit.epochs == epochs:
            await _send_entry(send, hit)
            return
        # Built once at a time per page and epochs; an expired copy is served meanwhile only
        # under the same epochs (the reader's own acts show at once, others' within ttl).
        usable = hit is not None and hit.epochs == epochs and _in_grace(hit.expires, self.ttl, now)
        stale = hit if usable else None

        async def build() -> _Entry | None:
            status, headers, body = await _run_and_keep(self.app, scope, receive, send)
            if status != 200 or any(k == b"set-cookie" for k, _ in headers):
                return None
            # Kept under the epochs read before the page was made: if making it changed
            # something of the reader's (opening an article reads it), it is stale at once.
            kept = _ReaderEntry(now + self.ttl, headers, body, epochs)
            return self._pages.keep(key, kept)

        own = partial(self.app, scope, receive, send)
        await _one_build(self._building, (key, epochs), stale, build, own, send)
