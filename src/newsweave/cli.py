"""The command line. Thin (STYLE habit 10): parse, call one function, format the result.

Errors newsweave raises on purpose become one clean line on stderr and exit status 1; usage
errors exit 2 (click's convention).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

# Only what every command needs is imported here. The collecting and enrichment stack (models,
# scipy, trafilatura: 1.2 of the 1.8 s `newsweave --help` took on 2026-12-03, with datasketch) is
# imported inside the commands that use it, so `user create`, `sources list`, `serve` and the
# rest start without it.
from newsweave import accounts, config
from newsweave.errors import ArchiveItemError, ConfigError, NewsweaveError
from newsweave.model import SourceInfo
from newsweave.store import articles as article_store
from newsweave.store import search as search_store
from newsweave.store import sources as source_store
from newsweave.store import tags as tag_store
from newsweave.store.db import Database, open_database

F = TypeVar("F", bound=Callable[..., Any])
if TYPE_CHECKING:
    from newsweave import collecting
    from newsweave.enrich import Analysis
    from newsweave.web.shared import SharedState

log = logging.getLogger("newsweave")


def _settings(ctx: click.Context) -> config.Settings:
    settings: config.Settings = ctx.ensure_object(dict).setdefault("settings", config.load())
    return settings


def _db(ctx: click.Context, *, enriching: bool = False) -> Database:
    """The database; `enriching`: this command analyses articles, so they get the LLM's
    summaries when one is configured (NEWSWEAVE_LLM_URL)."""
    obj = ctx.ensure_object(dict)
    if "db" not in obj:
        settings = _settings(ctx)
        try:
            obj["db"] = open_database(settings.database, local_dir=settings.data_dir)
        except OperationalError as exc:  # unreachable, refused, a file that cannot be opened
            where = make_url(settings.database).render_as_string(hide_password=True)
            reason = str(exc.orig or exc).strip().splitlines()[0]
            raise ConfigError(f"cannot open the database {where}: {reason}") from exc
        ctx.call_on_close(obj["db"].dispose)
    db: Database = obj["db"]
    if enriching and not obj.get("summary_writer_set"):
        from newsweave import jobs, pipeline

        pipeline.use_summary_writer(db, jobs.summary_writer(_settings(ctx)))
        pipeline.use_cross_language(db, always=_settings(ctx).cross_language == "always")
        obj["summary_writer_set"] = True
    return db


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class _Group(click.Group):
    """Turns newsweave's own errors into one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsweaveError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """newsweave: collect, understand and serve the news from the sources you choose."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpcore", "htmldate", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # trafilatura logs an ERROR for a document it cannot parse (plain text, say), which
    # ingest.extract reports as an ExtractionError of its own: the log line only said it twice.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[collecting.Report], None]]:
    """Live counts on a terminal; a plain log line every few seconds otherwise."""
    start = time.monotonic()
    last = [0.0]

    def line(r: collecting.Report) -> str:
        elapsed = max(time.monotonic() - start, 1e-6)
        done = r.inserted + r.updated + r.duplicates + r.unchanged
        return (
            f"{label}: {r.sources_polled} sources ({r.sources_failed} failed), "
            f"{r.inserted} new, {r.updated} updated, {r.duplicates} duplicates, "
            f"{r.discovered} discovered, {r.enriched} enriched, {r.articles_failed} failed, "
            f"{done / elapsed:.1f} articles/s"
        )

    if sys.stderr.isatty():
        from rich.console import Console
        from rich.live import Live

        with Live(console=Console(stderr=True), refresh_per_second=4, transient=False) as live:
            yield lambda r: live.update(line(r))
        return

    def plain(r: collecting.Report) -> None:
        now = time.monotonic()
        if now - last[0] >= 5:
            last[0] = now
            log.info("%s", line(r))

    yield plain


# --- collecting --------------------------------------------------------------------------


@main.command()
@click.argument("sources", nargs=-1)
@click.pass_context
def fetch(ctx: click.Context, sources: tuple[str, ...]) -> None:
    """Poll the named sources (or all) once, now, and finish their articles.

    Exits 1 when a source could not be polled or an article could not be stored (the rest is
    kept; the report says which), so cron and scripts see a failure as `import` shows one."""
    from newsweave import collecting, jobs

    settings, db = _settings(ctx), _db(ctx, enriching=True)
    ids = None
    if sources:
        with db.connect() as conn:
            ids = [source_store.find_source(conn, s).id for s in sources]
    with (
        _progress("fetch") as progress,
        collecting.Enricher(jobs.workers_for(settings.workers)) as enricher,
    ):
        collector = collecting.Collector(
            db,
            jobs.policy_from(settings),
            max_attempts=settings.max_article_attempts,
            on_progress=progress,
            enricher=enricher,
        )
        report = asyncio.run(collector.collect(ids))
    jobs.fold_counts(db)
    _print_report(report)
    if report.sources_failed or report.articles_failed:
        ctx.exit(1)


def _print_report(r: collecting.Report) -> None:
    click.echo(
        f"polled {r.sources_polled} sources ({r.sources_failed} failed, {r.not_modified} not "
        f"modified); articles: {r.inserted} new, {r.updated} updated, {r.duplicates} "
        f"duplicates, {r.unchanged} unchanged, {r.articles_failed} failed; "
        f"{r.enriched} enriched"
    )
    for err in r.errors[:50]:
        click.echo(f"  error: {err}", err=True)
    if len(r.errors) > 50:
        click.echo(f"  ... and {len(r.errors) - 50} more errors", err=True)


@main.command()
@click.option("--host", default=None, help="Address to listen on.")
@click.option("--port", type=int, default=None, help="Port to listen on.")
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Everything on one machine: collect on schedule and serve the site.

    Served as `serve` serves (NEWSWEAVE_WEB_PROCESSES: one process per core by default), the
    collecting and the analyses' pool in this process beside them: with one web process that
    also collected, a new query every request at a million articles answered at p99 120 ms,
    55 with two (PostgreSQL, bench/archive.py, session 34)."""
    from newsweave import jobs

    ctx.ensure_object(dict)["settings"] = config.load(host=host, port=port)
    settings, db = _settings(ctx), _db(ctx, enriching=True)
    with db.connect() as conn:
        empty = not source_store.all_sources(conn)
    if empty and settings.load_default_sources:
        added = jobs.load_default_sources(db)
        log.info("no sources yet: loaded the %d default sources", added)
    stop = threading.Event()
    worker = threading.Thread(
        target=jobs.run_scheduler, args=(db, settings, stop), name="scheduler", daemon=True
    )
    worker.start()
    try:
        _serve(db, settings, config.web_processes(settings))
    finally:
        stop.set()
        worker.join(timeout=10)


@main.command()
@click.option("--host", default=None, help="Address to listen on.")
@click.option("--port", type=int, default=None, help="Port to listen on.")
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes answering on the port (NEWSWEAVE_WEB_PROCESSES; default: one per core, at "
    "most 8). They share logins and sessions in the data folder's web-state.bin.",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, processes: int | None) -> None:
    """Serve the site (no collecting). Also `newsweave web`, the web role of a scaled-out site:
    any number of them on any hosts, each with one or more processes (those of one host share
    logins and sessions in the data folder; set NEWSWEAVE_REDIS_URL where they are on several)."""
    ctx.ensure_object(dict)["settings"] = config.load(host=host, port=port, web_processes=processes)
    settings = _settings(ctx)
    _serve(_db(ctx), settings, config.web_processes(settings))


main.add_command(serve, "web")


@main.command()
@click.option("--concurrency", type=int, default=2, show_default=True, help="Jobs at a time.")
@click.option(
    "--tick",
    type=click.IntRange(1, 60),
    default=60,
    show_default=True,
    help="Seconds between hand-outs of waiting work (once across the cluster).",
)
@click.option(
    "--burst",
    is_flag=True,
    help="Do what is waiting now, then exit (a batch run; tests and benchmarks).",
)
@click.option(
    "--heartbeat",
    type=click.FloatRange(0.5, 60),
    default=10,
    show_default=True,
    help="Seconds between this worker's heartbeats; a worker silent for three of them is "
    "taken for dead and its jobs are run again.",
)
@click.pass_context
def worker(ctx: click.Context, concurrency: int, tick: int, burst: bool, heartbeat: float) -> None:
    """The worker role of a scaled-out site (PostgreSQL): collect and understand as jobs of
    the queue in the database, beside any number of other workers on any hosts."""
    from newsweave.worker import Cluster

    settings, db = _settings(ctx), _db(ctx, enriching=True)
    cluster = Cluster(
        db, settings, tick_seconds=tick, periodic=not burst, stalled_after=3 * heartbeat
    )
    asyncio.run(cluster.run(concurrency=concurrency, burst=burst, heartbeat=heartbeat))


def _shared_state(settings: config.Settings) -> SharedState:
    """What web processes share: in Redis when configured, else in the host's file in the
    data folder (web.shared.HostState), which every process of this host maps."""
    from newsweave.web.shared import shared_state

    return shared_state(settings.redis_url or None, settings.redis_prefix, settings.data_dir)


def _serve(db: Database, settings: config.Settings, processes: int) -> None:
    import uvicorn

    from newsweave.web.app import create_app

    if processes > 1:
        from newsweave.web import workers

        if not settings.redis_url:  # a data folder that cannot hold it fails here, not in each
            _shared_state(settings)

        log.info("serving on http://%s:%d", settings.host, settings.port)
        # Each process builds the site from the environment (web.app.from_environment).
        workers.serve(settings.host, settings.port, processes)
        return
    log.info("serving on http://%s:%d", settings.host, settings.port)
    secret = settings.secret_key or accounts.signing_key(db)
    app = create_app(
        db,
        secret,
        settings.page_cache_seconds,
        _shared_state(settings),
        freeze_start_up=True,
        search_index=settings.search_index,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


# --- sources -----------------------------------------------------------------------------


@main.group()
def sources() -> None:
    """Add, list, remove, import and export sources."""


@sources.command("add")
@click.argument("url")
@click.option("--name", help="Display name (default: the feed's title).")
@click.option("--country")
@click.option("--ownership", help="e.g. public broadcaster, private, state-controlled.")
@click.option("--kind", help="e.g. wire, newspaper, broadcaster, blog.")
@click.option("--lean", help="Where it stands: left, center, right, or a scale of your own.")
@click.option("--language")
@click.option("--interval", type=int, default=None, help="Seconds between polls.")
@click.pass_context
def sources_add(
    ctx: click.Context,
    url: str,
    name: str | None,
    country: str | None,
    ownership: str | None,
    kind: str | None,
    lean: str | None,
    language: str | None,
    interval: int | None,
) -> None:
    """Add a feed URL, or a site URL whose feed is discovered."""
    from newsweave import jobs
    from newsweave.ingest.discover import discover
    from newsweave.ingest.fetch import Fetcher

    settings, db = _settings(ctx), _db(ctx)

    async def find() -> Any:
        async with Fetcher(jobs.policy_from(settings)) as fetcher:
            return await discover(fetcher, url)

    found = asyncio.run(find())
    info = SourceInfo(
        name=name or found.feed.title or found.feed_url,
        feed_url=found.feed_url,
        homepage=found.homepage,
        language=language or found.language,
        country=country,
        ownership=ownership,
        kind=kind,
        lean=lean,
        poll_interval=interval or settings.poll_interval,
    )
    with db.begin() as conn:
        source_id, created = source_store.add_source(conn, info)
        stored = source_store.get_source(conn, source_id).name
    verb = "added" if created else "updated"
    click.echo(f"{verb} source {source_id}: {stored} <{info.feed_url}>")


@sources.command("label")
@click.argument("source")
@click.option("--country", help="An empty value clears the label.")
@click.option("--ownership")
@click.option("--kind")
@click.option("--lean")
@click.pass_context
def sources_label(
    ctx: click.Context,
    source: str,
    country: str | None,
    ownership: str | None,
    kind: str | None,
    lean: str | None,
) -> None:
    """Set the labels a story's coverage is split by (SOURCE: id, name or feed URL)."""
    labels = {"country": country, "ownership": ownership, "kind": kind, "lean": lean}
    with _db(ctx).begin() as conn:
        found = source_store.find_source(conn, source)
        row = source_store.set_labels(conn, found.id, labels)
    shown = ", ".join(f"{k}: {getattr(row, k) or '-'}" for k in source_store.LABELS)
    click.echo(f"source {row.id} {row.name}: {shown}")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def sources_list(ctx: click.Context, as_json: bool) -> None:
    """List sources with their health."""
    with _db(ctx).connect() as conn:
        rows = source_store.all_sources(conn)
    if as_json:
        click.echo(_dump([r.as_dict() for r in rows]))
        return
    for r in rows:
        health = f"errors: {r.error_count} ({r.last_error})" if r.error_count else "ok"
        if r.last_warning and not r.error_count:
            health = f"ok, but {r.last_warning}"
        click.echo(f"{r.id:>4}  {r.name}  [{r.status}]  {r.feed_url or '-'}  {health}")


@sources.command("remove")
@click.argument("source")
@click.pass_context
def sources_remove(ctx: click.Context, source: str) -> None:
    """Remove a source (by id, name or feed URL) and its articles."""
    with _db(ctx).begin() as conn:
        row = source_store.find_source(conn, source)
        source_store.remove_source(conn, row.id)
    click.echo(f"removed source {row.id}: {row.name}")


@sources.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def sources_import_opml(ctx: click.Context, file: Path) -> None:
    """Add every feed of an OPML file."""
    from newsweave.ingest.opml import read_opml

    infos = read_opml(file.read_bytes())
    added = 0
    with _db(ctx).begin() as conn:
        for info in infos:
            added += source_store.add_source(conn, info)[1]
    click.echo(f"imported {len(infos)} sources ({added} new)")


@sources.command("export-opml")
@click.pass_context
def sources_export_opml(ctx: click.Context) -> None:
    """Print every source as OPML."""
    from newsweave.ingest.opml import write_opml

    with _db(ctx).connect() as conn:
        rows = source_store.all_sources(conn)
    click.echo(write_opml(r.info for r in rows).decode())


@main.group()
def tags() -> None:
    """Merge and rename hashtags across the site (old URLs redirect; it sticks)."""


def _tag_slug(name: str) -> str:
    """A tag named by its slug ("joe-biden"), label ("Joe Biden") or display ("#JoeBiden")."""
    from newsweave.enrich.hashtags import slugify

    bare = name.strip().lstrip("#")
    if " " not in bare and "-" not in bare:
        bare = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", bare)
    return slugify(bare)


@tags.command("merge")
@click.argument("from_tag")
@click.argument("into_tag")
@click.pass_context
def tags_merge(ctx: click.Context, from_tag: str, into_tag: str) -> None:
    """Make FROM_TAG part of INTO_TAG: its articles move, its URL redirects, and articles that
    name it later land on INTO_TAG."""
    with _db(ctx).begin() as conn:
        src, dst = tag_store.merge_slugs(conn, _tag_slug(from_tag), _tag_slug(into_tag))
    click.echo(f"merged {src.label} ({src.slug}) into {dst.label} ({dst.slug})")


@tags.command("rename")
@click.argument("tag")
@click.argument("label")
@click.pass_context
def tags_rename(ctx: click.Context, tag: str, label: str) -> None:
    """Give TAG a new LABEL (and so a new URL; the old one redirects)."""
    from newsweave.enrich.hashtags import display, slugify

    label = " ".join(label.split())
    with _db(ctx).begin() as conn:
        row = tag_store.rename(conn, _tag_slug(tag), label, slugify(label), display(label))
    click.echo(f"renamed to {row.label} ({row.slug})")


# --- archives, reading back ----------------------------------------------------------------


@main.group()
def digest() -> None:
    """The daily digest of each reader's follows."""


@digest.command("send")
@click.option("--user", "usernames", multiple=True, help="Only these readers (repeatable).")
@click.option("--until", default=None, help="End of the day to digest (ISO time; default now).")
@click.pass_context
def digest_send(ctx: click.Context, usernames: tuple[str, ...], until: str | None) -> None:
    """Mail the digest of the 24 hours before --until now, whatever the hour (`run` and the
    workers send it daily by themselves when smtp_url is set)."""
    from newsweave import digest as digest_mod
    from newsweave import jobs
    from newsweave.store.accounts import user_by_name

    settings, db = _settings(ctx), _db(ctx)
    mailer = jobs.mailer_from(settings)
    if mailer is None:
        raise click.ClickException("no SMTP server: set NEWSWEAVE_SMTP_URL (smtp://host:port)")
    when = datetime.now(UTC)
    if until:
        try:
            when = datetime.fromisoformat(until)
        except ValueError:
            raise click.ClickException(f"--until {until!r} is not an ISO time") from None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    ids = None
    if usernames:
        with db.connect() as conn:
            found = {n: user_by_name(conn, n) for n in usernames}
        missing = [n for n, u in found.items() if u is None]
        if missing:
            raise click.ClickException(f"no reader named {', '.join(missing)}")
        ids = [u.id for u in found.values() if u is not None]
    report = digest_mod.send_all(
        db, mailer, when, jobs.site_url(settings), ids, on_error=lambda m: click.echo(m, err=True)
    )
    click.echo(
        f"{report.sent} digests sent, {report.empty} readers with nothing new, "
        f"{len(report.failed)} refused"
    )
    if report.failed:
        ctx.exit(1)


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--fetched-at", help="When the files were fetched (ISO 8601); default: file time.")
@click.option("--source", "source_name", help="Source name for items that do not name one.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def import_(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fetched_at: str | None,
    source_name: str | None,
    as_json: bool,
) -> None:
    """Import HTML files, WARC, JSONL and scraped text dumps (files or folders)."""
    from newsweave import collecting, jobs, pipeline
    from newsweave.ingest.archives import read_archive
    from newsweave.ingest.feeds import parse_date

    db = _db(ctx, enriching=True)
    when = None
    if fetched_at:
        when = parse_date(fetched_at)
        if when is None:
            raise click.BadParameter(f"not a date: {fetched_at!r}", param_hint="--fetched-at")
    counts = dict.fromkeys(("imported", "updated", "duplicate", "unchanged", "failed"), 0)
    failures: list[str] = []
    outcome_key = {
        pipeline.Outcome.INSERTED: "imported",
        pipeline.Outcome.UPDATED: "updated",
        pipeline.Outcome.DUPLICATE: "duplicate",
        pipeline.Outcome.UNCHANGED: "unchanged",
        pipeline.Outcome.TOMBSTONED: "duplicate",
    }
    files = [p for path in paths for p in _files(path)]
    to_enrich: list[int] = []
    start = last = time.monotonic()
    for path in files:
        for item in read_archive(path, when, source_name):
            if isinstance(item, ArchiveItemError):
                counts["failed"] += 1
                failures.append(str(item))
                continue
            try:
                article_id, outcome = pipeline.ingest(db, item, enrich_now=False)
                counts[outcome_key[outcome]] += 1
                if outcome in (pipeline.Outcome.INSERTED, pipeline.Outcome.UPDATED):
                    to_enrich.append(article_id)
            except NewsweaveError as exc:
                counts["failed"] += 1
                failures.append(f"{path}: {item.title or item.url}: {exc}")
            if time.monotonic() - last > 5:
                last = time.monotonic()
                done = sum(counts.values())
                log.info("import: %d items, %.1f/s", done, done / (last - start + 1e-6))
    # The analyses run after storing, as one batch (in worker processes when it is big). An
    # import killed half-way left its articles EXTRACTED: this one finishes them too, in the
    # order they came in, so running the same import again completes it.
    with db.connect() as conn:
        waiting = article_store.awaiting_enrichment(conn, None, limit=10_000_000)
    left_before = len(set(waiting) - set(to_enrich))
    with collecting.Enricher(jobs.workers_for(_settings(ctx).workers)) as enricher:
        _done, enrich_failed = enricher.enrich(
            db, waiting, _counter("import: enriched"), waiting_only=True
        )
    jobs.fold_counts(db)
    if enrich_failed:
        failures.append(f"{enrich_failed} articles were stored but not enriched (see the log)")
    if as_json:
        click.echo(_dump({**counts, "finished_from_before": left_before, "failures": failures}))
    else:
        click.echo(
            f"imported {counts['imported']}, updated {counts['updated']}, skipped as duplicate "
            f"{counts['duplicate'] + counts['unchanged']}, failed {counts['failed']}"
        )
        if left_before:
            click.echo(f"finished {left_before} articles an earlier run left unanalysed")
        for failure in failures:
            click.echo(f"  failed: {failure}")
    if failures:
        ctx.exit(1)  # something was not imported: say so to scripts too


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [path]


@main.command("extract")
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def extract_cmd(ctx: click.Context, target: str, as_json: bool) -> None:
    """Extract one page (a file or a URL) without touching the database."""
    from newsweave.enrich import language
    from newsweave.ingest.extract import extract

    url = target if target.startswith(("http://", "https://")) else None
    if url:
        settings = _settings(ctx)

        from newsweave import jobs
        from newsweave.ingest.fetch import Fetcher

        async def get() -> bytes:
            async with Fetcher(jobs.policy_from(settings)) as fetcher:
                return (await fetcher.get(url, page=True)).content

        html = asyncio.run(get())
    else:
        path = Path(target)
        if not path.is_file():
            raise click.BadParameter(f"no such file: {target}", param_hint="FILE|URL")
        html = path.read_bytes()
    ex = extract(html, url)
    out = {
        "title": ex.title,
        "text": ex.text,
        "byline": ex.byline,
        "published": ex.published.isoformat() if ex.published else None,
        "language": language.detect(f"{ex.title or ''}\n{ex.text}", ex.language),
        "url": ex.url,
        "site": ex.site,
    }
    if as_json:
        click.echo(_dump(out))
        return
    for key in ("title", "byline", "published", "language", "url", "site"):
        click.echo(f"{key}: {out[key] or '-'}")
    click.echo("")
    click.echo(ex.text)


# --- understanding -------------------------------------------------------------------------


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml")) or b"<body" in head or b"<p>" in head


@main.command("analyze")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def analyze_cmd(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Run every analysis on one article (HTML or plain text) without touching the database.

    Plain text: a short first line followed by a blank or a longer line is the headline.
    """
    from newsweave import enrich
    from newsweave.ingest.extract import extract

    data = file.read_bytes()
    if _looks_like_html(data):
        ex = extract(data, None)
        title, text = ex.title or "", ex.text
        labels = tuple(x for x in (ex.section, ex.byline) if x)
        analysis = enrich.analyze(
            title, text, ex.language, ex.url, labels=labels, with_embedding=False
        )
    else:
        raw = _utf8_text(file, data, "HTML")
        title, text, _ = enrich.split_headline(raw)
        analysis = enrich.analyze_plain(raw)
    result = analysis.to_json()
    result["summary"], result["key_points"], error = _written(
        ctx, title, text, result["summary"], result["key_points"]
    )
    if error:
        result["errors"]["summary"] = error
    if as_json:
        click.echo(_dump(result))
        return
    click.echo(f"language: {result['language'] or '-'}   kind: {result['kind'] or '-'}")
    click.echo("hashtags: " + " ".join(h["tag"] for h in result["hashtags"]))
    click.echo(
        "entities: "
        + ", ".join(f"{e['text']} ({e['type']}, {e['count']})" for e in result["entities"])
    )
    click.echo(f"\nsummary: {result['summary']}\n")
    for point in result["key_points"]:
        click.echo(f"  - {point}")
    if result["attributions"]:
        click.echo("\nwho says what:")
    for a in result["attributions"]:
        click.echo(f"  {a['speaker']} ({a['cue']}): {a['content']}")
    for name, error in result["errors"].items():
        click.echo(f"error in {name}: {error}", err=True)


def _written(
    ctx: click.Context, title: str, text: str, summary: str, points: list[str]
) -> tuple[str, list[str], str | None]:
    """The summary and key points the configured LLM writes in place of the extractive ones
    (`summary`, `points`), which stand where none is configured, where there is no summary to
    replace, or where it fails (then also what failed)."""
    from newsweave import jobs

    writer = jobs.summary_writer(_settings(ctx))
    if writer is None or not summary:
        return summary, points, None
    try:
        summary, points = writer.write(title, text)
    except NewsweaveError as exc:
        return summary, points, f"kept the extractive summary: {exc}"
    return summary, points, None


_STORY_SEPARATOR = re.compile(r"^\|{5}[ \t]*$", re.MULTILINE)


def _story_texts(file: Path) -> list[str]:
    """The plain texts ("headline\\n\\nbody") of the articles in `file`: one article (plain
    text or a page), several in a plain-text file with a line "|||||" between them, or JSON
    {"articles": [{"title", "text"}]} (the public summary sets' two forms of a story)."""
    from newsweave.ingest.extract import extract

    data = file.read_bytes()
    if data.lstrip()[:1] == b"{":
        try:
            arts = json.loads(data)["articles"]
            return [f"{a.get('title') or ''}\n\n{a.get('text') or ''}".strip() for a in arts]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise click.ClickException(f"{file}: not {{'articles': [...]}} JSON ({exc})") from exc
    if _looks_like_html(data):
        ex = extract(data, None)
        return [f"{ex.title or ''}\n\n{ex.text}".strip()]
    raw = _utf8_text(file, data, "HTML, JSON")
    return [t.strip() for t in _STORY_SEPARATOR.split(raw) if t.strip()]


def _utf8_text(file: Path, data: bytes, others: str) -> str:
    """`data` as text; refused with the forms `file` could have been (`others`) where more
    than 1 % of it (and 10 characters) is not UTF-8."""
    raw = data.decode("utf-8", errors="replace")
    if raw.count("\ufffd") > max(10, len(raw) // 100):
        raise click.ClickException(f"{file} is neither {others} nor UTF-8 text")
    return raw


@main.command("summarize")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def summarize_cmd(ctx: click.Context, file: Path, as_json: bool) -> None:
    """The summary and key points of an article, or of a story told by several (a plain-text
    file with a line "|||||" between its articles, or JSON {"articles": [{"title", "text"}]}),
    without touching the database.

    A story's summary is made as its page's is: from its articles' summaries, the most central
    sentences that do not repeat each other.
    """
    from newsweave import enrich
    from newsweave.enrich.summary import story_summary

    texts = _story_texts(file)
    if not texts:
        raise click.ClickException(f"{file} holds no article")
    analyses = enrich.summarize_plain_many(texts)  # the summaries analyze gives, alone
    if len(analyses) == 1:
        title, text, _ = enrich.split_headline(texts[0])
        summary, points, error = _written(
            ctx, title, text, analyses[0].summary, analyses[0].key_points
        )
        if error:
            click.echo(error, err=True)
    else:
        language = next((a.language for a in analyses if a.language), None)
        told = story_summary([a.summary for a in analyses], n_points=5, language=language)
        summary, points = told.summary, told.key_points
    if as_json:
        click.echo(_dump({"summary": summary, "key_points": points, "articles": len(texts)}))
        return
    click.echo(summary)
    for point in points:
        click.echo(f"  - {point}")


_QUOTES_BATCH = 32


@main.command("quotes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def quotes_cmd(file: Path, as_json: bool) -> None:
    """Who says what in an article, or in each of a story's (the forms `summarize` reads),
    without touching the database: each claim with its speaker and cue, then the speakers
    across the articles, grouped as a story's page groups them (words.speaker_groups).

    Only the parse and the rules run (no embedding, hashtags or summary): ~three quarters of
    the time `analyze` takes. English only, as on the site.
    """
    from newsweave import enrich
    from newsweave.words import speaker_groups

    texts = _story_texts(file)
    if not texts:
        raise click.ClickException(f"{file} holds no article")
    analyses: list[Analysis] = []
    for i in range(0, len(texts), _QUOTES_BATCH):  # a batch's parses held at once, not a file's
        analyses += enrich.attribute_plain_many(texts[i : i + _QUOTES_BATCH])
    titles = [enrich.split_headline(text)[0] for text in texts]
    group = speaker_groups(q.speaker for a in analyses for q in a.attributions)
    by_speaker: dict[str, list[int]] = {}  # speaker -> the articles (0-based) quoting them
    for n, a in enumerate(analyses):
        for q in a.attributions:
            speaker = group.get(q.speaker)
            if speaker and n not in by_speaker.setdefault(speaker, []):
                by_speaker[speaker].append(n)
    speakers = sorted(by_speaker.items(), key=lambda kv: -len(kv[1]))
    if as_json:
        articles = [
            {
                "title": title,
                "language": a.language,
                "attributions": [q.to_json() for q in a.attributions],
                "errors": a.errors,
            }
            for title, a in zip(titles, analyses, strict=True)
        ]
        listed = [{"speaker": k, "articles": v} for k, v in speakers]
        click.echo(_dump({"articles": articles, "speakers": listed}))
        return
    if not any(a.attributions for a in analyses):
        click.echo(f"no one is quoted in {file} (who says what reads English only)")
    for n, (title, a) in enumerate(zip(titles, analyses, strict=True)):
        if len(texts) > 1:
            click.echo(f"[{n + 1}] {title or '(no headline)'}")
        for q in a.attributions:
            click.echo(f"  {q.speaker or '?'} ({q.cue}): {q.content}")
        for name, error in a.errors.items():
            click.echo(f"error in {name}: {error}", err=True)
    if len(texts) > 1 and speakers:
        click.echo("\nspeakers across the articles:")
        for speaker, ns in speakers:
            click.echo(f"  {speaker}: " + ", ".join(f"[{n + 1}]" for n in ns))


@main.command("cluster")
@click.option(
    "--batch", type=click.IntRange(1, 1024), default=64, help="Articles embedded at once."
)
def cluster_cmd(batch: int) -> None:
    """Cluster JSONL articles from stdin into stories, printing {"id", "story"} per article.

    Input lines carry id, title, text and published, in time order (other fields are ignored);
    the clusterer is the pipeline's own. A bad line is reported on stderr and skipped.
    """
    from newsweave.enrich.stories import stream
    from newsweave.ingest.feeds import parse_date

    def items() -> Iterator[tuple[Any, str, str, datetime]]:
        last = datetime.now(UTC)
        for n, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or "id" not in item:
                    raise ValueError("not an object with an id")
                when = parse_date(str(item["published"])) if item.get("published") else None
            except ValueError as exc:
                click.echo(f"line {n}: skipped: {exc}", err=True)
                continue
            last = when or last
            yield item["id"], str(item.get("title") or ""), str(item.get("text") or ""), last

    for item_id, story in stream(items(), batch):
        click.echo(json.dumps({"id": item_id, "story": story}, ensure_ascii=False))


@main.command("reindex")
@click.option("--all", "everything", is_flag=True, help="Every article, not only stale ones.")
@click.option(
    "--search",
    is_flag=True,
    help="Only build the search index again: this machine's now, every other machine's as "
    "its web processes next catch up.",
)
@click.pass_context
def reindex_cmd(ctx: click.Context, everything: bool, search: bool) -> None:
    """Run the analyses again over stored articles after a model or version change."""
    from newsweave import collecting, jobs, pipeline

    if search:
        _reindex_search(_db(ctx))
        return
    db = _db(ctx, enriching=True)
    ids = pipeline.stale_for_reindex(
        db, everything=everything, on_progress=_counter("reindex: stories cleared")
    )
    with collecting.Enricher(jobs.workers_for(_settings(ctx).workers)) as enricher:
        done, failed = enricher.enrich(db, ids, _counter("reindex"))
    for old, new in pipeline.join_known_tags(db):
        click.echo(f"tag {old} joined {new} (its old URL redirects)")
    gone = pipeline.drop_empty_tags(db)
    if gone:
        shown = ", ".join(gone[:20]) + (", ..." if len(gone) > 20 else "")
        click.echo(f"{len(gone)} tags no article carries any more removed: {shown}")
    jobs.fold_counts(db)
    click.echo(f"reindexed {done} articles, {failed} failed")


def _reindex_search(db: Database) -> None:
    from newsweave.store import searchindex

    with db.begin() as conn:
        searchindex.rebuild_everywhere(conn)
    path = searchindex.index_path(db)
    if path is None:
        raise click.ClickException(
            "this database keeps no search index here (in memory, or PostgreSQL without "
            "NEWSWEAVE_DATA_DIR): searches ask the database"
        )
    index = searchindex.SearchIndex(path)
    done = index.catch_up(db, _counter("search index"))
    if not index.ready:
        raise click.ClickException(
            f"another process is writing the search index at {path}: it builds it instead"
        )
    click.echo(f"search index at {path}: {done} articles")


def _counter(label: str) -> Callable[[int, int, int], None]:
    """Progress of a long batch on standard error: counts, rate and failures every 2 s."""
    start = time.monotonic()
    last = [0.0]

    def progress(n: int, total: int, failed: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 2 or n == total:
            last[0] = now
            rate = n / max(now - start, 1e-6)
            click.echo(
                f"{label}: {n}/{total} articles, {failed} failed, {rate:.1f} articles/s", err=True
            )

    return progress


@main.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 1000), default=20)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def search_cmd(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
    """Full-text search of stored articles, best first."""
    with _db(ctx).connect() as conn:
        hits = search_store.search(conn, query, limit=limit)
    if as_json:
        click.echo(_dump([h.as_dict() for h in hits]))
        return
    if not hits:
        click.echo("no matches")
    for h in hits:
        snippet = h.snippet.replace(search_store.HIT_START, "[").replace(search_store.HIT_END, "]")
        when = h.published.date().isoformat() if h.published else "-"
        click.echo(f"{h.id:>6}  {h.title}  ({h.source}, {when})\n        {snippet}")


@main.command("export")
@click.option("--since", help="Only articles published or seen since this date.")
@click.option("--source", "source_ref", help="Only this source (id, name or feed URL).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.pass_context
def export_cmd(
    ctx: click.Context, since: str | None, source_ref: str | None, output: Path | None
) -> None:
    """Write every stored article with all its fields as JSONL."""
    from newsweave.ingest.feeds import parse_date

    db = _db(ctx)
    since_at = None
    if since:
        since_at = parse_date(since)
        if since_at is None:
            raise click.BadParameter(f"not a date: {since!r}", param_hint="--since")
    with db.connect() as conn:
        source_id = source_store.find_source(conn, source_ref).id if source_ref else None
        total = article_store.count_export(conn, since_at, source_id)
        progress = _counter("export")
        out = output.open("w", encoding="utf-8") if output else sys.stdout
        n = 0
        try:
            # Streamed 500 articles at a time: memory stays flat at any archive size.
            for row in article_store.iter_export(conn, since_at, source_id):
                out.write(_dump(row) + "\n")
                n += 1
                progress(n, max(total, n), 0)
        finally:
            if output:
                out.close()
    if output:
        click.echo(f"exported {n} articles to {output}")


# --- accounts ------------------------------------------------------------------------------


@main.group()
def user() -> None:
    """Accounts of the site."""


@user.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), default="reader", show_default=True)
@click.option("--email", default=None)
@click.pass_context
def user_create(ctx: click.Context, name: str, role: str, email: str | None) -> None:
    """Create an account. The password is read from standard input when it is not a terminal."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    user_id = accounts.create_user(_db(ctx), name, password, email, role)
    click.echo(f"created user {name} (id {user_id}, {role})")


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(accounts.ROLES))
@click.pass_context
def user_role(ctx: click.Context, name: str, role: str) -> None:
    """Give NAME another role (reader, moderator, admin). The web processes of this host (with
    the same data folder), or every one with NEWSWEAVE_REDIS_URL, forget their cached sessions
    at once, so a demoted moderator is one everywhere."""
    accounts.set_role(_db(ctx), name, role)
    _shared_state(_settings(ctx)).revoke()  # the web processes of this host, or all on Redis
    click.echo(f"{name} is now {role}")


@user.command("token")
@click.argument("name")
@click.option("--label", default="api", help="What the token is for.")
@click.pass_context
def user_token(ctx: click.Context, name: str, label: str) -> None:
    """Print a new API token for NAME (shown once; only its hash is stored)."""
    click.echo(accounts.new_api_token(_db(ctx), name, label))


# --- operator ------------------------------------------------------------------------------


@main.command("config")
@click.pass_context
def config_cmd(ctx: click.Context) -> None:
    """Print the effective settings (secrets redacted) and where each comes from."""
    settings = _settings(ctx)
    for opt in config.OPTIONS:
        click.echo(f"{opt.env}={settings.redacted()[opt.name]}  # {opt.help}")


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or migrate the database to the newest schema."""
    _db(ctx)
    click.echo("database is up to date")
