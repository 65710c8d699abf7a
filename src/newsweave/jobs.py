"""Collecting on a schedule: which sources are due, polling them, and finishing every article's
road (fetch, extract, enrich).

The database is the truth (STYLE habit 7): what is due and what is pending is asked of the store
each round, so a restart after a crash simply carries on. One process, one asyncio loop for the
network; the SQLite writes happen on that loop, one at a time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from datetime import UTC, datetime
from importlib import resources

from newsweave import digest
from newsweave.collecting import Collector, Enricher
from newsweave.config import Settings
from newsweave.errors import (
    ConfigError,
)
from newsweave.ingest.fetch import FetchPolicy
from newsweave.ingest.opml import read_opml
from newsweave.llm import SummaryWriter
from newsweave.store import locks, upkeep
from newsweave.store import reading as reading_store
from newsweave.store import sources as source_store
from newsweave.store.db import Database

__all__ = [
    "fold_counts",
    "load_default_sources",
    "policy_from",
    "run_scheduler",
    "summary_writer",
    "vacuum_if_due",
    "warn_if_unvacuumed",
    "workers_for",
]

log = logging.getLogger("newsweave.jobs")


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


def site_url(settings: Settings) -> str:
    """The site's public address, for links that leave it (e-mails)."""
    url: str = settings.site_url or f"http://{settings.host}:{settings.port}"
    return url.rstrip("/")


def mailer_from(settings: Settings) -> digest.Mailer | None:
    if not settings.smtp_url:
        return None
    return digest.Mailer(settings.smtp_url, settings.smtp_from)


_DIGEST_DAY = "digest-day"  # site_state: the last day (date ordinal) digests were mailed


def send_digests_if_due(db: Database, settings: Settings, now: datetime | None = None) -> bool:
    """Mail the daily digests once a day, at `digest_hour`, from whichever process gets there
    first (`run`'s scheduler, any worker's tick): the day is claimed under a lock before
    anything is sent, so no reader gets two. A crash mid-way loses that day's rest (a digest
    missed beats a digest twice). True when this call sent them."""
    mailer = mailer_from(settings)
    when = now or datetime.now(UTC)
    if mailer is None or when.hour < settings.digest_hour:
        return False
    today = when.date().toordinal()
    with db.begin() as conn:
        locks.hold(conn, _DIGEST_DAY)
        if (reading_store.site_value(conn, _DIGEST_DAY) or 0) >= today:
            return False
        reading_store.set_site_value(conn, _DIGEST_DAY, today)
    report = digest.send_all(db, mailer, when, site_url(settings), on_error=log.warning)
    log.info(
        "digests mailed: %d sent, %d with nothing new, %d refused",
        report.sent,
        report.empty,
        len(report.failed),
    )
    return True


def warn_if_unvacuumed(db: Database) -> bool:
    """Tell the operator, once at start-up, that this PostgreSQL vacuums nothing by itself
    (store.upkeep): the worker does it for newsweave's tables, but autovacuum does it better
    (it also freezes old rows and looks after every other database)."""
    with db.connect() as conn:
        off = upkeep.autovacuum_off(conn)
    if off:
        log.warning(
            "PostgreSQL's autovacuum is off on this server: newsweave vacuums and analyzes its "
            "own tables by autovacuum's thresholds from the periodic work; turn autovacuum on "
            "(postgresql.conf: autovacuum = on) to leave it to the server"
        )
    return off


def vacuum_if_due(db: Database) -> list[upkeep.Due]:
    """Vacuum and analyze the tables autovacuum would have, where it does not (store.upkeep)."""
    done = upkeep.run(db.engine)
    for item in done:
        work = " and ".join(
            w for w, on in (("vacuumed", item.vacuum), ("analyzed", item.analyze)) if on
        )
        log.info("%s %s (autovacuum is off for it)", work, item.table)
    return done


def fold_counts(db: Database) -> int:
    """Fold the articles' moves into their sources' counts (store.sources.fold_counts): from
    the periodic work, and after a command that wrote many articles."""
    with db.begin() as conn:
        return source_store.fold_counts(conn)


def workers_for(setting: int) -> int:
    """The workers setting made a number: 0 is one per core, up to 4."""
    if setting > 0:
        return setting
    return max(1, min(os.cpu_count() or 1, 4))


def run_scheduler(
    db: Database, settings: Settings, stop: threading.Event, *, tick: float = 30.0
) -> None:
    """Poll due sources and finish pending articles until `stop` is set (its own thread)."""
    policy = policy_from(settings)
    # A server runs for hours, so the pool's start (~10 s) is paid once, and the first round
    # with anything to enrich starts it: the models then live in the workers only. Left to the
    # batch-size rule, a small round would load them here too, and a big one later would hold
    # three copies: ~2.5 GB against ~1.8 GB (bench/enrich.py, 2 workers).
    enricher = Enricher(workers_for(settings.workers), min_for_pool=1)
    warn_if_unvacuumed(db)

    async def loop() -> None:
        while not stop.is_set():
            collector = Collector(
                db,
                policy,
                max_attempts=settings.max_article_attempts,
                enricher=enricher,
            )
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
            try:
                await asyncio.to_thread(send_digests_if_due, db, settings)
            except Exception:  # an SMTP server down must not stop collecting
                log.exception("mailing the digests failed; they wait for tomorrow")
            try:
                await asyncio.to_thread(vacuum_if_due, db)
            except Exception:  # a vacuum refused (lock, permissions) waits for the next tick
                log.exception("vacuuming failed; retrying next tick")
            try:
                await asyncio.to_thread(fold_counts, db)
            except Exception:  # the readers add the moves not folded: nothing is wrong meanwhile
                log.exception("folding the sources' counts failed; retrying next tick")
            await asyncio.to_thread(stop.wait, tick)

    try:
        asyncio.run(loop())
    finally:
        enricher.close()
