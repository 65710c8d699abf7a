"""Full-text search: FTS5 with bm25 on SQLite, tsvector with ts_rank_cd on PostgreSQL.

User input never reaches the query language raw: on SQLite every word becomes a quoted FTS5
string (so `AND`, `"`, `*`, `NEAR(` and `-` are just words); on PostgreSQL
websearch_to_tsquery reads it, which accepts any input. Snippets mark hits with \\x02 ... \\x03;
callers render them (plain text, ANSI or <mark>).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

from newsweave.model import VISIBLE_STATES
from newsweave.store.schema import UTCDateTime

__all__ = ["HIT_END", "HIT_START", "Filters", "SearchHit", "search"]

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

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "snippet": self.snippet.replace(HIT_START, "").replace(HIT_END, ""),
        }


def fts5_query(query: str) -> str:
    """A safe FTS5 query: every word quoted, all required."""
    return " ".join(f'"{w}"' for w in _WORD.findall(query))


_STATES = ", ".join(f"'{s.value}'" for s in VISIBLE_STATES)

_SQLITE = f"""
SELECT a.id, a.title, a.url, s.name AS source, a.published_at,
       snippet(articles_fts, 1, char(2), char(3), '…', 24) AS snippet,
       bm25(articles_fts, 5.0, 1.0) AS rank
FROM articles_fts
JOIN articles a ON a.id = articles_fts.rowid
JOIN sources s ON s.id = a.source_id
WHERE articles_fts MATCH :q AND a.state IN ({_STATES}) AND a.duplicate_of IS NULL {{filters}}
ORDER BY rank
LIMIT :limit OFFSET :offset
"""

_POSTGRES = f"""
SELECT hit.id, hit.title, hit.url, hit.source, hit.published_at, hit.rank,
       ts_headline('simple', hit.text, hit.query,
                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) ||
                   ', MaxWords=35, MinWords=15, MaxFragments=1') AS snippet
FROM (
    SELECT a.id, a.title, a.url, s.name AS source, a.published_at, a.text,
           ts_rank_cd(a.search_vector, q) AS rank, q AS query
    FROM articles a JOIN sources s ON s.id = a.source_id,
         websearch_to_tsquery('simple', :q) q
    WHERE a.search_vector @@ q AND a.state IN ({_STATES}) AND a.duplicate_of IS NULL {{filters}}
    ORDER BY rank DESC, a.id DESC
    LIMIT :limit OFFSET :offset
) hit
ORDER BY hit.rank DESC, hit.id DESC
"""


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
    # What the reader muted (store.reading.Mutes): never among the hits.
    muted_sources: tuple[int, ...] = ()
    muted_tags: tuple[int, ...] = ()
    muted_words: tuple[str, ...] = ()

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
        if self.muted_sources:
            where.append(
                f"a.source_id NOT IN ({', '.join(str(int(i)) for i in self.muted_sources)})"
            )
        if self.muted_tags:
            ids = ", ".join(str(int(i)) for i in self.muted_tags)
            where.append(
                "NOT EXISTS (SELECT 1 FROM article_tags mt "
                f"WHERE mt.article_id = a.id AND mt.tag_id IN ({ids}))"
            )
        shown = "lower(COALESCE(a.title, '') || ' ' || COALESCE(a.summary, ''))"
        for i, word in enumerate(self.muted_words):
            where.append(f"{shown} NOT LIKE :muted{i} ESCAPE '\\'")
            escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            values[f"muted{i}"] = f"%{escaped}%"
        return "".join(f" AND {w}" for w in where), values, typed


def search(
    conn: Connection,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: Filters | None = None,
) -> list[SearchHit]:
    """Readable articles matching `query`, best first, with a highlighted snippet."""
    if conn.dialect.name == "sqlite":
        q = fts5_query(query)
        sql = _SQLITE
    else:
        q = " ".join(_WORD.findall(query))
        sql = _POSTGRES
    if not q:
        return []
    extra, values, typed = (filters or Filters()).sql()
    stmt = text(sql.replace("{filters}", extra)).bindparams(*typed)
    rows = conn.execute(stmt, {"q": q, "limit": limit, "offset": offset, **values})
    conv = UTCDateTime()
    return [
        SearchHit(
            id=r.id,
            title=r.title,
            url=r.url,
            source=r.source,
            published=conv.process_result_value(r.published_at, conn.dialect),
            snippet=r.snippet or "",
            rank=float(r.rank),
        )
        for r in rows
    ]
