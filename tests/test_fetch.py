"""The polite fetcher against a real local server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

import pytest

from newsweave.errors import (
    FetchError,
    FetchTimeoutError,
    GoneError,
    HTTPStatusError,
    NetworkError,
    RobotsDisallowedError,
    TooLargeError,
)
from newsweave.ingest.fetch import Fetcher, FetchPolicy, parse_retry_after
from tests.fixture_server import FixtureServer

T = TypeVar("T")


def run(policy: FetchPolicy, job: Callable[[Fetcher], Awaitable[T]]) -> T:
    async def main() -> T:
        async with Fetcher(policy) as fetcher:
            return await job(fetcher)

    return asyncio.run(main())


def test_get_sends_user_agent_and_conditional_get_gives_304(
    server: FixtureServer, policy: FetchPolicy
) -> None:
    url = server.url("feeds/teasers.xml")

    async def job(f: Fetcher) -> tuple[int, int, int]:
        first = await f.get(url)
        again = await f.get(url, etag=first.etag)
        by_date = await f.get(url, last_modified=first.last_modified)
        assert first.content.startswith(b"<?xml")
        assert again.not_modified
        assert again.content == b""
        return first.status, again.status, by_date.status

    assert run(policy, job) == (200, 304, 304)


def test_404_and_410_are_gone_errors(server: FixtureServer, policy: FetchPolicy) -> None:
    for code in (404, 410):
        with pytest.raises(GoneError) as info:
            run(policy, lambda f, c=code: f.get(server.url(f"status/{c}")))
        assert info.value.status == code


def test_500_is_retried_then_reported(server: FixtureServer, policy: FetchPolicy) -> None:
    before = server.count("/status/500")
    with pytest.raises(HTTPStatusError, match="HTTP 500"):
        run(policy, lambda f: f.get(server.url("status/500")))
    assert server.count("/status/500") - before == policy.max_retries + 1


def test_flaky_host_succeeds_after_retries(server: FixtureServer, policy: FetchPolicy) -> None:
    resp = run(policy, lambda f: f.get(server.url("flaky/a1/2/feeds/teasers.xml")))
    assert resp.status == 200


def test_429_honours_retry_after(server: FixtureServer, policy: FetchPolicy) -> None:
    start = time.monotonic()
    with pytest.raises(HTTPStatusError) as info:
        run(policy, lambda f: f.get(server.url("status/429?retry_after=1")))
    assert info.value.status == 429
    assert info.value.retry_after == 1.0
    assert time.monotonic() - start >= 2 * 1.0  # waited Retry-After before each of 2 retries


def test_retry_after_beyond_patience_gives_up_at_once(
    server: FixtureServer, policy: FetchPolicy
) -> None:
    start = time.monotonic()
    with pytest.raises(HTTPStatusError) as info:
        run(policy, lambda f: f.get(server.url("status/503?retry_after=3600")))
    assert info.value.retry_after == 3600
    assert time.monotonic() - start < 1.5


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == 60
    assert parse_retry_after("soon") is None


def test_slow_host_times_out(server: FixtureServer, policy: FetchPolicy) -> None:
    fast = replace(policy, max_retries=0)
    with pytest.raises(FetchTimeoutError):
        run(fast, lambda f: f.get(server.url("slow/5/feeds/teasers.xml")))


def test_dripping_host_hits_the_total_deadline(server: FixtureServer, policy: FetchPolicy) -> None:
    fast = replace(policy, max_retries=0, total_timeout=1.0)
    start = time.monotonic()
    with pytest.raises(FetchTimeoutError, match="within 1s"):
        run(fast, lambda f: f.get(server.url("drip")))
    assert time.monotonic() - start < 3


@pytest.mark.parametrize("path", ["bomb", "huge", "declared-huge"])
def test_size_cap_stops_bombs_and_huge_bodies(
    server: FixtureServer, policy: FetchPolicy, path: str
) -> None:
    with pytest.raises(TooLargeError, match="cap"):
        run(policy, lambda f: f.get(server.url(path)))


def test_permanent_redirects_are_reported_temporary_ones_not(
    server: FixtureServer, policy: FetchPolicy
) -> None:
    final = server.url("feeds/teasers.xml")
    perm = run(policy, lambda f: f.get(server.url("redirect/301/2/feeds/teasers.xml")))
    assert perm.url == final
    assert perm.permanent_redirect == final
    temp = run(policy, lambda f: f.get(server.url("redirect/302/1/feeds/teasers.xml")))
    assert temp.url == final
    assert temp.permanent_redirect is None


def test_redirect_loop_is_an_error(server: FixtureServer, policy: FetchPolicy) -> None:
    with pytest.raises(FetchError, match="redirects"):
        run(policy, lambda f: f.get(server.url("redirect/302/9/feeds/teasers.xml")))


def test_robots_txt_is_respected_for_pages_only(server: FixtureServer, policy: FetchPolicy) -> None:
    secret = server.url("pages/private/secret.html")
    with pytest.raises(RobotsDisallowedError):
        run(policy, lambda f: f.get(secret, page=True))
    assert (
        run(policy, lambda f: f.get(server.url("pages/summit-talks.html"), page=True)).status == 200
    )
    assert (
        run(replace(policy, respect_robots=False), lambda f: f.get(secret, page=True)).status == 200
    )


def test_an_unreachable_robots_txt_is_a_network_error_not_a_disallow(
    policy: FetchPolicy,
) -> None:
    # RFC 9309 says to assume "disallow" then; the report must say why, and the article must
    # be tried again later like any network error, not failed as disallowed.
    with pytest.raises(NetworkError, match=r"robots\.txt of http://127\.0\.0\.1:1 could not"):
        run(replace(policy, max_retries=0), lambda f: f.get("http://127.0.0.1:1/a", page=True))


def test_refused_connection_is_a_network_error(policy: FetchPolicy) -> None:
    with pytest.raises(NetworkError):
        run(replace(policy, max_retries=0), lambda f: f.get("http://127.0.0.1:1/feed"))


def test_per_host_delay_spaces_requests(server: FixtureServer, policy: FetchPolicy) -> None:
    spaced = replace(policy, per_host_delay=0.3)

    async def job(f: Fetcher) -> float:
        start = time.monotonic()
        await asyncio.gather(*(f.get(server.url("feeds/rss091.xml")) for _ in range(4)))
        return time.monotonic() - start

    assert run(spaced, job) >= 0.9  # 4 request starts, 0.3 s apart
