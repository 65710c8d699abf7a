"""What enrichment learns about an article: entities, tags, attributions, vectors, duplicates,
related articles and stories. SQL only; the analyses themselves live in enrich/.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from newsweave.model import ArticleState
from newsweave.store import tags as tag_store
from newsweave.store import upserts
from newsweave.store.schema import (
    analyses,
    article_entities,
    article_tags,
    articles,
    attributions,
    embeddings,
    entities,
    minhash_bands,
    minhashes,
    related,
    stories,
    tags,
)
from newsweave.words import slugify

__all__ = [
    "StoryMember",
    "StoryRow",
    "TagIn",
    "all_embeddings",
    "create_story",
    "duplicate_candidates",
    "neighbour_names",
    "neighbour_times",
    "open_stories",
    "related_lists",
    "save_attributions",
    "save_embedding",
    "save_entities",
    "save_minhash",
    "save_related",
    "save_tags",
    "set_duplicate",
    "set_story",
    "story_of",
]


@dataclass(frozen=True, slots=True)
class StoryMember:
    id: int
    title: str
    summary: str
    at: datetime | None


@dataclass(frozen=True, slots=True)
class TagIn:
    slug: str
    label: str
    display: str
    kind: str
    score: float


@dataclass(frozen=True, slots=True)
class StoryRow:
    id: int
    title: str
    first_seen_at: datetime
    last_seen_at: datetime
    centroid: bytes | None
    article_count: int
    terms: dict[str, float]


def save_entities(
    conn: Connection, article_id: int, items: Sequence[tuple[str, str, int]]
) -> dict[str, int]:
    """Replace an article's entities; returns name -> entity id.

    Three statements for the lot (known ids, new ones, links), not three per entity: this was
    a sixth of the storing time of an article with 30 entities.
    """
    conn.execute(delete(article_entities).where(article_entities.c.article_id == article_id))
    wanted = list(dict.fromkeys((name[:300], type_) for name, type_, _ in items))
    if not wanted:
        return {}
    known = {
        (r.name, r.type): int(r.id)
        for r in conn.execute(
            select(entities.c.id, entities.c.name, entities.c.type).where(
                entities.c.name.in_({n for n, _ in wanted})
            )
        )
    }
    new = [{"name": n, "type": t} for n, t in wanted if (n, t) not in known]
    if new:
        upserts.insert_missing(conn, entities, new, ["name", "type"])
        q = select(entities.c.id, entities.c.name, entities.c.type).where(
            entities.c.name.in_({r["name"] for r in new})
        )
        known.update({(r.name, r.type): int(r.id) for r in conn.execute(q)})
    ids: dict[str, int] = {}
    links = []
    for name, type_, count in items:
        name = name[:300]
        eid = known[(name, type_)]
        if eid in ids.values():
            continue
        ids[name] = eid
        links.append({"article_id": article_id, "entity_id": eid, "count": count})
    conn.execute(insert(article_entities), links)
    return ids


def save_tags(conn: Connection, article_id: int, items: Sequence[TagIn]) -> None:
    """Replace an article's tags, each on the one tag the site uses for its thing (store.tags:
    a bare surname or an acronym folds into the full name that leads, and a full name takes
    over the short tag stored before it).

    Tags seen before are found in one query and the links written in one statement: per tag,
    a lookup and an insert each cost ~1 ms of SQLAlchemy an article's tag (bench/enrich.py).
    """
    conn.execute(delete(article_tags).where(article_tags.c.article_id == article_id))
    if not items:
        return
    shorts = {t.slug: tag_store.short_form(t.label, t.kind) for t in items}
    known, aliased = tag_store.by_slug(
        conn, {t.slug for t in items} | {slugify(s) for s in shorts.values() if s}
    )
    scores: dict[int, float] = {}
    for t in items:
        tid = known.get(t.slug)
        # A short name already folded (its slug an alias) needs no second look.
        if t.slug not in aliased and tag_store.is_short(t.label, t.kind):
            target = tag_store.fold(conn, t.label, t.kind)
            if target is not None and tid is not None and target != tid:
                tag_store.merge(conn, tid, target)  # an older short tag joins its full name
            tid = target or tid
        if tid is None:
            row = {"slug": t.slug, "label": t.label[:200], "display": t.display[:200]}
            upserts.insert_missing(conn, tags, [{**row, "kind": t.kind}], ["slug"])
            tid = int(conn.execute(select(tags.c.id).where(tags.c.slug == t.slug)).scalar_one())
        known[t.slug] = tid
        short = shorts[t.slug]
        short_id = known.get(slugify(short)) if short else None
        if short_id is not None and short_id != tid:
            tag_store.settle(conn, tid, t.label, t.kind, short_id)
        scores.setdefault(tid, t.score)
    conn.execute(
        insert(article_tags),
        [{"article_id": article_id, "tag_id": tid, "score": sc} for tid, sc in scores.items()],
    )


def save_attributions(
    conn: Connection, article_id: int, items: Sequence[dict[str, Any]], entity_ids: dict[str, int]
) -> None:
    conn.execute(delete(attributions).where(attributions.c.article_id == article_id))
    rows = [
        {
            "article_id": article_id,
            "speaker": (a["speaker"] or "")[:300],
            "entity_id": entity_ids.get(a["speaker"]),
            "cue": a["cue"][:64],
            "content": a["content"],
            "kind": a["kind"],
            "start": a["start"],
            "end": a["end"],
        }
        for a in items
    ]
    if rows:
        conn.execute(insert(attributions), rows)


def save_embedding(conn: Connection, article_id: int, model: str, dim: int, vector: bytes) -> None:
    conn.execute(delete(embeddings).where(embeddings.c.article_id == article_id))
    conn.execute(
        insert(embeddings).values(article_id=article_id, model=model, dim=dim, vector=vector)
    )


def all_embeddings(conn: Connection, model: str) -> Iterator[tuple[int, bytes]]:
    q = select(embeddings.c.article_id, embeddings.c.vector).where(embeddings.c.model == model)
    for r in conn.execute(q):
        yield int(r.article_id), bytes(r.vector)


def save_minhash(conn: Connection, article_id: int, signature: bytes, bands: Iterable[int]) -> None:
    conn.execute(delete(minhash_bands).where(minhash_bands.c.article_id == article_id))
    conn.execute(delete(minhashes).where(minhashes.c.article_id == article_id))
    conn.execute(insert(minhashes).values(article_id=article_id, signature=signature))
    rows = [{"band": b, "article_id": article_id} for b in set(bands)]
    conn.execute(insert(minhash_bands), rows)


def duplicate_candidates(
    conn: Connection, article_id: int, bands: Sequence[int]
) -> list[tuple[int, bytes, int | None, datetime | None]]:
    """Articles sharing a band: (id, signature, duplicate_of, published_at)."""
    ids = (
        select(minhash_bands.c.article_id)
        .where(minhash_bands.c.band.in_(list(bands)), minhash_bands.c.article_id != article_id)
        .distinct()
        .subquery()
    )
    q = (
        select(
            minhashes.c.article_id,
            minhashes.c.signature,
            articles.c.duplicate_of,
            articles.c.published_at,
        )
        .join(articles, articles.c.id == minhashes.c.article_id)
        .where(minhashes.c.article_id.in_(select(ids.c.article_id)))
    )
    return [
        (int(r.article_id), bytes(r.signature), r.duplicate_of, r.published_at)
        for r in conn.execute(q)
    ]


def understood_top(conn: Connection) -> int:
    """The latest step of understanding stored (0 before the first): a process's watermark."""
    top = select(func.coalesce(func.max(articles.c.understood_seq), 0))
    return int(conn.execute(top).scalar_one())


def last_understood(conn: Connection, article_id: int) -> int | None:
    """The step that last understood the article (None: never, or the article is gone)."""
    q = select(articles.c.understood_seq).where(articles.c.id == article_id)
    seq = conn.execute(q).scalar()
    return int(seq) if seq is not None else None


def set_understood(conn: Connection, article_id: int, seq: int) -> None:
    """Record that step `seq` of understanding was this article's (its first, if it is)."""
    conn.execute(
        update(articles)
        .where(articles.c.id == article_id)
        .values(
            understood_seq=seq,
            first_understood_seq=func.coalesce(articles.c.first_understood_seq, seq),
        )
    )


def understanding_order(conn: Connection, ids: Iterable[int]) -> dict[int, int]:
    """When each article was first understood (the articles never understood are left out)."""
    q = select(articles.c.id, articles.c.first_understood_seq).where(
        articles.c.id.in_(list(ids)), articles.c.first_understood_seq.is_not(None)
    )
    return {int(r.id): int(r.first_understood_seq) for r in conn.execute(q)}


def embeddings_since(conn: Connection, model: str, seq: int) -> Iterator[tuple[int, bytes]]:
    """The embeddings of the articles understood after step `seq` (by any process)."""
    q = (
        select(embeddings.c.article_id, embeddings.c.vector)
        .join(articles, articles.c.id == embeddings.c.article_id)
        .where(embeddings.c.model == model, articles.c.understood_seq > seq)
        .order_by(articles.c.understood_seq)
    )
    for r in conn.execute(q):
        yield int(r.article_id), bytes(r.vector)


def stories_since(conn: Connection, seq: int) -> list[StoryRow]:
    """The open stories changed after step `seq` of understanding."""
    q = select(stories).where(stories.c.seq > seq, stories.c.closed.is_(False))
    return [_story_row(r) for r in conn.execute(q.order_by(stories.c.id))]


def set_duplicate(conn: Connection, article_id: int, original: int | None) -> None:
    conn.execute(update(articles).where(articles.c.id == article_id).values(duplicate_of=original))


def neighbour_names(conn: Connection, ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """Each article's entity names (lower-cased) and tag slugs: what related ranking shares."""
    if not ids:
        return {}
    names: dict[int, set[str]] = {int(i): set() for i in ids}
    q_ent = (
        select(article_entities.c.article_id, entities.c.name)
        .join(entities, entities.c.id == article_entities.c.entity_id)
        .where(article_entities.c.article_id.in_(ids))
    )
    for aid, name in conn.execute(q_ent):
        names[int(aid)].add(name.lower())
    q_tag = (
        select(article_tags.c.article_id, tags.c.slug)
        .join(tags, tags.c.id == article_tags.c.tag_id)
        .where(article_tags.c.article_id.in_(ids))
    )
    for aid, slug in conn.execute(q_tag):
        names[int(aid)].add(slug)
    return {aid: frozenset(v) for aid, v in names.items()}


def neighbour_times(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[datetime | None, int]]:
    """For candidate related articles that still exist: (published, duplicate group)."""
    if not ids:
        return {}
    q = select(
        articles.c.id,
        func.coalesce(articles.c.published_at, articles.c.first_seen_at).label("at"),
        articles.c.duplicate_of,
    ).where(articles.c.id.in_(ids))
    return {int(r.id): (r.at, int(r.duplicate_of or r.id)) for r in conn.execute(q)}


def related_lists(conn: Connection, ids: Sequence[int]) -> dict[int, list[tuple[int, float]]]:
    """The stored related lists of these articles, best first: (related id, score)."""
    out: dict[int, list[tuple[int, float]]] = {}
    if not ids:
        return out
    q = (
        select(related.c.article_id, related.c.related_id, related.c.score)
        .where(related.c.article_id.in_(ids))
        .order_by(related.c.article_id, related.c.rank)
    )
    for aid, rid, value in conn.execute(q):
        out.setdefault(int(aid), []).append((int(rid), float(value)))
    return out


def save_related(conn: Connection, lists: Mapping[int, Sequence[tuple[int, float]]]) -> None:
    """Replace the related lists of these articles (an empty list clears one).

    One DELETE and one INSERT for all: an article's enrichment rewrites its own list and those
    of the ~7 neighbours that now list it, which was 14 statements an article one by one.
    """
    if not lists:
        return
    conn.execute(delete(related).where(related.c.article_id.in_(list(lists))))
    rows = [
        {"article_id": aid, "related_id": rid, "rank": i, "score": score}
        for aid, items in lists.items()
        for i, (rid, score) in enumerate(items, 1)
    ]
    if rows:
        conn.execute(insert(related), rows)


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


def _story_row(r: Any) -> StoryRow:
    return StoryRow(
        r.id,
        r.title or "",
        r.first_seen_at,
        r.last_seen_at,
        r.centroid,
        r.article_count,
        dict(r.terms or {}),
    )


def create_story(
    conn: Connection,
    title: str,
    when: datetime,
    centroid: bytes,
    terms: Mapping[str, float],
    seq: int | None = None,
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
            if seq is not None:
                values["seq"] = seq
        conn.execute(update(stories).where(stories.c.id == sid).values(values))


def story_members(conn: Connection, story_id: int, limit: int) -> list[StoryMember]:
    """The story's latest coverage (copies aside), newest first."""
    when = func.coalesce(articles.c.published_at, articles.c.first_seen_at)
    q = (
        select(articles.c.id, articles.c.title, articles.c.summary, when.label("at"))
        .where(articles.c.story_id == story_id, articles.c.duplicate_of.is_(None))
        .order_by(when.desc(), articles.c.id.desc())
        .limit(limit)
    )
    return [StoryMember(r.id, r.title or "", r.summary or "", r.at) for r in conn.execute(q)]


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


def stale_articles(conn: Connection, versions: dict[str, str], everything: bool) -> list[int]:
    """Enriched articles to analyse again, oldest first (stories are clustered in time order).

    Stale means an analysis is missing or was made by another version than `versions`.
    """
    when = func.coalesce(articles.c.published_at, articles.c.first_seen_at)
    q = select(articles.c.id).where(
        articles.c.state.in_([ArticleState.ENRICHED, ArticleState.EXTRACTED])
    )
    if not everything:
        current = [and_(analyses.c.name == n, analyses.c.version == v) for n, v in versions.items()]
        fresh = (
            select(analyses.c.article_id)
            .where(or_(*current))
            .group_by(analyses.c.article_id)
            .having(func.count() == len(current))
        )
        q = q.where(articles.c.id.not_in(fresh))
    return [int(i) for i in conn.execute(q.order_by(when, articles.c.id)).scalars()]


def reset_stories(conn: Connection) -> None:
    """Forget every story, before clustering all articles again in time order."""
    conn.execute(update(articles).values(story_id=None))
    conn.execute(delete(stories))
