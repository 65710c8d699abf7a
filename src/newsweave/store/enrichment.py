"""What enrichment learns about an article itself: entities, tags, who says what, which analyses
made it, and when the cross-article step understood it. Stories and the vectors that relate
articles have their own modules (stories.py, vectors.py). SQL only; the analyses live in enrich/.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, func, insert, or_, select, update

from newsweave.model import ArticleState
from newsweave.store import tagforms, upserts
from newsweave.store import tags as tag_store
from newsweave.store.schema import (
    ARTICLE_TIME,
    analyses,
    article_entities,
    article_tags,
    articles,
    attributions,
    entities,
    site_state,
    stories,
    tags,
)
from newsweave.store.views import after_keyset
from newsweave.words import goes_by, slugify

# The name of the stories' generation in site_state (stories.reset_stories bumps it).
STORIES_GENERATION = "stories-generation"

__all__ = [
    "STORIES_GENERATION",
    "TagIn",
    "count_stale",
    "last_understood",
    "save_attributions",
    "save_entities",
    "save_tags",
    "set_understood",
    "stale_articles",
    "still_understood",
    "understanding_order",
    "understood_at",
    "understood_top",
]


@dataclass(frozen=True, slots=True)
class TagIn:
    slug: str
    label: str
    display: str
    kind: str
    score: float
    short: str = ""  # the acronym the article spelt this name out with (Hashtag.short)
    sure: bool = False  # the article shows the kind itself (Hashtag.sure)


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


def save_tags(conn: Connection, article_id: int, items: Sequence[TagIn]) -> dict[str, str]:
    """Replace an article's tags, each on the one tag the site uses for its thing (store.tags:
    a bare surname folds into the full name that leads, an acronym into the name an article
    spelt it out with, and a full name takes over the short tag stored before it).

    Tags seen before are found in one query and the links written in one statement: per tag,
    a lookup and an insert each cost ~1 ms of SQLAlchemy an article's tag (bench/enrich.py).

    Returns the full name each bare surname the article wrote landed on ("Putin" -> "Vladimir
    Putin"), for the article's speakers to be named as its tags are.
    """
    gone = conn.execute(
        delete(article_tags)
        .where(article_tags.c.article_id == article_id)
        .returning(article_tags.c.form_id)
    ).scalars()
    tagforms.take_back(conn, [f for f in gone if f is not None])
    if not items:
        return {}
    shorts = {t.slug: tag_store.short_form(t.label, t.kind, t.short) for t in items}
    known, aliased, now = tag_store.lookup(
        conn, {t.slug for t in items} | {slugify(s) for s in shorts.values() if s}
    )
    scores: dict[int, float] = {}
    for t in items:
        tid = known.get(t.slug)
        # A short name already folded (its slug an alias) needs no second look.
        if t.slug not in aliased and tag_store.is_short(t.label, t.kind):
            target = tag_store.fold(conn, t.label, t.kind)
            if (
                target is not None
                and tid is not None
                and target != tid
                and tag_store.may_fold(conn, tid, t.label, t.kind, target)
            ):
                tag_store.merge(conn, tid, target)  # an older short tag joins its full name
                _moved(known, scores, tid, target)
            tid = target or tid
        if tid is None:
            row = {"slug": t.slug, "label": t.label[:200], "display": t.display[:200]}
            upserts.insert_missing(conn, tags, [{**row, "kind": t.kind}], ["slug"])
            tid = int(conn.execute(select(tags.c.id).where(tags.c.slug == t.slug)).scalar_one())
            now[tid] = tag_store.TagRow(tid, t.slug, t.label[:200], t.kind)
        known[t.slug] = tid
        short = shorts[t.slug]
        short_id = known.get(slugify(short)) if short else None
        folded = bool(short) and tag_store.settle(conn, tid, t.label, t.kind, short_id, t.short)
        if folded and short_id is not None:  # settle folds only a tag that exists
            _moved(known, scores, short_id, tid)
        elif short and short_id is None and t.short:
            known[slugify(short)] = tid  # settle left it an alias of this tag
        scores.setdefault(tid, t.score)
    forms: dict[int, tuple[tag_store.TagRow, tagforms.Form]] = {}
    for t in items:
        tid = known[t.slug]
        tag = now.get(tid)
        if tag is not None and tag.slug == t.slug:  # its own name, not a fold's or an alias's
            forms.setdefault(tid, (tag, tagforms.Form(t.label, t.kind, t.display, t.sure)))
    form_ids = tagforms.count(conn, forms)
    conn.execute(
        insert(article_tags),
        [
            {"article_id": article_id, "tag_id": tid, "score": sc, "form_id": form_ids.get(tid)}
            for tid, sc in scores.items()
        ],
    )
    return _full_names(conn, items, known)


def _full_names(conn: Connection, items: Sequence[TagIn], known: dict[str, int]) -> dict[str, str]:
    """The full name of the person tag each one-word person tag of the article landed on."""
    bare = {t.label: known[t.slug] for t in items if tag_store.is_short(t.label, t.kind)}
    if not bare:
        return {}
    q = select(tags.c.id, tags.c.label).where(tags.c.id.in_(set(bare.values())))
    labels = {int(r.id): str(r.label) for r in conn.execute(q)}
    return {
        n: labels[i] for n, i in bare.items() if " " in labels.get(i, "") and goes_by(labels[i], n)
    }


def _moved(known: dict[str, int], scores: dict[int, float], gone: int, into: int) -> None:
    """A tag merged away while an article's tags are stored: this very article may carry it
    ("Trump", then "Donald Trump"), so its score moves to the tag it became and no link to it
    is written, and the slugs that named it name that tag now."""
    folded = scores.pop(gone, None)
    if folded is not None:
        scores[into] = max(folded, scores.get(into, folded))
    for slug, i in known.items():
        if i == gone:
            known[slug] = into


def save_attributions(
    conn: Connection,
    article_id: int,
    items: Sequence[dict[str, Any]],
    entity_ids: dict[str, int],
    full_names: Mapping[str, str] | None = None,
) -> None:
    """Replace an article's claims. A speaker the article names by surname alone is stored
    under the full name its tag landed on across the site (`full_names`, from save_tags): an
    outlet that only writes "Putin" quotes the Vladimir Putin the others name."""
    conn.execute(delete(attributions).where(attributions.c.article_id == article_id))
    names = full_names or {}
    rows = [
        {
            "article_id": article_id,
            "speaker": names.get(a["speaker"] or "", a["speaker"] or "")[:300],
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


def understood_top(conn: Connection) -> tuple[int, int]:
    """A process's watermark: the latest step of understanding stored (0 before the first),
    and the generation of the stories (it goes up when they are rebuilt from scratch).

    A step is an article's, with the stories it changed; or, once, the stories alone, given
    their cross-language sums when the site turned multilingual (pipeline.join_languages),
    which every other process must read too: so the latest of both (the two maxima are index
    lookups)."""
    top = select(func.coalesce(func.max(articles.c.understood_seq), 0)).scalar_subquery()
    top_story = select(func.coalesce(func.max(stories.c.seq), 0)).scalar_subquery()
    generation = (
        select(site_state.c.value).where(site_state.c.name == STORIES_GENERATION)
    ).scalar_subquery()
    row = conn.execute(select(top, top_story, func.coalesce(generation, 0))).one()
    return max(int(row[0]), int(row[1])), int(row[2])


def understood_at(conn: Connection, seq: int) -> tuple[int, int, int]:
    """The article of the latest step up to `seq` that an article stands at now: its id, the
    step that first understood it, and that step; (0, 0, 0) where none does. A step is not
    always an article's (the stories joined across languages take one of their own), so a
    snapshot written at such a step names the article of the step before it."""
    q = (
        select(articles.c.id, articles.c.first_understood_seq, articles.c.understood_seq)
        .where(articles.c.understood_seq <= seq)
        .order_by(articles.c.understood_seq.desc())
        .limit(1)
    )
    row = conn.execute(q).first()
    if row is None:
        return (0, 0, 0)
    return (int(row.id), int(row.first_understood_seq or 0), int(row.understood_seq))


def still_understood(conn: Connection, article_id: int, first: int, seq: int) -> bool:
    """Whether the article first understood at step `first` is still there, understood at
    `seq` or since (enriched again moves its step on, never back)."""
    q = select(articles.c.first_understood_seq, articles.c.understood_seq).where(
        articles.c.id == article_id
    )
    row = conn.execute(q).first()
    return row is not None and (row[0] or 0) == first and (row[1] or 0) >= seq


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


def _stale(versions: dict[str, str], everything: bool) -> Select[Any]:
    """Stale articles: an analysis is missing or was made by another version than `versions`.
    Checked per article off the analyses' key, so that a page of them costs its rows, not a
    pass over every analysis (the whole table grouped was read again for each page)."""
    q = select(ARTICLE_TIME.label("at"), articles.c.id).where(
        articles.c.state.in_([ArticleState.ENRICHED, ArticleState.EXTRACTED])
    )
    if everything:
        return q
    current = [and_(analyses.c.name == n, analyses.c.version == v) for n, v in versions.items()]
    done = (
        select(func.count())
        .select_from(analyses)
        .where(analyses.c.article_id == articles.c.id, or_(*current))
        .scalar_subquery()
    )
    return q.where(done < len(current))


def stale_articles(
    conn: Connection,
    versions: dict[str, str],
    everything: bool,
    *,
    after: tuple[datetime, int] | None = None,
    limit: int | None = None,
) -> list[tuple[datetime, int]]:
    """(time, id) of enriched articles to analyse again, oldest first (stories are clustered
    in time order), from just after the keyset `after`: a page of them at a time, so that
    `reindex --all` holds a page, not a million ids."""
    q = _stale(versions, everything)
    if after is not None:
        q = q.where(*after_keyset(after, oldest_first=True))
    q = q.order_by(ARTICLE_TIME, articles.c.id).limit(limit)
    return [(r.at, int(r.id)) for r in conn.execute(q)]


def count_stale(conn: Connection, versions: dict[str, str], everything: bool) -> int:
    """How many articles stale_articles would give."""
    return int(
        conn.execute(
            select(func.count()).select_from(_stale(versions, everything).subquery())
        ).scalar_one()
    )
