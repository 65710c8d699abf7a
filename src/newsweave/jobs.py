"""Collecting on a schedule: which sources are due, polling them, and finishing every article's
road (fetch, extract, enrich).

The database is the truth (STYLE habit 7): what is due and what is pending is asked of the store
each round, so a restart after a crash simply carries on. One process, one asyncio loop for the
network; the SQLite writes happen on that loop, one at a time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from typing import Any, TypeVar

from newsweave import pipeline
from newsweave.config import Settings
from newsweave.errors import (
    ConfigError,
    FetchError,
    GoneError,
    HTTPStatusError,
    NewsweaveError,
    ParseError,
    RobotsDisallowedError,
    TooLargeError,
)
from newsweave.ingest.feeds import parse_feed
from newsweave.ingest.fetch import Fetcher, FetchPolicy
from newsweave.ingest.opml import read_opml
from newsweave.llm import SummaryWriter
from newsweave.model import ArticleState
from newsweave.store import articles as article_store
from newsweave.store import sources as source_store
from newsweave.store.db import Database

__all__ = [
    "Collector",
    "Report",
    "load_default_sources",
    "policy_from",
    "run_scheduler",
    "summary_writer",
]

log = logging.getLogger("newsweave.jobs")
T = TypeVar("T")
_PENDING_BATCH = 200
_GONE_AFTER_404S = 5  # a 410 stops polling at once; a 404 only when it persists


@dataclass(slots=True)
class Report:
    """Counts of one collection run, for progress display and the final summary."""

    sources_polled: int = 0
    sources_failed: int = 0
    not_modified: int = 0
    discovered: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0
    unchanged: int = 0
    pages_fetched: int = 0
    articles_failed: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: pipeline.Outcome | None) -> None:
        if outcome is None:
            self.discovered += 1
        elif outcome == pipeline.Outcome.INSERTED:
            self.inserted += 1
        elif outcome == pipeline.Outcome.UPDATED:
            self.updated += 1
        elif outcome == pipeline.Outcome.DUPLICATE:
            self.duplicates += 1
        else:
            self.unchanged += 1


def policy_from(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        user_agent=settings.user_agent,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        total_timeout=settings.total_timeout,
        max_bytes=settings.max_response_bytes,
        max_retries=settings.max_retries,
        retry_max_wait=settings.retry_max_wait,
        per_host_concurrency=settings.per_host_concurrency,
        per_host_delay=settings.per_host_delay,
        concurrency=settings.concurrency,
        respect_robots=settings.respect_robots,
    )


def summary_writer(settings: Settings) -> SummaryWriter | None:
    """The LLM summary writer when NEWSWEAVE_LLM_URL is set, else None (extractive)."""
    if not settings.llm_url:
        return None
    if not settings.llm_model:
        raise ConfigError("NEWSWEAVE_LLM_URL is set but NEWSWEAVE_LLM_MODEL is empty")
    return SummaryWriter(
        settings.llm_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout
    )


def load_default_sources(db: Database) -> int:
    """Add the default source list shipped with newsweave. Returns how many were new."""
    data = resources.files("newsweave").joinpath("data/default-sources.opml").read_bytes()
    added = 0
    with db.begin() as conn:
        for info in read_opml(data):
            added += source_store.add_source(conn, info)[1]
    return added


class Collector:
    """Polls sources and finishes pending articles, reporting as it goes."""

    def __init__(
        self,
        db: Database,
        policy: FetchPolicy,
        *,
        max_attempts: int = 5,
        on_progress: Callable[[Report], None] | None = None,
    ) -> None:
        self.db = db
        self.policy = policy
        self.max_attempts = max_attempts
        self.report = Report()
        self._on_progress = on_progress or (lambda _r: None)
        self._cpu: ThreadPoolExecutor | None = None

    async def _work(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a pipeline step (parsing, models, SQL) off the event loop, one at a time.

        Enrichment takes a CPU for ~0.2 s an article (and ~10 s to load its models once); run
        on the loop, it stalled every fetch in flight past its deadline. One worker thread
        keeps the steps in order and the models single-threaded, as spaCy expects.
        """
        if self._cpu is None:
            self._cpu = ThreadPoolExecutor(1, thread_name_prefix="newsweave-pipeline")
        return await asyncio.get_running_loop().run_in_executor(self._cpu, partial(fn, *args))

    def _error(self, message: str) -> None:
        self.report.errors.append(message)
        log.warning("%s", message)

    async def collect(
        self, source_ids: Sequence[int] | None = None, *, due_only: bool = False
    ) -> Report:
        """Poll the given sources (or all, or only the due ones), then finish their articles."""
        now = datetime.now(UTC)
        with self.db.connect() as conn:
            if due_only:
                chosen = source_store.due_sources(conn, now)
            else:
                every = source_store.all_sources(conn)
                chosen = [s for s in every if source_ids is None or s.id in source_ids]
                chosen = [s for s in chosen if s.feed_url and s.status != "gone"]
        try:
            async with Fetcher(self.policy) as fetcher:
                await asyncio.gather(*(self._poll(fetcher, s) for s in chosen))
                ids = None if source_ids is None and not due_only else [s.id for s in chosen]
                await self.finish_pending(fetcher, ids)
        finally:
            if self._cpu is not None:
                self._cpu.shutdown(wait=True)
                self._cpu = None
        return self.report

    async def _poll(self, fetcher: Fetcher, src: source_store.SourceRow) -> None:
        assert src.feed_url is not None
        try:
            resp = await fetcher.get(src.feed_url, etag=src.etag, last_modified=src.last_modified)
            feed = (
                None if resp.not_modified else parse_feed(resp.content, resp.url, resp.content_type)
            )
        except (FetchError, ParseError) as exc:
            self._source_failed(src, exc)
            return
        now = datetime.now(UTC)
        self.report.sources_polled += 1
        if feed is None:
            self.report.not_modified += 1
            with self.db.begin() as conn:
                source_store.record_success(
                    conn, src.id, now, etag=src.etag, last_modified=src.last_modified
                )
            self._on_progress(self.report)
            return
        for item in feed.items:
            try:
                self.report.count(
                    await self._work(pipeline.record_feed_item, self.db, src.id, item, now)
                )
            except NewsweaveError as exc:  # one bad entry never stops the feed
                self._error(f"{src.name}: entry {item.url or item.title}: {exc}")
        with self.db.begin() as conn:
            source_store.record_success(
                conn,
                src.id,
                now,
                etag=resp.etag,
                last_modified=resp.last_modified,
                new_feed_url=resp.permanent_redirect,
                warning=feed.warning,
            )
        self._on_progress(self.report)

    def _source_failed(self, src: source_store.SourceRow, exc: NewsweaveError) -> None:
        self.report.sources_polled += 1
        self.report.sources_failed += 1
        gone = isinstance(exc, GoneError) and (
            exc.status == 410 or src.error_count + 1 >= _GONE_AFTER_404S
        )
        retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
        message = str(exc) + (" (source marked gone; polling stopped)" if gone else "")
        with self.db.begin() as conn:
            source_store.record_failure(
                conn, src.id, datetime.now(UTC), message, gone=gone, retry_after=retry_after
            )
        self._error(f"{src.name}: {message}")
        self._on_progress(self.report)

    async def finish_pending(self, fetcher: Fetcher, source_ids: Sequence[int] | None) -> None:
        """Fetch, extract and enrich every due article until none is left."""
        seen: set[int] = set()
        while True:
            with self.db.connect() as conn:
                batch = [
                    p
                    for p in article_store.pending(
                        conn, datetime.now(UTC), source_ids, _PENDING_BATCH
                    )
                    if p.id not in seen
                ]
            if not batch:
                return
            seen.update(p.id for p in batch)
            await asyncio.gather(*(self._advance(fetcher, p) for p in batch))

    async def _advance(self, fetcher: Fetcher, item: article_store.PendingArticle) -> None:
        now = datetime.now(UTC)
        try:
            if item.state == ArticleState.DISCOVERED and item.url:
                await self._fetch_page(fetcher, item)
            elif item.state == ArticleState.FETCHED:
                self.report.count(await self._work(pipeline.extract_stored, self.db, item.id, now))
            elif item.state == ArticleState.EXTRACTED:
                await self._work(pipeline.enrich, self.db, item.id, now)
        except NewsweaveError as exc:
            self.report.articles_failed += 1
            self._error(f"article {item.id}: {exc}")
        self._on_progress(self.report)

    async def _fetch_page(self, fetcher: Fetcher, item: article_store.PendingArticle) -> None:
        assert item.url is not None
        now = datetime.now(UTC)
        try:
            resp = await fetcher.get(item.url, page=True)
        except FetchError as exc:
            # Not worth retrying: robots says no, the page is gone, or it is too big.
            retry = not isinstance(exc, RobotsDisallowedError | GoneError | TooLargeError)
            state = pipeline.page_failed(
                self.db, item.id, str(exc), now, retry=retry, max_attempts=self.max_attempts
            )
            if state == ArticleState.FAILED:
                self.report.articles_failed += 1
                self._error(f"article {item.url}: {exc}")
            return
        self.report.pages_fetched += 1
        outcome = await self._work(
            pipeline.store_page, self.db, item.id, resp.url, resp.content_type, resp.content, now
        )
        self.report.count(outcome)


def run_scheduler(
    db: Database, settings: Settings, stop: threading.Event, *, tick: float = 30.0
) -> None:
    """Poll due sources and finish pending articles until `stop` is set (its own thread)."""
    policy = policy_from(settings)

    async def loop() -> None:
        while not stop.is_set():
            collector = Collector(db, policy, max_attempts=settings.max_article_attempts)
            try:
                report = await collector.collect(due_only=True)
                if report.sources_polled:
                    log.info(
                        "polled %d sources (%d failed): %d new, %d updated, %d discovered",
                        report.sources_polled,
                        report.sources_failed,
                        report.inserted,
                        report.updated,
                        report.discovered,
                    )
            except Exception:  # the loop must survive anything a round throws
                log.exception("collection round failed; retrying next tick")
            await asyncio.to_thread(stop.wait, tick)

    asyncio.run(loop())
