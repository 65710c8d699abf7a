"""Stories: coverage of one event across outlets. The clusterer's state (the sums of the members'
vectors and terms, the span) lives on the story's row, so any process can read it back; the
decision itself is enrich/stories.py's, run by newsweave.understanding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, null, select, update

from newsweave.store import upserts
from newsweave.store.enrichment import STORIES_GENERATION
from newsweave.store.schema import (
    ARTICLE_TIME,
    analyses,
    articles,
    site_state,
    stories,
)

__all__ = [
    "StoryMember",
    "StoryRow",
    "create_story",
    "forget_memberships",
    "lead_texts",
    "memberships",
    "open_stories",
    "reset_stories",
    "set_crosslingual",
    "set_story",
    "set_story_text",
    "stories_by_id",
    "stories_since",
    "story_members",
    "story_of",
    "unsummed_open",
]


@dataclass(frozen=True, slots=True)
class StoryMember:
    id: int
    title: str
    summary: str
    at: datetime | None
    genre: str | None = None  # news, opinion, analysis (enrich.genre), once analysed


@dataclass(frozen=True, slots=True)
class StoryRow:
    id: int
    title: str
    first_seen_at: datetime
    last_seen_at: datetime
    centroid: bytes | None
    article_count: int
    terms: dict[str, float]
    crosslingual: bytes | None = None
    language: str | None = None
    crosslingual_count: int | None = None  # members the sum holds; None: all of them


def open_stories(conn: Connection, window: timedelta) -> list[StoryRow]:
    """The stories an article may still join: those within `window` of the latest story's
    end (the clusterer's own rule, so a process that starts now holds what a process that
    ran all along holds)."""
    top = conn.execute(select(func.max(stories.c.last_seen_at))).scalar()
    if top is None:
        return []
    since = top - window
    q = select(stories).where(stories.c.last_seen_at >= since, stories.c.closed.is_(False))
    return [_story_row(r) for r in conn.execute(q.order_by(stories.c.id))]


# Story ids bound into one query: SQLite takes 32,766 parameters at most.
_IDS_AT_ONCE = 5000


def unsummed_open(conn: Connection, window: timedelta) -> list[int]:
    """The open stories (as `open_stories`) whose cross-language sum holds no member: begun
    and fed while the site made no cross-language vector for its articles."""
    top = conn.execute(select(func.max(stories.c.last_seen_at))).scalar()
    if top is None:
        return []
    q = select(stories.c.id).where(
        stories.c.last_seen_at >= top - window,
        stories.c.closed.is_(False),
        stories.c.crosslingual.is_(None),
    )
    return list(conn.execute(q.order_by(stories.c.id)).scalars())


def lead_texts(
    conn: Connection, story_ids: list[int], per_story: int, chars: int = 400
) -> dict[int, list[tuple[str, str]]]:
    """(headline, the first `chars` of the text) of each story's latest `per_story` originals
    (copies aside), newest first; asked _IDS_AT_ONCE stories at a time."""
    out: dict[int, list[tuple[str, str]]] = {}
    rank = func.row_number().over(
        partition_by=articles.c.story_id, order_by=(ARTICLE_TIME.desc(), articles.c.id.desc())
    )
    for start in range(0, len(story_ids), _IDS_AT_ONCE):
        inner = (
            select(
                articles.c.story_id,
                articles.c.title,
                func.substr(articles.c.text, 1, chars).label("lead"),
                rank.label("rank"),
            )
            .where(
                articles.c.story_id.in_(story_ids[start : start + _IDS_AT_ONCE]),
                articles.c.duplicate_of.is_(None),
            )
            .subquery()
        )
        q = select(inner.c.story_id, inner.c.title, inner.c.lead).where(inner.c.rank <= per_story)
        for r in conn.execute(q.order_by(inner.c.story_id, inner.c.rank)):
            out.setdefault(r.story_id, []).append((r.title or "", r.lead or ""))
    return out


def set_crosslingual(conn: Connection, story_id: int, total: bytes, count: int, seq: int) -> bool:
    """Give a story the cross-language sum of `count` members, unless it has one by now (a
    member joined meanwhile with its vector): whether it was set."""
    q = (
        update(stories)
        .where(stories.c.id == story_id, stories.c.crosslingual.is_(None))
        .values(crosslingual=total, crosslingual_count=count, seq=seq)
    )
    return conn.execute(q).rowcount == 1


def stories_by_id(conn: Connection, story_ids: list[int]) -> list[StoryRow]:
    out = []
    for start in range(0, len(story_ids), _IDS_AT_ONCE):
        q = select(stories).where(stories.c.id.in_(story_ids[start : start + _IDS_AT_ONCE]))
        out += [_story_row(r) for r in conn.execute(q.order_by(stories.c.id))]
    return out


def _story_row(r: Any) -> StoryRow:
    return StoryRow(
        r.id,
        r.title or "",
        r.first_seen_at,
        r.last_seen_at,
        r.centroid,
        r.article_count,
        dict(r.terms or {}),
        r.crosslingual,
        r.language,
        r.crosslingual_count,
    )


def stories_since(conn: Connection, seq: int) -> list[StoryRow]:
    """The open stories changed after step `seq` of understanding."""
    q = select(stories).where(stories.c.seq > seq, stories.c.closed.is_(False))
    return [_story_row(r) for r in conn.execute(q.order_by(stories.c.id))]


def create_story(
    conn: Connection,
    title: str,
    when: datetime,
    centroid: bytes,
    terms: Mapping[str, float],
    seq: int | None = None,
    *,
    crosslingual: bytes | None = None,
    crosslingual_count: int = 0,
    language: str | None = None,
) -> int:
    return int(
        conn.execute(
            insert(stories)
            .values(
                title=title,
                first_seen_at=when,
                last_seen_at=when,
                centroid=centroid,
                terms=dict(terms),
                crosslingual=crosslingual,
                crosslingual_count=crosslingual_count,
                language=language,
                article_count=0,
                outlet_count=0,
                seq=seq,
            )
            .returning(stories.c.id)
        ).scalar_one()
    )


def story_of(conn: Connection, article_id: int) -> int | None:
    sid = conn.execute(select(articles.c.story_id).where(articles.c.id == article_id)).scalar()
    return int(sid) if sid is not None else None


def set_story(
    conn: Connection,
    article_id: int,
    story_id: int,
    when: datetime | None,
    centroid: bytes | None = None,
    terms: Mapping[str, float] | None = None,
    seq: int | None = None,
    *,
    crosslingual: bytes | None = None,
    crosslingual_count: int | None = None,
) -> None:
    """Put an article in a story and refresh the story's counts (copies are not coverage).

    `when` widens the story's span to the article's time; a copy's (None) does not."""
    old = story_of(conn, article_id)
    conn.execute(update(articles).where(articles.c.id == article_id).values(story_id=story_id))
    for sid in {story_id, old} - {None}:
        members = and_(articles.c.story_id == sid, articles.c.duplicate_of.is_(None))
        n_articles, n_outlets = conn.execute(
            select(func.count(), func.count(func.distinct(articles.c.source_id))).where(members)
        ).one()
        values: dict[str, Any] = {"article_count": n_articles, "outlet_count": n_outlets}
        if sid == story_id and when is not None:  # a copy (None) does not widen the span
            row = conn.execute(
                select(stories.c.first_seen_at, stories.c.last_seen_at).where(stories.c.id == sid)
            ).one()
            values["last_seen_at"] = max(row.last_seen_at, when)
            values["first_seen_at"] = min(row.first_seen_at, when)
        if sid == story_id:
            if centroid is not None:
                values["centroid"] = centroid
            if terms is not None:
                values["terms"] = dict(terms)
            if crosslingual is not None:
                values["crosslingual"] = crosslingual
                values["crosslingual_count"] = crosslingual_count
            if seq is not None:
                values["seq"] = seq
        conn.execute(update(stories).where(stories.c.id == sid).values(values))


def story_members(
    conn: Connection, story_id: int, limit: int, *, summaries: bool = True
) -> list[StoryMember]:
    """The story's latest coverage (copies aside), newest first; without their summaries
    unless asked (on SQLite a summary follows the text in the row: reading it walks the
    text's overflow pages, twice the pages of the title)."""
    when = ARTICLE_TIME
    summary = articles.c.summary if summaries else null().label("summary")
    latest = (
        select(articles.c.id, articles.c.title, summary, when.label("at"))
        .where(articles.c.story_id == story_id, articles.c.duplicate_of.is_(None))
        .order_by(when.desc(), articles.c.id.desc())
        .limit(limit)
        .subquery()
    )
    # Each member's genre, read for the `limit` latest only: a big story's thousands of
    # members are not each joined to their analyses before the sort.
    kind = and_(analyses.c.article_id == latest.c.id, analyses.c.name == "kind")
    q = (
        select(latest, analyses.c.data)
        .outerjoin(analyses, kind)
        .order_by(latest.c.at.desc(), latest.c.id.desc())
    )
    return [
        StoryMember(r.id, r.title or "", r.summary or "", r.at, _genre(r.data))
        for r in conn.execute(q)
    ]


def _genre(data: object) -> str | None:
    """The label of a stored genre analysis ({"label": "opinion", "confidence": 0.95})."""
    label = data.get("label") if isinstance(data, dict) else None
    return label if isinstance(label, str) else None


def set_story_text(
    conn: Connection, story_id: int, title: str, summary: str | None, seq: int | None = None
) -> None:
    """The story's headline, and its summary when one was made."""
    values: dict[str, Any] = {"title": title}
    if seq is not None:
        values["seq"] = seq
    if summary is not None:
        values["summary"] = summary
    conn.execute(update(stories).where(stories.c.id == story_id).values(values))


def forget_memberships(conn: Connection, limit: int | None = None) -> int:
    """Clear the story and understanding order of the articles that hold either (up to
    `limit` of them); how many. Rows that hold neither are not touched: at a million articles
    one update of every row was a transaction of over 2.5 minutes on SQLite (every row
    rewritten), and 18 s when every row was already clear, holding the write lock collecting
    needs (`reindex --all`, bench/README.md); a caller may clear them in batches first."""
    done = 0
    for held in (articles.c.story_id, articles.c.understood_seq):  # both indexed
        if limit is not None and done >= limit:
            break
        which = held.is_not(None)
        if limit is not None:
            which = articles.c.id.in_(select(articles.c.id).where(which).limit(limit - done))
        done += conn.execute(
            update(articles)
            .where(which)
            .values(story_id=None, understood_seq=None, first_understood_seq=None)
        ).rowcount
    return done


def memberships(conn: Connection) -> int:
    """About how many articles forget_memberships would clear: the more of those holding a
    story and those holding an understanding order (nearly all hold both). Each is counted
    off its index; counting either at once scanned every article's row."""
    counts = (
        conn.execute(select(func.count()).where(held.is_not(None))).scalar_one()
        for held in (articles.c.story_id, articles.c.understood_seq)
    )
    return max(int(n) for n in counts)


def reset_stories(conn: Connection) -> None:
    """Forget every story, before clustering all articles again in time order."""
    # The understanding order starts again too (every article is understood anew, in time
    # order), and the generation goes up: a process that sees it change reads its memory afresh.
    forget_memberships(conn)
    conn.execute(delete(stories))
    upserts.put(
        conn, site_state, {"name": STORIES_GENERATION, "value": _generation(conn) + 1}, ["name"]
    )


def _generation(conn: Connection) -> int:
    q = select(site_state.c.value).where(site_state.c.name == STORIES_GENERATION)
    return int(conn.execute(q).scalar() or 0)
