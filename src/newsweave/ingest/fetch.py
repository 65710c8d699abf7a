"""Polite HTTP: the one client newsweave uses to get anything from the web.

Politeness and robustness live here so that every caller gets them: conditional GET
(RFC 9110 §13.1), compression, redirects (a chain of permanent ones is reported so the stored
feed URL can follow it), timeouts including a total deadline against slow drips, a cap on the
*decoded* size (so a gzip bomb stops at the cap), robots.txt for pages (RFC 9309), per-host
concurrency and spacing, and retries with exponential backoff and full jitter on 5xx/429/network
errors, honouring Retry-After.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
import urllib.robotparser
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from newsweave.errors import (
    FetchError,
    FetchTimeoutError,
    GoneError,
    HTTPStatusError,
    NetworkError,
    RobotsDisallowedError,
    TooLargeError,
)

__all__ = ["FetchPolicy", "Fetcher", "Response"]

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_ROBOTS_MAX_BYTES = 512_000  # RFC 9309 §2.5: crawlers must parse at least 500 KiB
_PERMANENT = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How politely and patiently to fetch. Defaults match config.py's."""

    user_agent: str = "newsweave/0.1"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10_000_000
    max_retries: int = 3
    retry_max_wait: float = 60.0
    backoff_base: float = 0.5
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    concurrency: int = 16
    respect_robots: bool = True
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # the final URL, after redirects
    status: int  # 200-299, or 304
    content: bytes
    headers: Mapping[str, str]
    permanent_redirect: str | None = None  # set when every hop was 301/308

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(slots=True)
class _HostGate:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


class Fetcher:
    """An async client with newsweave's politeness. Use as `async with Fetcher(policy) as f`."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        p = self.policy
        self._client = httpx.AsyncClient(
            headers={"User-Agent": p.user_agent, "Accept-Encoding": "gzip, deflate, br"},
            timeout=httpx.Timeout(p.read_timeout, connect=p.connect_timeout),
            follow_redirects=True,
            max_redirects=p.max_redirects,
            limits=httpx.Limits(max_connections=p.concurrency, max_keepalive_connections=32),
        )
        self._global = asyncio.Semaphore(p.concurrency)
        self._hosts: dict[str, _HostGate] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | bool] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        page: bool = False,
        accept: str | None = None,
    ) -> Response:
        """GET `url` politely, retrying what is worth retrying.

        `page=True` marks an article page: robots.txt is consulted first (feeds are published
        to be polled, so they are not). Raises a FetchError subclass on failure.
        """
        if page and self.policy.respect_robots and not await self.allowed(url):
            raise RobotsDisallowedError(url, "robots.txt disallows this page")
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        attempt = 0
        while True:
            try:
                return await self._polite_once(url, headers, self.policy.max_bytes)
            except (HTTPStatusError, NetworkError, FetchTimeoutError) as exc:
                retryable = not isinstance(exc, HTTPStatusError) or exc.status in _RETRY_STATUSES
                if not retryable or attempt >= self.policy.max_retries:
                    raise
                wait = self._backoff(attempt, exc)
                if wait is None:
                    raise
                attempt += 1
                await asyncio.sleep(wait)

    def _backoff(self, attempt: int, exc: FetchError) -> float | None:
        """Seconds before the next try, or None to give up (Retry-After beyond our patience)."""
        cap = self.policy.retry_max_wait
        retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
        if retry_after is not None:
            return retry_after if retry_after <= cap else None
        # "Full jitter" (AWS Architecture Blog, 2015): spreads retries of many clients apart.
        return random.uniform(0, min(cap, self.policy.backoff_base * 2**attempt))

    async def _polite_once(self, url: str, headers: dict[str, str], max_bytes: int) -> Response:
        host = urlsplit(url).netloc.lower()
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = _HostGate(
                asyncio.Semaphore(self.policy.per_host_concurrency)
            )
        async with self._global, gate.semaphore:
            async with gate.lock:
                now = time.monotonic()
                if gate.next_start > now:
                    await asyncio.sleep(gate.next_start - now)
                gate.next_start = max(now, gate.next_start) + self.policy.per_host_delay
            return await self._once(url, headers, max_bytes)

    async def _once(self, url: str, headers: dict[str, str], max_bytes: int) -> Response:
        p = self.policy
        try:
            async with asyncio.timeout(p.total_timeout):
                async with self._client.stream("GET", url, headers=headers) as resp:
                    return await self._read(url, resp, max_bytes)
        except TimeoutError:
            raise FetchTimeoutError(
                url, f"no complete answer within {p.total_timeout:g}s"
            ) from None
        except httpx.TimeoutException as exc:
            raise FetchTimeoutError(url, f"timed out ({type(exc).__name__})") from None
        except httpx.TooManyRedirects:
            raise FetchError(url, f"more than {p.max_redirects} redirects") from None
        except httpx.DecodingError:
            raise NetworkError(url, "the compressed body is corrupt") from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {exc}") from None
        except httpx.UnsupportedProtocol:
            raise FetchError(url, "only http and https URLs can be fetched") from None
        except httpx.TransportError as exc:
            raise NetworkError(url, f"network error: {exc or type(exc).__name__}") from None

    async def _read(self, url: str, resp: httpx.Response, max_bytes: int) -> Response:
        status = resp.status_code
        if status == 304:
            return Response(str(resp.url), 304, b"", resp.headers)
        if status in (404, 410):
            raise GoneError(url, status)
        if status >= 400:
            raise HTTPStatusError(url, status, parse_retry_after(resp.headers.get("retry-after")))
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLargeError(url, f"response of {int(declared):,} bytes is over the cap")
        body = bytearray()
        async for chunk in resp.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise TooLargeError(url, f"response body grew past the cap of {max_bytes:,} bytes")
        permanent = None
        if resp.history and all(r.status_code in _PERMANENT for r in resp.history):
            permanent = str(resp.url)
        return Response(str(resp.url), status, bytes(body), resp.headers, permanent)

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's origin lets our user agent fetch it (cached)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            rules = self._robots.get(origin)
            if rules is None:  # an unreachable robots.txt raises and is asked for again later
                rules = self._robots[origin] = await self._load_robots(origin)
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(self.policy.user_agent, url)

    async def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | bool:
        robots_url = origin + "/robots.txt"
        try:
            resp = await self._polite_once(robots_url, {}, _ROBOTS_MAX_BYTES)
        except HTTPStatusError as exc:
            # RFC 9309 §2.3.1.3: 4xx means no rules.
            if exc.status < 500:
                return True
            failure: FetchError = exc
        except FetchError as exc:
            failure = exc
        else:
            parser = urllib.robotparser.RobotFileParser(robots_url)
            parser.parse(resp.content.decode("utf-8", "replace").splitlines())
            return parser
        # §2.3.1.4: a 5xx or an unreachable robots.txt means disallow everything, for now: no
        # page of the host is fetched, and the article is tried again later like any network
        # error (not failed as "disallowed", which it may well not be).
        raise NetworkError(
            robots_url,
            f"robots.txt of {origin} could not be read ({failure.reason}); "
            "the page waits until it can",
        )
