"""A micro-cache of the pages anonymous readers see, for a few seconds.

Most readers are not signed in, and for them an article, story, tag or source page is the same
bytes for everyone. Keeping each such page for `ttl` seconds (the "microcaching" nginx and
Varnish setups use for news sites) takes the page's SQL and rendering off the hot path: measured
with bench/web.py, the article page went from ~145 to ~4,900 requests/s (a bare FastAPI
endpoint: ~1,800, since a hit skips the framework). Signed-in
readers (a session cookie) always get a fresh page, so their own comments show at once; anonymous
readers see a new comment within `ttl` seconds. Only 200 answers to GET are kept, without their
Set-Cookie headers.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PageCache", "TTLCache"]

_PREFIXES = ("/articles/", "/stories/", "/tags/", "/sources/")


@dataclass(slots=True)
class _Entry:
    expires: float
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PageCache:
    def __init__(self, app: ASGIApp, ttl: float = 10.0, max_entries: int = 5000) -> None:
        self.app = app
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def _cacheable(self, scope: Scope) -> bool:
        if self.ttl <= 0 or scope["type"] != "http" or scope["method"] != "GET":
            return False
        path: str = scope["path"]
        if path != "/" and not (path.startswith(_PREFIXES) and "/feed." not in path):
            return False
        for name, value in scope["headers"]:
            if name == b"cookie" and b"nw_session=" in value:
                return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = scope["path"] + "?" + scope["query_string"].decode("latin-1")
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit.expires > now:
            await send({"type": "http.response.start", "status": 200, "headers": hit.headers})
            await send({"type": "http.response.body", "body": hit.body})
            return
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"set-cookie"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if status == 200:
            self._entries[key] = _Entry(now + self.ttl, headers, b"".join(chunks))
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class TTLCache:
    """A small time-limited map: the parts of pages that are the same for every reader (the
    article and its AI panel), so that a signed-in reader's page does not redo them, and who
    a session cookie belongs to, for pages that only read."""

    def __init__(self, ttl: float, max_entries: int = 5000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[object, tuple[float, object]] = OrderedDict()

    def get(self, key: object) -> object | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] <= time.monotonic():
            return None
        return hit[1]

    def clear(self) -> None:
        self._entries.clear()

    def put(self, key: object, value: object) -> None:
        if self.ttl <= 0:
            return
        self._entries[key] = (time.monotonic() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
