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

from sqlalchemy import Connection, text

from newsweave.model import VISIBLE_STATES
from newsweave.store.schema import UTCDateTime

__all__ = ["HIT_END", "HIT_START", "SearchHit", "search"]

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
WHERE articles_fts MATCH :q AND a.state IN ({_STATES})
ORDER BY rank
LIMIT :limit OFFSET :offset
"""

_POSTGRES = f"""
SELECT hit.id, hit.title, hit.url, hit.source, hit.published_at, hit.rank,
       ts_headline('simple', hit.text, q,
                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) ||
                   ', MaxWords=35, MinWords=15, MaxFragments=1') AS snippet
FROM (
    SELECT a.id, a.title, a.url, s.name AS source, a.published_at, a.text,
           ts_rank_cd(a.search_vector, q) AS rank
    FROM articles a JOIN sources s ON s.id = a.source_id,
         websearch_to_tsquery('simple', :q) q
    WHERE a.search_vector @@ q AND a.state IN ({_STATES})
    ORDER BY rank DESC, a.id DESC
    LIMIT :limit OFFSET :offset
) hit, websearch_to_tsquery('simple', :q) q
ORDER BY hit.rank DESC, hit.id DESC
"""


def search(conn: Connection, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
    """Readable articles matching `query`, best first, with a highlighted snippet."""
    if conn.dialect.name == "sqlite":
        q = fts5_query(query)
        sql = _SQLITE
    else:
        q = " ".join(_WORD.findall(query))
        sql = _POSTGRES
    if not q:
        return []
    rows = conn.execute(text(sql), {"q": q, "limit": limit, "offset": offset})
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
