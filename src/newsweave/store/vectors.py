"""What lets articles find each other: embeddings (related articles), MinHash signatures and
their bands (near-duplicates, copies), and the related lists themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    bindparam,
    column,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from newsweave.store.schema import (
    ARTICLE_TIME,
    UTCDateTime,
    article_entities,
    article_tags,
    articles,
    crosslingual_embeddings,
    embeddings,
    entities,
    index_centres,
    minhash_bands,
    minhashes,
    related,
    tags,
)
from newsweave.store.upserts import put

__all__ = [
    "all_crosslingual",
    "all_embeddings",
    "crosslingual_since",
    "duplicate_candidates",
    "embeddings_since",
    "index_centres_of",
    "neighbour_names",
    "neighbour_times",
    "related_lists",
    "save_crosslingual",
    "save_embedding",
    "save_index_centres",
    "save_minhash",
    "save_related",
    "set_duplicate",
]


def save_embedding(
    conn: Connection,
    article_id: int,
    model: str,
    dim: int,
    vector: bytes,
    names: Iterable[str] | None = None,
) -> None:
    conn.execute(delete(embeddings).where(embeddings.c.article_id == article_id))
    conn.execute(
        insert(embeddings).values(
            article_id=article_id,
            model=model,
            dim=dim,
            vector=vector,
            names=sorted(names) if names is not None else None,
        )
    )


def save_crosslingual(conn: Connection, article_id: int, vector: bytes | None) -> None:
    """Keep (or, with None, drop) an article's multilingual vector."""
    conn.execute(
        delete(crosslingual_embeddings).where(crosslingual_embeddings.c.article_id == article_id)
    )
    if vector is not None:
        conn.execute(insert(crosslingual_embeddings).values(article_id=article_id, vector=vector))


def all_crosslingual(conn: Connection) -> Iterator[tuple[int, bytes]]:
    """Every kept multilingual vector, streamed."""
    q = select(crosslingual_embeddings).execution_options(yield_per=2000)
    for r in conn.execute(q):
        yield int(r.article_id), bytes(r.vector)


def crosslingual_since(conn: Connection, seq: int) -> Iterator[tuple[int, bytes]]:
    """The multilingual vectors of the articles understood after step `seq`."""
    q = (
        select(crosslingual_embeddings.c.article_id, crosslingual_embeddings.c.vector)
        .join(articles, articles.c.id == crosslingual_embeddings.c.article_id)
        .where(articles.c.understood_seq > seq)
        .order_by(articles.c.understood_seq)
    )
    for r in conn.execute(q):
        yield int(r.article_id), bytes(r.vector)


def index_centres_of(conn: Connection, model: str) -> tuple[int, int, bytes] | None:
    """(dim, lists, float32 centres) of the approximate index learned for `model`, if any."""
    row = conn.execute(
        select(index_centres.c.dim, index_centres.c.lists, index_centres.c.centres).where(
            index_centres.c.model == model
        )
    ).first()
    return (int(row.dim), int(row.lists), bytes(row.centres)) if row else None


def save_index_centres(conn: Connection, model: str, dim: int, lists: int, centres: bytes) -> None:
    """Keep (or replace) the centres learned for `model`'s approximate index."""
    row = {"model": model, "dim": dim, "lists": lists, "centres": centres}
    put(conn, index_centres, row, ["model"])


def count_embeddings(conn: Connection, model: str) -> int:
    q = select(func.count()).select_from(embeddings).where(embeddings.c.model == model)
    return int(conn.execute(q).scalar_one())


def all_embeddings(conn: Connection, model: str) -> Iterator[tuple[int, bytes]]:
    """Every vector, streamed (a server-side cursor on PostgreSQL): a million are 1.5 GB. The
    option is the statement's: set on the connection it would hold for every later statement
    of the transaction, and PostgreSQL cannot DECLARE a cursor for a DELETE."""
    q = (
        select(embeddings.c.article_id, embeddings.c.vector)
        .where(embeddings.c.model == model)
        .execution_options(yield_per=2000)
    )
    for r in conn.execute(q):
        yield int(r.article_id), bytes(r.vector)


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


def set_duplicate(conn: Connection, article_id: int, original: int | None) -> None:
    conn.execute(update(articles).where(articles.c.id == article_id).values(duplicate_of=original))


def neighbour_names(conn: Connection, ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """Each article's entity names (lower-cased) and hashtag slugs: what related ranking
    shares. As stored when it was understood; for an article understood before they were
    stored, from its entities and tags as they are now."""
    if not ids:
        return {}
    fixed = select(embeddings.c.article_id, embeddings.c.names).where(
        embeddings.c.article_id.in_(ids), embeddings.c.names.is_not(None)
    )
    found = {int(aid): frozenset(n) for aid, n in conn.execute(fixed)}
    ids = [i for i in ids if int(i) not in found]
    if not ids:
        return found
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
    return found | {aid: frozenset(v) for aid, v in names.items()}


def neighbour_times(
    conn: Connection, ids: Sequence[int]
) -> dict[int, tuple[datetime | None, int, int]]:
    """For candidate related articles that still exist: (published, duplicate group, when
    first understood; 0 if never)."""
    if not ids:
        return {}
    q: Any = select(
        articles.c.id,
        ARTICLE_TIME.label("at"),
        articles.c.duplicate_of,
        articles.c.first_understood_seq,
    ).where(articles.c.id.in_(ids))
    if conn.dialect.name == "sqlite":
        # SQLite looks an id up by its rowid, which reads the row; told to, it reads the
        # narrow index instead (schema: ix_articles_brief).
        q = _NEIGHBOURS_SQLITE.bindparams(ids=list(ids))
    return {
        int(r.id): (r.at, int(r.duplicate_of or r.id), int(r.first_understood_seq or 0))
        for r in conn.execute(q)
    }


_NEIGHBOURS_SQLITE = (
    text(
        "SELECT id, coalesce(published_at, first_seen_at) AS at, duplicate_of,"
        " first_understood_seq FROM articles INDEXED BY ix_articles_brief"
        " WHERE id IN :ids"
    )
    .bindparams(bindparam("ids", expanding=True, type_=Integer))
    .columns(
        column("id", Integer),
        column("at", UTCDateTime()),
        column("duplicate_of", Integer),
        column("first_understood_seq", Integer),
    )
)


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
