"""The worker role of a PostgreSQL deployment: collecting and understanding as queue jobs.

`newsweave run` on SQLite does all of it in one process (jobs.run_scheduler) and stays the
default. Past one machine, any number of `newsweave worker` processes on any hosts share the
work through Procrastinate, a job queue whose jobs live in the same PostgreSQL:

- `tick`, a periodic job that Procrastinate defers once per period across the cluster, hands
  out the work the database says is waiting: a `poll` per due source, a `pages` per host with
  pages to fetch, an `understand` per source with articles to enrich, each in one transaction
  with what it read. It also retries the jobs of workers that stopped beating (killed): every
  job is idempotent, because the article's state in the database says what is left to do.
- `poll` reads one feed and records its entries; `pages` fetches and extracts every waiting
  page of one host, whatever its source. Both hold their host's lock, the queue's and a
  PostgreSQL advisory lock for the job's length (the second holds even when a slow worker is
  wrongly taken for dead and its job runs again), so across the cluster one job at a time
  talks to a host; inside it the fetcher keeps its per-host concurrency and delay.
- `understand` (lock: the source) analyses the source's extracted articles in this process and
  stores each through pipeline.store_enrichment, whose cross-article step takes the cluster's
  advisory lock (store.locks), so stories and related lists come out as one process would make
  them.

A lost job is impossible by construction: a job is deferred in the transaction that read the
state it follows, and anything a killed worker left is still in the database for the next tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import procrastinate
from sqlalchemy import make_url

from newsweave import collecting, jobs
from newsweave.config import Settings
from newsweave.errors import ConfigError
from newsweave.ingest.fetch import Fetcher
from newsweave.store import articles as article_store
from newsweave.store import locks, queue, upkeep
from newsweave.store import sources as source_store
from newsweave.store.db import Database

__all__ = ["QUEUE", "Cluster", "conninfo"]

log = logging.getLogger("newsweave.worker")
QUEUE = "newsweave"
# A worker that sent no heartbeat for this long is taken for dead and its jobs are retried.
STALLED_AFTER = 30.0


def conninfo(database_url: str) -> str:
    """The libpq URL of a SQLAlchemy PostgreSQL URL (Procrastinate connects with psycopg)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError(
            "workers share their work through PostgreSQL: set NEWSWEAVE_DATABASE_URL to a "
            "postgresql:// URL (on SQLite, `newsweave run` does everything in one process)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Cluster:
    """One worker process's view of the cluster: the database, the queue and the tasks."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        tick_seconds: int = 60,
        stalled_after: float = STALLED_AFTER,
        periodic: bool = True,
    ) -> None:
        """`periodic`: take part in the periodic hand-out (a burst hands out work itself)."""
        self.db = db
        self.settings = settings
        self.tick_seconds = tick_seconds
        self.stalled_after = stalled_after
        self.periodic = periodic
        self.policy = jobs.policy_from(settings)
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=conninfo(db.engine.url.render_as_string(hide_password=False))
            )
        )
        self._register()

    def _register(self) -> None:
        app = self.app
        every = f"* * * * * */{self.tick_seconds}" if self.tick_seconds < 60 else "* * * * *"

        @app.task(name="newsweave.tick", queue=QUEUE, queueing_lock="tick")
        async def tick(timestamp: int) -> None:
            await self.retry_stalled()
            await asyncio.to_thread(self.hand_out)
            try:
                await asyncio.to_thread(jobs.send_digests_if_due, self.db, self.settings)
            except Exception:  # an SMTP server down must not stop the queue's clock
                log.exception("mailing the digests failed; they wait for tomorrow")
            try:
                await asyncio.to_thread(self.hand_out_upkeep)
            except Exception:  # statistics unreadable (permissions): the queue's clock goes on
                log.exception("looking for tables to vacuum failed; retrying next tick")
            try:
                await asyncio.to_thread(jobs.fold_counts, self.db)
            except Exception:  # the readers add the moves not folded: nothing is wrong meanwhile
                log.exception("folding the sources' counts failed; retrying next tick")

        if self.periodic:
            app.periodic(cron=every, periodic_id="tick")(tick)

        @app.task(name="newsweave.poll", queue=QUEUE)
        async def poll(source_id: int) -> None:
            await self.poll(source_id)

        @app.task(name="newsweave.pages", queue=QUEUE)
        async def pages(host: str) -> None:
            await self.pages(host)

        @app.task(name="newsweave.understand", queue=QUEUE)
        async def understand(source_id: int) -> None:
            await self.understand(source_id)

        @app.task(name="newsweave.upkeep", queue=QUEUE)
        async def upkeep_() -> None:
            await asyncio.to_thread(jobs.vacuum_if_due, self.db)

    def ensure_schema(self) -> None:
        with self.db.begin() as conn:
            if queue.ensure_schema(conn):
                log.info("created the job queue's tables")

    def hand_out(self, now: datetime | None = None) -> int:
        """Queue the work the database says is waiting; how many jobs were queued."""
        when = now or datetime.now(UTC)
        queued = 0
        with self.db.begin() as conn:
            for src in source_store.due_sources(conn, when):
                queued += self._defer_poll(conn, src)
            for host in article_store.pending_hosts(conn, when):
                queued += _defer(conn, "pages", host=host, lock=f"host:{host}", key=host)
            for sid in article_store.waiting_sources(conn, when)[1]:
                queued += _defer(conn, "understand", source_id=sid, lock=f"understand:{sid}")
        return queued

    def hand_out_upkeep(self) -> bool:
        """Queue a vacuum when a table needs one autovacuum will not run (store.upkeep): a job
        of its own, so a vacuum of a large table never holds up the tick's hand-out, and one
        at a time across the cluster (its lock)."""
        with self.db.begin() as conn:
            if not upkeep.tables_due(conn):
                return False
            return _defer(conn, "upkeep", lock="upkeep")

    def _defer_poll(self, conn: Any, src: source_store.SourceRow) -> bool:
        host = article_store.host_of(src.feed_url)
        return _defer(conn, "poll", source_id=src.id, lock=f"host:{host}", key=str(src.id))

    async def retry_stalled(self) -> int:
        """Put back in the queue the jobs of workers that stopped beating (killed).

        Each such job still holds its lock (one poll per host, one understanding per source)
        until it is retried or closed, so this runs on every tick."""
        stalled = list(
            await self.app.job_manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=self.stalled_after
            )
        )
        for job in stalled:
            try:
                await self.app.job_manager.retry_job(job)
                log.warning("retrying job %s (%s): its worker stopped", job.id, job.task_name)
            except procrastinate.exceptions.UniqueViolation:
                # The same work is queued again already (a tick saw it waiting): close this one.
                await self.app.job_manager.finish_job(
                    job, procrastinate.jobs.Status.FAILED, delete_job=False
                )
                log.warning(
                    "closing job %s (%s): its worker stopped and it is queued again",
                    job.id,
                    job.task_name,
                )
        return len(stalled)

    def _collector(self) -> collecting.Collector:
        return collecting.Collector(
            self.db,
            self.policy,
            max_attempts=self.settings.max_article_attempts,
            enricher=collecting.Enricher(1),
        )

    @asynccontextmanager
    async def _talking_to(self, host: str) -> AsyncIterator[None]:
        """Hold the host's advisory lock for the length of a job (see the module docstring)."""
        conn = await asyncio.to_thread(self.db.engine.connect)
        try:
            await asyncio.to_thread(locks.acquire, conn, f"host:{host}")
            try:
                yield
            finally:
                await asyncio.to_thread(locks.release, conn, f"host:{host}")
        finally:
            await asyncio.to_thread(conn.close)

    async def poll(self, source_id: int) -> None:
        """Read one source's feed if it is due, then hand out the pages it announced."""
        with self.db.connect() as conn:
            src = source_store.get_source(conn, source_id)
        now = datetime.now(UTC)
        is_due = (
            src.feed_url is not None
            and src.status == "active"
            and (src.next_poll_at is None or src.next_poll_at <= now)
        )
        if is_due:
            collector = self._collector()
            async with self._talking_to(article_store.host_of(src.feed_url)):
                await collector.collect([source_id], enrich=False, pages=False)
            if collector.report.errors:
                log.warning("source %s: %s", source_id, "; ".join(collector.report.errors[:5]))
        await asyncio.to_thread(self.hand_out)

    async def pages(self, host: str) -> None:
        """Fetch and extract every waiting page on one host, then hand out understanding."""
        collector = self._collector()
        try:
            async with self._talking_to(host), Fetcher(self.policy) as fetcher:
                await collector.finish_pending(fetcher, None, host=host)
        finally:
            await asyncio.to_thread(collector.close)
        if collector.report.errors:
            log.warning("%s: %s", host, "; ".join(collector.report.errors[:5]))
        await asyncio.to_thread(self.hand_out)

    async def understand(self, source_id: int) -> None:
        """Enrich every extracted article of one source, in this process."""
        with collecting.Enricher(1) as enricher:
            collector = collecting.Collector(self.db, self.policy, enricher=enricher)
            try:
                await collector.enrich_pending([source_id])
            finally:
                await asyncio.to_thread(collector.close)

    async def run(
        self,
        *,
        concurrency: int = 2,
        burst: bool = False,
        heartbeat: float = 10.0,
    ) -> None:
        """Work until stopped; with `burst`, hand out what is waiting, do it, and return when
        nothing is left (a batch job, and what tests and benchmarks run)."""
        self.ensure_schema()
        await asyncio.to_thread(jobs.warn_if_unvacuumed, self.db)
        async with self.app.open_async():
            options: dict[str, Any] = {
                "queues": [QUEUE],
                "concurrency": concurrency,
                "update_heartbeat_interval": heartbeat,
                "stalled_worker_timeout": self.stalled_after,
            }
            if not burst:
                await self.app.run_worker_async(**options)
                return
            while True:
                await self.retry_stalled()
                await asyncio.to_thread(self.hand_out)
                await self.app.run_worker_async(**options, wait=False)
                if not await asyncio.to_thread(self.busy):
                    return
                await asyncio.sleep(0.5)  # another worker holds what is left

    def busy(self) -> bool:
        """Whether any job waits or runs, or any article waits for one."""
        with self.db.connect() as conn:
            status = queue.counts(conn, QUEUE)
            fetching, extracted = article_store.waiting_sources(conn, datetime.now(UTC))
        return bool(status.get("todo") or status.get("doing") or fetching or extracted)


def _defer(conn: Any, task: str, *, lock: str, key: str | None = None, **args: Any) -> bool:
    """Queue `newsweave.<task>` holding `lock` while it runs, once while it waits (its
    queueing lock is the task and `key`, or its lock)."""
    waiting = f"{task}:{key}" if key is not None else lock
    return queue.defer(
        conn, f"newsweave.{task}", args, queue=QUEUE, lock=lock, queueing_lock=waiting
    )
