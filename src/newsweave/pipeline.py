"""The one place an article goes through enrichment into the store.

Each function is one step of an article's road and one or two transactions; the article's state
in the database says which step comes next, so a crash anywhere is finished by running the
pending steps again (jobs does), and nothing is done twice: writes are keyed upserts.

    feed entry ──record_feed_item──> DISCOVERED ──(jobs fetches the page)──> store_page
    store_page ──> FETCHED ──extract_stored──> EXTRACTED ──enrich──> ENRICHED
    archive item / full-text entry ──ingest──> EXTRACTED ──enrich──> ENRICHED

Enrichment is two halves: the analyses (pure, CPU-bound, `analyze_rows`), which jobs may run in
worker processes, and `store_enrichment`, one transaction that stores them and runs the
cross-article step (newsweave.understanding: copies, related articles, the story) under the
cluster's understanding lock. The steps before it take `enrich_now=False` to leave the article
EXTRACTED for a batch (`enrich_many`), which is how collecting and importing keep the network
and the CPU busy.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from newsweave import understanding
from newsweave.enrich import STEPS, Analysis, Item, analyze_many, crosslingual, entities, neardup
from newsweave.enrich import embed as embed_mod
from newsweave.enrich.language import base as base_language
from newsweave.enrich.language import guess as guess_language
from newsweave.enrich.outlets import name_outlets
from newsweave.errors import (
    ExtractionError,
    NewsweaveError,
    NotFoundError,
    ParseError,
    StorageError,
)
from newsweave.ingest.extract import MIN_WORDS, as_article, extract
from newsweave.ingest.feeds import full_text
from newsweave.ingest.identity import canonical_url, content_hash, text_key, url_key
from newsweave.llm import LLMError, SummaryWriter
from newsweave.model import ArticleIn, ArticleState, Extracted, FeedItem
from newsweave.sanitize import clean_optional, clean_text
from newsweave.store import articles as store
from newsweave.store import enrichment, locks, stories, vectors
from newsweave.store import tags as tag_store
from newsweave.store.db import Database
from newsweave.store.sources import source_for_article, source_languages, source_names
from newsweave.words import slugify, word_count

__all__ = [
    "Analyzer",
    "Batch",
    "Outcome",
    "Row",
    "StaleArticles",
    "VectorsOf",
    "analyze_in_process",
    "analyze_rows",
    "enrich",
    "enrich_many",
    "enrichment_rows",
    "extract_page",
    "extract_stored",
    "guessed_language",
    "ingest",
    "join_languages",
    "keep_page",
    "multilingual_site",
    "page_failed",
    "record_feed_item",
    "reindex",
    "rows_as_items",
    "stale_for_reindex",
    "store_enrichment",
    "store_extraction",
    "store_page",
    "use_cross_language",
    "use_summary_writer",
]

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Outcome = store.Outcome
Row = store.ArticleForEnrichment  # what enrichment reads of an article
log = logging.getLogger("newsweave.pipeline")


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
    title, text = " ".join(clean_text(art.title or "").split()) or None, clean_text(art.text or "")
    ident = _identity(art.url, title, text, source_id)
    return store.ArticleRecord(
        source_id=source_id,
        ident=ident.ident,
        url=ident.url,
        title=title,
        title_key=ident.title_key,
        text=text,
        content_hash=ident.content_hash,
        byline=clean_optional(art.byline),
        description=clean_optional(art.description),
        section=clean_optional(art.section),
        image=clean_optional(art.image),
        language=art.language,
        published_at=art.published,
        fetched_at=art.fetched_at,
        guid=guid,
    )


def ingest(
    db: Database,
    art: ArticleIn,
    *,
    source_id: int | None = None,
    now: datetime | None = None,
    enrich_now: bool = True,
) -> tuple[int, Outcome]:
    """Store a complete article (archive item, full-text feed entry) and enrich it if new.

    With `enrich_now` false it stays EXTRACTED for a batch enrichment (collecting.Enricher).
    """
    when = now or datetime.now(UTC)
    source_name = clean_optional(art.source_name)
    with db.begin() as conn:
        sid = source_id or source_for_article(
            conn, source_name, art.source_homepage, art.source_labels
        )
        rec = _record(art, sid)  # the text cleaned once; a source made for nothing rolls back
        if not rec.text.strip():
            raise ParseError("no text (nothing is left once control characters are removed)")
        article_id, outcome = store.upsert(conn, rec, when)
    if enrich_now and outcome in (Outcome.INSERTED, Outcome.UPDATED):
        enrich(db, article_id, when)
    return article_id, outcome


def record_feed_item(
    db: Database,
    source_id: int,
    item: FeedItem,
    now: datetime | None = None,
    *,
    enrich_now: bool = True,
) -> Outcome | None:
    """Store a feed entry: the article itself if the feed has its full text, else a DISCOVERED
    row for jobs to fetch. Returns the outcome, or None for a newly discovered (or known) entry."""
    when = now or datetime.now(UTC)
    text = full_text(item)
    if text is not None or item.url is None:
        body = text or item.summary or ""
        if word_count(body) < MIN_WORDS // 2:
            return Outcome.UNCHANGED  # no URL and (almost) no text: nothing to keep
        art = ArticleIn(
            url=item.url,
            title=item.title,
            text=body,
            byline=item.author,
            published=item.published,
            section=item.section,
            fetched_at=when,
        )
        return ingest(db, art, source_id=source_id, now=when, enrich_now=enrich_now)[1]
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
            section=clean_optional(item.section),
            now=when,
        )
    return None


def store_page(
    db: Database,
    article_id: int,
    url: str,
    content_type: str,
    body: bytes,
    now: datetime,
    *,
    enrich_now: bool = True,
) -> Outcome:
    """Keep a fetched page (FETCHED), then extract it from memory."""
    row = keep_page(db, article_id, url, content_type, body, now)
    return _extract(db, row, url, body, now, enrich_now)


def keep_page(
    db: Database, article_id: int, url: str, content_type: str, body: bytes, now: datetime
) -> store.ArticleRow:
    """Keep a fetched page (FETCHED) and return the article's row, for `store_extraction`."""
    with db.begin() as conn:
        store.store_raw(conn, article_id, url, content_type, body, now)
        return store.get_article(conn, article_id)


def extract_page(html: bytes, page_url: str) -> Extracted | str:
    """The extraction, or why there is none: pure, so jobs may run it in another process."""
    try:
        return extract(html, page_url)
    except ExtractionError as exc:
        return str(exc)


def extract_stored(
    db: Database, article_id: int, now: datetime, *, enrich_now: bool = True
) -> Outcome:
    """Extract a FETCHED article from its stored page (after a crash, or to re-extract)."""
    with db.connect() as conn:
        raw = store.raw_page(conn, article_id)
        row = store.get_article(conn, article_id)
    if raw is None:
        raise ExtractionError(f"article {article_id} has no stored page")
    return _extract(db, row, raw[0], raw[1], now, enrich_now)


def _extract(
    db: Database,
    row: store.ArticleRow,
    page_url: str,
    html: bytes,
    now: datetime,
    enrich_now: bool,
) -> Outcome:
    """Extract a page into its article row and enrich it.

    A page with no article text is not retried (extraction is deterministic); the feed's teaser
    stands in for the text when there is one, so the article is still listed.
    """
    return store_extraction(db, row, page_url, extract_page(html, page_url), now, enrich_now)


def store_extraction(
    db: Database,
    row: store.ArticleRow,
    page_url: str,
    ex: Extracted | str,
    now: datetime,
    enrich_now: bool = True,
) -> Outcome:
    """Store what `extract_page` made of a kept page (an error message: the teaser or give up)."""
    if isinstance(ex, str):
        return _fallback_or_fail(db, row, f"extraction: {ex}", now, enrich_now)
    # The feed's title and date stand when the page lacks them; the feed's date wins because
    # pages often carry a modified date where feeds carry the publication date.
    art = replace(
        as_article(ex, page_url, now),
        title=ex.title or row.title,
        published=row.published_at or ex.published,
    )
    with db.begin() as conn:
        record = _record(art, row.source_id, guid=row.guid)
        new_id, outcome = store.upsert(conn, record, now, article_id=row.id)
    if enrich_now and outcome in (Outcome.INSERTED, Outcome.UPDATED):
        enrich(db, new_id, now)
    return outcome


def _fallback_or_fail(
    db: Database, row: store.ArticleRow, error: str, now: datetime, enrich_now: bool
) -> Outcome:
    """Publish the feed's teaser as the text if it is long enough (UPDATED), else give up
    (UNCHANGED, state FAILED)."""
    article_id = row.id
    teaser = row.summary
    if teaser and word_count(teaser) >= MIN_WORDS // 2:
        with db.begin() as conn:
            store.upsert(
                conn,
                store.ArticleRecord(
                    source_id=row.source_id,
                    ident=row.ident,
                    url=row.url,
                    title=row.title,
                    title_key=row.title_key,
                    text=teaser,
                    content_hash=content_hash(teaser),
                    published_at=row.published_at,
                    fetched_at=now,
                    guid=row.guid,
                ),
                now,
                article_id=article_id,
            )
            store.note_error(conn, article_id, f"{error}; showing the feed's teaser")
        if enrich_now:
            enrich(db, article_id, now)
        return Outcome.UPDATED
    with db.begin() as conn:
        store.give_up(conn, article_id, error, now)
    return Outcome.UNCHANGED


def page_failed(
    db: Database,
    article_id: int,
    error: str,
    now: datetime,
    *,
    retry: bool,
    max_attempts: int,
    enrich_now: bool = True,
) -> ArticleState:
    """A page fetch failed: count it and retry later, or fall back to the teaser / give up."""
    with db.begin() as conn:
        if retry:
            state = store.mark_failed_attempt(conn, article_id, error, now, max_attempts)
            if state != ArticleState.FAILED:
                return state
        row = store.get_article(conn, article_id)
    used_teaser = _fallback_or_fail(db, row, error, now, enrich_now) == Outcome.UPDATED
    if not used_teaser:
        return ArticleState.FAILED
    return ArticleState.ENRICHED if enrich_now else ArticleState.EXTRACTED


_writers: weakref.WeakKeyDictionary[Database, SummaryWriter] = weakref.WeakKeyDictionary()


def use_summary_writer(db: Database, writer: SummaryWriter | None) -> None:
    """Have an LLM write the summaries of articles enriched into `db` (None: extractive)."""
    if writer is None:
        _writers.pop(db, None)
    else:
        _writers[db] = writer


# The databases whose site holds an article in another of the cross-language model's languages
# (or is set to make the vector always): once there, it stays there for the process.
_multilingual: weakref.WeakKeyDictionary[Database, bool] = weakref.WeakKeyDictionary()


def use_cross_language(db: Database, *, always: bool) -> None:
    """NEWSWEAVE_CROSS_LANGUAGE: `always` makes every article's cross-language vector from the
    first; otherwise English articles get it once `multilingual_site` (auto)."""
    if always:
        _multilingual[db] = True
    else:
        _multilingual.pop(db, None)


def multilingual_site(db: Database, languages: Sequence[str | None] = ()) -> bool:
    """Whether English articles need the cross-language vector: a source is labelled with
    another of the model's languages, or the site holds an article in one, or one of the
    batch about to be analysed is guessed to be in one (`languages`: Batch.languages, by
    language.guess from its script or its commonest words), whose reports may join English
    stories by it.

    Asked before every batch (the sources' few labels, a look in a partial index: 0025; the
    batch's guesses, ~50 us a row, are made once for this and the routing) until the answer
    is yes. A site whose sources say so carries the
    vector from its first article; one that learns it from an article gives its open stories
    their sums first (`join_languages`), so that article can join the English coverage of
    its event, and the English articles analysed after it carry the vector.
    """
    if _multilingual.get(db):
        return True
    found = any(crosslingual.wanted_alone(x) for x in languages)
    if not found:
        with db.connect() as conn:
            labelled = {base_language(x) for x in source_languages(conn)}
            found = bool(labelled & crosslingual.OTHER_LANGUAGES) or store.holds_language(
                conn, crosslingual.OTHER_LANGUAGES
            )
    if found:
        _multilingual[db] = True
    return found


# The cross-language vectors of (headline, text) pairs, in this process or in worker processes
# (collecting.Enricher): what join_languages is given.
VectorsOf = Callable[[list[tuple[str, str]]], "NDArray[np.float32]"]
# The databases whose open stories this process has given their cross-language sums.
_joined: weakref.WeakKeyDictionary[Database, bool] = weakref.WeakKeyDictionary()


def join_languages(db: Database, vectors_of: VectorsOf = crosslingual.vectors) -> int:
    """Once a process, on a multilingual site: the open stories that hold no cross-language
    vector get the sum of their latest originals' (understanding.SUMMED_MEMBERS), so that the
    first reports in another language can join the coverage they follow; how many did.

    Such stories were begun and fed while the site made no cross-language vector for English
    articles (an English-only site, NEWSWEAVE_CROSS_LANGUAGE=auto); until session 38 the first
    reports in a new language began stories of their own beside them. A failure (a worker's
    death, the database) is logged and leaves the stories as they were: the first reports may
    then begin stories of their own, as before, and the next process tries again.
    """
    if _joined.get(db):
        return 0
    _joined[db] = True
    # Any failure: this step only adds to what enrichment does without it.
    try:
        leads = understanding.unsummed_leads(db)
        if not leads:
            return 0
        vecs = vectors_of([t for texts in leads.values() for t in texts])
    except Exception as exc:
        log.warning("open stories were not given cross-language vectors: %s", exc)
        return 0
    sums, at = {}, 0
    for sid, texts in leads.items():
        sums[sid] = (vecs[at : at + len(texts)].sum(0), len(texts))
        at += len(texts)
    mem = understanding.memory(db)
    try:
        with db.begin() as conn:
            locks.hold(conn, locks.UNDERSTANDING)
            seq = mem.catch_up(conn)
            done = understanding.set_story_sums(conn, mem, sums, seq)
        if done:  # a step of understanding of its own (enrichment.understood_top)
            mem.seen = seq
    except Exception as exc:
        understanding.forget(db)  # memory may hold what the rolled-back transaction wrote
        log.warning("open stories were not given cross-language vectors: %s", exc)
        return 0
    log.info("%d open stories can now be joined by reports in other languages", len(done))
    return len(done)


def _read_batch(
    db: Database, ids: Sequence[int], vectors_of: VectorsOf, *, waiting_only: bool = False
) -> Batch:
    """A batch's rows and whether its site is multilingual, whose open stories are then made
    joinable across languages before any of the batch is stored."""
    rows = enrichment_rows(db, ids, waiting_only=waiting_only)
    languages = tuple(guessed_language(r) for r in rows)
    multilingual = multilingual_site(db, languages)
    if multilingual:
        join_languages(db, vectors_of)
    return Batch(rows, multilingual, languages)


def enrich(db: Database, article_id: int, now: datetime | None = None) -> Analysis:
    """Run every analysis on a stored article and store all of it in one transaction.

    Each analysis' failure is recorded against the article and stops none of the others. Then
    come the analyses that need the other articles: near-duplicates (MinHash bands), related
    articles (vector index, re-ranked), and the story (online clustering).
    """
    batch = _read_batch(db, [article_id], crosslingual.vectors)
    if not batch.rows:
        raise NotFoundError(f"no article with id {article_id}")
    row = batch.rows[0]
    a = analyze_rows([row], multilingual_site=batch.multilingual_site)[0]
    store_enrichment(db, row, a, now)
    return a


def enrichment_rows(
    db: Database, article_ids: Sequence[int], *, waiting_only: bool = False
) -> list[store.ArticleForEnrichment]:
    """What the analyses read of each article, in the order asked; an article deleted since
    it was listed is left out, and with `waiting_only` one another process enriched since.

    Ids are listed long before their rows are read (an import lists every waiting article,
    then reads them a batch at a time): two importers on one PostgreSQL each listed the
    other's articles too, read a row after the other had stored it, and understood it again
    (steps up to 116 for 64 articles, seen in CI). store_enrichment's check refuses a row
    read before the other stored; this leaves out the ones read after.
    """
    rows = []
    with db.connect() as conn:
        wanted = store.still_awaiting(conn, article_ids) if waiting_only else set(article_ids)
        for i in article_ids:
            if i not in wanted:
                log.info("article %s was enriched by another process meanwhile", i)
                continue
            try:
                rows.append(store.article_for_enrichment(conn, i))
            except NotFoundError:
                log.info("article %s is gone; not enriched", i)
    return rows


def analyze_rows(
    rows: Sequence[store.ArticleForEnrichment], *, multilingual_site: bool = True
) -> list[Analysis]:
    """The pure half of enrichment: safe to run in another process (see collecting.Enricher).
    `multilingual_site`: as analyze_many's (the answer of this module's `multilingual_site`)."""
    return analyze_many(rows_as_items(rows), multilingual_site=multilingual_site)


def rows_as_items(rows: Sequence[store.ArticleForEnrichment]) -> list[Item]:
    """What the analyses read of stored articles; the publisher's labels for the genre."""
    return [
        Item(
            r.title,
            r.text,
            r.language,
            r.url,
            tuple(x for x in (r.section, r.source_name, r.byline) if x),
            r.source_name,
        )
        for r in rows
    ]


def store_enrichment(
    db: Database, row: store.ArticleForEnrichment, a: Analysis, now: datetime | None = None
) -> bool:
    """The half of enrichment that needs the database and the other articles: one transaction.
    False when another process understood the article since `row` was read (nothing stored).

    An LLM summary writer, when configured, replaces the extractive summary here.
    """
    when = now or datetime.now(UTC)
    article_id = row.id
    summary_by, llm_error = "extractive", None
    writer = _writers.get(db)
    if writer is not None and a.summary:
        try:
            a.summary, a.key_points = writer.write(row.title, row.text)
            summary_by = "llm"
        except LLMError as exc:  # the extractive summary stands
            llm_error = str(exc)
            log.warning("article %s: %s", article_id, exc)
    mem = understanding.memory(db)
    try:
        with db.begin() as conn:
            # One article at a time across every process (PostgreSQL; SQLite has one writer).
            locks.hold(conn, locks.UNDERSTANDING)
            if enrichment.last_understood(conn, article_id) != row.understood_seq:
                log.info("article %s was understood by another process meanwhile", article_id)
                return False
            seq = mem.catch_up(conn)
            _store_analysis(conn, article_id, a, when, summary_by, llm_error)
            understanding.understand(conn, mem, article_id, row, a, when, seq)
            language = a.language or row.language
            store.set_enriched(conn, article_id, language, when, summary=a.summary or None)
            enrichment.set_understood(conn, article_id, seq)
        mem.seen = seq
    except Exception as exc:
        understanding.forget(db)  # memory may hold what the rolled-back transaction wrote
        if isinstance(exc, IntegrityError):
            log.error(
                "article %s: storing its analysis broke a constraint", article_id, exc_info=True
            )
            error = f"storing its analysis broke a constraint: {exc.orig}"
            with db.begin() as conn:  # tried again later, not on every round
                store.mark_failed_attempt(conn, article_id, error, datetime.now(UTC), None)
            raise StorageError(error) from exc
        raise
    return True


def _store_analysis(
    conn: Connection,
    article_id: int,
    a: Analysis,
    when: datetime,
    summary_by: str = "extractive",
    llm_error: str | None = None,
) -> None:
    # The site's own sources name outlets the model read as people ("told Forbes").
    name_outlets(a, (name for _, name in source_names(conn)))
    data = a.to_json()
    results: dict[str, Any] = {
        "language": a.language,
        "kind": a.kind.to_json() if a.kind else None,
        "entities": data["entities"],
        "hashtags": data["hashtags"],
        "summary": {
            "summary": a.summary,
            "key_points": a.key_points,
            "by": summary_by,
            "llm_error": llm_error,
        },
        "attributions": data["attributions"],
        "embedding": {"dim": embed_mod.DIM} if a.embedding is not None else None,
        "minhash": {"perm": 64} if a.minhash is not None else None,
        "story": {"clusterer": STEPS["story"]},
    }
    store.save_analyses(
        conn,
        article_id,
        [(n, v, results[n], a.errors.get(n)) for n, v in STEPS.items() if n in results],
        when,
    )
    ids = enrichment.save_entities(
        conn, article_id, [(e.text, e.type, e.count) for e in a.entities]
    )
    full_names = enrichment.save_tags(
        conn,
        article_id,
        [
            enrichment.TagIn(h.slug, h.label, h.display, h.kind, h.score, h.short, h.sure)
            for h in a.hashtags
        ],
    )
    enrichment.save_attributions(conn, article_id, data["attributions"], ids, full_names)
    if a.minhash is not None:
        vectors.save_minhash(conn, article_id, a.minhash.tobytes(), neardup.bands(a.minhash))


@dataclass(frozen=True, slots=True)
class Batch:
    """Articles analysed together, whether their site is multilingual (`multilingual_site`,
    asked as the batch is read), and each one's language as guessed before its analysis
    (`guessed_language`: what collecting.Enricher routes by, and what tells the site is
    multilingual before the batch is analysed); guessed here where not given."""

    rows: list[Row]
    multilingual_site: bool = True
    languages: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        if len(self.languages) != len(self.rows):
            guessed = tuple(guessed_language(r) for r in self.rows)
            object.__setattr__(self, "languages", guessed)


def guessed_language(row: Row) -> str | None:
    """The language a stored article is most likely in, read before its analysis (the one a
    previous analysis found, on `reindex`)."""
    return guess_language(f"{row.title or ''}\n{row.text or ''}", row.language)


Analyzer = Callable[[Iterable[Batch]], Iterable[tuple[list[Row], list[Analysis]]]]


def analyze_in_process(batches: Iterable[Batch]) -> Iterator[tuple[list[Row], list[Analysis]]]:
    for b in batches:
        yield b.rows, analyze_rows(b.rows, multilingual_site=b.multilingual_site)


def enrich_many(
    db: Database,
    article_ids: Iterable[int],
    *,
    analyzer: Analyzer = analyze_in_process,
    batch: int = 8,
    on_progress: Callable[[int, int, int], None] | None = None,
    waiting_only: bool = False,
    vectors_of: VectorsOf = crosslingual.vectors,
) -> tuple[int, int]:
    """Enrich stored articles in batches, storing each in its own transaction; (done, failed).
    `waiting_only`: the articles were listed as awaiting enrichment (an import, a worker's
    pending ones), so one enriched meanwhile by another process is skipped, not redone.
    `vectors_of`: how `join_languages` makes cross-language vectors (the analyzer's workers).

    `analyzer` turns chunks of rows into their analyses, in order: here in this process, or in
    worker processes (collecting.Enricher). Storing stays here, in the order given, because related
    articles and stories depend on what came before.
    """
    total = len(article_ids) if isinstance(article_ids, Sized) else 0
    chunks = (
        _read_batch(db, ids, vectors_of, waiting_only=waiting_only)
        for ids in _batches(article_ids, batch)
    )
    done = failed = n = 0
    for rows, analyses in analyzer(chunks):
        for row, a in zip(rows, analyses, strict=True):
            n += 1
            try:
                store_enrichment(db, row, a)
                done += 1
            except NewsweaveError as exc:
                failed += 1
                log.warning("article %s: %s", row.id, exc)
            if on_progress:
                on_progress(n, max(total, n), failed)
    return done, failed


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    it = iter(ids)
    while batch := list(islice(it, size)):
        yield batch


@dataclass(frozen=True)
class StaleArticles:
    """The articles reindex must analyse again, oldest first, read a page at a time: sized
    (one count) and iterable (keyset pages), so that `reindex --all` of a million articles
    holds a page of ids, not ~36 MB of them."""

    db: Database
    versions: dict[str, str]
    everything: bool
    page: int = 1000

    @cached_property
    def total(self) -> int:
        """How many there were when first asked (those analysed since are no longer stale)."""
        with self.db.connect() as conn:
            return enrichment.count_stale(conn, self.versions, self.everything)

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[int]:
        after = None
        while True:
            with self.db.connect() as conn:
                rows = enrichment.stale_articles(
                    conn, self.versions, self.everything, after=after, limit=self.page
                )
            yield from (i for _, i in rows)
            if len(rows) < self.page:
                return
            after = rows[-1]


# Articles whose story is cleared a transaction at a time when stories are rebuilt: ~1.3 s of
# SQLite's write lock each at a million articles (a minute in all), where clearing all of them
# in one transaction held it for over 2.5 minutes.
FORGET_BATCH = 20_000


def stale_for_reindex(
    db: Database,
    *,
    everything: bool = False,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> StaleArticles:
    """The articles `reindex` must analyse again, oldest first.

    Only articles with a missing or older analysis, unless `everything`. When the story
    clusterer or the embedding changed (or with `everything`), stories are dropped here to be
    rebuilt from scratch, in time order, by enriching every article again: the articles'
    memberships a batch at a time (`on_progress(cleared, total, 0)`), so that collecting goes
    on between them, then the stories and what was understood meanwhile in one last
    transaction. Stopped halfway, the next `reindex` finds the rest stale and goes on.
    Otherwise every article keeps its story (understanding.understand).
    """
    with db.connect() as conn:
        # A story is the sum of its members' vectors: a new embedding model rebuilds them too.
        clustered_by = {k: STEPS[k] for k in ("story", "embedding")}
        restory = everything or bool(
            enrichment.stale_articles(conn, clustered_by, everything=False, limit=1)
        )
    if restory:
        with db.connect() as conn:
            total = stories.memberships(conn)
        cleared = 0
        while cleared < total:
            with db.begin() as conn:
                n = stories.forget_memberships(conn, FORGET_BATCH)
            cleared += n
            if on_progress is not None:
                on_progress(min(cleared, total), total, 0)
            if n < FORGET_BATCH:
                break
        with db.begin() as conn:
            stories.reset_stories(conn)
        understanding.forget(db)
    return StaleArticles(db, STEPS, everything or restory)


def join_known_tags(db: Database) -> list[tuple[str, str]]:
    """Join a site's tags that stand under a form news also writes another way to the tag of
    the one name the analyses now give it (enrich.entities.canonical: "Gaza Strip" is Gaza,
    "US" the United States, "Department of Labor" the Labor Department; a person's middle
    initial: "Donald J. Trump" is Donald Trump; a state's abbreviation: "Calif." is
    California); (from, into) slugs. Run after a reindex, which re-tags the articles but
    leaves an old tag standing with none of them."""
    states = {slugify(k): v for k, v in entities.STATE_ABBREVIATIONS.items()}

    def into(label: str) -> str | None:
        known = entities.canonical(label)
        if known is not None:
            return slugify(known[0])
        if slugify(label) in states:
            return slugify(states[slugify(label)])
        plain = entities.without_middle_initial(label)
        return slugify(plain) if plain != label else None

    with db.begin() as conn:
        forms = {  # with the national prefixes canonical reads off ("U.S. Senate")
            slugify(p + f)
            for f in entities.CANONICAL_FORMS
            for p in ("", "U.S. ", "US ", "U.K. ", "UK ")
        } - {""}
        forms.update(tag_store.like(conn, "person", "% _. %"))
        forms.update(tag_store.like(conn, "org", "%Department of %"))
        forms.update(tag_store.of_kind(conn, "place", states))
        return tag_store.join_known(conn, forms, into)


def drop_empty_tags(db: Database) -> list[str]:
    """The tags a reindex left with no article, deleted (store.tags.drop_empty); their slugs."""
    with db.begin() as conn:
        return tag_store.drop_empty(conn)


def reindex(
    db: Database,
    *,
    everything: bool = False,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> tuple[int, int]:
    """Analyse stored articles again after a model or version change, in this process;
    (done, failed). `newsweave reindex` does the same through collecting.Enricher's workers."""
    ids = stale_for_reindex(db, everything=everything)
    done = enrich_many(db, ids, on_progress=on_progress)
    join_known_tags(db)
    return done
