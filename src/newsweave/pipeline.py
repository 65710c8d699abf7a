"""The one place an article goes through enrichment into the store.

Each function is one step of an article's road and one or two transactions; the article's state
in the database says which step comes next, so a crash anywhere is finished by running the
pending steps again (jobs does), and nothing is done twice: writes are keyed upserts.

    feed entry ──record_feed_item──> DISCOVERED ──(jobs fetches the page)──> store_page
    store_page ──> FETCHED ──extract_stored──> EXTRACTED ──enrich──> ENRICHED
    archive item / full-text entry ──ingest──> EXTRACTED ──enrich──> ENRICHED
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from newsweave.enrich import STEPS
from newsweave.enrich.steps import StepInput
from newsweave.errors import ExtractionError
from newsweave.ingest.extract import MIN_WORDS, as_article, extract
from newsweave.ingest.feeds import full_text
from newsweave.ingest.identity import canonical_url, content_hash, text_key, url_key
from newsweave.model import ArticleIn, ArticleState, FeedItem
from newsweave.store import articles as store
from newsweave.store.db import Database
from newsweave.store.sources import source_for_article

__all__ = [
    "Outcome",
    "enrich",
    "extract_stored",
    "ingest",
    "page_failed",
    "record_feed_item",
    "store_page",
]

Outcome = store.Outcome


@dataclass(frozen=True, slots=True)
class _Identity:
    ident: str
    url: str | None
    title_key: str | None
    content_hash: str


def _identity(url: str | None, title: str | None, text: str, source_id: int) -> _Identity:
    clean: str | None = None
    if url:
        try:
            clean = canonical_url(url)
        except ValueError:
            clean = None
    tkey = text_key(title)[:500] if title else None
    chash = content_hash(text)
    if clean:
        ident = url_key(clean)
    elif tkey:
        ident = f"urn:newsweave:{source_id}:title:{tkey}"
    else:
        ident = f"urn:newsweave:{source_id}:text:{chash}"
    return _Identity(ident[:2200], clean, tkey, chash)


def _record(art: ArticleIn, source_id: int, guid: str | None = None) -> store.ArticleRecord:
    """What the store keeps of an article, with its identity."""
    ident = _identity(art.url, art.title, art.text, source_id)
    return store.ArticleRecord(
        source_id=source_id,
        ident=ident.ident,
        url=ident.url,
        title=art.title,
        title_key=ident.title_key,
        text=art.text,
        content_hash=ident.content_hash,
        byline=art.byline,
        description=art.description,
        image=art.image,
        language=art.language,
        published_at=art.published,
        fetched_at=art.fetched_at,
        guid=guid,
    )


def ingest(
    db: Database, art: ArticleIn, *, source_id: int | None = None, now: datetime | None = None
) -> tuple[int, Outcome]:
    """Store a complete article (archive item, full-text feed entry) and enrich it if new."""
    when = now or datetime.now(UTC)
    with db.begin() as conn:
        sid = source_id or source_for_article(conn, art.source_name, art.source_homepage)
        article_id, outcome = store.upsert(conn, _record(art, sid), when)
    if outcome in (Outcome.INSERTED, Outcome.UPDATED):
        enrich(db, article_id, when)
    return article_id, outcome


def record_feed_item(
    db: Database, source_id: int, item: FeedItem, now: datetime | None = None
) -> Outcome | None:
    """Store a feed entry: the article itself if the feed has its full text, else a DISCOVERED
    row for jobs to fetch. Returns the outcome, or None for a newly discovered (or known) entry."""
    when = now or datetime.now(UTC)
    text = full_text(item)
    if text is not None or item.url is None:
        body = text or item.summary or ""
        if len(body.split()) < MIN_WORDS // 2:
            return Outcome.UNCHANGED  # no URL and (almost) no text: nothing to keep
        art = ArticleIn(
            url=item.url,
            title=item.title,
            text=body,
            byline=item.author,
            published=item.published,
            fetched_at=when,
        )
        return ingest(db, art, source_id=source_id, now=when)[1]
    ident = _identity(item.url, item.title, "", source_id)
    with db.begin() as conn:
        store.discover(
            conn,
            source_id=source_id,
            ident=ident.ident,
            url=ident.url or item.url,
            title=item.title,
            title_key=ident.title_key,
            summary=item.summary,
            published_at=item.published,
            guid=item.guid,
            now=when,
        )
    return None


def store_page(
    db: Database, article_id: int, url: str, content_type: str, body: bytes, now: datetime
) -> Outcome:
    """Keep a fetched page (FETCHED), then extract it from memory."""
    with db.begin() as conn:
        store.store_raw(conn, article_id, url, content_type, body, now)
        row = store.get_article(conn, article_id)
    return _extract(db, row, url, body, now)


def extract_stored(db: Database, article_id: int, now: datetime) -> Outcome:
    """Extract a FETCHED article from its stored page (after a crash, or to re-extract)."""
    with db.connect() as conn:
        raw = store.raw_page(conn, article_id)
        row = store.get_article(conn, article_id)
    if raw is None:
        raise ExtractionError(f"article {article_id} has no stored page")
    return _extract(db, row, raw[0], raw[1], now)


def _extract(
    db: Database, row: dict[str, Any], page_url: str, html: bytes, now: datetime
) -> Outcome:
    """Extract a page into its article row and enrich it.

    A page with no article text is not retried (extraction is deterministic); the feed's teaser
    stands in for the text when there is one, so the article is still listed.
    """
    try:
        ex = extract(html, page_url)
    except ExtractionError as exc:
        return _fallback_or_fail(db, row, f"extraction: {exc}", now)
    # The feed's title and date stand when the page lacks them; the feed's date wins because
    # pages often carry a modified date where feeds carry the publication date.
    art = replace(
        as_article(ex, page_url, now),
        title=ex.title or row["title"],
        published=row["published_at"] or ex.published,
    )
    with db.begin() as conn:
        record = _record(art, row["source_id"], guid=row["guid"])
        new_id, outcome = store.upsert(conn, record, now, article_id=row["id"])
    if outcome in (Outcome.INSERTED, Outcome.UPDATED):
        enrich(db, new_id, now)
    return outcome


def _fallback_or_fail(db: Database, row: dict[str, Any], error: str, now: datetime) -> Outcome:
    """Publish the feed's teaser as the text if it is long enough (UPDATED), else give up
    (UNCHANGED, state FAILED)."""
    article_id = int(row["id"])
    teaser = row["summary"]
    if teaser and len(teaser.split()) >= MIN_WORDS // 2:
        with db.begin() as conn:
            store.upsert(
                conn,
                store.ArticleRecord(
                    source_id=row["source_id"],
                    ident=row["ident"],
                    url=row["url"],
                    title=row["title"],
                    title_key=row["title_key"],
                    text=teaser,
                    content_hash=content_hash(teaser),
                    published_at=row["published_at"],
                    fetched_at=now,
                    guid=row["guid"],
                ),
                now,
                article_id=article_id,
            )
            store.note_error(conn, article_id, f"{error}; showing the feed's teaser")
        enrich(db, article_id, now)
        return Outcome.UPDATED
    with db.begin() as conn:
        store.give_up(conn, article_id, error, now)
    return Outcome.UNCHANGED


def page_failed(
    db: Database, article_id: int, error: str, now: datetime, *, retry: bool, max_attempts: int
) -> ArticleState:
    """A page fetch failed: count it and retry later, or fall back to the teaser / give up."""
    with db.begin() as conn:
        if retry:
            state = store.mark_failed_attempt(conn, article_id, error, now, max_attempts)
            if state != ArticleState.FAILED:
                return state
        row = store.get_article(conn, article_id)
    used_teaser = _fallback_or_fail(db, row, error, now) == Outcome.UPDATED
    return ArticleState.ENRICHED if used_teaser else ArticleState.FAILED


def enrich(db: Database, article_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Run every analysis on a stored article; each failure is recorded, none stops the rest."""
    when = now or datetime.now(UTC)
    with db.connect() as conn:
        title, text, declared = store.article_for_enrichment(conn, article_id)
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for step in STEPS:
        try:
            results[step.name] = step.run(StepInput(title, text, declared, results))
        except Exception as exc:
            errors[step.name] = f"{type(exc).__name__}: {exc}"
    with db.begin() as conn:
        for step in STEPS:
            store.save_analysis(
                conn,
                article_id,
                step.name,
                step.version,
                results.get(step.name),
                errors.get(step.name),
                when,
            )
        language = results.get("language") or declared
        store.set_enriched(conn, article_id, language, when)
    return results
