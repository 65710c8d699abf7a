"""A year of news: what every step costs as the archive grows (issue 15).

    python bench/archive.py [--sizes 10000,100000] [--databases sqlite,postgresql]
                            [--new 1000] [--seconds 5] [--json FILE]

For each size and database, in one run:

1. **Build** an archive of that many articles, quickly: ~200 sources, dates spread over the last
   365 days, stories of 1-40 articles (Pareto sizes), ~3% syndicated copies, ~600-word English
   texts. The analyses are *precomputed, not run*: 96 template articles (mixed from the
   fixtures' sentences, as bench/enrich.py makes them) are enriched for real once, and every
   archive article is bulk-loaded as a variant of one of them: its paragraphs reordered, its
   embedding the template's plus story and article noise (so stories are tight and the other
   stories of one template are near, as events of one topic are), the template's analyses,
   entities, hashtags and quotes plus hashtags and entities drawn from a Zipf-distributed pool
   of thousands, related lists from its story, and MinHash bands (copies share their
   original's). What is measured below is the archive's effect on the site, not analysis.
2. **Enrichment of `--new` articles** the real way (collecting.Enricher: the analyses in two
   worker processes, storing and the cross-article step here), articles/s in all and for the
   cross-article step alone (copies, related, story), the worker's start-up (loading its
   vector index and open stories from the archive), and the peak resident memory of each
   process. Related-list quality: recall@8 of the vector index against exact search, on 200
   of the archive's vectors with noise as queries.
3. **Every page and API list under wrk** (1 thread, 16 connections, `--seconds` each) against
   `newsweave serve` started by the CLI as an operator starts it (its start-up time too):
   requests/s, p50 and p99, and as a ratio to a bare FastAPI endpoint; each page as served
   (anonymous pages are kept a few seconds, web/cache.py), and the article, API article,
   search and the deep API list again at a new address on every request ("fresh URL"), which
   the URL-keyed cache cannot answer; and For You, signed in as a reader who follows the
   biggest tag, a source and the big story: as served (a reload answered from the reader's
   own cache until something of theirs changes) and at a fresh URL (built each time); and
   the search page with a different query every request ("search, new query": the words of
   the latest headlines), a whole search each time, where "search, fresh URL" is answered
   from the hits the app keeps for the same query (web/searches.py).
4. The database's size on disk, and EXPLAIN of the slowest query of the slowest page.
5. The search engine beside the database (store/searchindex.py), built before `serve` starts
   (as `reindex --search` builds it): its seconds and size on disk; `serve` ranks best-first
   searches with it (NEWSWEAVE_SEARCH_INDEX=0 in the environment measures without it).

Each figure is printed beside its ratio to the first size's, so growth shows at a glance;
`--json FILE` writes one object a line per size and database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))  # tests/evaluation.py: where ../shared/eval is, how its texts read

import enrich as enrich_bench  # noqa: E402  (bench/enrich.py: its article mixer and /proc readers)
import web as web_bench  # noqa: E402  (bench/web.py: wrk, the bare endpoint)
from newsweave import config  # noqa: E402
from newsweave.store.schema import (  # noqa: E402
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
    sources,
    stories,
    tags,
)

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEMPLATES = 96
SOURCES = 200
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


# ---------------------------------------------------------------- templates (real analyses)


def public_articles() -> list[tuple[str, str]]:
    """(headline, text) of the full-length public news articles in ../shared/eval (PolNeAR's
    2016 politics, Daily Mail's test articles, DUC 2001's newswire; 300 words or more), or
    none where the sets are not there. Read where they lie, never copied."""
    from tests.evaluation import eval_dir, polnear_article

    root = eval_dir() / "data"
    out: list[tuple[str, str]] = []
    polnear = root / "attribution" / "polnear-train" / "train" / "text"
    for path in sorted(polnear.glob("*.txt")) if polnear.is_dir() else []:
        out.append(polnear_article(path))
    daily_mail = root / "summaries" / "goyal-dm" / "docs.jsonl"
    if daily_mail.exists():
        for line in daily_mail.read_text(encoding="utf-8").splitlines():
            body = json.loads(line)["articles"][0]["text"]
            out.append((" ".join(body.split()[:12]), body))  # the set keeps no headlines
    duc = root / "hashtags" / "DUC-2001-dev"
    for path in sorted((duc / "docsutf8").glob("*.txt")) if duc.is_dir() else []:
        title = duc / "titles" / path.name
        head = title.read_text(encoding="utf-8").strip() if title.exists() else ""
        body = path.read_text(encoding="utf-8").strip()
        out.append((head or " ".join(body.split()[:12]), body))
    return [(h, _cut(b)) for h, b in out if len(b.split()) >= 300]


def _cut(text: str, words: int = 600) -> str:
    """`text` up to the first sentence's end after `words` words, as long as the fixtures'
    articles are (the archive's size on disk stays comparable across runs)."""
    for m in re.finditer(r"[.!?][\"”’']?(?=\s)", text):
        if len(text[: m.end()].split()) >= words:
            return text[: m.end()]
    return text


def templates(cache: Path, source: str = "public") -> list[dict[str, Any]]:
    """The template articles, enriched for real once per run (cached in `cache`): the public
    news articles (`source` "public", where ../shared/eval is there), else TEMPLATES mixes of
    the fixtures' sentences ("fixtures", what sessions up to 17 measured with)."""
    if cache.exists():
        return list(json.loads(cache.read_text()))
    from sqlalchemy import select

    from newsweave import collecting
    from newsweave.store.db import open_database

    arts = public_articles() if source == "public" else []
    if not arts:
        if source == "public":
            print("  ../shared/eval not found: templates mixed from the fixtures", file=sys.stderr)
        arts = enrich_bench._mixed_articles(TEMPLATES)
    print(f"  enriching {len(arts)} template articles ({source})", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/templates.db")
        ids = enrich_bench._stored(db, arts)
        with collecting.Enricher(2) as enricher:
            enricher.enrich(db, ids)
        out = []
        with db.connect() as conn:
            for aid in ids:
                a = conn.execute(select(articles).where(articles.c.id == aid)).one()
                story_terms = conn.execute(
                    select(stories.c.terms).where(stories.c.id == a.story_id)
                ).scalar()
                vec = conn.execute(
                    select(embeddings.c.vector, embeddings.c.names).where(
                        embeddings.c.article_id == aid
                    )
                ).one()
                out.append(
                    {
                        "title": a.title,
                        "text": a.text,
                        "summary": a.summary,
                        "language": a.language,
                        "terms": story_terms or {},
                        "vector": np.frombuffer(vec.vector, dtype=np.float32).tolist(),
                        "names": vec.names or [],
                        "minhash": bool(
                            conn.execute(
                                select(minhashes.c.article_id).where(minhashes.c.article_id == aid)
                            ).first()
                        ),
                        "analyses": [
                            [r.name, r.version, r.data]
                            for r in conn.execute(
                                select(analyses).where(
                                    analyses.c.article_id == aid, analyses.c.error.is_(None)
                                )
                            )
                        ],
                        "tags": [
                            [r.slug, r.label, r.display, r.kind, r.score]
                            for r in conn.execute(
                                select(tags, article_tags.c.score)
                                .join(article_tags, article_tags.c.tag_id == tags.c.id)
                                .where(article_tags.c.article_id == aid)
                            )
                        ],
                        "entities": [
                            [r.name, r.type, r.count]
                            for r in conn.execute(
                                select(entities.c.name, entities.c.type, article_entities.c.count)
                                .join(
                                    article_entities,
                                    article_entities.c.entity_id == entities.c.id,
                                )
                                .where(article_entities.c.article_id == aid)
                            )
                        ],
                        "attributions": [
                            [r.speaker, r.cue, r.content, r.kind, r.start, r.end]
                            for r in conn.execute(
                                select(attributions).where(attributions.c.article_id == aid)
                            )
                        ][:4],
                    }
                )
        db.dispose()
    cache.write_text(json.dumps(out))
    return out


# ---------------------------------------------------------------- building an archive


def _story_sizes(n: int, rng: random.Random) -> list[int]:
    sizes: list[int] = []
    total = 0
    while total < n:
        size = min(40, int(rng.paretovariate(1.1)), n - total)
        sizes.append(size)
        total += size
    return sizes


COMMIT_EVERY = 20_000  # articles a build transaction holds (see build)


def build(url: str, n: int, tpl: list[dict[str, Any]]) -> dict[str, Any]:
    """Bulk-load an archive of `n` articles into the (migrated, empty) database at `url`."""
    from sqlalchemy import insert, text

    from newsweave.enrich import neardup
    from newsweave.store import db as db_mod

    start = time.perf_counter()
    db = db_mod.open_database(url)
    rng = random.Random(n)
    nrng = np.random.default_rng(n)
    tvecs = np.asarray([t["vector"] for t in tpl], dtype=np.float32)
    leans = ["left", "lean left", "center", "lean right", "right"]

    with db.begin() as conn:
        conn.execute(
            insert(sources),
            [
                {
                    "id": i,
                    "name": f"Outlet {i:03d}",
                    "feed_url": f"https://outlet{i:03d}.example/feed.xml",
                    "homepage": f"https://outlet{i:03d}.example/",
                    "language": "en",
                    "country": ["US", "UK", "FR", "DE", "IN"][i % 5],
                    "lean": leans[i % 5],
                    "poll_interval": 1800,
                    "status": "active",
                    "next_poll_at": NOW + timedelta(days=3650),
                    "created_at": NOW - timedelta(days=366),
                }
                for i in range(1, SOURCES + 1)
            ],
        )
        # Tags and entities: the templates' own, then a Zipf-distributed pool of thousands.
        tag_ids: dict[str, int] = {}
        tag_rows = []
        for t in tpl:
            for slug, label, display, kind, _score in t["tags"]:
                if slug not in tag_ids:
                    tag_ids[slug] = len(tag_ids) + 1
                    tag_rows.append((tag_ids[slug], slug, label, display, kind))
        pool_tags = max(2000, n // 50)
        first_pool_tag = len(tag_ids) + 1
        for k in range(pool_tags):
            tag_rows.append((first_pool_tag + k, f"topic-{k}", f"Topic {k}", f"#Topic{k}", "topic"))
        conn.execute(
            insert(tags),
            [
                {"id": i, "slug": s, "label": la, "display": d, "kind": k}
                for i, s, la, d, k in tag_rows
            ],
        )
        ent_ids: dict[tuple[str, str], int] = {}
        for t in tpl:
            for name, typ, _c in t["entities"]:
                ent_ids.setdefault((name, typ), len(ent_ids) + 1)
        pool_ents = max(4000, n // 25)
        first_pool_ent = len(ent_ids) + 1
        conn.execute(
            insert(entities),
            [{"id": i, "name": nm, "type": ty} for (nm, ty), i in ent_ids.items()]
            + [
                {"id": first_pool_ent + k, "name": f"Person {k}", "type": "PERSON"}
                for k in range(pool_ents)
            ],
        )

    # The plan: every article's story, time and source, then ids in time order (as collected).
    sizes = _story_sizes(n, rng)
    plan: list[tuple[datetime, int, int, bool]] = []  # (published, story, source, is_copy)
    for s, size in enumerate(sizes):
        begin = NOW - timedelta(days=365 * rng.random())
        for m in range(size):
            at = begin + timedelta(hours=48 * rng.random() ** 2)
            plan.append((min(at, NOW), s, rng.randint(1, SOURCES), m > 0 and rng.random() < 0.04))
    plan.sort()
    members: dict[int, list[int]] = {}
    for aid, (_at, s, _src, _copy) in enumerate(plan, start=1):
        members.setdefault(s, []).append(aid)
    story_tpl = [rng.randrange(len(tpl)) for _ in sizes]
    story_noise_seed = rng.randrange(2**31)

    def story_base(s: int) -> np.ndarray:
        g = np.random.default_rng(story_noise_seed + s)
        v = tvecs[story_tpl[s]] + g.normal(0, 0.035, tvecs.shape[1]).astype(np.float32)
        return v / np.linalg.norm(v)

    with db.begin() as conn:
        chunk = []
        for s, size in enumerate(sizes):
            ids = members[s]
            t = tpl[story_tpl[s]]
            times = [plan[i - 1][0] for i in ids]
            chunk.append(
                {
                    "id": s + 1,
                    "title": t["title"],
                    "summary": t["summary"],
                    "first_seen_at": min(times),
                    "last_seen_at": max(times),
                    "article_count": size,
                    "outlet_count": len({plan[i - 1][2] for i in ids}),
                    "centroid": (story_base(s) * size).astype(np.float32).tobytes(),
                    "terms": t["terms"],
                    "closed": False,
                    "seq": max(ids),
                }
            )
            if len(chunk) == 5000:
                conn.execute(insert(stories), chunk)
                chunk = []
        if chunk:
            conn.execute(insert(stories), chunk)

    zipf_tags = np.minimum(nrng.zipf(1.3, size=3 * n), pool_tags) - 1
    zipf_ents = np.minimum(nrng.zipf(1.3, size=2 * n), pool_ents) - 1
    buf: dict[Any, list[dict[str, Any]]] = {}
    signatures: dict[int, bytes] = {}
    story_vecs: dict[int, np.ndarray] = {}
    attribution_id = 0
    # Committed every COMMIT_EVERY articles: as one transaction the WAL held the whole archive
    # (16 GB, never checkpointed, at 630,000 articles) and the build slowed from ~870 to ~190
    # articles/s as it grew.
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        with db.begin() as conn:
            word_indexes = _pg_bulk_start(conn)
    with db.engine.connect() as conn:
        for aid, (at, s, src, is_copy) in enumerate(plan, start=1):
            t = tpl[story_tpl[s]]
            first = members[s][0]
            original = first if is_copy and first != aid else None
            paras = t["text"].split("\n\n")
            rng.shuffle(paras)
            body = "\n\n".join(paras)
            if s not in story_vecs:
                story_vecs[s] = story_base(s)
                if len(story_vecs) > 4096:
                    story_vecs.pop(next(iter(story_vecs)))
            vec = story_vecs[s] + nrng.normal(0, 0.012, tvecs.shape[1]).astype(np.float32)
            vec /= np.linalg.norm(vec)
            buf.setdefault(articles, []).append(
                {
                    "id": aid,
                    "ident": f"https://outlet{src:03d}.example/{s}/{aid}",
                    "url": f"https://outlet{src:03d}.example/{s}/{aid}",
                    "source_id": src,
                    "title": f"{t['title']} ({s})",
                    "title_key": f"{t['title'][:60].lower()} {s} {aid}",
                    "text": body,
                    "summary": t["summary"],
                    "language": t["language"],
                    "published_at": at,
                    "first_seen_at": at,
                    "fetched_at": at,
                    "updated_at": at,
                    "content_hash": f"{aid:064x}",
                    "state": "enriched",
                    "duplicate_of": original,
                    "story_id": s + 1,
                    "understood_seq": aid,
                    "first_understood_seq": aid,
                }
            )
            extra_tags = {first_pool_tag + int(x) for x in zipf_tags[3 * (aid - 1) : 3 * aid]}
            mine = {tag_ids[x[0]]: x[4] for x in t["tags"][:4]}
            for tid in extra_tags:
                mine.setdefault(tid, 0.1)
            buf.setdefault(article_tags, []).extend(
                {"article_id": aid, "tag_id": tid, "score": sc} for tid, sc in mine.items()
            )
            ents = {ent_ids[(x[0], x[1])]: x[2] for x in t["entities"][:8]}
            for x in zipf_ents[2 * (aid - 1) : 2 * aid]:
                ents.setdefault(first_pool_ent + int(x), 1)
            buf.setdefault(article_entities, []).extend(
                {"article_id": aid, "entity_id": e, "count": c} for e, c in ents.items()
            )
            buf.setdefault(analyses, []).extend(
                {"article_id": aid, "name": nm, "version": v, "data": d, "computed_at": at}
                for nm, v, d in t["analyses"]
            )
            for sp, cue, content, kind, st, en in t["attributions"]:
                attribution_id += 1
                buf.setdefault(attributions, []).append(
                    {
                        "id": attribution_id,
                        "article_id": aid,
                        "speaker": sp,
                        "cue": cue,
                        "content": content,
                        "kind": kind,
                        "start": st,
                        "end": en,
                    }
                )
            buf.setdefault(embeddings, []).append(
                {
                    "article_id": aid,
                    "model": "all-MiniLM-L6-v2-128",
                    "dim": len(vec),
                    "vector": vec.tobytes(),
                    "names": t["names"],
                }
            )
            if t["minhash"]:
                sig = signatures.get(original) if original else None
                if sig is None:
                    sig = nrng.integers(0, 2**63, 64, dtype=np.uint64).tobytes()
                if aid == first:
                    signatures[aid] = sig
                buf.setdefault(minhashes, []).append({"article_id": aid, "signature": sig})
                buf.setdefault(minhash_bands, []).extend(
                    {"band": b, "article_id": aid}
                    for b in neardup.bands(np.frombuffer(sig, dtype=np.uint64))
                )
            others = [x for x in members[s] if x != aid and x < aid][-8:]
            while len(others) < 8 and aid > 16:
                pick = rng.randrange(1, aid)
                if pick not in others:
                    others.append(pick)
            buf.setdefault(related, []).extend(
                {"article_id": aid, "related_id": r, "rank": k, "score": 0.9 - 0.05 * k}
                for k, r in enumerate(others)
            )
            if aid % 2000 == 0 or aid == len(plan):
                for table in (
                    articles,
                    article_tags,
                    article_entities,
                    analyses,
                    attributions,
                    embeddings,
                    minhashes,
                    minhash_bands,
                    related,
                ):
                    rows = buf.pop(table, [])
                    if rows and postgres:
                        _pg_copy(conn, table, rows)
                    elif rows:
                        conn.execute(insert(table), rows)
                if aid % COMMIT_EVERY == 0:
                    conn.commit()
                print(f"\r  building: {aid:,} of {n:,} articles", end="", file=sys.stderr)
        if postgres:
            _pg_bulk_end(conn, word_indexes)
            for table in ("sources", "articles", "stories", "tags", "entities", "attributions"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        else:  # the moves the triggers logged, folded as the periodic upkeep does
            from newsweave.store.sources import fold_counts

            fold_counts(conn)
        conn.commit()
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("ANALYZE"))
    print(file=sys.stderr)
    db.dispose()
    return {
        "build_s": time.perf_counter() - start,
        "stories": len(sizes),
        "copies": sum(1 for p in plan if p[3]),
    }


# PostgreSQL's word indexes, kept up row by row, and the search window's trigger (migration
# 0019), which slid 950,000 of a million rows through the window and out again: a build of a
# million took 5,612 s in session 23 and went at ~5,000 articles a minute at 80,000 in
# session 27 (a whole core in PostgreSQL). Bulk-loaded as a database is restored: the
# indexes made once at the end, the window filled once as migration 0019 fills it on an
# existing archive. Its end state is the one the triggers keep (every readable original
# above the boundary), minus the dead rows a slide leaves.
_PG_WORD_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = current_schema() AND indexdef LIKE '%USING gin (search_vector)%'
"""


# The tables the build loads article by article: their triggers (the search window's, and
# the foreign keys' checks: ~60 rows an article, each checked against its article row) are
# off while it loads, as pg_restore --disable-triggers does; the rows are consistent by
# construction.
_PG_BULK_TABLES = (
    "articles",
    "article_tags",
    "article_entities",
    "analyses",
    "attributions",
    "embeddings",
    "minhashes",
    "minhash_bands",
    "related",
)


def _pg_copy(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Rows into a PostgreSQL table by COPY, as a restore loads them, each value as
    SQLAlchemy would bind it (its column type's bind processor: JSON, the UTC times)."""
    from psycopg.types.json import Json
    from sqlalchemy import JSON

    given = list(rows[0])
    # the columns' Python-side defaults, as an insert() applies them (version, created_at...)
    defaults = {
        c.name: c.default
        for c in table.columns
        if c.name not in given and c.default is not None and not c.default.is_sequence
    }
    cols = given + list(defaults)
    procs = [table.c[c].type.bind_processor(conn.dialect) for c in cols]
    json_cols = [isinstance(table.c[c].type, JSON) for c in cols]
    names = ", ".join(f'"{c}"' for c in cols)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = [row[c] for c in given]
            values += [d.arg(None) if d.is_callable else d.arg for d in defaults.values()]
            copy.write_row(
                [
                    (Json(v) if js and v is not None else p(v) if p else v)
                    for v, p, js in zip(values, procs, json_cols, strict=True)
                ]
            )


def _pg_bulk_start(conn: Any) -> list[str]:
    """Drop the word indexes and stop the window's trigger; returns the indexes' definitions."""
    from sqlalchemy import text

    found = conn.execute(text(_PG_WORD_INDEXES)).all()
    for name, _definition in found:
        conn.execute(text(f'DROP INDEX "{name}"'))
    for table in _PG_BULK_TABLES:  # the window's trigger, and the foreign keys' checks
        conn.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER ALL'))
    return [definition for _name, definition in found]


def _pg_bulk_end(conn: Any, word_indexes: list[str]) -> None:
    """Fill the search window as migration 0019 does (empty: the build starts from a migrated
    schema, and the window's trigger was off while loading), the tags' and sources' counts as
    0022 and 0023 do, restart the triggers, make the indexes."""
    from sqlalchemy import text

    conn.execute(
        text(
            "UPDATE articles_search_window "
            "SET boundary = greatest(0, (SELECT coalesce(max(id), 0) FROM articles) - size)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO articles_search_recent SELECT id, search_vector FROM articles "
            "WHERE id > (SELECT boundary FROM articles_search_window) "
            "AND state IN ('extracted', 'enriched') AND duplicate_of IS NULL"
        )
    )
    # The tags' counts, which article_tags' triggers keep (migration 0022), counted once.
    conn.execute(text("DELETE FROM tag_counts"))
    conn.execute(
        text(
            "INSERT INTO tag_counts (tag_id, n) "
            "SELECT tag_id, count(*) FROM article_tags GROUP BY tag_id"
        )
    )
    # The sources' counts, which articles' triggers log as moves (migration 0023), counted once.
    conn.execute(text("DELETE FROM source_count_moves"))
    conn.execute(text("DELETE FROM source_counts"))
    conn.execute(
        text(
            "INSERT INTO source_counts (source_id, n) SELECT source_id, count(*) FROM articles "
            "WHERE state IN ('extracted', 'enriched') AND duplicate_of IS NULL GROUP BY source_id"
        )
    )
    for table in _PG_BULK_TABLES:
        conn.execute(text(f'ALTER TABLE "{table}" ENABLE TRIGGER ALL'))
    conn.execute(text("SET maintenance_work_mem = '1GB'"))
    for definition in word_indexes:
        conn.execute(text(definition))
    conn.commit()


def upkeep_after_build(url: str) -> dict[str, Any]:
    """The vacuum the workers' periodic upkeep would have run over the year the archive stands
    for, where the server's autovacuum is off (store.upkeep; a no-op where it is on, and
    autovacuum would have). Session 23 measured the million without it: the search window's
    GIN index then held ~950,000 dead ids and a search read 264,734 of them (57 ms, 19 after)."""
    from newsweave.store import upkeep
    from newsweave.store.db import open_database

    db = open_database(url)
    try:
        start = time.perf_counter()
        done = upkeep.run(db.engine, paced=False)
        return {
            "upkeep_s": round(time.perf_counter() - start, 1),
            "upkeep_tables": [d.table for d in done],
        }
    finally:
        db.dispose()


def database_mb(url: str) -> float:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.connect() as conn:
        size = conn.execute(
            text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
            )
        ).scalar()
    eng.dispose()
    return float(size or 0) / 2**20


# ---------------------------------------------------------------- enrichment of new articles


def enrich_new(url: str, count: int, data: str) -> dict[str, Any]:
    """In a fresh process: store `count` new articles and enrich them as a worker does, with
    `data` as the machine's data folder (where a PostgreSQL site's workers keep the snapshot
    of the related index: understanding.snapshot_path)."""
    from newsweave import collecting, understanding
    from newsweave.store.db import open_database

    # Opened without its data folder, a PostgreSQL site had nowhere to keep the snapshot, so
    # "the next worker" read every vector again (31.0 s at a million, session 27) where an
    # operator's worker (the CLI passes config's data_dir) starts from the snapshot.
    db = open_database(url, local_dir=data)
    arts = enrich_bench._mixed_articles(TEMPLATES + count)[TEMPLATES:]
    stored = _stored_new(db, arts)
    start = time.perf_counter()
    mem = understanding.memory(db)
    load_s = time.perf_counter() - start
    step = [0.0]
    real = understanding.understand

    def timed(*args: Any, **kwargs: Any) -> None:
        t0 = time.perf_counter()
        try:
            real(*args, **kwargs)
        finally:
            step[0] += time.perf_counter() - t0

    # pipeline calls the step through the module, so the bench can time it from outside.
    understanding.understand = timed  # type: ignore[assignment]
    with collecting.Enricher(2, min_for_pool=1) as enricher:
        enricher.enrich(db, stored[:16])  # start the workers, load their models
        step[0] = 0.0
        start = time.perf_counter()
        done, failed = enricher.enrich(db, stored[16:])
        wall = time.perf_counter() - start
        workers = [enrich_bench._vm_hwm(p) for p in enrich_bench._worker_pids(enricher)]
    storing_mb = enrich_bench._vm_hwm(os.getpid())
    recall = _recall_at_8(db, mem.index)  # after the peak is read: it loads every vector
    # The next worker to start finds the approximate index's centres kept by this one, and the
    # snapshot of its index this one wrote at its first step (understanding.Memory): beside a
    # SQLite file, in the data folder for PostgreSQL.
    index_kind = type(mem.index).__name__
    understanding.forget(db)
    del mem
    start = time.perf_counter()
    understanding.memory(db)
    reload_s = time.perf_counter() - start
    db.dispose()
    return {
        "enrich_per_s": done / wall,
        "enrich_failed": failed,
        "step_ms": step[0] / max(done, 1) * 1000,
        "worker_load_s": load_s,
        "worker_reload_s": reload_s,
        "index_kind": index_kind,
        "related_recall_at_8": recall,
        "enrich_peak_mb": max([storing_mb, *workers]),
        "storing_peak_mb": storing_mb,
        "worker_peak_mb": max(workers, default=0.0),
    }


def _stored_new(db: Any, arts: list[tuple[str, str]]) -> list[int]:
    from newsweave import pipeline
    from newsweave.model import ArticleIn

    return [
        pipeline.ingest(
            db,
            ArticleIn(
                url=f"https://newcomer.example/{i}",
                title=t,
                text=x,
                source_name="Outlet 001",
                published=NOW + timedelta(minutes=i),
            ),
            enrich_now=False,
        )[0]
        for i, (t, x) in enumerate(arts)
    ]


def _recall_at_8(db: Any, index: Any, queries: int = 200) -> float:
    """Overlap of the index's top 8 with exact search's over every stored vector, on archive
    vectors with noise as queries."""
    from sqlalchemy import select

    with db.connect() as conn:
        got = conn.execute(select(embeddings.c.article_id, embeddings.c.vector)).all()
    ids = [r[0] for r in got]
    vecs = np.frombuffer(b"".join(r[1] for r in got), dtype=np.float32).reshape(len(ids), -1)
    del got
    rng = np.random.default_rng(0)
    hits = 0
    for row in rng.choice(len(ids), size=min(queries, len(ids)), replace=False):
        q = vecs[row] + rng.normal(0, 0.02, vecs.shape[1]).astype(np.float32)
        q /= np.linalg.norm(q)
        exact = {ids[i] for i in np.argsort(-(vecs @ q))[:8]}
        hits += len(exact & {i for i, _ in index.search(q, 8)})
    return hits / (8 * min(queries, len(ids)))


# ---------------------------------------------------------------- pages under load


def pages_of(url: str) -> dict[str, str]:
    """The paths wrk asks for: a recent article in a big story, its story, a popular hashtag,
    a source, searches, the API deep in its list, feeds."""
    from sqlalchemy import create_engine, func, select

    from newsweave.web import cursors

    eng = create_engine(url)
    with eng.connect() as conn:
        story = conn.execute(
            select(stories.c.id)
            .where(stories.c.last_seen_at >= NOW - timedelta(days=30))
            .order_by(stories.c.article_count.desc())
            .limit(1)
        ).scalar_one()
        article = conn.execute(
            select(func.max(articles.c.id)).where(articles.c.story_id == story)
        ).scalar_one()
        tag = conn.execute(
            select(tags.c.slug)
            .join(article_tags, article_tags.c.tag_id == tags.c.id)
            .group_by(tags.c.slug)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
        total = conn.execute(select(func.count()).select_from(articles)).scalar_one()
        middle = conn.execute(
            select(articles.c.published_at, articles.c.id)
            .order_by(articles.c.published_at.desc(), articles.c.id.desc())
            .offset(total // 2)
            .limit(1)
        ).one()
    eng.dispose()
    deep = cursors.encode(middle.published_at, middle.id)
    return {
        "front": "/",
        "article": f"/articles/{article}",
        "story": f"/stories/{story}",
        "tag": f"/tags/{tag}",
        "source": "/sources/7",
        "search": "/search?q=government",
        "search, filtered": "/search?q=government&source=7&from=2026-06-01",
        "search, by date": "/search?q=minister+said&sort=date",
        "API article": f"/api/articles/{article}",
        "API list, deep": f"/api/articles?cursor={deep}&limit=50",
        "API search": "/api/search?q=government",
        "Atom, latest": "/feeds/latest.atom",
        "Atom, tag": f"/tags/{tag}/feed.atom",
        "For You": "/foryou",
        "tags index": "/tags",
        "sources index": "/sources",
        "stories index": "/stories",
        "blindspots": "/blindspots",
    }


def build_ms(url: str, paths: dict[str, str], cookie: str) -> dict[str, float]:
    """Each page built from nothing in this process, ms: the site with nothing kept
    (page_cache_seconds=0), each page asked once to warm the process, then timed at a new
    address. What the first reader after the page cache's seconds waits, and what every
    handler thread is busy with meanwhile (/tags and /sources took 19 s and 108 s at a
    million, unseen under wrk, where the page cache answered all but the first request)."""
    from fastapi.testclient import TestClient

    from newsweave.store.db import open_database
    from newsweave.web.app import create_app

    db = open_database(url)
    out = {}
    try:
        with TestClient(create_app(db, "bench", page_cache_seconds=0)) as client:
            for name, path in paths.items():
                head = {"Cookie": cookie} if name in SIGNED_IN else {}
                client.get(path, headers=head)
                start = time.perf_counter()
                r = client.get(path + ("&" if "?" in path else "?") + "built=1", headers=head)
                out[name] = (time.perf_counter() - start) * 1000
                if r.status_code != 200:
                    raise SystemExit(f"{path} answered {r.status_code}")
    finally:
        db.dispose()
    return out


# Pages of a signed-in reader: kept per reader until something of theirs changes
# (web/cache.ReaderPageCache), so a reload costs a lookup; at a fresh URL each request builds
# the page, as a reader's first view after a change does.
SIGNED_IN = ("For You",)


def reader_session(url: str, paths: dict[str, str]) -> str:
    """A session cookie of a reader who follows what a keen one would: the archive's biggest
    tag (a wide follow, walked on the time index), the source and the big story of `paths`."""
    from sqlalchemy import select

    from newsweave import accounts, reading
    from newsweave.store.accounts import user_by_name
    from newsweave.store.db import open_database

    db = open_database(url)
    try:
        name = f"bench{uuid.uuid4().hex[:8]}"
        accounts.create_user(db, name, "bench-password-1234")
        with db.connect() as conn:
            user = user_by_name(conn, name)
            assert user is not None
            slug = paths["tag"].rsplit("/", 1)[1]
            tag = conn.execute(select(tags.c.id).where(tags.c.slug == slug)).scalar_one()
        reading.follow(db, user, "tag", int(tag))
        for kind in ("source", "story"):
            reading.follow(db, user, kind, int(paths[kind].rsplit("/", 1)[1]))
        # A browser's cookies: the session and the CSRF seed its first page was given (without
        # the seed every answer would set one, and an answer that sets a cookie is not kept).
        return f"nw_session={accounts.start_session(db, user.id)}; nw_csrf={uuid.uuid4().hex}"
    finally:
        db.dispose()


def search_index(url: str, data: Path) -> dict[str, Any]:
    """Build the search engine beside the database (store/searchindex.py) as `reindex
    --search` does, before `serve` starts: a site that has run for a while has it built, and
    serve's own keeper would build it while the first pages are measured. Its seconds, its
    articles/s and its size on disk."""
    from newsweave.store import searchindex
    from newsweave.store.db import open_database

    db = open_database(url, local_dir=data)
    try:
        path = searchindex.index_path(db)
        assert path is not None
        start = time.perf_counter()
        n = searchindex.SearchIndex(path).catch_up(db)
        took = time.perf_counter() - start
    finally:
        db.dispose()
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return {
        "search_index_s": took,
        "search_index_per_s": n / max(took, 1e-9),
        "search_index_mb": size / 1e6,
    }


def serve(url: str, data: Path, processes: int = 0) -> tuple[subprocess.Popen[bytes], str, float]:
    """`newsweave serve` as an operator starts it; its base URL and start-up seconds.
    `processes` 0: serve's default (one per core). More than one process share their state in
    the data folder's file (web.shared.HostState), or in the Redis NEWSWEAVE_BENCH_REDIS names
    (sessions 24-31 measured them on Redis)."""
    import httpx

    port = web_bench._port()
    env = os.environ | {
        "NEWSWEAVE_DATABASE_URL": url,
        "NEWSWEAVE_DATA_DIR": str(data),
        "NEWSWEAVE_LOAD_DEFAULT_SOURCES": "0",
    }
    if processes > 1 and os.environ.get("NEWSWEAVE_BENCH_REDIS"):
        env["NEWSWEAVE_REDIS_URL"] = os.environ["NEWSWEAVE_BENCH_REDIS"]
        env["NEWSWEAVE_REDIS_PREFIX"] = f"nwbench-{uuid.uuid4().hex[:8]}:"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsweave",
            "serve",
            "--port",
            str(port),
            *(("--processes", str(processes)) if processes else ()),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base, time.perf_counter() - start
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("newsweave serve did not start")


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]


# Every request a different URL (a counter in the query), so none is answered from the
# URL-keyed page cache, as for the first reader of an address. What the app keeps per article
# for every address (the article page's parts, the API article's answer) still serves them,
# as it does any reader; the slowest query below is taken on a build from nothing.
_FRESH = """
counter = 0
request = function()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "fresh=" .. counter)
end
"""
FRESH = ("article", "API article", "search", "search, filtered", "API list, deep", "For You")
# A different query on every request: the words of the latest headlines, one a request, then
# two at a time. "search, fresh URL" asks one query at new addresses, which the app answers
# from the hits it keeps for the page cache's seconds (web/searches.py), as it does for the
# next reader of a trending word; this one is a whole search every time (the pool walked and
# ranked, the snippets made), over words as common and as rare as the news makes them; and
# the same newest first (`&sort=date`).
_NEW_QUERY = """
words = {%s}
counter = 0
request = function()
  counter = counter + 1
  local n = #words
  local i = (counter - 1) %% n + 1
  local q = words[i]
  if counter > n then q = q .. "+" .. words[(i * 7 + math.floor(counter / n)) %% n + 1] end
  return wrk.format(nil, "/search?q=" .. q .. "%s&fresh=" .. counter)
end
"""
NEW_QUERY = "search, new query"
NEW_QUERY_BY_DATE = "search, new query, newest first"


def query_words(url: str, count: int = 4000) -> list[str]:
    """Words a reader might search for: those of the latest headlines, in order, each once
    (letters only, four or more of them; no stopwords)."""
    from sqlalchemy import create_engine, select

    stop = {"that", "this", "with", "from", "have", "been", "will", "they", "their", "said",
            "says", "about", "after", "over", "into", "more", "than", "what", "when", "which",
            "would", "could", "were", "there", "also", "some", "just", "your"}  # fmt: skip
    eng = create_engine(url)
    with eng.connect() as conn:
        titles = conn.execute(
            select(articles.c.title).order_by(articles.c.id.desc()).limit(20 * count)
        ).scalars()
        words: dict[str, None] = {}
        for title in titles:
            for w in re.findall(r"[A-Za-z]{4,}", title or ""):
                if w.lower() not in stop:
                    words.setdefault(w.lower())
            if len(words) >= count:
                break
    eng.dispose()
    return list(words)[:count]


def load_pages(
    base: str, paths: dict[str, str], seconds: int, cookie: str, words: list[str]
) -> dict[str, dict[str, float]]:
    """Each page as served (anonymous pages are kept a few seconds: web/cache.py; SIGNED_IN
    pages with the reader's `cookie`), then the pages of FRESH at a new address on every
    request, then the search page with a new query of `words` on every request."""
    import httpx

    fresh = Path(tempfile.mkstemp(suffix=".lua")[1])
    fresh.write_text(_FRESH)
    listed = ", ".join(f'"{w}"' for w in words)
    new_query = Path(tempfile.mkstemp(suffix=".lua")[1])
    new_query.write_text(_NEW_QUERY % (listed, ""))
    by_date = Path(tempfile.mkstemp(suffix=".lua")[1])
    by_date.write_text(_NEW_QUERY % (listed, "&sort=date"))
    runs = [(name, path, None) for name, path in paths.items()]
    runs += [(f"{name}, fresh URL", paths[name], fresh) for name in FRESH]
    runs += [(NEW_QUERY, f"/search?q={words[0]}", new_query)]
    runs += [(NEW_QUERY_BY_DATE, f"/search?q={words[0]}&sort=date", by_date)]
    out = {}
    try:
        for name, path, script in runs:
            mine = name.removesuffix(", fresh URL") in SIGNED_IN
            own = (f"Cookie: {cookie}",) if mine else ()
            head = dict(h.split(": ", 1) for h in own)
            r = httpx.get(base + path, timeout=60, headers=head, follow_redirects=False)
            if r.status_code != 200:
                raise SystemExit(f"{path} answered {r.status_code}: {r.text[:300]}")
            rps, p50, p99 = web_bench._wrk(base + path, seconds, *own, script=script)
            out[name] = {"rps": rps, "p50_ms": _ms(p50), "p99_ms": _ms(p99)}
    finally:
        fresh.unlink()
        new_query.unlink()
        by_date.unlink()
    return out


def slowest_query(url: str, path: str, cookie: str | None = None) -> str:
    """The slowest statement behind one page (an uncached request in this process) and how
    the database runs it."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from newsweave.store.db import open_database
    from newsweave.web.app import create_app

    db = open_database(url)
    seen: list[tuple[float, str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        conn.info["t0"] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((time.perf_counter() - conn.info["t0"], statement, params))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    head = {"Cookie": cookie} if cookie else {}
    # Nothing kept (page_cache_seconds=0): the first request warms the process, the second
    # builds the page from nothing, as a new query does (a kept search would run no query).
    with TestClient(create_app(db, "bench", page_cache_seconds=0)) as client:
        client.get(path, headers=head)
        seen.clear()
        client.get(path + ("&" if "?" in path else "?") + "nocache=1", headers=head)
    event.remove(db.engine, "before_cursor_execute", before)
    event.remove(db.engine, "after_cursor_execute", after)
    if not seen:
        return "(no query: the page came from the cache)"
    took, statement, params = max(seen, key=lambda x: x[0])
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        cur = raw.cursor()  # type: ignore[union-attr]
        cur.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, params)
        plan = "\n".join("    " + " ".join(str(c) for c in row) for row in cur.fetchall())
    db.dispose()
    short = " ".join(statement.split())[:400]
    return f"  {took * 1000:.1f} ms: {short}\n{plan}"


# ---------------------------------------------------------------- the run


def _database(kind: str, tmp: Path, size: int, keep: bool) -> tuple[str, str | None, bool]:
    """The archive's URL, the PostgreSQL schema to drop afterwards (None: keep it), and
    whether an archive of this size was already built there (--keep: the SQLite file in the
    folder, or the schema nwarchive_keep_SIZE, kept so that --reuse measures it again)."""
    if kind == "sqlite":
        path = tmp / f"archive-{size}.db"
        return f"sqlite:///{path}", None, path.exists()
    from sqlalchemy import create_engine, text

    schema = f"nwarchive_keep_{size}" if keep else f"nwarchive_{size}_{uuid.uuid4().hex[:6]}"
    eng = create_engine(PG_ADMIN)
    with eng.begin() as conn:
        built = conn.execute(
            text("SELECT to_regclass(:t) IS NOT NULL"), {"t": f'"{schema}".articles'}
        ).scalar_one()
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    eng.dispose()
    return f"{PG_ADMIN}?options=-csearch_path%3D{schema}", None if keep else schema, built


def _drop(schema: str | None) -> None:
    if schema is None:
        return
    from sqlalchemy import create_engine, text

    eng = create_engine(PG_ADMIN)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


def run_one(kind: str, size: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from newsweave.store.db import open_database

    tpl = templates(tmp / f"templates-{args.templates}.json", args.templates)
    url, schema, built_before = _database(kind, tmp, size, args.keep is not None)
    try:
        kept = args.reuse and built_before
        if built_before and not kept:
            raise SystemExit(f"{url} holds an archive: --reuse to measure it, or remove it")
        open_database(url).dispose()  # migrate
        # A kept archive (--keep DIR --reuse) holds the articles an earlier run enriched too.
        built = {"build_s": None, "reused": True} if kept else build(url, size, tpl)
        row: dict[str, Any] = {"size": size, "database": kind, **built}
        row.update(upkeep_after_build(url))
        row["database_mb"] = database_mb(url)
        data = tmp / f"data-{kind}-{size}"
        data.mkdir(exist_ok=True)
        paths = pages_of(url)
        cookie = reader_session(url, paths)
        row.update(search_index(url, data))
        proc, base, row["serve_start_s"] = serve(url, data, args.processes)
        row["web_processes"] = config.web_processes(config.load(web_processes=args.processes))
        try:
            words = query_words(url)
            pages = load_pages(base, paths, args.seconds, cookie, words)
        finally:
            proc.terminate()
            proc.wait()
        slowest = max(pages, key=lambda p: pages[p]["p99_ms"]).removesuffix(", fresh URL")
        row["slowest_page"] = slowest
        mine = cookie if slowest in SIGNED_IN else None
        asked = {
            **paths,
            NEW_QUERY: f"/search?q={words[0]}",
            NEW_QUERY_BY_DATE: f"/search?q={words[0]}&sort=date",
        }
        row["slowest_query"] = slowest_query(url, asked[slowest], mine)
        row["build_ms"] = build_ms(url, asked, cookie)
        row["pages"] = pages
        row["page_p99_ms"] = {p: v["p99_ms"] for p, v in pages.items()}
        bare = args.bare_rps
        row["bare_rps"] = bare
        row["article_vs_bare"] = pages["article"]["rps"] / bare
        row["api_article_vs_bare"] = pages["API article"]["rps"] / bare
        row["search_vs_bare"] = pages["search"]["rps"] / bare
        for name in FRESH:
            key = name.lower().replace(" ", "_").replace(",", "")
            row[f"{key}_fresh_url_vs_bare"] = pages[f"{name}, fresh URL"]["rps"] / bare
        row["search_new_query_vs_bare"] = pages[NEW_QUERY]["rps"] / bare
        row["search_new_query_by_date_vs_bare"] = pages[NEW_QUERY_BY_DATE]["rps"] / bare
        if args.new:
            out = subprocess.run(
                [sys.executable, __file__, "--enrich-new", url, str(args.new + 16), str(data)],
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                raise SystemExit(f"enrichment failed:\n{out.stderr[-3000:]}")
            row.update(json.loads(out.stdout.strip().splitlines()[-1]))
        return row
    finally:
        _drop(schema)


def _bare_rps(seconds: int) -> float:
    port = web_bench._port()
    bare = subprocess.Popen([sys.executable, web_bench.__file__, "serve-bare", str(port)])
    try:
        web_bench._wait(port)
        return web_bench._wrk(f"http://127.0.0.1:{port}/", seconds)[0]
    finally:
        bare.terminate()
        bare.wait()


def _line(mine: list[dict[str, Any]], label: str, key: str, fmt: str, sub: str | None) -> str:
    """One figure at every size, each after the first beside its ratio to the first."""
    cells = []
    for r in mine:
        v = r.get(key) if sub is None else r["pages"][sub][key]
        b = mine[0].get(key) if sub is None else mine[0]["pages"][sub][key]
        if v is None:
            cells.append("-")
            continue
        ratio = f" ({v / b:.2f}x)" if b and r is not mine[0] else ""
        cells.append(fmt.format(v) + ratio)
    return f"  {label:36s} " + "   ".join(f"{c:>18s}" for c in cells)


_FIGURES = (
    ("build (s)", "build_s", "{:.1f}"),
    ("vacuum after it, autovacuum off (s)", "upkeep_s", "{:.1f}"),
    ("database on disk (MB)", "database_mb", "{:.0f}"),
    ("search index build (s)", "search_index_s", "{:.1f}"),
    ("search index on disk (MB)", "search_index_mb", "{:.0f}"),
    ("serve start-up (s)", "serve_start_s", "{:.2f}"),
    ("worker start-up: index+stories (s)", "worker_load_s", "{:.2f}"),
    ("  the next worker's (centres, snapshot kept)", "worker_reload_s", "{:.2f}"),
    ("enrichment (articles/s)", "enrich_per_s", "{:.1f}"),
    ("cross-article step (ms/article)", "step_ms", "{:.1f}"),
    ("peak memory, any process (MB)", "enrich_peak_mb", "{:.0f}"),
    ("related recall@8", "related_recall_at_8", "{:.3f}"),
)


def report(rows: list[dict[str, Any]]) -> None:
    for kind in dict.fromkeys(r["database"] for r in rows):
        mine = [r for r in rows if r["database"] == kind]
        sizes = ", ".join(f"{r['size']:,}" for r in mine)
        first = mine[0]["size"]
        print(f"\n{kind}: sizes {sizes} (each figure, then x its value at {first:,})")
        for label, key, fmt in _FIGURES:
            print(_line(mine, label, key, fmt, None))
        for page in mine[0]["pages"]:
            print(_line(mine, f"{page}: requests/s", "rps", "{:.0f}", page))
            print(_line(mine, f"{page}: p99 (ms)", "p99_ms", "{:.1f}", page))
        for r in mine:
            print(
                f"  at {r['size']:,}: article {r['article_vs_bare']:.2f}x bare, API article "
                f"{r['api_article_vs_bare']:.2f}x, search {r['search_vs_bare']:.2f}x; at fresh "
                f"URLs: article {r['article_fresh_url_vs_bare']:.2f}x, API article "
                f"{r['api_article_fresh_url_vs_bare']:.2f}x, search "
                f"{r['search_fresh_url_vs_bare']:.2f}x, search with a new query every request "
                f"{r['search_new_query_vs_bare']:.2f}x, newest first "
                f"{r['search_new_query_by_date_vs_bare']:.2f}x (bare: {r['bare_rps']:.0f} "
                "requests/s); "
                f"vector index: {r.get('index_kind')}"
            )
            built = ", ".join(f"{p} {ms:.0f}" for p, ms in r["build_ms"].items())
            print(f"  each page built from nothing at {r['size']:,}, ms: {built}")
            print(f"  slowest page at {r['size']:,}: {r['slowest_page']}; its slowest query:")
            print(r["slowest_query"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--databases", default="sqlite,postgresql")
    ap.add_argument("--new", type=int, default=1000, help="new articles to enrich (0: none)")
    ap.add_argument("--seconds", type=int, default=5, help="wrk's time per page")
    ap.add_argument("--json", type=Path, help="write one JSON object a line per run")
    ap.add_argument(
        "--processes",
        type=int,
        default=0,
        help="processes `serve` answers in (0: its default, one per core; more than one share "
        "their state in the data folder's file; in Redis with NEWSWEAVE_BENCH_REDIS=redis://...)",
    )
    ap.add_argument(
        "--templates",
        choices=["public", "fixtures"],
        default="public",
        help="the archive's texts: variants of the public news articles in ../shared/eval "
        "(real vocabulary: 'government' in ~18%% of them) or of 96 mixes of the fixtures' "
        "sentences (a narrow vocabulary: 'government' in ~95%%; sessions up to 17)",
    )
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: measure the archive an earlier --keep run built (the SQLite file in "
        "that folder, the PostgreSQL schema nwarchive_keep_SIZE) instead of building",
    )
    ap.add_argument(
        "--keep",
        type=Path,
        help="build in this folder and keep the archives afterwards (to study one; PostgreSQL's "
        "in the schema nwarchive_keep_SIZE, dropped by hand)",
    )
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk; make bench does it)")
    args.bare_rps = _bare_rps(args.seconds)
    rows = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        if args.keep:
            tmp = args.keep
            tmp.mkdir(parents=True, exist_ok=True)
        for kind in args.databases.split(","):
            for size in (int(x) for x in args.sizes.split(",")):
                print(f"{kind}, {size:,} articles", file=sys.stderr)
                row = run_one(kind, size, args, tmp)
                rows.append(row)
                if args.json:
                    with args.json.open("a") as f:
                        f.write(json.dumps(row, default=str) + "\n")
    report(rows)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--enrich-new"]:
        print(json.dumps(enrich_new(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
    else:
        main()
