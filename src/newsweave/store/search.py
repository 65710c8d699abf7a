"""Full-text search: FTS5 with bm25 on SQLite, tsvector with ts_rank_cd on PostgreSQL.

User input never reaches the query language raw: on SQLite every word becomes a quoted FTS5
string (so `AND`, `"`, `*`, `NEAR(` and `-` are just words); on PostgreSQL
websearch_to_tsquery reads it, which accepts any input. Snippets mark hits with \\x02 ... \\x03;
callers render them (plain text, ANSI or <mark>).

Ranking is bounded: best-first hits are ranked among the POOL matching articles collected
last (after the filters), not among every match. A common word matches most of a year of
news, and ranking all of it grew with the archive (bench/archive.py, before: "government" on
5,000 articles took 30-100 ms a search on SQLite and PostgreSQL, nearly all of it bm25 /
ts_rank_cd and the snippets of every match); a news reader looks for recent coverage first,
and a rarer query has fewer matches than the pool and is ranked whole. On SQLite a pool that
lies inside the window of the latest articles (migration 0018) is ranked in that smaller
index: bm25 counts each word's articles in the index it ranks in, on every search (see
_in_window). Snippets are made for the page shown only, in Python (store/snippets.py).
A filter narrows the walk inside the index of words on SQLite: every article's source, language
and month are tokens of its FTS row (migration 0013), and a filtered search adds them to its
match, so FTS5 intersects the word's list with the source's. Without them a search of one
source walked every match of a common word newest first and dropped the other sources' (one
source of 200, "government", 100,000 articles: ~500 ms a page, growing with the archive; with
them a few ms). The SQL conditions still decide what is shown: the tokens only shorten the
walk. PostgreSQL's planner intersects its word index with the source and time indexes itself.
Newest-first hits are exact: a word common among the latest articles walks the time index and
checks each article against the index of words, and a rarer one sorts its matches. SQLite has no
statistics, so how common is measured on the latest articles; PostgreSQL's own estimate decides
there (its planner alone walked the time index for any word it had no statistics of). Best first
on PostgreSQL, an unfiltered query is gathered and ranked in a narrow table of the latest
readable articles first (migration 0019, _pg_recent); otherwise only a very common query walks,
and any other is gathered among the latest articles first (_pg_in_windows).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Row, bindparam, text

from newsweave.errors import SearchIndexError
from newsweave.lists import by_story
from newsweave.model import VISIBLE_STATES
from newsweave.store import snippets as snippet_maker
from newsweave.store import tags as tag_store
from newsweave.store.db import in_transaction
from newsweave.store.reading import Mutes
from newsweave.store.schema import UTCDateTime
from newsweave.store.searchindex import SearchIndex, Where
from newsweave.store.snippets import HIT_END, HIT_START

__all__ = [
    "COUNT_CAP",
    "HIT_END",
    "HIT_START",
    "Filters",
    "Hits",
    "SearchHit",
    "count",
    "search",
]

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    title: str | None
    url: str | None
    source: str
    published: datetime | None
    snippet: str
    rank: float
    story_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "snippet": self.snippet.replace(HIT_START, "").replace(HIT_END, ""),
            "story_id": self.story_id,
        }


def fts5_query(query: str) -> str:
    """A safe FTS5 query: every word quoted, all required. A word is \\w+, so it never holds
    the U+E000 that starts every facet token (migration 0013): words find words only."""
    return " ".join(f'"{w}"' for w in _WORD.findall(query))


_STATES = ", ".join(f"'{s.value}'" for s in VISIBLE_STATES)

# {filters}: the Filters' conditions.
POOL = 1000  # the newest matches a search ranks (see the module docstring)

_TIME = "COALESCE(a.published_at, a.first_seen_at)"  # the article's time (schema.ARTICLE_TIME)
_HIT = "a.id, a.title, a.url, s.name AS source, a.published_at, a.first_seen_at, a.story_id"
# The readable originals that match, driven by the FTS index (SQLite), checked off the
# article in brief (schema: ix_articles_brief), not its row: a row's state, time and source
# follow its text, and reading them walks the text's overflow pages. The pool of 1,000
# matches read ~3,000 pages cold at 300,000 articles; the rows of the page shown are looked
# up afterwards (_SQLITE_PAGE). {outlet}: the join to the article's source, only where a
# filter asks about the outlet (every article has its source): 0.3 of a pool's 3.0 ms at
# 100,000 articles, one lookup a match.
_SQLITE_MATCHES = f"""
FROM articles_fts
JOIN articles a INDEXED BY ix_articles_brief ON a.id = articles_fts.rowid {{outlet}}
WHERE articles_fts MATCH :q AND a.state IN ({_STATES}) AND a.duplicate_of IS NULL {{filters}}
"""
# The same for a search with no filter, which asks nothing of a match but whether it is a
# readable original: checked against the few that are not (migration 0020's partial index:
# copies, pages not extracted) instead of looking each match up in the brief index. The
# window's pool over 400 headline words at 100,000 articles: 2.42 -> 1.75 ms, the same rows.
# The condition is the index's own, written as 0020 writes it, or SQLite cannot use it.
_SQLITE_READABLE = f"""
FROM articles_fts
WHERE articles_fts MATCH :q AND NOT EXISTS (
    SELECT 1 FROM articles u INDEXED BY ix_articles_unreadable
    WHERE u.id = articles_fts.rowid AND (u.state NOT IN ({_STATES}) OR u.duplicate_of IS NOT NULL)
)
"""
_SQLITE_PAGE = """
JOIN articles a ON a.id = p.id
JOIN sources s ON s.id = a.source_id
"""
# Best first: the FTS scan walks its matches newest first (rowid order, which FTS5 gives
# without sorting) and stops at the pool; bm25 runs for those rows only. {score}: _BM25, or
# 0.0 where it would cost too much (see _tag_probe).
_BM25 = "bm25(articles_fts, 5.0, 1.0, 0.0)"
_SQLITE = f"""
SELECT {_HIT}, p.rank, p.pooled FROM (
    SELECT pool.id, pool.rank, count(*) OVER () AS pooled FROM (
        SELECT articles_fts.rowid AS id, {{score}} AS rank {{matches}}
        ORDER BY {{newest}} DESC
        LIMIT :pool
    ) pool
    ORDER BY pool.rank, pool.id DESC
    LIMIT :limit OFFSET :offset
) p {_SQLITE_PAGE}
ORDER BY p.rank, p.id DESC
"""
# Newest first for a word common among the latest articles: walk the time index (`+` keeps
# SQLite off the state index) and look each article up in the FTS index, until a page is full.
# The lookup is of the words alone: the filters are checked on the row, and each facet term
# would make every lookup dearer.
_SQLITE_DENSE_BY_DATE = f"""
SELECT {_HIT}, 0.0 AS rank
FROM articles a JOIN sources s ON s.id = +a.source_id
WHERE +a.state IN ({_STATES}) AND a.duplicate_of IS NULL {{filters}}
  AND EXISTS (SELECT 1 FROM articles_fts
              WHERE articles_fts MATCH :words AND articles_fts.rowid = a.id)
ORDER BY {_TIME} DESC, a.id DESC
LIMIT :limit OFFSET :offset
"""
# Newest first for a rarer word: its matches, sorted.
_SQLITE_SPARSE_BY_DATE = f"""
SELECT {_HIT}, 0.0 AS rank FROM (
    SELECT a.id, {_TIME} AS at {_SQLITE_MATCHES}
    ORDER BY at DESC, a.id DESC
    LIMIT :limit OFFSET :offset
) p {_SQLITE_PAGE}
ORDER BY p.at DESC, p.id DESC
"""
# How common a word is among the latest articles: in at least 1 % of the last 5,000, a walk
# down the time index meets a page of its matches within ~2,000 articles.
_DENSE_SAMPLE, _DENSE_SHARE = 5000, 0.01
# The ids as one expanding parameter: one compiled statement for every search (a statement
# written out with its ids was compiled again each time, and each one evicted another from
# SQLAlchemy's cache of compiled statements).
_TEXTS = text("SELECT id, text FROM articles WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
# Newest first, as the pool is taken: a date filter's matches are met early, not after a year.
_SQLITE_COUNT = """
SELECT count(*) FROM (SELECT 1 {matches} ORDER BY {newest} DESC LIMIT :cap)
"""

# The 'simple' words of every article, or the 'english' stems of the English ones
# (migration 0011): "boosters" finds "booster" in English, and every language finds itself.
_PG_QUERY = (
    "(SELECT websearch_to_tsquery('simple', :q) || websearch_to_tsquery('english', :q) AS q) tq"
)
# The readable originals that match (PostgreSQL).
_PG_MATCHES = f"""
FROM articles a JOIN sources s ON s.id = a.source_id, {_PG_QUERY}
WHERE a.search_vector @@ tq.q AND a.state IN ({_STATES}) AND a.duplicate_of IS NULL {{filters}}
"""
# Best first: the newest matches, stopped at the pool, then ranked; snippets for the page only.
# {pool_order}: the pool is the matches collected last, read backwards off the primary key;
# under an end date it is the newest published before it, read off the time index from there
# (off the key, a search of last year walked this year's matches first: 540 ms at 100,000
# articles, 19 ms so).
_POSTGRES = f"""
SELECT hit.id, hit.title, hit.url, hit.source, hit.published_at, hit.first_seen_at,
       hit.story_id, hit.rank, hit.pooled, hit.text
FROM (
    SELECT pool.*, ts_rank_cd(pool.search_vector, pool.query) AS rank,
           count(*) OVER () AS pooled FROM (
        SELECT {_HIT}, a.text, a.search_vector, tq.q AS query {_PG_MATCHES}
        ORDER BY {{pool_order}}
        LIMIT :pool
    ) pool
    ORDER BY rank DESC, pool.id DESC
    LIMIT :limit OFFSET :offset
) hit
ORDER BY hit.rank DESC, hit.id DESC
"""
# Best first for a rarer query (PostgreSQL): its matches gathered off the word index first (a
# CTE planned on its own), the newest POOL of them ranked. Walking the key backwards, as
# _POSTGRES does, meets a common word's matches early, but a rare one's only after reading
# (and unTOASTing) every article: at a million articles "tenuous" (873 matches) took 102 s,
# "volodymyr" (241) 84 s; gathered, their matches are counted in 6-50 ms. _pg_common decides.
# {since}: where the pool is looked for among the latest articles first (_pg_in_windows).
_POSTGRES_SPARSE = f"""
WITH found AS MATERIALIZED (SELECT a.id, {_TIME} AS at {_PG_MATCHES} {{since}})
SELECT hit.id, hit.title, hit.url, hit.source, hit.published_at, hit.first_seen_at,
       hit.story_id, hit.rank, hit.pooled, hit.text
FROM (
    SELECT pool.*, ts_rank_cd(pool.search_vector, tq.q) AS rank,
           count(*) OVER () AS pooled
    FROM (
        SELECT {_HIT}, a.text, a.search_vector
        FROM (SELECT id, at FROM found ORDER BY {{pool_order}} LIMIT :pool) p
        JOIN articles a ON a.id = p.id
        JOIN sources s ON s.id = a.source_id
    ) pool, {_PG_QUERY}
    ORDER BY rank DESC, pool.id DESC
    LIMIT :limit OFFSET :offset
) hit
ORDER BY hit.rank DESC, hit.id DESC
"""
_PG_SPARSE_POOL_ORDER = {False: "id DESC", True: "at DESC, id DESC"}
# Newest first on PostgreSQL: the planner reads the time index backwards, checking each
# article's words, or sorts the matches of a rare word, by its own statistics.
_POSTGRES_BY_DATE = f"""
SELECT hit.*
FROM (
    SELECT {_HIT}, a.text, 0.0 AS rank {_PG_MATCHES}
    ORDER BY {_TIME} DESC, a.id DESC
    LIMIT :limit OFFSET :offset
) hit
ORDER BY COALESCE(hit.published_at, hit.first_seen_at) DESC, hit.id DESC
"""
# Newest first for a rarer query (PostgreSQL): its matches gathered off the word index (the
# CTE is planned on its own, with no order or limit to make a walk look cheap), then sorted.
# The walk above met every article for a word in none: 0.5-1.2 s at 100,000 articles.
_POSTGRES_SPARSE_BY_DATE = f"""
WITH found AS MATERIALIZED (SELECT a.id, {_TIME} AS at {_PG_MATCHES})
SELECT hit.*
FROM (
    SELECT {_HIT}, a.text, 0.0 AS rank
    FROM (SELECT id, at FROM found ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset) p
    JOIN articles a ON a.id = p.id
    JOIN sources s ON s.id = a.source_id
) hit
ORDER BY COALESCE(hit.published_at, hit.first_seen_at) DESC, hit.id DESC
"""
# How many articles PostgreSQL expects a query to match, from its statistics of the words:
# planning alone, no row read (the PostgreSQL wiki's "count estimate").
_PG_ESTIMATE = (
    f"EXPLAIN (FORMAT JSON) SELECT 1 FROM articles a, {_PG_QUERY} WHERE a.search_vector @@ tq.q"
)
_PG_POOL_ORDER = {False: "a.id DESC", True: f"{_TIME} DESC, a.id DESC"}
_PG_COUNT = f"""
SELECT count(*) FROM (SELECT 1 {_PG_MATCHES} ORDER BY {{pool_order}} LIMIT :cap) found
"""
COUNT_CAP = POOL  # counting stops here ("1,000+"): past the pool no hit is ranked or shown


_OUTLET = ("country", "ownership", "kind")  # Filters' fields that are the source's (s.*)


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrowing of a search; every field optional, all given ones must hold."""

    source_id: int | None = None
    language: str | None = None
    tag: str | None = None
    country: str | None = None
    ownership: str | None = None
    kind: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    mutes: Mutes | None = None  # what the reader muted: never among the hits

    @property
    def outlet(self) -> dict[str, str]:
        """The filters given that ask about the article's source, not the article."""
        return {k: v for k in _OUTLET if (v := getattr(self, k)) not in (None, "")}

    def sql(self) -> tuple[str, dict[str, Any], list[Any]]:
        """Extra WHERE conditions, their values, and typed bind parameters for the dates."""
        where: list[str] = []
        values: dict[str, Any] = {}
        typed: list[Any] = []
        for field, cond in (
            ("source_id", "a.source_id = :source_id"),
            ("language", "a.language = :language"),
            *((field, f"s.{field} = :{field}") for field in _OUTLET),
            (
                "tag",
                "EXISTS (SELECT 1 FROM article_tags t JOIN tags g ON g.id = t.tag_id "
                "WHERE t.article_id = a.id AND g.slug = :tag)",
            ),
        ):
            value = getattr(self, field)
            if value not in (None, ""):
                where.append(cond)
                values[field] = value
        if self.date_from is not None:
            where.append(f"{_TIME} >= :date_from")
            typed.append(bindparam("date_from", self.date_from, type_=UTCDateTime()))
        if self.date_to is not None:
            where.append(f"{_TIME} < :date_to")
            typed.append(bindparam("date_to", self.date_to, type_=UTCDateTime()))
        m = self.mutes or Mutes()
        if m.source_ids:
            where.append(
                f"a.source_id NOT IN ({', '.join(str(int(i)) for i in sorted(m.source_ids))})"
            )
        if m.tag_ids:
            ids = ", ".join(str(int(i)) for i in sorted(m.tag_ids))
            where.append(
                "NOT EXISTS (SELECT 1 FROM article_tags mt "
                f"WHERE mt.article_id = a.id AND mt.tag_id IN ({ids}))"
            )
        shown = "lower(COALESCE(a.title, '') || ' ' || COALESCE(a.summary, ''))"
        for i, word in enumerate(m.keywords):
            where.append(f"{shown} NOT LIKE :muted{i} ESCAPE '\\'")
            escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            values[f"muted{i}"] = f"%{escaped}%"
        return "".join(f" AND {w}" for w in where), values, typed


def _outlet(filters: Filters) -> str:
    """The join to the article's source in SQLite's pool, where the filters ask about it."""
    return "JOIN sources s ON s.id = a.source_id" if filters.outlet else ""


def _prepared(conn: Connection, query: str, filters: Filters) -> tuple[str, str, bool]:
    """The query as the database's search takes it, its words alone, and whether it is
    SQLite's. On SQLite the query is the words and the filters' facet tokens (see the module
    docstring); lookups of single rows take the words alone."""
    if conn.dialect.name == "sqlite":
        words = fts5_query(query)
        narrowing = _narrowing(conn, filters) if words else []
        return " AND ".join([words, *narrowing]), words, True
    words = " ".join(_WORD.findall(query))
    return words, words, False


_LANGUAGE = re.compile(r"[a-z]{2,3}")  # the languages that are facets (migration 0013)
_FACET = "\ue000"  # the start of every facet token (migration 0013)
_FACET_SOURCES = 64  # an outlet filter (country, ownership, kind) narrows by at most this many
_FACET_MONTHS = 36  # a date range narrows by at most this many months


def _narrowing(conn: Connection, f: Filters) -> list[str]:
    """FTS5 terms for the facet column (migration 0013) that hold for every article `f`
    keeps: its source, language and months. A filter with none of them adds none."""
    out = []
    if f.source_id is not None:
        out.append(f'"{_FACET}s{int(f.source_id)}"')
    outlet = f.outlet
    if outlet:
        where = " AND ".join(f"{k} = :{k}" for k in outlet)
        ids = conn.execute(
            text(f"SELECT id FROM sources WHERE {where} LIMIT {_FACET_SOURCES + 1}"), outlet
        ).scalars()
        found = [int(i) for i in ids] or [0]  # no source has id 0: nothing matches
        if len(found) <= _FACET_SOURCES:
            out.append("(" + " OR ".join(f'"{_FACET}s{i}"' for i in found) + ")")
    language = (f.language or "").lower()
    if _LANGUAGE.fullmatch(language):
        out.append(f'"{_FACET}l{language}"')
    if f.date_to is not None:
        start = f.date_from
        if start is None:
            oldest = conn.execute(
                text("SELECT min(COALESCE(published_at, first_seen_at)) FROM articles")
            ).scalar()
            start = UTCDateTime().process_result_value(oldest, conn.dialect)
        if start is not None:
            months = _months(start, f.date_to)
            if len(months) <= _FACET_MONTHS:
                out.append("(" + " OR ".join(f'"{_FACET}m{m}"' for m in months or ["0"]) + ")")
    return out


# A hashtag's articles are searched by looking each of them up in the index of words, or by
# walking the word's matches newest first until the pool is full, whichever reads less: a
# lookup costs about _PROBE_ROWS rows of the walk (FTS5 seeks the rowid in each of the word's
# segments), and the walk reads min(matches, POOL x archive / tag) rows. One of 111 articles
# of 100,000, "government": 209 -> ~5 ms looked up; one of 1,991 of 10,000: 335 -> 50 ms walked.
# Past _TAG_PROBE articles a tag is always walked.
_TAG_PROBE = 20_000
_PROBE_ROWS = 20
# The pool's order: FTS5 walks the word's matches newest first and stops at the pool. Looking
# rows up by rowid, it must not be asked for them newest first (`+` hides the order from it):
# FTS5 reads a term's whole list to go backwards, on every lookup (1.8 ms each, not 30 us).
_NEWEST = {False: "articles_fts.rowid", True: "+articles_fts.rowid"}


@dataclass(frozen=True)
class _Probe:
    """How a hashtag's articles are searched (SQLite): `cond` makes FTS5 look them up, empty
    where the word's matches are walked; `tagged` how many articles the tag has where looked
    up; `matches` the word's estimated matches, where they were estimated (for _score)."""

    cond: str = ""
    tagged: int = 0
    matches: float | None = None


def _tag_probe(conn: Connection, f: Filters, words: str) -> _Probe:
    """A condition on the FTS5 rowid that makes SQLite look a hashtag's articles up in the index
    of words (tags are added after an article is stored, so they are no facet); none where
    walking the matches reads less (see _TAG_PROBE), or the tag is unknown or not asked for."""
    if not f.tag:
        return _Probe()
    tag_id = conn.execute(text("SELECT id FROM tags WHERE slug = :tag"), {"tag": f.tag}).scalar()
    if tag_id is None:
        return _Probe()
    n = tag_store.count_upto(conn, int(tag_id), _TAG_PROBE)
    if n > _TAG_PROBE:
        return _Probe()
    top, matches = _estimated_matches(conn, words)
    if n * _PROBE_ROWS > min(matches, POOL * top / max(n, 1)):
        return _Probe(matches=matches)
    cond = (
        f" AND articles_fts.rowid IN (SELECT article_id FROM article_tags WHERE tag_id = {tag_id})"
    )
    return _Probe(cond, n, matches)


# bm25 on looked-up rows reads each word's whole list again for every row (its IDF: 1.3 ms a
# row for a word in 94,000 of 100,000 articles), so it runs only where rows x the words' matches
# stay under this; past it the tag's hits come newest first. That is where a word is in most
# articles, and there bm25 ranks by little more than length anyway.
_BM25_LOOKUPS = 500_000


def _score(probe: _Probe) -> str:
    """What ranks a best-first pool: bm25, or nothing (0.0) for a small tag's lookups where
    bm25 would cost too much."""
    if not probe.cond or probe.matches is None:
        return _BM25
    return _BM25 if probe.tagged * probe.matches <= _BM25_LOOKUPS else "0.0"


def _months(start: datetime, end: datetime) -> list[str]:
    """Every month (YYYYMM) from `start` to just before `end`."""
    out = []
    start, last = start.astimezone(UTC), (end - timedelta(microseconds=1)).astimezone(UTC)
    y, m = start.year, start.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        if len(out) > _FACET_MONTHS:
            break
    return out


class Hits(list[SearchHit]):
    """A page of hits, and how many matched up to the pool where the query counted them (a
    best-first page counts its pool in the same query: count() takes it from there)."""

    pooled: int | None = None
    ranked_by = "database"  # or "index": the search engine beside it (store/searchindex.py)


def search(
    conn: Connection,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: Filters | None = None,
    order: str = "rank",
    *,
    story_snippets: bool = False,
    index: SearchIndex | None = None,
) -> Hits:
    """Readable articles matching `query`, best first (or newest first with order="date"),
    with a highlighted snippet; with `story_snippets`, only the first hit of each story has
    one (the others ""), for a page that shows each story once: its first hit, and how many
    more. The search page showed 7 of its 21 hits on average (400 headline words, 100,000
    articles), and made the other 14 snippets for nothing: 5.1 -> 4.6 ms CPU a search."""
    filters = filters or Filters()
    if order not in ("rank", "date"):
        raise ValueError(f"order is rank or date, not {order!r}")
    q, words, sqlite = _prepared(conn, query, filters)
    if not q:
        return Hits()
    rows: Sequence[Any] | None = None
    looked = 0  # the articles above this id were looked at for the pool, in vain
    said = _WORD.findall(query)  # the words the index looks up and the snippets highlight
    if index is not None and index.ready and _indexed(filters):
        try:  # None where the index is behind the database: the database answers
            rows = _from_index(conn, index, said, filters, limit, offset, order, story_snippets)
        except SearchIndexError:
            log.exception("the search index failed on %r: the database answers", query)
    unfiltered = not filters.sql()[0]
    if rows is None and not sqlite and order == "rank" and unfiltered:  # the window may hold it
        rows, looked = _pg_recent(conn, {"q": q, "limit": limit, "offset": offset, "pool": POOL})
    if rows is None:
        rows = _rows(conn, q, words, sqlite, filters, order, limit, offset, looked)
    ranked_by_index = bool(rows) and isinstance(rows[0], _Found)
    snip = (
        snippet_maker.for_index(said) if ranked_by_index else snippet_maker.for_query(said, sqlite)
    )
    shown = (
        [line.item for line in by_story(rows, attrgetter("story_id"))] if story_snippets else rows
    )
    wanted = [int(r.id) for r in shown]
    if sqlite and wanted and not ranked_by_index:
        # The texts of the hits given a snippet only: the pool was read off an index in brief.
        texts = {int(i): t for i, t in conn.execute(_TEXTS, {"ids": wanted})}
    else:
        chosen = set(wanted)
        texts = {r.id: r.text for r in rows if r.id in chosen}
    conv = UTCDateTime()
    out = Hits()
    out.pooled = int(rows[0].pooled) if rows and (order == "rank" or ranked_by_index) else None
    if ranked_by_index:
        out.ranked_by = "index"
    for r in rows:
        published = conv.process_result_value(r.published_at, conn.dialect)
        seen = conv.process_result_value(r.first_seen_at, conn.dialect)
        out.append(
            SearchHit(
                id=r.id,
                title=r.title,
                url=r.url,
                source=r.source,
                published=published or seen,
                snippet=snip(texts.get(r.id)),
                rank=float(r.rank),
                story_id=r.story_id,
            )
        )
    return out


def _indexed(f: Filters) -> bool:
    """Whether the search engine beside the database holds what `f` filters on: the source,
    the language and the time, not a hashtag (tags change as articles are understood), the
    outlet's facts or a reader's mutes."""
    m = f.mutes
    muted = m is not None and bool(m.source_ids or m.tag_ids or m.keywords)
    return not (f.tag or f.outlet or muted)


@dataclass(frozen=True, slots=True)
class _Found:
    """A hit ranked by the search engine, with its article as the database holds it now."""

    id: int
    title: str | None
    url: str | None
    source: str
    published_at: Any
    first_seen_at: Any
    story_id: int | None
    text: str | None
    rank: float
    pooled: int


def _from_index(
    conn: Connection,
    index: SearchIndex,
    words: list[str],
    filters: Filters,
    limit: int,
    offset: int,
    order: str,
    story_snippets: bool = False,
) -> list[_Found] | None:
    """A page found by the search engine (best first, or newest first), each hit looked up in
    the database (one that is no longer a readable original is left out, never shown), or
    None where the index does not hold every change the database logged (SearchIndex.holds):
    the database answers then, so an article stored a moment ago is found. Whether it does
    is read in the query that reads the hits and their texts: one round trip where three
    were (PostgreSQL at a million: the freshness check, the rows and the texts were ~25 % of
    a search's wall time under load, py-spy). With `story_snippets`, only the first hit of
    each story on the page has its text (search's)."""
    where = Where(filters.source_id, filters.language or None, filters.date_from, filters.date_to)
    page: list[tuple[int, float]]
    if order == "date":
        newest, matches = index.newest(words, limit, offset, where, COUNT_CAP)
        page, pooled = [(i, 0.0) for i, _ in newest], min(matches, COUNT_CAP)
    else:
        page, pooled = index.ranked(words, limit, offset, POOL, where)
    if not page:
        return [] if index.fresh(conn) else None
    ids = [i for i, _ in page]
    order_of = f",{','.join(map(str, ids))},"
    params = {"ids": ids, "order": order_of, "every": not story_snippets}
    got = conn.execute(_INDEXED_HITS[conn.dialect.name == "sqlite"], params).all()
    if not index.holds(got[0].newest):
        return None
    found = {int(r.id): r for r in got if r.id is not None}
    out = []
    for aid, score in page:
        r = found.get(aid)
        if r is not None:
            out.append(
                _Found(
                    aid,
                    r.title,
                    r.url,
                    r.source,
                    r.published_at,
                    r.first_seen_at,
                    r.story_id,
                    r.text,
                    score,
                    pooled,
                )
            )
    return out


# The index's page as the database holds it now, and the change log's newest seq (always one
# row: a page whose hits are all gone still says how fresh the index is). The texts only of
# the hits given a snippet (`every`, or each story's first on the page: :order lists the page's
# ids in its order, ",12,7,"): a search page's 21 hits hold ~65 KB of text at 100,000
# articles, and it shows a third of them (the first pages of 300 headline words); the query
# 1.33 -> 1.16 ms, its CPU 0.48 -> 0.40 ms on PostgreSQL (interleaved, in process).
_INDEXED_HITS_SQL = f"""
SELECT n.newest, h.* FROM (SELECT max(seq) AS newest FROM search_changes) n
LEFT JOIN (
    SELECT {_HIT}, CASE WHEN :every OR row_number() OVER (
        PARTITION BY COALESCE(a.story_id, -a.id) ORDER BY {{position}}(:order, ',' || a.id || ',')
    ) = 1 THEN a.text END AS text
    FROM articles a JOIN sources s ON s.id = a.source_id
    WHERE a.id IN :ids AND a.state IN ({_STATES}) AND a.duplicate_of IS NULL
) h ON 1 = 1
"""
_INDEXED_HITS = {
    sqlite: text(_INDEXED_HITS_SQL.format(position="instr" if sqlite else "strpos")).bindparams(
        bindparam("ids", expanding=True)
    )
    for sqlite in (True, False)
}


def _sqlite_matches(conditions: str) -> str:
    """The FROM and WHERE of a query's readable matches on SQLite under extra `conditions` on
    the article (filters, a tag's probe): off the brief index, or, with none, checked
    against the few unreadable articles (_SQLITE_READABLE)."""
    return _SQLITE_MATCHES if conditions else _SQLITE_READABLE


def _rows(
    conn: Connection,
    q: str,
    words: str,
    sqlite: bool,
    filters: Filters,
    order: str,
    limit: int,
    offset: int,
    looked: int = 0,
) -> Sequence[Row[Any]]:
    """A page of matches, off each database's indexes as the query and its filters suit
    (PostgreSQL's windows above `looked` are known to hold too few of them)."""
    extra, values, typed = filters.sql()
    probe = _tag_probe(conn, filters, words) if sqlite else _Probe()
    tagged = probe.cond
    extra += tagged
    dense = windowed = False
    by_time = filters.date_to is not None  # best first, the pool is the newest by time
    if order == "date" and sqlite:
        dense = not tagged and _common(conn, q)
        sql = _SQLITE_DENSE_BY_DATE if dense else _SQLITE_SPARSE_BY_DATE
    elif order == "date":
        sql = _POSTGRES_BY_DATE if _pg_common(conn, q) else _POSTGRES_SPARSE_BY_DATE
    elif sqlite:
        sql = _SQLITE.replace("{matches}", _sqlite_matches(extra))
    elif _pg_common(conn, q, _DENSE_SHARE if by_time else _PG_WALK_SHARE):
        sql = _POSTGRES.replace("{pool_order}", _PG_POOL_ORDER[by_time])
    else:
        sql = _POSTGRES_SPARSE.replace("{pool_order}", _PG_SPARSE_POOL_ORDER[by_time])
        windowed = not by_time  # a pool by time, under an end date, is not one by key
    sql = sql.replace("{newest}", _NEWEST[bool(tagged)])
    if "{score}" in sql:
        sql = sql.replace("{score}", _score(probe))
    sql = sql.replace("{filters}", extra).replace("{outlet}", _outlet(filters))
    params = {"q": q, "limit": limit, "offset": offset, "pool": POOL, **values}
    if dense:
        params["words"] = words
    rows: Sequence[Row[Any]] | None = None
    if sqlite and order == "rank" and not tagged:
        rows = _in_window(conn, sql, typed, params, filters.source_id)
    elif windowed:
        rows = _pg_in_windows(conn, sql, typed, params, looked)
    if rows is None:
        rows = conn.execute(text(sql.replace("{since}", "")).bindparams(*typed), params).all()
    return rows


# The index of the latest articles (migration 0018): every article above its boundary, none
# below. bm25 counts each word's articles in the index it ranks in, by reading the word's
# whole list, on every search: at a million articles "government" (in 950,000) cost 17 ms of
# a 22 ms search, "minister said" 23 of 29 (bench/archive.py). Counted among the window's
# 50,000, ~1 ms. A pool that lies inside the window is the same pool either way (the window
# holds every article newer than its oldest); only the words' weights are the window's, how
# rare each word is in the news now.
_WINDOW = "articles_fts_recent"


def _in_window(
    conn: Connection,
    sql: str,
    typed: list[Any],
    params: dict[str, Any],
    source_id: int | None = None,
) -> Sequence[Row[Any]] | None:
    """A best-first page ranked in the window of the latest articles, or None where the pool
    is not all inside it (fewer matches there than the pool, and older articles exist): the
    whole index ranks it then. A site smaller than the window has it all there.

    A search of one source whose articles in the window are fewer than the pool cannot fill
    it there, so the window is not tried: one source of 200 has ~250 of the 50,000, and the
    try cost 2.6 of a filtered search's 15.5 ms at a million (bench/archive.py), the count
    ~0.4 ms off the source's index.

    Nor is it where the window holds fewer matches of the query than the pool, counted off
    its index alone (an upper bound of the readable ones): a third of the latest headlines'
    words did (100,000 articles), and ranking them there in vain cost 5-8 ms before the whole
    index ranked them; the count costs ~0.2 ms."""
    boundary = _boundary(conn)
    if boundary:
        if source_id is not None:
            inside = conn.execute(_SOURCE_IN_WINDOW, {"s": source_id, "b": boundary, "pool": POOL})
            if inside.scalar_one() < POOL:
                return None
        if conn.execute(_WINDOW_MATCHES, {"q": params["q"], "pool": POOL}).scalar_one() < POOL:
            return None
    stmt = text(sql.replace("articles_fts", _WINDOW)).bindparams(*typed)
    rows = conn.execute(stmt, params).all()
    if rows and int(rows[0].pooled) >= POOL:
        return rows
    return None if boundary else rows


# The latest articles a rarer query's pool is looked for among first (PostgreSQL), then the
# whole archive. Its planner estimates every word outside its most-common list at ~1 % of the
# articles, so a word in 3-7 % of them ("council", "markets") is gathered as a rare one is:
# at a million, 35,000-65,000 matches read off the heap for a pool of 1,000, 120-200 ms. The
# word index and the key's range intersect as bitmaps before any row is read (BitmapAnd), so
# a window reads only its own matches; one that holds the pool holds the same pool as the
# whole archive (every article outside it is older), and a rare word pays a few index reads.
_PG_WINDOWS = (50_000, 400_000)
# Best first, only a query PostgreSQL expects in a fifth of the articles or more walks the key
# back (it meets its pool within ~5,000 articles, and its word list is the longest to
# intersect); any other is gathered, in the windows first. At 200,000 articles, 200 headline
# words and pairs in process (bench/archive.py's new queries): walking from 1 %, mean 108 ms
# and max 3.1 s (a pair of common words in few articles together walked everything); from
# 5 %, 80 / 318 ms; from 20 %, 65 / 142 ms; never walking, 72 / 712 ms. Newest first, and best
# first under an end date, still walk from _DENSE_SHARE.
_PG_WALK_SHARE = 0.2


def _pg_in_windows(
    conn: Connection, sql: str, typed: list[Any], params: dict[str, Any], looked: int = 0
) -> Sequence[Row[Any]] | None:
    """A best-first page whose pool lies among the latest articles, or None where no window
    smaller than the archive holds it (the whole archive ranks it then). The windows that
    reach no further back than `looked` (the narrow window's boundary, _pg_recent) are not
    tried: it held fewer matches than the pool, so they do too."""
    top = int(conn.execute(text("SELECT max(id) FROM articles")).scalar() or 0)
    smaller = [w for w in _PG_WINDOWS if w < top and not (looked and top - w >= looked)]
    if not smaller:
        return None
    stmt = text(sql.replace("{since}", "AND a.id > :since")).bindparams(*typed)
    found: Sequence[Row[Any]] | None = None
    with in_transaction(conn):  # the setting is this transaction's; an error rolls it back
        conn.execute(_INDEX_SCANS, {"on": "off"})
        for window in smaller:
            rows = conn.execute(stmt, {**params, "since": top - window}).all()
            if rows and int(rows[0].pooled) >= POOL:
                found = rows
                break
        conn.execute(_INDEX_SCANS, {"on": "on"})
    return found


# Best first, unfiltered (PostgreSQL): the pool gathered in the window of the latest readable
# originals (migration 0019), a narrow table with a word index of its own, and ranked there
# where it is whole (:enough: the pool, or none at all while the window holds every article);
# only the page's articles are read. The same pool and ranks as _POSTGRES_SPARSE's where the
# window holds the pool: it holds every readable original above its boundary, and ranks the
# same search vectors. The pool keeps the vectors' TOAST pointers: only a whole pool's are
# fetched, to be ranked (8.5 of 13.6 ms for "first time" at 200,000 articles). `+ 0` keeps the
# boundary off the key's index: with no boundary yet (the window is the whole site) the planner
# took every id off it and tested each vector, unTOASTing 10,000 of them (42 ms at 10,000).
_POSTGRES_RECENT = f"""
WITH pool AS MATERIALIZED (
    SELECT r.id, r.search_vector FROM articles_search_recent r, {_PG_QUERY}
    WHERE r.search_vector @@ tq.q AND r.id + 0 > :boundary
    ORDER BY r.id DESC
    LIMIT :pool
)
SELECT {_HIT}, a.text, p.rank, p.pooled
FROM (
    SELECT pool.id, ts_rank_cd(pool.search_vector, tq.q) AS rank, count(*) OVER () AS pooled
    FROM pool, {_PG_QUERY}
    WHERE (SELECT count(*) FROM pool) >= :enough
    ORDER BY rank DESC, pool.id DESC
    LIMIT :limit OFFSET :offset
) p
JOIN articles a ON a.id = p.id
JOIN sources s ON s.id = a.source_id
ORDER BY p.rank DESC, p.id DESC
"""
_RECENT_BOUNDARY = text("SELECT boundary FROM articles_search_window")
# The window's matches off its word index only: walking its key back testing each row's
# vector (the plan PostgreSQL takes for a word it expects to be common) unTOASTs every vector
# it passes, and a sequential scan all 50,000.
_BITMAPS_ONLY = text(
    "SELECT set_config('enable_indexscan', :on, true), set_config('enable_seqscan', :on, true)"
)


def _pg_recent(conn: Connection, params: dict[str, Any]) -> tuple[Sequence[Row[Any]] | None, int]:
    """A best-first page whose pool lies in the window of the latest readable originals (None
    where it does not: fewer matches there than the pool, and older articles exist), and the
    window's boundary (every readable original above it was looked at)."""
    boundary = int(conn.execute(_RECENT_BOUNDARY).scalar_one())
    params = {**params, "boundary": boundary, "enough": POOL if boundary else 0}
    with in_transaction(conn):  # the settings are this transaction's; an error rolls it back
        conn.execute(_BITMAPS_ONLY, {"on": "off"})
        rows = conn.execute(text(_POSTGRES_RECENT), params).all()
        conn.execute(_BITMAPS_ONLY, {"on": "on"})
    return (rows if rows or not boundary else None), boundary


# The planner costs a search vector's test (@@) as nearly free, so for a window it walks the
# key's range testing every article (reading, unTOASTing, 50,000 search vectors: 625 ms for
# "moment" at 200,000 articles) rather than intersect the two indexes (49 ms). With plain
# index scans off for the window's query it intersects them; the articles of the pool are
# then read through the key's bitmap, one each, as cheaply.
_INDEX_SCANS = text("SELECT set_config('enable_indexscan', :on, true)")


def _boundary(conn: Connection) -> int:
    """The window's boundary (migration 0018); 0 while the site is smaller than the window."""
    return int(conn.execute(text("SELECT boundary FROM articles_fts_window")).scalar() or 0)


# At most the pool of the window's matches of an FTS5 query, readable or not. Newest first, as
# the pool is walked: FTS5 took 0.53 ms to count the same matches oldest first, 0.19 so.
_WINDOW_MATCHES = text(
    f"SELECT count(*) FROM (SELECT 1 FROM {_WINDOW} WHERE {_WINDOW} MATCH :q "
    f"ORDER BY rowid DESC LIMIT :pool)"
)
# At most the pool of a source's articles at or above the window's boundary (an upper bound
# of its matches there: readable or not, any word).
_SOURCE_IN_WINDOW = text(
    "SELECT count(*) FROM (SELECT 1 FROM articles WHERE source_id = :s AND id >= :b LIMIT :pool)"
)


def _common(conn: Connection, q: str) -> bool:
    """Whether an FTS5 query matches at least 1 % of the latest articles (SQLite)."""
    return _latest_matches(conn, q)[1] >= _DENSE_SAMPLE * _DENSE_SHARE


def _pg_common(conn: Connection, q: str, share: float = _DENSE_SHARE) -> bool:
    """Whether PostgreSQL expects a query to match at least `share` of the articles, so that
    walking the time index meets a page of them early. Its planner cannot tell itself:
    it takes the matches to be spread evenly through the time index, and for a word it has no
    statistics of (rarer than any it keeps) it expects ~1 %, walks, and meets every article.
    Unanalysed (no statistics yet, a new site) it walks, as before: small archives either way."""
    total = conn.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = 'articles'::regclass")
    ).scalar()
    if not total or total <= 0:
        return True
    plan = conn.execute(text(_PG_ESTIMATE), {"q": q}).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"]) >= float(total) * share


def _latest_matches(conn: Connection, q: str) -> tuple[int, int]:
    """The newest article id, and how many of the _DENSE_SAMPLE before it an FTS5 query
    matches (SQLite): how common it is now, at the cost of one short walk."""
    top = conn.execute(text("SELECT max(id) FROM articles")).scalar() or 0
    found = conn.execute(
        text("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :q AND rowid > :since"),
        {"q": q, "since": top - _DENSE_SAMPLE},
    ).scalar_one()
    return int(top), int(found)


def _estimated_matches(conn: Connection, q: str) -> tuple[int, float]:
    """The newest article id, and how many articles an FTS5 query matches, estimated from the
    latest _DENSE_SAMPLE (SQLite)."""
    top, found = _latest_matches(conn, q)
    return top, top * found / max(min(top, _DENSE_SAMPLE), 1)


def count(
    conn: Connection, query: str, filters: Filters | None = None, hits: Hits | None = None
) -> int:
    """How many readable articles match, up to COUNT_CAP: from `hits`, the search's own page,
    where its query counted them (saving a second walk of the matches)."""
    if hits is not None and hits.pooled is not None:
        return hits.pooled
    f = filters or Filters()
    q, words, sqlite = _prepared(conn, query, f)
    if not q:
        return 0
    extra, values, typed = f.sql()
    tagged = _tag_probe(conn, f, words).cond if sqlite else ""
    sql = (
        _SQLITE_COUNT.replace("{matches}", _sqlite_matches(extra + tagged)) if sqlite else _PG_COUNT
    )
    sql = sql.replace("{filters}", extra + tagged)
    sql = sql.replace("{outlet}", _outlet(f))
    sql = sql.replace("{newest}", _NEWEST[bool(tagged)])
    sql = sql.replace("{pool_order}", _PG_POOL_ORDER[f.date_to is not None])
    stmt = text(sql).bindparams(*typed)
    return int(conn.execute(stmt, {"q": q, "cap": COUNT_CAP, **values}).scalar_one())
