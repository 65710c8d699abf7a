"""Collecting and enriching, as one process runs them: the Collector polls sources and finishes
every article's road (fetch, extract, enrich); the Enricher runs the analyses in worker
processes when a batch is big. `jobs` schedules them in one process (`newsweave run`), the
command line runs them once (`fetch`, `import`, `reindex`), and `worker` runs them as queue
jobs on a PostgreSQL cluster.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import threadpoolctl

from newsweave import pipeline
from newsweave.enrich import LANGUAGE_MB, OTHER_LANGUAGE_MB, Analysis, analyze_many, crosslingual
from newsweave.errors import (
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
from newsweave.model import ArticleState, Extracted
from newsweave.store import articles as article_store
from newsweave.store import sources as source_store
from newsweave.store.db import Database

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Collector", "Enricher", "LanguageHomes", "Report"]

log = logging.getLogger("newsweave.collecting")
T = TypeVar("T")
R = TypeVar("R")
_PENDING_BATCH = 200
# Texts a worker makes cross-language vectors for at a time (~5 ms each): pipeline.join_languages.
_VECTOR_CHUNK = 64
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
    enriched: int = 0
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


def _start_worker() -> None:
    """One thread per worker process: they are one per core, and OpenBLAS would start one per
    core in each. numpy (with its OpenBLAS, which spaCy's and MiniLM's matrix products use) is
    already imported when this runs, so its pool is limited through threadpoolctl; libraries
    imported later (the models' own) read the variables. The models load on a worker's first
    analysis, so a pool that only extracts pages stays small (~100 MB a process)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    threadpoolctl.threadpool_limits(1)
    threading.Thread(
        target=_die_with, args=(os.getppid(),), name="parent-watch", daemon=True
    ).start()


def _die_with(parent: int, every: float = 0.5) -> None:
    """Exit when the process that started this worker is gone.

    A parent killed with SIGKILL cannot shut its pool down, and its workers (~450 MB each)
    would wait on their queue under PID 1 for ever. The parent's death re-parents them, which
    `getppid` shows; PR_SET_PDEATHSIG is not used because it fires when the *thread* that
    started the worker ends, which in a pool is not the process's end.
    """
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


class LanguageHomes:
    """Which worker process analyses each language other than English.

    A worker loads a language's models and word lists on its first article in it and keeps
    them (Chinese's ~150 MB, Russian's ~130, French's ~55: enrich.LANGUAGE_MB), so articles
    in one language go to one worker, the language's home, chosen to even out what each
    holds. A home with `spill` articles of the language in flight, and more than the idlest
    worker, gains that worker as a second home: a site mostly in Russian is analysed on every
    core, as an English one is, and pays for Russian twice. English, which every worker holds,
    and articles whose language is not known before their analysis have no home (None).
    """

    def __init__(self, workers: int, weights: Mapping[str, int], *, other: int, spill: int) -> None:
        self.weights = weights
        self.other = other
        self.spill = spill
        self.homes: dict[str, list[int]] = {}
        self.held = [0] * workers  # MB of languages sent to each worker

    def home(self, language: str | None, load: Sequence[int], mine: Sequence[int]) -> int | None:
        """The worker for an article in `language`, given the articles in flight on each
        (`load`) and those of them in this language (`mine`)."""
        if language is None or language == "en":
            return None
        workers = range(len(load))
        homes = self.homes.get(language)
        if homes is None:
            first = min(workers, key=lambda w: (self.held[w], load[w], w))
            self.homes[language] = [first]
            self.held[first] += self.weights.get(language, self.other)
            return first
        home = min(homes, key=lambda w: (load[w], w))
        idlest = min(workers, key=lambda w: (load[w], w))
        if mine[home] >= self.spill and load[idlest] < load[home]:
            homes.append(idlest)
            self.held[idlest] += self.weights.get(language, self.other)
            return idlest
        return home


# Rows of a batch sent to one worker (their positions in the batch), and its answer to come.
_Part = tuple[list[int], "Future[list[Analysis]] | None"]


class Enricher:
    """Enrichment of stored articles: the analyses in worker processes, the storing here.

    The analyses are pure and CPU-bound (~90 ms a 600-word article, most of it spaCy), so they
    scale with processes, not threads; storing needs the vector index and open stories kept in
    this process, and is a few ms. Workers are started only for a batch of `min_for_pool`
    articles or more (each loads ~450 MB of models in ~10 s) and are then kept until `close`.
    One worker or fewer means everything runs in this process.

    Each worker is an executor of its own, so that an article can be sent to a chosen one: an
    article in a language other than English goes to that language's worker (LanguageHomes),
    the rest of its batch to the worker with the fewest articles in flight. Two workers that
    met six languages held all of them each; one language, one worker, took ~400 MB off
    (bench/enrich.py, the every-language site).
    """

    def __init__(self, workers: int = 1, *, min_for_pool: int = 48, batch: int = 8) -> None:
        self.workers = workers
        self.min_for_pool = min_for_pool
        self.batch = batch
        self._pools: list[ProcessPoolExecutor] = []
        self._homes = LanguageHomes(
            max(workers, 1), LANGUAGE_MB, other=OTHER_LANGUAGE_MB, spill=2 * batch
        )
        # (worker, the languages of the articles sent, the answer to come)
        self._in_flight: list[tuple[int, list[str | None], Future[list[Analysis]]]] = []
        self._turn = 0

    def __enter__(self) -> Enricher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        """Whether worker processes are started (and none has died)."""
        return bool(self._pools)

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools = []

    def enrich(
        self,
        db: Database,
        article_ids: Iterable[int],
        on_progress: Callable[[int, int, int], None] | None = None,
        *,
        waiting_only: bool = False,
    ) -> tuple[int, int]:
        """Enrich these stored articles, in this order; (done, failed). Ids that are not a
        sized collection (a stream of them) are taken as many. `waiting_only`: as
        pipeline.enrich_many (ids listed as awaiting enrichment; skip what another process
        enriched since)."""
        many = len(article_ids) if isinstance(article_ids, Sized) else self.min_for_pool
        pooled = self.workers > 1 and (self.running or many >= self.min_for_pool)
        return pipeline.enrich_many(
            db,
            article_ids,
            analyzer=self._in_pool if pooled else pipeline.analyze_in_process,
            batch=self.batch,
            on_progress=on_progress,
            waiting_only=waiting_only,
            vectors_of=self._crosslingual if pooled else crosslingual.vectors,
        )

    def _crosslingual(self, items: list[tuple[str, str]]) -> NDArray[np.float32]:
        """Cross-language vectors made by the workers (pipeline.join_languages), which hold
        the model on a multilingual site; the storing process would load it for this alone."""
        chunks = [items[i : i + _VECTOR_CHUNK] for i in range(0, len(items), _VECTOR_CHUNK)]
        return np.concatenate(self.map(crosslingual.vectors, chunks))

    def start(self) -> None:
        """Start the worker processes (kept until `close`); each loads its models on its first
        analysis."""
        if not self._pools and self.workers > 1:
            spawn = multiprocessing.get_context("spawn")  # no fork of a threaded process
            self._pools = [
                ProcessPoolExecutor(1, mp_context=spawn, initializer=_start_worker)
                for _ in range(self.workers)
            ]

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`fn` over `items` in the worker processes, each item to the next worker in turn
        (the bench's analyses alone, and a test's way to start them all); here with none."""
        self.start()
        if not self._pools:
            return [fn(x) for x in items]
        futures = [self._pools[i % len(self._pools)].submit(fn, x) for i, x in enumerate(items)]
        return [f.result() for f in futures]

    def pids(self) -> list[int]:
        """The live workers' process ids (the bench reads their memory and CPU time)."""
        # An executor keeps its processes in a private mapping; nothing else reads it.
        return [pid for pool in self._pools for pid in getattr(pool, "_processes", None) or {}]

    def _in_pool(
        self, batches: Iterable[pipeline.Batch]
    ) -> Iterator[tuple[list[pipeline.Row], list[Analysis]]]:
        """Analyses of the batches, in order. A batch is sent as soon as a worker has fewer
        than two batches' articles waiting, not when the oldest one's answer is taken: with
        the answers taken in order, a worker that finished early sat idle until the other
        finished the oldest (two workers -5 % against one shared queue)."""
        self.start()
        todo = iter(batches)
        window: deque[tuple[pipeline.Batch, list[_Part]]] = deque()
        more = True
        while True:
            while more and len(window) < 4 * self.workers and self._wanting():
                b = next(todo, None)
                if b is None:
                    more = False
                else:
                    window.append((b, self._submit(b)))
            if not window:
                return
            oldest = [f for _, f in window[0][1] if f is not None and not f.done()]
            if not oldest or not more:
                yield self._result(*window.popleft())
            else:  # until any worker is done with something, then send it more
                wait([f for *_, f in self._in_flight], return_when=FIRST_COMPLETED)

    def _wanting(self) -> bool:
        """Whether a worker has fewer than two batches' articles waiting (or none is left)."""
        return not self._pools or min(self._load()) < 2 * self.batch

    def _load(self) -> list[int]:
        """Articles sent to each worker and not yet analysed."""
        self._in_flight = [x for x in self._in_flight if not x[2].done()]
        load = [0] * len(self._pools)
        for w, languages, _ in self._in_flight:
            load[w] += len(languages)
        return load

    def _mine(self, language: str | None) -> list[int]:
        """Articles in `language` sent to each worker and not yet analysed."""
        mine = [0] * len(self._pools)
        for w, languages, _ in self._in_flight:
            mine[w] += languages.count(language)
        return mine

    def _submit(self, b: pipeline.Batch) -> list[_Part]:
        if not self._pools:
            return [(list(range(len(b.rows))), None)]
        load = self._load()
        idlest = min(range(len(load)), key=lambda w: (load[w], w))
        parts: dict[int, list[int]] = {}
        for i, language in enumerate(b.languages):
            home = self._homes.home(language, load, self._mine(language))
            w = idlest if home is None else home
            parts.setdefault(w, []).append(i)
            load[w] += 1
        items = pipeline.rows_as_items(b.rows)
        out: list[_Part] = []
        for w, idx in parts.items():
            future = None
            if self._pools:
                try:
                    future = self._pools[w].submit(
                        analyze_many,
                        [items[i] for i in idx],
                        multilingual_site=b.multilingual_site,
                    )
                    self._in_flight.append((w, [b.languages[i] for i in idx], future))
                except BrokenProcessPool:
                    self._lose_pool()
            out.append((idx, future))
        return out

    def _result(
        self, b: pipeline.Batch, parts: list[_Part]
    ) -> tuple[list[pipeline.Row], list[Analysis]]:
        """The batch's analyses in its order; those a dead worker lost are made here (a live
        worker finishes what it was sent before `_lose_pool` stops it)."""
        found: dict[int, Analysis] = {}
        for idx, future in parts:
            if future is not None:
                try:
                    found.update(zip(idx, future.result(), strict=True))
                except BrokenProcessPool:
                    self._lose_pool()
                except CancelledError:
                    pass
        lost = [i for i in range(len(b.rows)) if i not in found]
        if lost:
            again = pipeline.analyze_rows(
                [b.rows[i] for i in lost], multilingual_site=b.multilingual_site
            )
            found.update(zip(lost, again, strict=True))
        return b.rows, [found[i] for i in range(len(b.rows))]

    async def extract(self, html: bytes, url: str) -> Extracted | str:
        """A page's extraction in a worker process; in a thread of this one once they are gone."""
        if self._pools:
            pool = self._pools[self._turn % len(self._pools)]
            self._turn += 1
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    pool, pipeline.extract_page, html, url
                )
            except BrokenProcessPool:
                self._lose_pool()
            except asyncio.CancelledError:
                # Cancelled on a worker shut down meanwhile (`close`); a cancellation of this
                # task itself goes on.
                task = asyncio.current_task()
                if task is None or task.cancelling():
                    raise
        return await asyncio.to_thread(pipeline.extract_page, html, url)

    def _lose_pool(self) -> None:
        """A worker died (killed, out of memory): carry on in this process rather than lose the
        work, and do not start other workers. A live worker finishes what it was sent (at most
        two batches and a few pages) and then stops; cancelled, it was done again here."""
        if self._pools:
            log.error("a worker process died; analysing and extracting in this process from now on")
            for pool in self._pools:
                pool.shutdown(wait=False, cancel_futures=False)
        self._pools = []
        self.workers = 1


class Collector:
    """Polls sources and finishes pending articles, reporting as it goes."""

    def __init__(
        self,
        db: Database,
        policy: FetchPolicy,
        *,
        max_attempts: int = 5,
        on_progress: Callable[[Report], None] | None = None,
        enricher: Enricher | None = None,
        min_pages_for_pool: int = 32,
    ) -> None:
        self.db = db
        self.policy = policy
        self.max_attempts = max_attempts
        self.enricher = enricher or Enricher()
        self.min_pages_for_pool = min_pages_for_pool
        self._extract_in_pool = False
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
        self,
        source_ids: Sequence[int] | None = None,
        *,
        due_only: bool = False,
        enrich: bool = True,
        pages: bool = True,
    ) -> Report:
        """Poll the given sources (or all, or only the due ones), then finish their articles
        (with `due_only`, every source's: a round also finishes what an earlier one left).

        Fetching and extracting come first, at network speed; then every article that is
        waiting is enriched in one batch (in worker processes when it is big), so the CPU-bound
        analyses never hold up a fetch. Without `enrich` the articles are left EXTRACTED for
        a later round (or `enrich_pending`). Without `pages` only the feeds are read: the
        entries wait DISCOVERED for `finish_pending` (a cluster fetches pages by host).
        """
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
                # A scheduled round finishes every source's waiting articles, not only the due
                # ones': what a killed run left must not wait for its source's next poll.
                ids = None if source_ids is None else [s.id for s in chosen]
                if pages:
                    await self.finish_pending(fetcher, ids)
            if enrich:
                await self.enrich_pending(ids)
        finally:
            self.close()
        return self.report

    def close(self) -> None:
        """Stop the thread that runs the pipeline's steps (after `finish_pending` or
        `enrich_pending` called on their own; `collect` does it itself)."""
        if self._cpu is not None:
            self._cpu.shutdown(wait=True)
            self._cpu = None

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
                    await self._work(
                        partial(pipeline.record_feed_item, enrich_now=False),
                        self.db,
                        src.id,
                        item,
                        now,
                    )
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

    async def finish_pending(
        self, fetcher: Fetcher, source_ids: Sequence[int] | None, host: str | None = None
    ) -> None:
        """Fetch and extract every due article (of these sources, or whose page is on `host`)
        until none is left (enriching comes after)."""
        seen: set[int] = set()
        while True:
            with self.db.connect() as conn:
                batch = [
                    p
                    for p in article_store.pending(
                        conn, datetime.now(UTC), source_ids, _PENDING_BATCH, host
                    )
                    if p.id not in seen
                ]
            if not batch:
                return
            seen.update(p.id for p in batch)
            if (
                not self._extract_in_pool
                and self.enricher.workers > 1
                and len(batch) >= self.min_pages_for_pool
            ):
                # Extraction (~12 ms a news page) in the enricher's worker processes, while
                # this process fetches and stores: that overlap is what lets collecting keep
                # pace with extraction alone (bench/ingest.py).
                self.enricher.start()
                self._extract_in_pool = True
            await asyncio.gather(*(self._advance(fetcher, p) for p in batch))

    async def _advance(self, fetcher: Fetcher, item: article_store.PendingArticle) -> None:
        now = datetime.now(UTC)
        try:
            if item.state == ArticleState.DISCOVERED and item.url:
                await self._fetch_page(fetcher, item)
            elif item.state == ArticleState.FETCHED:
                self.report.count(
                    await self._work(
                        partial(pipeline.extract_stored, enrich_now=False), self.db, item.id, now
                    )
                )
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
                self.db,
                item.id,
                str(exc),
                now,
                retry=retry,
                max_attempts=self.max_attempts,
                enrich_now=False,
            )
            if state == ArticleState.FAILED:
                self.report.articles_failed += 1
                self._error(f"article {item.url}: {exc}")
            return
        self.report.pages_fetched += 1
        if not self._extract_in_pool:
            outcome = await self._work(
                partial(pipeline.store_page, enrich_now=False),
                self.db,
                item.id,
                resp.url,
                resp.content_type,
                resp.content,
                now,
            )
        else:
            row = await self._work(
                pipeline.keep_page, self.db, item.id, resp.url, resp.content_type, resp.content, now
            )
            extracted = await self.enricher.extract(resp.content, resp.url)
            outcome = await self._work(
                partial(pipeline.store_extraction, enrich_now=False),
                self.db,
                row,
                resp.url,
                extracted,
                now,
            )
        self.report.count(outcome)

    def _enriched(self, done0: int, failed0: int, n: int, _total: int, failed: int) -> None:
        self.report.enriched = done0 + n - failed
        self.report.articles_failed = failed0 + failed
        self._on_progress(self.report)

    async def enrich_pending(self, source_ids: Sequence[int] | None) -> None:
        """Enrich every EXTRACTED article of these sources (or all), oldest first."""
        tried: set[int] = set()
        while True:
            with self.db.connect() as conn:
                ids = [
                    i
                    for i in article_store.awaiting_enrichment(conn, source_ids, 1000)
                    if i not in tried
                ]
            if not ids:
                return
            tried.update(ids)
            progress = partial(self._enriched, self.report.enriched, self.report.articles_failed)
            enrich = partial(self.enricher.enrich, waiting_only=True)
            _done, failed = await self._work(enrich, self.db, ids, progress)
            if failed:
                self._error(f"{failed} articles could not be enriched (see the log)")
