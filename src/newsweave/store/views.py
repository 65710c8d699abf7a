"""What the pages show: an article with everything enrichment stored, a story, a hashtag.

Read-only queries, each page a handful of them (no model runs on a page view).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from newsweave.errors import NotFoundError
from newsweave.model import VISIBLE_STATES
from newsweave.store import tags as tag_store
from newsweave.store.articles import label_filters
from newsweave.store.schema import (
    ARTICLE_TIME,
    UTCDateTime,
    analyses,
    article_entities,
    article_tags,
    articles,
    attributions,
    entities,
    related,
    source_count_moves,
    source_counts,
    sources,
    stories,
    tag_counts,
    tags,
)
from newsweave.words import speaker_groups

__all__ = [
    "CARD",
    "VISIBLE",
    "ArticleCard",
    "Attribution",
    "EntityCount",
    "Insights",
    "SourceCount",
    "Speaker",
    "StoryCard",
    "StoryPage",
    "TagCount",
    "TagPage",
    "TagRef",
    "article_insights",
    "article_list",
    "cards",
    "label_values",
    "lean_counts",
    "story_list",
    "story_page",
    "tag_list",
    "tag_page",
    "top_stories",
    "unindexed",
    "walk_meets",
    "walk_point",
]

FeedFormat = Literal["atom", "json"]


@dataclass(frozen=True, slots=True)
class ArticleCard:
    """An article as every list shows it (front page, tag, source, story, related, feeds, API)."""

    id: int
    title: str | None
    summary: str | None
    published_at: datetime | None
    first_seen_at: datetime
    url: str | None
    language: str | None
    story_id: int | None
    source: str
    source_id: int
    country: str | None
    ownership: str | None
    lean: str | None

    @property
    def at(self) -> datetime:
        """Its place in time-ordered lists and their cursors: published, else first seen."""
        return self.published_at or self.first_seen_at


@dataclass(frozen=True, slots=True)
class TagRef:
    slug: str
    label: str
    display: str
    kind: str | None


@dataclass(frozen=True, slots=True)
class TagCount(TagRef):
    articles: int


@dataclass(frozen=True, slots=True)
class Attribution:
    speaker: str | None
    cue: str | None
    content: str
    kind: str


@dataclass(frozen=True, slots=True)
class EntityCount:
    name: str
    type: str
    count: int


@dataclass(frozen=True, slots=True)
class Insights:
    """Everything enrichment stored about one article, as its page and the API show it."""

    tags: list[TagRef]
    summary: str
    key_points: list[str]
    kind: Mapping[str, Any] | None  # the genre analysis: label, confidence, cues
    attributions: list[Attribution]
    entities: list[EntityCount]
    related: list[ArticleCard]
    coverage: list[ArticleCard]


@dataclass(frozen=True, slots=True)
class StoryCard:
    id: int
    title: str | None
    summary: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    article_count: int
    outlet_count: int
    outlets: list[str] = field(default_factory=list)  # filled for the front page's top stories


@dataclass(frozen=True, slots=True)
class Claim:
    cue: str | None
    content: str
    article_id: int


@dataclass(frozen=True, slots=True)
class Speaker:
    """One speaker of a story: how often quoted, and by which outlets with (a few of) the words."""

    speaker: str
    total: int
    outlets: dict[str, list[Claim]]
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class StoryPage:
    story: StoryCard
    articles: list[ArticleCard]
    by_outlet: dict[str, list[ArticleCard]]
    by_label: dict[str, dict[str, int]]
    who: list[Speaker]


@dataclass(frozen=True, slots=True)
class TagPage:
    tag: TagRef
    articles: list[ArticleCard]
    tag_id: int


@dataclass(frozen=True, slots=True)
class SourceCount:
    id: int
    name: str
    country: str | None
    ownership: str | None
    kind: str | None
    status: str
    articles: int


CARD = (
    articles.c.id,
    articles.c.title,
    articles.c.summary,
    articles.c.published_at,
    articles.c.first_seen_at,
    articles.c.url,
    articles.c.language,  # the API lists say them (they read null)
    articles.c.story_id,
    sources.c.name.label("source"),
    sources.c.id.label("source_id"),
    sources.c.country,
    sources.c.ownership,
    sources.c.lean,
)


class _NoIndexOnSQLite(ColumnElement[str]):
    """A column that SQLite's planner must not take an index for (its unary `+`, as SQLite's
    documentation advises); other databases see the column as it is.

    Nearly every article is readable, so the state index never helps a page; but SQLite's
    planner, without statistics (newsweave runs no ANALYZE), took it for `state IN (...)` and
    sorted every readable article instead of reading one page off the time index
    (schema.ARTICLE_TIME). PostgreSQL plans by its statistics, which an expression would hide.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, column: ColumnElement[str]) -> None:
        self.column = column
        self.type = column.type


@compiles(_NoIndexOnSQLite)
def _as_is(element: _NoIndexOnSQLite, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(_NoIndexOnSQLite, "sqlite")
def _unary_plus(element: _NoIndexOnSQLite, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.column, **kw))


def unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """`column`, which SQLite is not to look up by an index of its own (a list that must be
    read off the time index, testing each article it meets)."""
    return _NoIndexOnSQLite(column)


VISIBLE = _NoIndexOnSQLite(articles.c.state).in_([str(s) for s in VISIBLE_STATES])
# An article's source, joined so that SQLite cannot drive a list from the sources (200 of
# them, each looked up in the source-time index, then every article sorted): the list reads
# the time index and looks each article's source up by its key.
SOURCE_OF = sources.c.id == _NoIndexOnSQLite(articles.c.source_id)


def cards(conn: Connection, q: Any) -> list[ArticleCard]:
    """The cards a query of CARD columns selects."""
    return [ArticleCard(*r) for r in conn.execute(q)]


_STORY_CARD = (
    stories.c.id,
    stories.c.title,
    stories.c.summary,
    stories.c.first_seen_at,
    stories.c.last_seen_at,
    stories.c.article_count,
    stories.c.outlet_count,
)


Exclude = Sequence[ColumnElement[bool]]  # what a reader muted (store.reading.mute_clauses)


def article_insights(
    conn: Connection, article_id: int, story_id: int | None, exclude: Exclude = ()
) -> Insights:
    """Hashtags, the AI panel (summary, key points, kind, who says what, entities), related
    articles and other coverage of the article's story (`exclude`: what the reader muted)."""
    tag_rows = conn.execute(
        select(tags.c.slug, tags.c.label, tags.c.display, tags.c.kind)
        .join(article_tags, article_tags.c.tag_id == tags.c.id)
        .where(article_tags.c.article_id == article_id)
        .order_by(article_tags.c.score.desc())
    ).all()
    data = {
        r.name: r.data
        for r in conn.execute(
            select(analyses.c.name, analyses.c.data).where(
                analyses.c.article_id == article_id,
                analyses.c.name.in_(["summary", "kind"]),
                analyses.c.error.is_(None),
            )
        )
    }
    said = conn.execute(
        select(
            attributions.c.speaker, attributions.c.cue, attributions.c.content, attributions.c.kind
        )
        .where(attributions.c.article_id == article_id)
        .order_by(attributions.c.start)
    ).all()
    ents = conn.execute(
        select(entities.c.name, entities.c.type, article_entities.c.count)
        .join(article_entities, article_entities.c.entity_id == entities.c.id)
        .where(article_entities.c.article_id == article_id)
        .order_by(article_entities.c.count.desc(), entities.c.name)
        .limit(20)
    ).all()
    rel = cards(
        conn,
        select(*CARD)
        .join(sources, SOURCE_OF)
        .join(related, related.c.related_id == articles.c.id)
        .where(related.c.article_id == article_id, VISIBLE, *exclude)
        .order_by(related.c.rank),
    )
    coverage: list[ArticleCard] = []
    if story_id is not None:
        coverage = cards(
            conn,
            select(*CARD)
            .join(sources, SOURCE_OF)
            .where(
                articles.c.story_id == story_id,
                articles.c.id != article_id,
                articles.c.duplicate_of.is_(None),
                VISIBLE,
                *exclude,
            )
            .order_by(ARTICLE_TIME.desc(), articles.c.id.desc())
            .limit(12),
        )
    summary = data.get("summary") or {}
    return Insights(
        tags=[TagRef(*r) for r in tag_rows],
        summary=summary.get("summary") or "",
        key_points=summary.get("key_points") or [],
        kind=data.get("kind"),
        attributions=[Attribution(*r) for r in said],
        entities=[EntityCount(*r) for r in ents],
        related=rel,
        coverage=coverage,
    )


def tag_page(conn: Connection, slug: str, limit: int = 50, exclude: Exclude = ()) -> TagPage:
    tag = conn.execute(
        select(tags.c.id, tags.c.slug, tags.c.label, tags.c.display, tags.c.kind).where(
            tags.c.slug == slug
        )
    ).first()
    if tag is None:
        raise NotFoundError(f"no hashtag {slug!r}")
    q = select(*CARD).join(sources, SOURCE_OF)
    if _walks_for(conn, tag.id, limit):
        q = q.where(_has_tag(tag.id))
    else:
        q = q.join(article_tags, article_tags.c.article_id == articles.c.id).where(
            article_tags.c.tag_id == tag.id
        )
    q = q.where(articles.c.duplicate_of.is_(None), VISIBLE, *exclude)
    items = cards(conn, q.order_by(ARTICLE_TIME.desc(), articles.c.id.desc()).limit(limit))
    return TagPage(TagRef(tag.slug, tag.label, tag.display, tag.kind), items, tag.id)


def story_page(conn: Connection, story_id: int, exclude: Exclude = ()) -> StoryPage:
    """The story, its articles in time order, coverage by outlet and who each outlet quotes."""
    story = conn.execute(select(*_STORY_CARD).where(stories.c.id == story_id)).first()
    if story is None:
        raise NotFoundError(f"no story with id {story_id}")
    items = cards(
        conn,
        select(*CARD)
        .join(sources, SOURCE_OF)
        .where(
            articles.c.story_id == story_id, articles.c.duplicate_of.is_(None), VISIBLE, *exclude
        )
        .order_by(ARTICLE_TIME),
    )
    by_outlet: dict[str, list[ArticleCard]] = defaultdict(list)
    for a in items:
        by_outlet[a.source].append(a)
    by_label: dict[str, dict[str, int]] = {"lean": {}, "country": {}, "ownership": {}}
    for a in items:
        for label, counts in by_label.items():
            value = getattr(a, label) or "unlabelled"
            counts[value] = counts.get(value, 0) + 1
    return StoryPage(
        story=StoryCard(*story),
        articles=items,
        by_outlet=dict(by_outlet),
        by_label=by_label,
        who=_who_says_what(conn, [a.id for a in items]),
    )


_CLAIM_CHARS = 280
_SPEAKERS_SHOWN = 12
_CLAIMS_PER_OUTLET = 2


def _who_says_what(conn: Connection, article_ids: list[int]) -> list[Speaker]:
    """The story's claims grouped by speaker, then by outlet: most-quoted speakers first, each
    with the outlets that quote them and (a few of) the words each outlet attributes."""
    if not article_ids:
        return []
    q = (
        select(
            attributions.c.speaker,
            attributions.c.cue,
            attributions.c.content,
            articles.c.id.label("article_id"),
            sources.c.name.label("outlet"),
        )
        .join(articles, articles.c.id == attributions.c.article_id)
        .join(sources, SOURCE_OF)
        .where(attributions.c.article_id.in_(article_ids), attributions.c.speaker.is_not(None))
        .order_by(attributions.c.article_id, attributions.c.start)
    )
    rows = [r for r in conn.execute(q) if r.speaker and (r.content or "").strip()]
    group = speaker_groups(r.speaker for r in rows)
    by_speaker: dict[str, dict[str, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        speaker = group.get(r.speaker)
        if speaker is None:
            continue  # "I", "we": another person's voice in each article
        content = r.content if len(r.content) <= _CLAIM_CHARS else r.content[:_CLAIM_CHARS] + "…"
        by_speaker[speaker][r.outlet].append(Claim(r.cue, content, r.article_id))
    ranked = sorted(
        by_speaker.items(),
        key=lambda kv: (-len(kv[1]), -sum(len(c) for c in kv[1].values()), kv[0]),
    )
    who = [
        Speaker(
            speaker=speaker,
            total=sum(len(c) for c in outlets.values()),
            outlets={o: claims[:_CLAIMS_PER_OUTLET] for o, claims in outlets.items()},
            counts={o: len(claims) for o, claims in outlets.items()},
        )
        for speaker, outlets in ranked
    ]
    return who[:_SPEAKERS_SHOWN]


# The front page's stories are the widest of the latest fed, not of all time: a year-old story
# of 40 outlets would lead the page for ever, and sorting every story by its outlets took 0.8 s
# at a million articles (bench/archive.py). The latest are read off the last-seen index (at
# ~1,000 articles a day, 2,000 stories are the last few days).
_TOP_FROM = 2000


def top_stories(
    conn: Connection,
    limit: int = 10,
    labels: dict[str, str] | None = None,
    exclude: Exclude = (),
) -> list[StoryCard]:
    """The widest-covered stories (distinct outlets), then the freshest, with their outlets:
    of the _TOP_FROM stories fed last.

    With `labels` (or `exclude`), only stories with at least one article matching them (or
    not excluded)."""
    latest = (
        select(stories.c.id)
        .where(stories.c.article_count > 0)
        .order_by(stories.c.last_seen_at.desc())
        .limit(_TOP_FROM)
    )
    q = select(*_STORY_CARD).where(stories.c.id.in_(latest.scalar_subquery()))
    conditions = [*label_filters(labels), *exclude]
    if conditions:
        # Tested per candidate story off its articles (ix_articles_story_id): as an IN list of
        # every matching article's story, SQLite gathered the whole archive's first (585 ms
        # for ?language=en at a million articles, 2 ms so).
        matching = (
            select(articles.c.id)
            .join(sources, SOURCE_OF)
            .where(articles.c.story_id == stories.c.id, *conditions)
        )
        q = q.where(matching.exists())
    rows = conn.execute(
        q.order_by(stories.c.outlet_count.desc(), stories.c.last_seen_at.desc()).limit(limit)
    ).all()
    out = [StoryCard(*r) for r in rows]
    if not out:
        return out
    outlets: dict[int, set[str]] = defaultdict(set)
    q = (
        select(articles.c.story_id, sources.c.name)
        .join(sources, SOURCE_OF)
        .where(
            articles.c.story_id.in_([s.id for s in out]),
            articles.c.duplicate_of.is_(None),
            *exclude,
        )
    )
    for r in conn.execute(q):
        outlets[r.story_id].add(r.name)
    return [StoryCard(*s[:7], outlets=sorted(outlets[s.id])) for s in rows]


def lean_counts(
    conn: Connection, since: datetime, min_outlets: int = 3, limit: int = 500
) -> list[tuple[StoryCard, dict[str | None, int]]]:
    """Stories seen since `since` from at least `min_outlets` outlets, freshest first, with
    how many of their readable original articles each lean label has (None: unlabelled)."""
    q = (
        select(*_STORY_CARD)
        .where(stories.c.last_seen_at >= since, stories.c.outlet_count >= min_outlets)
        .order_by(stories.c.last_seen_at.desc(), stories.c.id.desc())
        .limit(limit)
    )
    found = {int(r.id): StoryCard(*r) for r in conn.execute(q)}
    if not found:
        return []
    counts: dict[int, dict[str | None, int]] = defaultdict(dict)
    by_lean = (
        select(articles.c.story_id, sources.c.lean, func.count())
        .join(sources, SOURCE_OF)
        .where(articles.c.story_id.in_(list(found)), articles.c.duplicate_of.is_(None), VISIBLE)
        .group_by(articles.c.story_id, sources.c.lean)
    )
    for sid, lean, n in conn.execute(by_lean):
        counts[int(sid)][lean] = int(n)
    return [(s, counts.get(i, {})) for i, s in found.items()]


def label_values(conn: Connection) -> dict[str, list[str]]:
    """Every value each filter of the front page can take: the articles' languages and the
    sources' labels (a scan of the articles: callers keep the answer a while)."""
    out: dict[str, list[str]] = {}
    for column in (
        articles.c.language,
        sources.c.country,
        sources.c.ownership,
        sources.c.kind,
        sources.c.lean,
    ):
        q = select(column).where(column.is_not(None)).distinct().order_by(column).limit(200)
        out[column.name] = [str(v) for v in conn.execute(q).scalars() if v]
    return out


def after_keyset(
    after: tuple[datetime, int], *, oldest_first: bool = False
) -> tuple[ColumnElement[bool], ...]:
    """The articles past the keyset (time, id) of a list read by time and id.

    A range on the time index's first column, then the tie: SQLite reads a row-value
    comparison or an OR of the two on an expression index by scanning from the top
    (bench/archive.py: 7.5 ms half-way down 10,000 articles); both databases seek to `at` so.
    """
    at, last_id = after
    if oldest_first:
        return at <= ARTICLE_TIME, or_(at < ARTICLE_TIME, articles.c.id > last_id)
    return at >= ARTICLE_TIME, or_(at > ARTICLE_TIME, articles.c.id < last_id)


def article_list(conn: Connection, **kwargs: Any) -> list[ArticleCard]:
    """Readable articles, newest first (by publication time, else first seen, as the feeds and
    the API order them), from just after the keyset `after` (time, id); copies left out.
    `labels` narrow by language and source labels (label_filters). See article_list_query."""
    kwargs["tag"] = kwargs.get("tag") or None
    kwargs["language"] = kwargs.get("language") or None
    slug = kwargs["tag"]
    if slug and kwargs.get("source_id") is None and kwargs.get("story_id") is None:
        tag_id = conn.execute(select(tags.c.id).where(tags.c.slug == slug)).scalar()
        if tag_id is None:
            return []
        kwargs["tag_id"] = tag_id
        kwargs["tag_walk"] = _walks_for(conn, tag_id, kwargs.get("limit", 20))
    if kwargs.get("labels") or kwargs.get("exclude"):
        return cards(conn, article_list_query(**kwargs))
    values = {k: v for k, v in kwargs.items() if k in _BOUND and v is not None}
    if "tag_id" in values:  # the slug was looked up: the id alone is asked
        values.pop("tag", None)
    after = kwargs.get("after")
    if after is not None:
        values["at"], values["last_id"] = after
    values["limit"] = kwargs.get("limit", 20)
    stmt = _list_statement(tuple(sorted(values)), bool(kwargs.get("tag_walk")))
    return [ArticleCard(*r) for r in conn.execute(stmt, values)]


# The filters a list's statement takes as parameters, with their types.
_BOUND: dict[str, Any] = {
    "source_id": Integer(),
    "language": String(),
    "story_id": Integer(),
    "tag": String(),
    "tag_id": Integer(),
}


@cache
def _list_statement(names: tuple[str, ...], tag_walk: bool) -> Select[Any]:
    """article_list_query with parameters in place of the values, built once per combination
    of filters: building the statement and its cache key cost ~1.1 ms of a deep API list's
    ~2 ms read (bench/archive.py, 10,000 articles), where running it costs ~0.9."""
    kw: dict[str, Any] = {n: bindparam(n, type_=_BOUND[n]) for n in names if n in _BOUND}
    if "at" in names:
        kw["after"] = (
            bindparam("at", type_=UTCDateTime()),
            bindparam("last_id", type_=Integer()),
        )
    kw["limit"] = bindparam("limit", type_=Integer())
    return article_list_query(tag_walk=tag_walk, **kw)


def _walks_for(conn: Connection, tag_id: int, limit: int) -> bool:
    """Whether a hashtag's newest articles are found by walking the time index (SQLite).

    Its articles looked up and sorted cost one row each; walking the whole archive newest
    first, about limit x archive / tag rows before `limit` of them have passed. The two meet
    at sqrt(limit x archive) articles (~7,000 of 1,000,000 for a page of 50): past that the
    walk is cheaper, and for the largest tags far cheaper (a tag on 10 % of a million articles:
    ~500 rows, against sorting 100,000). PostgreSQL's planner weighs this itself from its
    statistics of the tag column.
    """
    meet = walk_meets(conn, limit)
    return meet is not None and tag_store.count_upto(conn, tag_id, meet) > meet


def walk_meets(conn: Connection, limit: int) -> int | None:
    """How many articles a list must reach before a page of `limit` of them is found faster
    by walking the time index than by gathering and sorting them all: sqrt(limit x archive),
    at least 1,000 (see _walks_for). None where the database plans this itself (PostgreSQL)."""
    if conn.dialect.name != "sqlite":
        return None
    return walk_point(conn, limit)


def walk_point(conn: Connection, limit: int) -> int | None:
    """walk_meets on either database, for lists whose reach no planner can estimate (a
    reader's follows: store.reading.reach_is_wide); None for no page at all."""
    if limit <= 0:
        return None
    archive = conn.execute(select(func.max(articles.c.id))).scalar() or 0
    return max(1000, int(math.sqrt(limit * archive)))


def _has_tag(tag_id: Any) -> ColumnElement[bool]:
    """The tag as a test of each article met (no join: the time index drives the walk)."""
    return exists(
        select(article_tags.c.article_id).where(
            article_tags.c.article_id == articles.c.id, article_tags.c.tag_id == tag_id
        )
    )


def article_list_query(
    *,
    after: tuple[datetime, int] | None = None,
    limit: int = 20,
    source_id: int | None = None,
    language: str | None = None,
    tag: str | None = None,
    story_id: int | None = None,
    labels: dict[str, str] | None = None,
    exclude: Exclude = (),
    tag_walk: bool = False,
    tag_id: int | None = None,
) -> Select[Any]:
    """The query of article_list: read off the time indexes (schema.ARTICLE_TIME) from the
    keyset on, which both databases seek to; a large hashtag's articles are met on the way
    (`tag_walk`, see _walks_for), a small one's looked up; by `tag_id` where the caller has
    it, else by the slug `tag`."""
    q = (
        select(*CARD)
        .join(sources, SOURCE_OF)
        .where(VISIBLE, articles.c.duplicate_of.is_(None), *label_filters(labels), *exclude)
    )
    if after is not None:
        q = q.where(*after_keyset(after))
    if source_id is not None:
        q = q.where(articles.c.source_id == source_id)
    if language is not None:
        q = q.where(articles.c.language == language)
    if story_id is not None:
        q = q.where(articles.c.story_id == story_id)
    if tag_id is None and tag is not None:
        by_slug: Any = select(tags.c.id).where(tags.c.slug == tag).scalar_subquery()
    else:
        by_slug = tag_id
    if by_slug is not None and tag_walk:
        q = q.where(_has_tag(by_slug))
    elif by_slug is not None:
        q = q.join(article_tags, article_tags.c.article_id == articles.c.id).where(
            article_tags.c.tag_id == by_slug
        )
    return q.order_by(ARTICLE_TIME.desc(), articles.c.id.desc()).limit(limit)


def story_list(
    conn: Connection, *, after: tuple[datetime, int] | None = None, limit: int = 20
) -> list[StoryCard]:
    """Stories, most recently fed first (keyset on last seen, id)."""
    q = select(*_STORY_CARD).where(stories.c.article_count > 0)
    if after is not None:
        at, last_id = after
        q = q.where(
            or_(
                stories.c.last_seen_at < at,
                and_(stories.c.last_seen_at == at, stories.c.id < last_id),
            )
        )
    q = q.order_by(stories.c.last_seen_at.desc(), stories.c.id.desc()).limit(limit)
    return [StoryCard(*r) for r in conn.execute(q)]


# The index pages count off what is kept as articles are written, growing with the tags and
# sources, not the archive: the tags index off tag_counts (migration 0022; counting the links
# took 616 ms at a million articles), the sources index off source_counts and the moves not
# yet folded into it (0023; grouping the archive's articles off ix_articles_brief took 325-404
# ms at a million, 108 s joined to the sources' names before session 20).


def tag_list(conn: Connection, limit: int = 100, offset: int = 0) -> list[TagCount]:
    """The most used hashtags: off tag_counts' index of counts, most first (a few ms at a
    million articles, where counting article_tags took 616 ms)."""
    n = tag_counts.c.n
    q = (
        select(tags.c.slug, tags.c.label, tags.c.display, tags.c.kind, n)
        .select_from(tag_counts)
        .join(tags, tags.c.id == tag_counts.c.tag_id)
        .where(n > 0)
        .order_by(n.desc(), tags.c.slug)
        .limit(limit)
        .offset(offset)
    )
    return [TagCount(*r) for r in conn.execute(q)]


def _source_counts() -> Any:
    """Readable originals per source: the count as of the last fold plus the moves since
    (store.sources.fold_counts), as a subquery; a few hundred rows and the unfolded moves."""
    kept = select(source_counts.c.source_id, source_counts.c.n)
    moved = select(source_count_moves.c.source_id, source_count_moves.c.d)
    both = union_all(kept, moved).subquery("both_")
    return (
        select(both.c.source_id, func.sum(both.c.n).label("n"))
        .group_by(both.c.source_id)
        .subquery("counted")
    )


def source_list(conn: Connection, limit: int = 1000, offset: int = 0) -> list[SourceCount]:
    """Every source with its labels, state and how many readable articles it has."""
    counted = _source_counts()
    q = (
        select(
            sources.c.id,
            sources.c.name,
            sources.c.country,
            sources.c.ownership,
            sources.c.kind,
            sources.c.status,
            func.coalesce(counted.c.n, 0),
        )
        .outerjoin(counted, counted.c.source_id == sources.c.id)
        .order_by(func.lower(sources.c.name), sources.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [SourceCount(*r) for r in conn.execute(q)]
