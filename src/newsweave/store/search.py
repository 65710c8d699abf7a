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
and a rarer query has fewer matches than the pool and is ranked whole. Snippets are made for
the page shown only.
Newest-first hits are exact: PostgreSQL's planner reads the time index or sorts the matches by
its statistics; SQLite has none, so a word common among the latest articles walks the time
index and checks each article against the index of words, and a rarer one sorts its matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

from newsweave.model import VISIBLE_STATES
from newsweave.store.reading import Mutes
from newsweave.store.schema import UTCDateTime

__all__ = ["COUNT_CAP", "HIT_END", "HIT_START", "Filters", "SearchHit", "count", "search"]

HIT_START, HIT_END = "\x02", "\x03"
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
    """A safe FTS5 query: every word quoted, all required."""
    return " ".join(f'"{w}"' for w in _WORD.findall(query))


_STATES = ", ".join(f"'{s.value}'" for s in VISIBLE_STATES)

# {filters}: the Filters' conditions.
POOL = 1000  # the newest matches a search ranks (see the module docstring)

_HIT = "a.id, a.title, a.url, s.name AS source, a.published_at, a.first_seen_at, a.story_id"
# The readable originals that match, driven by the FTS index (SQLite).
_SQLITE_MATCHES = f"""
FROM articles_fts
JOIN articles a ON a.id = articles_fts.rowid
JOIN sources s ON s.id = a.source_id
WHERE articles_fts MATCH :q AND a.state IN ({_STATES}) AND a.duplicate_of IS NULL {{filters}}
"""
# Best first: the FTS scan walks its matches newest first (rowid order, which FTS5 gives
# without sorting) and stops at the pool; bm25 runs for those rows only.
_SQLITE = f"""
SELECT * FROM (
    SELECT {_HIT}, bm25(articles_fts, 5.0, 1.0) AS rank {_SQLITE_MATCHES}
    ORDER BY articles_fts.rowid DESC
    LIMIT :pool
) a
ORDER BY rank, a.id DESC
LIMIT :limit OFFSET :offset
"""
# Newest first for a word common among the latest articles: walk the time index (`+` keeps
# SQLite off the state index) and look each article up in the FTS index, until a page is full.
_SQLITE_DENSE_BY_DATE = f"""
SELECT {_HIT}, 0.0 AS rank
FROM articles a JOIN sources s ON s.id = +a.source_id
WHERE +a.state IN ({_STATES}) AND a.duplicate_of IS NULL {{filters}}
  AND EXISTS (SELECT 1 FROM articles_fts
              WHERE articles_fts MATCH :q AND articles_fts.rowid = a.id)
ORDER BY COALESCE(a.published_at, a.first_seen_at) DESC, a.id DESC
LIMIT :limit OFFSET :offset
"""
# Newest first for a rarer word: its matches, sorted.
_SQLITE_SPARSE_BY_DATE = f"""
SELECT {_HIT}, bm25(articles_fts, 5.0, 1.0) AS rank {_SQLITE_MATCHES}
ORDER BY COALESCE(a.published_at, a.first_seen_at) DESC, a.id DESC
LIMIT :limit OFFSET :offset
"""
# How common a word is among the latest articles: in at least 1 % of the last 5,000, a walk
# down the time index meets a page of its matches within ~2,000 articles.
_DENSE_SAMPLE, _DENSE_SHARE = 5000, 0.01
_SQLITE_SNIPPETS = """
SELECT rowid, snippet(articles_fts, 1, char(2), char(3), '…', 24)
FROM articles_fts WHERE articles_fts MATCH :q AND rowid IN ({ids})
"""
_SQLITE_COUNT = f"""
SELECT count(*) FROM (SELECT 1 {_SQLITE_MATCHES} LIMIT :cap)
"""

# The 'simple' words of every article, or the 'english' stems of the English ones
# (migration 0011): "boosters" finds "booster" in English, and every language finds itself.
_PG_QUERY = (
    "(SELECT websearch_to_tsquery('simple', :q) || websearch_to_tsquery('english', :q) AS q) tq"
)
# The readable originals that match (PostgreSQL), and the snippet of a hit.
_PG_MATCHES = f"""
FROM articles a JOIN sources s ON s.id = a.source_id, {_PG_QUERY}
WHERE a.search_vector @@ tq.q AND a.state IN ({_STATES}) AND a.duplicate_of IS NULL {{filters}}
"""
_PG_HEADLINE = (
    "ts_headline('simple', hit.text, hit.query, 'StartSel=' || chr(2) || ', StopSel=' || "
    "chr(3) || ', MaxWords=35, MinWords=15, MaxFragments=1') AS snippet"
)
# Best first: the newest matches, stopped at the pool, then ranked; snippets for the page only.
_POSTGRES = f"""
SELECT hit.id, hit.title, hit.url, hit.source, hit.published_at, hit.first_seen_at,
       hit.story_id, hit.rank, {_PG_HEADLINE}
FROM (
    SELECT pool.*, ts_rank_cd(pool.search_vector, pool.query) AS rank FROM (
        SELECT {_HIT}, a.text, a.search_vector, tq.q AS query {_PG_MATCHES}
        ORDER BY a.id DESC
        LIMIT :pool
    ) pool
    ORDER BY rank DESC, pool.id DESC
    LIMIT :limit OFFSET :offset
) hit
ORDER BY hit.rank DESC, hit.id DESC
"""
# Newest first on PostgreSQL: the planner reads the time index backwards, checking each
# article's words, or sorts the matches of a rare word, by its own statistics.
_POSTGRES_BY_DATE = f"""
SELECT hit.*, {_PG_HEADLINE}
FROM (
    SELECT {_HIT}, a.text, 0.0 AS rank, tq.q AS query {_PG_MATCHES}
    ORDER BY COALESCE(a.published_at, a.first_seen_at) DESC, a.id DESC
    LIMIT :limit OFFSET :offset
) hit
ORDER BY COALESCE(hit.published_at, hit.first_seen_at) DESC, hit.id DESC
"""
_PG_COUNT = f"""
SELECT count(*) FROM (SELECT 1 {_PG_MATCHES} LIMIT :cap) found
"""
COUNT_CAP = POOL  # counting stops here ("1,000+"): past the pool no hit is ranked or shown


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

    def sql(self) -> tuple[str, dict[str, Any], list[Any]]:
        """Extra WHERE conditions, their values, and typed bind parameters for the dates."""
        where: list[str] = []
        values: dict[str, Any] = {}
        typed: list[Any] = []
        for field, cond in (
            ("source_id", "a.source_id = :source_id"),
            ("language", "a.language = :language"),
            ("country", "s.country = :country"),
            ("ownership", "s.ownership = :ownership"),
            ("kind", "s.kind = :kind"),
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
        when = "COALESCE(a.published_at, a.first_seen_at)"
        if self.date_from is not None:
            where.append(f"{when} >= :date_from")
            typed.append(bindparam("date_from", self.date_from, type_=UTCDateTime()))
        if self.date_to is not None:
            where.append(f"{when} < :date_to")
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


def _prepared(conn: Connection, query: str) -> tuple[str, bool]:
    """The query as the database's search takes it, and whether it is SQLite's."""
    if conn.dialect.name == "sqlite":
        return fts5_query(query), True
    return " ".join(_WORD.findall(query)), False


def search(
    conn: Connection,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: Filters | None = None,
    order: str = "rank",
) -> list[SearchHit]:
    """Readable articles matching `query`, best first (or newest first with order="date"),
    with a highlighted snippet."""
    q, sqlite = _prepared(conn, query)
    if not q:
        return []
    if order not in ("rank", "date"):
        raise ValueError(f"order is rank or date, not {order!r}")
    extra, values, typed = (filters or Filters()).sql()
    if order == "date" and sqlite:
        sql = _SQLITE_DENSE_BY_DATE if _common(conn, q) else _SQLITE_SPARSE_BY_DATE
    elif order == "date":
        sql = _POSTGRES_BY_DATE
    elif sqlite:
        sql = _SQLITE
    else:
        sql = _POSTGRES
    stmt = text(sql.replace("{filters}", extra)).bindparams(*typed)
    params = {"q": q, "limit": limit, "offset": offset, "pool": POOL, **values}
    rows = conn.execute(stmt, params).all()
    snippets: dict[int, str] = {}
    if sqlite and rows:
        ids = ", ".join(str(int(r.id)) for r in rows)
        found = conn.execute(text(_SQLITE_SNIPPETS.replace("{ids}", ids)), {"q": q})
        snippets = {int(i): snip for i, snip in found}
    conv = UTCDateTime()
    out = []
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
                snippet=(snippets.get(r.id) if sqlite else r.snippet) or "",
                rank=float(r.rank),
                story_id=r.story_id,
            )
        )
    return out


def _common(conn: Connection, q: str) -> bool:
    """Whether an FTS5 query matches at least 1 % of the latest articles (SQLite)."""
    top = conn.execute(text("SELECT max(id) FROM articles")).scalar() or 0
    found = conn.execute(
        text("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :q AND rowid > :since"),
        {"q": q, "since": top - _DENSE_SAMPLE},
    ).scalar_one()
    return int(found) >= _DENSE_SAMPLE * _DENSE_SHARE


def count(conn: Connection, query: str, filters: Filters | None = None) -> int:
    """How many readable articles match, up to COUNT_CAP."""
    q, sqlite = _prepared(conn, query)
    if not q:
        return 0
    extra, values, typed = (filters or Filters()).sql()
    sql = (_SQLITE_COUNT if sqlite else _PG_COUNT).replace("{filters}", extra)
    stmt = text(sql).bindparams(*typed)
    return int(conn.execute(stmt, {"q": q, "cap": COUNT_CAP, **values}).scalar_one())
