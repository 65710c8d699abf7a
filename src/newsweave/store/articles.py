"""Articles: the one table every stage writes, keyed so nothing is stored twice.

Identity (STYLE habit 6): the `ident` column is the URL key, or for an article without a URL a
key of its source and title. `upsert` also finds the same article under another URL by its
content hash, and an URL-less copy (from a scraped dump) by its source and title, so an article
seen in a feed, re-fetched and imported is one row. Changed text updates the row in place and
bumps `version`. Every write here runs inside the caller's transaction: all or nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, Connection, delete, func, insert, or_, select, update

from newsweave.errors import NotFoundError
from newsweave.model import VISIBLE_STATES, ArticleState
from newsweave.store import locks, upserts
from newsweave.store.schema import (
    ARTICLE_TIME,
    analyses,
    article_raw,
    article_urls,
    articles,
    sources,
)

__all__ = [
    "ArticleForEnrichment",
    "ArticleRecord",
    "ArticleRow",
    "Outcome",
    "PendingArticle",
    "article_for_enrichment",
    "awaiting_enrichment",
    "discover",
    "get_article",
    "give_up",
    "holds_language",
    "host_of",
    "iter_export",
    "mark_failed_attempt",
    "note_error",
    "pending",
    "pending_hosts",
    "raw_page",
    "save_analyses",
    "set_enriched",
    "store_raw",
    "upsert",
    "waiting_sources",
]


class Outcome(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # the same article, the same text
    DUPLICATE = "duplicate"  # the same text under another URL: recorded as an alias
    TOMBSTONED = "tombstoned"  # deleted by the operator: never imported again


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """Everything the pipeline writes about one article's content."""

    source_id: int
    ident: str
    url: str | None
    title: str | None
    title_key: str | None
    text: str
    content_hash: str
    byline: str | None = None
    description: str | None = None
    section: str | None = None
    image: str | None = None
    language: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime | None = None
    guid: str | None = None
    state: ArticleState = ArticleState.EXTRACTED


@dataclass(frozen=True, slots=True)
class PendingArticle:
    id: int
    url: str | None
    source_id: int
    state: ArticleState
    attempts: int


# What upsert needs to know about a stored row to decide what a record is to it.
_COLS = (articles.c.id, articles.c.ident, articles.c.content_hash, articles.c.state, articles.c.url)


def _by_ident(conn: Connection, ident: str) -> Any:
    """The row whose identity key, or one of whose alias keys, is `ident` (both unique)."""
    row = conn.execute(select(*_COLS).where(articles.c.ident == ident)).first()
    if row is not None:
        return row
    return conn.execute(
        select(*_COLS)
        .join(article_urls, article_urls.c.article_id == articles.c.id)
        .where(article_urls.c.ident == ident)
    ).first()


def _find(conn: Connection, rec: ArticleRecord) -> tuple[Any, bool] | None:
    """The stored row this record is, and whether it was found by content (a duplicate)."""
    row = _by_ident(conn, rec.ident)
    if row is not None:
        return row, False
    if rec.title_key:
        # The same article without a URL (a scraped dump), now with one, or the reverse.
        same_title = select(*_COLS).where(
            articles.c.source_id == rec.source_id, articles.c.title_key == rec.title_key
        )
        if rec.url is not None:
            same_title = same_title.where(articles.c.url.is_(None))
        row = conn.execute(same_title).first()
        if row is not None:
            return row, False
    if rec.text:
        row = conn.execute(
            select(*_COLS).where(articles.c.content_hash == rec.content_hash).limit(1)
        ).first()
        if row is not None:
            return row, True
    return None


def upsert(
    conn: Connection,
    rec: ArticleRecord,
    now: datetime | None = None,
    *,
    article_id: int | None = None,
) -> tuple[int, Outcome]:
    """Store an article once: insert it, update it in place, or recognise it. Returns (id, outcome).

    `article_id` names the row this content belongs to (a discovered entry whose page was
    fetched); if the content turns out to be another stored article, that row is folded into it.
    """
    when = now or datetime.now(UTC)
    values = {
        "url": rec.url,
        "title": rec.title,
        "title_key": rec.title_key,
        "text": rec.text,
        "content_hash": rec.content_hash,
        "byline": rec.byline,
        "description": rec.description,
        "image": rec.image,
        "language": rec.language,
        "published_at": rec.published_at,
        "fetched_at": rec.fetched_at or when,
        "guid": rec.guid,
        "state": rec.state,
        "last_error": None,
        "next_attempt_at": None,
    }
    if rec.section:  # a page without one keeps what its feed entry said
        values["section"] = rec.section
    # Two processes meeting one article (by address, by headline in its source, by content)
    # take turns here, so both find what the first stored instead of storing it twice.
    keys = [f"article:{rec.ident}", f"content:{rec.content_hash}"]
    if rec.title_key:
        keys.append(f"title:{rec.source_id}:{rec.title_key}")
    locks.hold(conn, *keys)
    found = _find(conn, rec)
    if article_id is not None:
        if found is not None and int(found[0].id) != article_id:
            _fold(conn, article_id, int(found[0].id))
            return int(found[0].id), Outcome.DUPLICATE
        target = conn.execute(select(*_COLS).where(articles.c.id == article_id)).first()
        if target is None:
            raise NotFoundError(f"no article with id {article_id}")
        found = (target, False)
    if found is None:
        new = conn.execute(
            insert(articles).values(
                ident=rec.ident,
                source_id=rec.source_id,
                first_seen_at=when,
                updated_at=when,
                version=1,
                attempts=0,
                **values,
            )
        ).inserted_primary_key
        assert new is not None
        return int(new[0]), Outcome.INSERTED
    row, by_content = found
    article_id = int(row.id)
    if row.state == ArticleState.GONE:
        return article_id, Outcome.TOMBSTONED
    if by_content:
        _add_alias(conn, article_id, rec.ident)
        return article_id, Outcome.DUPLICATE
    if rec.ident != row.ident:
        _add_alias(conn, article_id, rec.ident)
    if row.content_hash == rec.content_hash and row.state in VISIBLE_STATES:
        if rec.url and not row.url:  # a URL-less copy learns its URL
            conn.execute(update(articles).where(articles.c.id == article_id).values(url=rec.url))
        return article_id, Outcome.UNCHANGED
    keep = {
        k: v for k, v in values.items() if v is not None or k in ("last_error", "next_attempt_at")
    }
    conn.execute(
        update(articles)
        .where(articles.c.id == article_id)
        .values(
            **keep,
            updated_at=when,
            version=articles.c.version + (1 if row.state in VISIBLE_STATES else 0),
        )
    )
    # A row that was never readable (a discovered entry) becomes a new article for the reader.
    return article_id, Outcome.UPDATED if row.state in VISIBLE_STATES else Outcome.INSERTED


def _fold(conn: Connection, article_id: int, into_id: int) -> None:
    """A discovered row turned out to be a stored article: keep its URL as an alias, drop it."""
    ident = conn.execute(select(articles.c.ident).where(articles.c.id == article_id)).scalar_one()
    conn.execute(
        update(article_urls)
        .where(article_urls.c.article_id == article_id)
        .values(article_id=into_id)
    )
    conn.execute(delete(articles).where(articles.c.id == article_id))
    _add_alias(conn, into_id, ident)


def _add_alias(conn: Connection, article_id: int, ident: str) -> None:
    upserts.insert_missing(
        conn, article_urls, [{"ident": ident, "article_id": article_id}], ["ident"]
    )


def discover(
    conn: Connection,
    *,
    source_id: int,
    ident: str,
    url: str,
    title: str | None,
    title_key: str | None,
    summary: str | None,
    published_at: datetime | None,
    guid: str | None,
    now: datetime,
    section: str | None = None,
) -> tuple[int, bool]:
    """Record a feed entry whose page is still to be fetched. Returns (id, created)."""
    locks.hold(conn, f"article:{ident}")
    row = _by_ident(conn, ident)
    if row is not None:
        return int(row.id), False
    new = conn.execute(
        insert(articles).values(
            ident=ident,
            url=url,
            source_id=source_id,
            title=title,
            title_key=title_key,
            text="",
            summary=summary,
            published_at=published_at,
            guid=guid,
            section=section,
            state=ArticleState.DISCOVERED,
            first_seen_at=now,
            updated_at=now,
            next_attempt_at=now,
            attempts=0,
            version=1,
        )
    ).inserted_primary_key
    assert new is not None
    return int(new[0]), True


# Waiting for the network or for extraction; EXTRACTED ones wait for enrichment, which runs in
# batches (awaiting_enrichment).
_PENDING_STATES = [ArticleState.DISCOVERED, ArticleState.FETCHED]


def _due(now: datetime) -> tuple[Any, ...]:
    """Waiting to be fetched or extracted, and its next attempt is due."""
    return articles.c.state.in_(_PENDING_STATES), _attempt_due(now)


def _attempt_due(now: datetime) -> ColumnElement[bool]:
    """Never failed, or backed off long enough (mark_failed_attempt)."""
    return or_(articles.c.next_attempt_at.is_(None), articles.c.next_attempt_at <= now)


def pending(
    conn: Connection,
    now: datetime,
    source_ids: Sequence[int] | None = None,
    limit: int = 500,
    host: str | None = None,
) -> list[PendingArticle]:
    """Articles waiting to be fetched or extracted whose next attempt is due (of the sources
    given, or whose page is on `host`: a netloc, as `pending_hosts` gives it)."""
    q = (
        select(
            articles.c.id,
            articles.c.url,
            articles.c.source_id,
            articles.c.state,
            articles.c.attempts,
        )
        .where(*_due(now))
        .order_by(articles.c.first_seen_at, articles.c.id)
        .limit(limit)
    )
    if source_ids is not None:
        q = q.where(articles.c.source_id.in_(list(source_ids)))
    if host is not None:
        on = host.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        q = q.where(
            or_(
                articles.c.url.like(f"http://{on}/%", escape="\\"),
                articles.c.url.like(f"https://{on}/%", escape="\\"),
            )
        )
    return [
        PendingArticle(r.id, r.url, r.source_id, ArticleState(r.state), r.attempts)
        for r in conn.execute(q)
    ]


def pending_hosts(conn: Connection, now: datetime, limit: int = 20_000) -> list[str]:
    """The hosts (netlocs, lower-cased) of the articles due to be fetched or extracted."""
    q = select(articles.c.url).where(*_due(now), articles.c.url.is_not(None)).limit(limit)
    return sorted({host_of(u) for u in conn.execute(q).scalars()} - {""})


def host_of(url: str | None) -> str:
    """The host a page is on, as the cluster's per-host jobs and `pending(host=...)` key it."""
    return urlsplit(url or "").netloc.lower()


def waiting_sources(conn: Connection, now: datetime) -> tuple[list[int], list[int]]:
    """The sources with articles due to be fetched or extracted, and those with articles
    due for enrichment: what the cluster's tick hands out as jobs."""
    due = select(articles.c.source_id).where(*_due(now)).distinct()
    extracted = select(articles.c.source_id).where(*_enrichment_due(now)).distinct()
    return sorted(conn.execute(due).scalars()), sorted(conn.execute(extracted).scalars())


def _enrichment_due(now: datetime) -> tuple[Any, ...]:
    """Waiting for enrichment, and not backing off after a failed one (mark_failed_attempt)."""
    return articles.c.state == ArticleState.EXTRACTED, _attempt_due(now)


def awaiting_enrichment(
    conn: Connection,
    source_ids: Sequence[int] | None = None,
    limit: int = 1000,
    *,
    now: datetime | None = None,
) -> list[int]:
    """EXTRACTED articles due for enrichment, in the order they came in (the order stories
    are built in)."""
    q = (
        select(articles.c.id)
        .where(*_enrichment_due(now or datetime.now(UTC)))
        .order_by(articles.c.first_seen_at, articles.c.id)
        .limit(limit)
    )
    if source_ids is not None:
        q = q.where(articles.c.source_id.in_(list(source_ids)))
    return list(conn.execute(q).scalars())


def still_awaiting(conn: Connection, article_ids: Sequence[int]) -> set[int]:
    """Which of these articles are still EXTRACTED (no process has enriched them since)."""
    q = select(articles.c.id).where(
        articles.c.id.in_(list(article_ids)), articles.c.state == ArticleState.EXTRACTED
    )
    return set(conn.execute(q).scalars())


def store_raw(
    conn: Connection, article_id: int, url: str, content_type: str, body: bytes, now: datetime
) -> None:
    """Keep the fetched page (compressed) and move the article to FETCHED."""
    packed = zlib.compress(body, 6)
    values = {"url": url, "content_type": content_type, "body": packed, "fetched_at": now}
    upserts.put(conn, article_raw, {"article_id": article_id, **values}, ["article_id"])
    conn.execute(
        update(articles)
        .where(articles.c.id == article_id)
        .values(state=ArticleState.FETCHED, fetched_at=now, updated_at=now)
    )


def raw_page(conn: Connection, article_id: int) -> tuple[str, bytes] | None:
    """The stored page of an article as (url, html bytes), if any."""
    r = conn.execute(
        select(article_raw.c.url, article_raw.c.body).where(article_raw.c.article_id == article_id)
    ).first()
    return (r.url, zlib.decompress(r.body)) if r else None


def mark_failed_attempt(
    conn: Connection, article_id: int, error: str, now: datetime, max_attempts: int | None
) -> ArticleState:
    """Count a failed fetch, extraction or enrichment and back off (10 minutes after the
    first, doubling up to ~21 hours); give up after `max_attempts` (None: never).

    An enrichment whose results the database refuses is never given up on: the article stays
    EXTRACTED, readable without its analyses, since such a fault is most often a bug that an
    upgrade mends; but it must not be redone on every round, nor keep a burst worker busy for
    ever (_enrichment_due)."""
    row = conn.execute(
        select(articles.c.attempts, articles.c.state).where(articles.c.id == article_id)
    ).one()
    attempts = int(row.attempts) + 1
    gives_up = max_attempts is not None and attempts >= max_attempts
    state = ArticleState.FAILED if gives_up else ArticleState(row.state)
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_error": error,
        "updated_at": now,
        "next_attempt_at": now + _backoff(attempts),
        "state": state,
    }
    conn.execute(update(articles).where(articles.c.id == article_id).values(values))
    return state


def _backoff(attempts: int) -> timedelta:
    """10 minutes after the first failure, doubling up to ~21 hours."""
    return timedelta(minutes=5 * 2 ** min(attempts, 8))


def save_analyses(
    conn: Connection,
    article_id: int,
    results: Sequence[tuple[str, str, Any, str | None]],
    now: datetime,
) -> None:
    """Store several analyses (name, version, data, error) of an article in two statements."""
    if not results:
        return
    conn.execute(
        delete(analyses).where(
            analyses.c.article_id == article_id, analyses.c.name.in_([r[0] for r in results])
        )
    )
    conn.execute(
        insert(analyses),
        [
            {
                "article_id": article_id,
                "name": name,
                "version": version,
                "data": data,
                "error": error,
                "computed_at": now,
            }
            for name, version, data, error in results
        ],
    )


def label_filters(labels: dict[str, str] | None) -> list[Any]:
    """WHERE clauses for an article's language and its source's labels (country, ownership,
    kind); unknown keys and empty values are ignored."""
    columns = {
        "language": articles.c.language,
        "country": sources.c.country,
        "ownership": sources.c.ownership,
        "kind": sources.c.kind,
        "lean": sources.c.lean,
    }
    return [columns[k] == v for k, v in (labels or {}).items() if k in columns and v]


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One stored article as a whole, with its source's name and labels: what the article
    page, the API and the operator's tools read."""

    id: int
    ident: str
    url: str | None
    source_id: int
    guid: str | None
    title: str | None
    title_key: str | None
    text: str
    summary: str | None
    byline: str | None
    section: str | None
    description: str | None
    image: str | None
    language: str | None
    published_at: datetime | None
    first_seen_at: datetime
    fetched_at: datetime | None
    updated_at: datetime
    content_hash: str | None
    version: int
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    duplicate_of: int | None
    story_id: int | None
    understood_seq: int | None
    first_understood_seq: int | None
    source: str
    source_country: str | None
    source_ownership: str | None
    source_kind: str | None


def get_article(conn: Connection, article_id: int) -> ArticleRow:
    r = conn.execute(
        select(
            articles,
            sources.c.name.label("source"),
            sources.c.country.label("source_country"),
            sources.c.ownership.label("source_ownership"),
            sources.c.kind.label("source_kind"),
        )
        .join(sources, sources.c.id == articles.c.source_id)
        .where(articles.c.id == article_id)
    ).first()
    if r is None:
        raise NotFoundError(f"no article with id {article_id}")
    return ArticleRow(**r._mapping)


def _export_filters(since: datetime | None, source_id: int | None) -> list[Any]:
    where: list[Any] = []
    if since is not None:
        where.append(ARTICLE_TIME >= since)  # noqa: SIM300
    if source_id is not None:
        where.append(articles.c.source_id == source_id)
    return where


def count_export(
    conn: Connection, since: datetime | None = None, source_id: int | None = None
) -> int:
    """How many articles iter_export will give (for its progress)."""
    q = select(func.count()).select_from(articles).where(*_export_filters(since, source_id))
    return int(conn.execute(q).scalar_one())


def iter_export(
    conn: Connection, since: datetime | None = None, source_id: int | None = None
) -> Iterator[dict[str, Any]]:
    """Every stored field of every article (with its analyses), oldest first, streamed.

    `since` compares the publication time, or the first-seen time of an undated article.
    """
    q = (
        select(articles, sources.c.name.label("source"))
        .join(sources, sources.c.id == articles.c.source_id)
        .where(*_export_filters(since, source_id))
        .order_by(articles.c.id)
    )
    # Articles 500 at a time, and the analyses of each 500 in one query (not one per article).
    for part in conn.execute(q.execution_options(yield_per=500)).partitions():
        rows = [dict(r._mapping) for r in part]
        found: dict[int, dict[str, Any]] = {r["id"]: {} for r in rows}
        for a in conn.execute(
            select(analyses.c.article_id, analyses.c.name, analyses.c.data, analyses.c.error).where(
                analyses.c.article_id.in_(list(found))
            )
        ):
            found[a.article_id][a.name] = a.data if a.error is None else {"error": a.error}
        for row in rows:
            row["analyses"] = found[row["id"]]
            yield row


@dataclass(frozen=True, slots=True)
class ArticleForEnrichment:
    """What the analyses read: title, text, declared language, URL, times, and the publisher's
    labels (section, source name, byline) the genre reads; and when it was last understood,
    so that a process that finds another got there first stores nothing twice."""

    id: int
    title: str
    text: str
    language: str | None
    url: str | None
    published_at: datetime | None
    first_seen_at: datetime | None
    section: str | None
    byline: str | None
    source_name: str | None
    understood_seq: int | None


def article_for_enrichment(conn: Connection, article_id: int) -> ArticleForEnrichment:
    r = conn.execute(
        select(
            articles.c.title,
            articles.c.text,
            articles.c.language,
            articles.c.url,
            articles.c.published_at,
            articles.c.first_seen_at,
            articles.c.section,
            articles.c.byline,
            articles.c.understood_seq,
            sources.c.name.label("source_name"),
        )
        .join(sources, sources.c.id == articles.c.source_id)
        .where(articles.c.id == article_id)
    ).first()
    if r is None:
        raise NotFoundError(f"no article with id {article_id}")
    return ArticleForEnrichment(
        id=article_id,
        title=r.title or "",
        text=r.text or "",
        language=r.language,
        url=r.url,
        published_at=r.published_at,
        first_seen_at=r.first_seen_at,
        section=r.section,
        byline=r.byline,
        source_name=r.source_name,
        understood_seq=r.understood_seq,
    )


def holds_language(conn: Connection, languages: Collection[str]) -> bool:
    """Whether any article is in one of `languages` (ISO 639-1 codes other than English, as
    enrichment stores them): a look in the partial index of such articles (0025)."""
    found = conn.execute(
        select(articles.c.language)
        .where(articles.c.language != "en", articles.c.language.in_(sorted(languages)))
        .limit(1)
    ).first()
    return found is not None


def set_enriched(
    conn: Connection,
    article_id: int,
    language: str | None,
    now: datetime,
    summary: str | None = None,
) -> None:
    values: dict[str, Any] = {
        "state": ArticleState.ENRICHED,
        "language": language,
        "updated_at": now,
    }
    if summary:
        values["summary"] = summary
    conn.execute(update(articles).where(articles.c.id == article_id).values(values))


def give_up(conn: Connection, article_id: int, error: str, now: datetime) -> None:
    """Stop trying an article (an error that a retry cannot fix)."""
    conn.execute(
        update(articles)
        .where(articles.c.id == article_id)
        .values(state=ArticleState.FAILED, last_error=error, updated_at=now, next_attempt_at=None)
    )


def note_error(conn: Connection, article_id: int, error: str) -> None:
    """Remember why an article is less than it could be (shown to the operator)."""
    conn.execute(update(articles).where(articles.c.id == article_id).values(last_error=error))
