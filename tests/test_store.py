"""The store on a real SQLite file and on the real PostgreSQL: schema, identity, search, export."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, bindparam, text

from newsweave import pipeline
from newsweave.model import ArticleIn, SourceInfo
from newsweave.store import articles as store
from newsweave.store import search
from newsweave.store import sources as source_store
from newsweave.store.db import Database, open_database
from newsweave.store.schema import UTCDateTime, metadata
from newsweave.store.views import article_list, article_list_query

NOW = datetime(2025, 8, 14, 12, 0, tzinfo=UTC)
TEXT = " ".join(["The regional council approved the budget for schools and transport."] * 10)


# Indexes on an expression: SQLite's reflection cannot read them back (SQLAlchemy skips them
# with a warning), so they are checked by name and by the plans that use them (below).
_TIME_INDEXES = ("ix_articles_time", "ix_articles_source_time", "ix_articles_story_time")


def _include(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    return not (name or "").startswith(
        (
            "articles_fts",
            "articles_search",
            "search_vector",
            "ix_articles_search",
            "search_changes",
            "ix_search_changes",
            *_TIME_INDEXES,
        )
    )


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.filterwarnings("ignore:Did not recognize type 'xid8'")  # search_changes (0021)
def test_migrations_give_exactly_the_models_schema(db: Database) -> None:
    with db.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": _include})
        assert compare_metadata(ctx, metadata) == []


def test_lists_read_newest_first_off_the_time_index(db: Database) -> None:
    """The front page's, a source's and a story's lists, and their keyset pages deep in the
    archive, read off an index instead of sorting every article (issue 15)."""
    sqlite = db.engine.dialect.name == "sqlite"
    with db.connect() as conn:
        if sqlite:
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
        else:
            names = conn.execute(text("SELECT indexname FROM pg_indexes"))
        assert set(_TIME_INDEXES) <= {n for (n,) in names}
    _many_articles(db, 3000)
    with db.connect() as conn:
        for kwargs in (
            {},
            {"after": (NOW, 10**6)},
            {"source_id": 1, "after": (NOW, 10**6)},
            {"story_id": 1, "after": (NOW, 10**6)},
        ):
            plan = _plan(conn, sqlite, kwargs)
            assert not re.search(r"Seq Scan on articles|SCAN articles(?! USING)", plan), plan
            if "after" in kwargs:  # seeks to the keyset, not scanning down to it
                assert re.search(r"SEARCH articles USING INDEX \S+ \(.*<|Index Cond", plan), plan
            # A story's few articles may be sorted as they are; PostgreSQL, by its statistics,
            # also sorts the 15 of a source here rather than walk an index.
            if "story_id" not in kwargs and (sqlite or "source_id" not in kwargs):
                assert re.search(r"ix_articles_(source_)?time", plan), (kwargs, plan)
                assert "TEMP B-TREE" not in plan, (kwargs, plan)
                assert "Sort" not in plan, (kwargs, plan)


def test_a_large_hashtag_is_walked_newest_first_and_a_small_one_sorted(db: Database) -> None:
    """A tag page of the biggest hashtag sorted every one of its articles (93 ms for 7,276 of
    10,000; seconds at a million): a tag past sqrt(page x archive) is met on the time index."""
    from newsweave.store import views

    ids = _big_and_small_tags(db)
    sqlite = db.engine.dialect.name == "sqlite"
    with db.connect() as conn:
        assert views._walks_for(conn, 1, 50) is sqlite  # 2,000 of 3,000 > sqrt(50 x 3,000)
        assert not views._walks_for(conn, 2, 50)  # 10 articles: looked up
        for slug, expected in (("big", [i for i in ids if i % 3]), ("small", ids[::300])):
            newest = sorted(expected)  # the article of id i is 3 (i - 1) hours old
            page = views.tag_page(conn, slug, limit=50)
            assert [a.id for a in page.articles] == newest[:50]
            assert [a.id for a in views.article_list(conn, tag=slug, limit=20)] == newest[:20]
        if sqlite:
            q = article_list_query(limit=20, tag="big", tag_walk=True)
            sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(r) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "ix_articles_time" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


def test_the_cross_article_step_reads_other_articles_off_narrow_indexes(db: Database) -> None:
    """Candidates' time, group and order, and a story's latest members, are read as a plain
    query would read them, and on SQLite off the indexes that spare the rows' text (migration
    0015: past the page cache each page of an article's text is a disk read)."""
    from sqlalchemy import select, update

    from newsweave.store import stories, vectors
    from newsweave.store.schema import ARTICLE_TIME, articles

    _many_articles(db, 3000)
    with db.begin() as conn:
        conn.execute(update(articles).where(articles.c.id == 902).values(duplicate_of=2))
        conn.execute(update(articles).where(articles.c.id < 50).values(first_understood_seq=7))
    ids = [1, 2, 40, 902, 2999, 5000]  # 5000 does not exist
    sqlite = db.engine.dialect.name == "sqlite"
    with db.connect() as conn:
        got = vectors.neighbour_times(conn, ids)
        plain = select(articles.c.id, ARTICLE_TIME, articles.c.duplicate_of,
                       articles.c.first_understood_seq).where(articles.c.id.in_(ids))  # fmt: skip
        want = {r[0]: (r[1], r[2] or r[0], r[3] or 0) for r in conn.execute(plain)}
        assert got == want
        assert set(got) == {1, 2, 40, 902, 2999}
        assert (got[902][1], got[40][2], got[2999][2]) == (2, 7, 0)
        assert got[1][0] == NOW

        members = stories.story_members(conn, 2, 20)  # articles 2, 302, 602, 902 (a copy), ...
        bare = stories.story_members(conn, 2, 20, summaries=False)
        assert [(m.id, m.title, m.at) for m in bare] == [(m.id, m.title, m.at) for m in members]
        assert [m.id for m in members][:4] == [2, 302, 602, 1202]
        assert [m.summary for m in bare] == [""] * len(bare)
        if sqlite:
            sql = str(
                vectors._NEIGHBOURS_SQLITE.bindparams(ids=ids).compile(
                    conn, compile_kwargs={"literal_binds": True}
                )
            )
            plan = " ".join(str(r) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "COVERING INDEX ix_articles_brief" in plan, plan
            q = (
                select(articles.c.id)
                .where(articles.c.story_id == 2, articles.c.duplicate_of.is_(None))
                .order_by(ARTICLE_TIME.desc(), articles.c.id.desc())
                .limit(20)
            )
            sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(r) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "INDEX ix_articles_story_time (story_id=?)" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


def test_for_you_of_a_wide_follow_walks_the_time_index(db: Database) -> None:
    """A reader's stream reaching most of the archive is read off the time index, testing each
    article met, and finds what gathering and sorting finds: on PostgreSQL too, whose planner
    takes a union of follows for 200 articles and probed and sorted all of them."""
    from newsweave.store import reading

    ids = _big_and_small_tags(db)
    big, small = {i for i in ids if i % 3}, set(ids[::300])
    of_source = {
        3: {i for i in ids if (i - 1) % 200 == 2},
        4: {i for i in ids if (i - 1) % 200 == 3},
    }

    with db.connect() as conn:
        assert reading.reach_is_wide(conn, reading.Follows(tag_ids=frozenset([1])), (), 50)
        assert not reading.reach_is_wide(conn, reading.Follows(tag_ids=frozenset([2])), (), 50)
        cases = [
            (reading.Follows(tag_ids=frozenset([1])), big),
            (reading.Follows(tag_ids=frozenset([2])), small),
            (reading.Follows(tag_ids=frozenset([1, 2]), source_ids=frozenset([3])),
             big | small | of_source[3]),
            (reading.Follows(source_ids=frozenset([3, 4])), of_source[3] | of_source[4]),
        ]  # fmt: skip
        for follows, reached in cases:
            newest = sorted(reached)[:50]  # the article of id i is 3 (i - 1) hours old
            assert [a.id for a in reading.stream(conn, follows, None, limit=50)] == newest
            oldest = sorted(reached, reverse=True)[:50]
            got = reading.stream(conn, follows, None, limit=50, oldest_first=True)
            assert [a.id for a in got] == oldest
        follows = reading.Follows(tag_ids=frozenset([1]), source_ids=frozenset([3]))
        plan = _last_plan(conn, lambda: reading.stream(conn, follows, None, limit=50))
        assert "ix_articles_time" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        assert "hashed SubPlan" not in plan, plan  # not every article of the tag first

    # The unread count of For You walks the same way past the same reach, and counts what
    # gathering counts: read by the mark, read or marked unread one by one, capped at 1,000.
    from newsweave.store.accounts import add_user

    mark = NOW - timedelta(hours=3 * 999)  # articles 1,000 and older are read by the mark
    by_hand, unread_by_hand = {5, 8, 11}, {1501, 2002, 2999}
    with db.begin() as conn:
        uid = add_user(conn, "reader1", None, "x", "reader")
        reading.set_read_until(conn, uid, mark)
        reading.set_read(conn, uid, by_hand, True, NOW)
        reading.set_read(conn, uid, unread_by_hand, False, NOW)
    with db.connect() as conn:
        wide = reading.Follows(tag_ids=frozenset([1]))
        assert reading.reach_is_wide(conn, wide, (), 1000)
        for follows, reached in cases:
            unread = {i for i in reached if i < 1000} - by_hand | (unread_by_hand & reached)
            got = reading.unread_total(conn, uid, mark, follows, None)
            assert got == min(len(unread), 1000), follows
            no_mark = reading.unread_total(conn, uid, None, follows, None)
            assert no_mark == min(len(reached - by_hand), 1000), follows
        # Each follow's own count (the following page, a reader app's unread-count) alike.
        each = {("tag", 1): big, ("tag", 2): small, ("source", 3): of_source[3]}
        each[("source", 4)] = of_source[4]
        everything = reading.Follows(tag_ids=frozenset([1, 2]), source_ids=frozenset([3, 4]))
        counts = reading.unread_count(conn, uid, mark, everything, None)
        assert counts == {
            k: min(len({i for i in r if i < 1000} - by_hand | (unread_by_hand & r)), 1000)
            for k, r in each.items()
        }
        counts = reading.unread_count(conn, uid, None, everything, None)
        assert counts == {k: min(len(r - by_hand), 1000) for k, r in each.items()}
        for until in (None, mark):
            plan = _last_plan(
                conn,
                partial(reading.unread_total, conn, uid, until, wide, None),
                holding="ORDER BY",  # the walk (past the mark: its newer part)
            )
            assert "ix_articles_time" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
            assert "hashed SubPlan" not in plan, plan


def _big_and_small_tags(db: Database) -> list[int]:
    """3,000 articles (_many_articles), a tag "big" (id 1) on two of three of them and a tag
    "small" (id 2) on every 300th; their ids, oldest id (newest article) first."""
    from sqlalchemy import insert

    from newsweave.store.schema import article_tags, tags

    _many_articles(db, 3000)
    with db.begin() as conn:
        conn.execute(
            insert(tags),
            [{"id": 1, "slug": "big", "label": "Big", "display": "#Big", "kind": "topic"},
             {"id": 2, "slug": "small", "label": "Small", "display": "#Small", "kind": "topic"}],
        )  # fmt: skip
        ids = [int(i) for i in conn.execute(text("SELECT id FROM articles ORDER BY id")).scalars()]
        conn.execute(
            insert(article_tags),
            [{"article_id": i, "tag_id": 1} for i in ids if i % 3]
            + [{"article_id": i, "tag_id": 2} for i in ids[::300]],
        )
    return ids


def _run_statements(conn: Connection, call: Any) -> tuple[Any, list[tuple[str, Any]]]:
    """What `call` returns, and the statements (with their parameters) it runs on `conn`."""
    from sqlalchemy import event

    statements: list[tuple[str, Any]] = []

    def keep(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    event.listen(conn, "before_cursor_execute", keep)
    try:
        return call(), statements
    finally:
        event.remove(conn, "before_cursor_execute", keep)


def _last_plan(conn: Connection, call: Any, holding: str = "") -> str:
    """The plan of the last statement `call` runs on `conn` (of those `holding` this)."""
    statements = _run_statements(conn, call)[1]
    statement, params = [(st, p) for st, p in statements if holding in st][-1]
    explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    rows = conn.exec_driver_sql(explain + statement, params)
    return " ".join(str(r) for r in rows)


def _many_articles(db: Database, n: int) -> None:
    """`n` readable articles of 200 sources and 300 stories over a year, loaded in bulk, and the
    planner's statistics (PostgreSQL plans by them; SQLite has none, as newsweave runs it)."""
    from sqlalchemy import insert

    from newsweave.store.schema import articles, sources, stories

    with db.begin() as conn:
        conn.execute(insert(sources), [{"id": i, "name": f"S{i}"} for i in range(1, 201)])
        conn.execute(
            insert(stories),
            [{"id": i, "first_seen_at": NOW, "last_seen_at": NOW} for i in range(1, 301)],
        )
        conn.execute(
            insert(articles),
            [
                {
                    "ident": f"https://example.com/{i}",
                    "source_id": 1 + i % 200,
                    "story_id": 1 + i % 300,
                    "title": f"Article {i}",
                    "text": "Text.",
                    "state": "enriched",
                    "published_at": NOW - timedelta(hours=3 * i),
                    "first_seen_at": NOW,
                }
                for i in range(n)
            ],
        )
    if db.engine.dialect.name == "postgresql":
        with db.connect() as conn:
            conn.execute(text("ANALYZE articles"))
            conn.commit()


def _plan(conn: Connection, sqlite: bool, kwargs: dict[str, Any]) -> str:
    q = article_list_query(limit=20, **kwargs)
    sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
    rows = conn.exec_driver_sql(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + sql)
    return "\n".join(" ".join(str(x) for x in r) for r in rows)


def test_migrating_twice_is_a_no_op(db: Database) -> None:
    db.upgrade()
    db.upgrade()


def test_same_article_by_url_variants_is_stored_once(db: Database) -> None:
    a = ArticleIn(url="https://www.example.com/news/1?utm_source=x", title="T", text=TEXT,
                  source_name="Example")  # fmt: skip
    b = ArticleIn(url="https://example.com/news/1/amp", title="T", text=TEXT, source_name="Example")
    first = pipeline.ingest(db, a, now=NOW)
    second = pipeline.ingest(db, b, now=NOW)
    assert first[1] == pipeline.Outcome.INSERTED
    assert second == (first[0], pipeline.Outcome.UNCHANGED)
    with db.connect() as conn:
        assert len(article_list(conn, limit=50)) == 1


def test_changed_text_updates_in_place_and_bumps_version(db: Database) -> None:
    art = ArticleIn(url="https://example.com/n/2", title="T", text=TEXT, source_name="Example")
    article_id, _ = pipeline.ingest(db, art, now=NOW)
    changed = ArticleIn(url=art.url, title="T (updated)", text=TEXT + " Correction appended.",
                        source_name="Example")  # fmt: skip
    again_id, outcome = pipeline.ingest(db, changed, now=NOW + timedelta(hours=1))
    assert (again_id, outcome) == (article_id, pipeline.Outcome.UPDATED)
    with db.connect() as conn:
        row = store.get_article(conn, article_id)
    assert row.version == 2
    assert row.title == "T (updated)"
    assert row.text.endswith("Correction appended.")
    assert row.state == "enriched"
    assert row.language == "en"


def test_same_text_under_another_url_is_a_duplicate(db: Database) -> None:
    a = ArticleIn(url="https://wire.example/story", title="Wire", text=TEXT, source_name="Wire")
    b = ArticleIn(url="https://paper.example/copy", title="Copy", text=TEXT, source_name="Paper")
    first_id, _ = pipeline.ingest(db, a, now=NOW)
    assert pipeline.ingest(db, b, now=NOW) == (first_id, pipeline.Outcome.DUPLICATE)
    # the copy's URL is now an alias: seeing it again is recognised straight away
    assert pipeline.ingest(db, b, now=NOW)[0] == first_id


def test_url_less_article_learns_its_url(db: Database) -> None:
    dumped = ArticleIn(url=None, title="UN rejects parallel government in Sudan", text=TEXT,
                       source_name="Russia Today")  # fmt: skip
    article_id, _ = pipeline.ingest(db, dumped, now=NOW)
    with_url = ArticleIn(url="https://www.rt.com/africa/1/", title=dumped.title, text=TEXT,
                         source_name="Russia Today")  # fmt: skip
    assert pipeline.ingest(db, with_url, now=NOW) == (article_id, pipeline.Outcome.UNCHANGED)
    with db.connect() as conn:
        assert store.get_article(conn, article_id).url == "https://www.rt.com/africa/1"


def test_sources_labels_and_backoff(db: Database) -> None:
    info = SourceInfo(
        name="BBC",
        feed_url="https://feeds.example/bbc.xml",
        country="GB",
        ownership="public broadcaster",
        kind="broadcaster",
        poll_interval=600,
    )
    with db.begin() as conn:
        sid, created = source_store.add_source(conn, info, NOW)
        assert created
        assert source_store.add_source(conn, info, NOW) == (sid, False)
        source_store.record_failure(conn, sid, NOW, "HTTP 500")
        source_store.record_failure(conn, sid, NOW, "HTTP 500")
        src = source_store.get_source(conn, sid)
        assert src.error_count == 2
        assert src.next_poll_at == NOW + timedelta(seconds=1200)  # doubled after the 2nd
        assert source_store.due_sources(conn, NOW) == []
        source_store.record_success(conn, sid, NOW, etag='"x"', last_modified=None)
        src = source_store.get_source(conn, sid)
        assert (src.error_count, src.last_error, src.etag) == (0, None, '"x"')
        source_store.record_failure(conn, sid, NOW, "HTTP 410", gone=True)
        assert source_store.get_source(conn, sid).status == "gone"
        assert source_store.get_source(conn, sid).as_dict()["country"] == "GB"


@pytest.mark.parametrize(
    "hostile",
    ['"unbalanced', "council AND OR NOT", "NEAR(council budget)", "coun*", "'; DROP TABLE x; --",
     "title:council", "-council", "((("],
)  # fmt: skip
def test_search_survives_query_syntax(db: Database, hostile: str) -> None:
    pipeline.ingest(db, ArticleIn(url="https://e.example/1", title="Council budget", text=TEXT,
                                  source_name="E"), now=NOW)  # fmt: skip
    with db.connect() as conn:
        search.search(conn, hostile)  # must not raise


def test_search_ranks_and_snippets(db: Database) -> None:
    pipeline.ingest(db, ArticleIn(url="https://e.example/1", title="Council budget", text=TEXT,
                                  source_name="E", published=NOW), now=NOW)  # fmt: skip
    pipeline.ingest(db, ArticleIn(url="https://e.example/2", title="Football final",
                                  text="The match ended in a draw after extra time. " * 10,
                                  source_name="E"), now=NOW)  # fmt: skip
    with db.connect() as conn:
        hits = search.search(conn, "council budget")
        assert [h.title for h in hits] == ["Council budget"]
        assert search.HIT_START in hits[0].snippet
        d = hits[0].as_dict()
        assert set(d) >= {"id", "title", "url", "source", "published", "snippet"}
        assert d["published"] == NOW.isoformat()
        assert search.search(conn, "") == []


def test_search_finds_readable_originals_only(db: Database) -> None:
    """A copy, and an article the operator deleted (its text kept), are never a hit: best
    first, newest first, filtered or not (SQLite checks an unfiltered search's matches
    against the index of the articles that are not readable originals, migration 0020)."""
    texts = [
        "The council budget passed after a long night of votes on schools and roads. " * 4,
        "Harbour dredging will take three years, the council budget papers show. " * 4,
        "A museum roof and two libraries are missing from the council budget draft. " * 4,
        "Bus fares rise in spring under the council budget for transport. " * 4,
    ]
    ids = [
        pipeline.ingest(db, ArticleIn(url=f"https://e.example/{i}", title=f"Council budget {i}",
                                      text=body, source_name="E", language="en",
                                      published=NOW + timedelta(minutes=i)),
                        now=NOW, enrich_now=False)[0]
        for i, body in enumerate(texts)
    ]  # fmt: skip
    assert len(set(ids)) == 4
    original, copy, gone, kept = ids
    with db.begin() as conn:
        conn.execute(
            text("UPDATE articles SET duplicate_of = :o WHERE id = :c"), {"o": original, "c": copy}
        )
        conn.execute(text("UPDATE articles SET state = 'gone' WHERE id = :g"), {"g": gone})
    with db.connect() as conn:
        for f in (search.Filters(), search.Filters(language="en")):
            for order in ("rank", "date"):
                found = search.search(conn, "council budget", filters=f, order=order)
                assert sorted(h.id for h in found) == [original, kept], (f, order)
            assert search.count(conn, "council budget", f) == 2


def test_export_has_every_field_and_analyses(db: Database) -> None:
    pipeline.ingest(db, ArticleIn(url="https://e.example/1", title="Council budget", text=TEXT,
                                  source_name="E"), now=NOW)  # fmt: skip
    with db.connect() as conn:
        (row,) = list(store.iter_export(conn))
    assert row["text"] == TEXT
    assert row["source"] == "E"
    assert row["analyses"]["language"] == "en"
    assert {"url", "published_at", "content_hash", "state", "version"} <= set(row)


def test_failed_page_attempts_back_off_then_give_up(db: Database) -> None:
    with db.begin() as conn:
        sid, _ = source_store.add_source(conn, SourceInfo(name="S", feed_url="https://s.example/f"))
        art_id, created = store.discover(
            conn, source_id=sid, ident="s.example/a", url="https://s.example/a", title="A",
            title_key="a", summary=None, published_at=None, guid=None, now=NOW,
        )  # fmt: skip
        assert created
        assert store.pending(conn, NOW)[0].id == art_id
        first = store.mark_failed_attempt(conn, art_id, "HTTP 503", NOW, max_attempts=2)
        assert first == "discovered"
        assert store.pending(conn, NOW) == []  # backed off
        assert store.pending(conn, NOW + timedelta(minutes=11))[0].attempts == 1
        assert store.mark_failed_attempt(conn, art_id, "HTTP 503", NOW, max_attempts=2) == "failed"
        row = store.get_article(conn, art_id)
        assert (row.state, row.attempts, row.last_error) == ("failed", 2, "HTTP 503")
        assert store.pending(conn, NOW + timedelta(days=30)) == []


def test_a_second_feed_under_a_taken_name_is_a_new_source(db: Database) -> None:
    world = SourceInfo(name="Daily Planet", feed_url="https://planet.example/world.xml")
    business = SourceInfo(name="Daily Planet", feed_url="https://planet.example/business.xml")
    with db.begin() as conn:
        w, created_w = source_store.add_source(conn, world, NOW)
        b, created_b = source_store.add_source(conn, business, NOW)
        assert created_w
        assert created_b
        assert w != b
        assert source_store.get_source(conn, w).feed_url == world.feed_url  # not replaced
        assert source_store.get_source(conn, b).name == "Daily Planet (planet.example/business.xml)"
        relabelled = SourceInfo(name="Planet", feed_url=world.feed_url, country="US")
        assert source_store.add_source(conn, relabelled, NOW) == (w, False)  # same feed: update
        assert source_store.get_source(conn, w).name == "Daily Planet"
        assert source_store.get_source(conn, w).as_dict()["country"] == "US"


def test_control_characters_and_nuls_are_cleaned_at_the_edge(db: Database) -> None:
    from newsweave import pipeline
    from newsweave.model import ArticleIn
    from newsweave.store.articles import get_article

    art = ArticleIn(
        url="https://nul.example/1",
        title="Bad\x00 title\x07 with\x1b controls",
        text="A body with a NUL\x00 byte, a bell\x07 and a form feed\x0c in it. " * 5,
        source_name="Nul\x00 Times",
        byline="Ann\x00 Writer",
    )
    article_id, _ = pipeline.ingest(db, art, enrich_now=False)  # PostgreSQL refused NUL
    with db.connect() as conn:
        stored = get_article(conn, article_id)
    assert stored.title == "Bad title with controls"
    assert "\x00" not in stored.text
    assert "\x07" not in stored.text
    assert stored.byline == "Ann Writer"


def test_a_common_word_is_ranked_among_the_newest_matches_and_counted_to_the_cap(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every one of 3,000 articles matches: best first ranks the POOL collected last, newest
    first is exact (here the newest were collected first), and the count stops at the cap
    (issue 15: a search costs the same at any archive size)."""
    _many_articles(db, 3000)
    with db.connect() as conn:
        newest = conn.execute(
            text("SELECT min(id) FROM (SELECT id FROM articles ORDER BY id DESC LIMIT :n) x"),
            {"n": search.POOL},
        ).scalar_one()
        best = search.search(conn, "article", limit=20)
        assert len(best) == 20
        assert all(h.id >= newest for h in best)
        assert all(h.snippet for h in best)
        by_date = search.search(conn, "article", limit=5, offset=3, order="date")
        assert [h.title for h in by_date] == [f"Article {i}" for i in range(3, 8)]
        assert all(h.snippet for h in by_date)
        rare = search.search(conn, "2999", limit=5, order="date")  # a title's number
        assert [h.title for h in rare] == ["Article 2999"]
        assert search.search(conn, "zzzqqq", limit=5, order="date") == []
        assert search.count(conn, "article") == search.COUNT_CAP
        if db.engine.dialect.name == "postgresql":
            # The window of the latest articles (migration 0019) answers unfiltered best-first
            # pools first where it holds them (its own test below); its matches come off its
            # word index even while it holds the whole site and its boundary is 0 (off the key,
            # every vector was unTOASTed and tested: 42 ms at 10,000 articles)
            for word in ("article", "2999"):

                def searched(w: str = word) -> None:
                    search.search(conn, w, 5)
                    conn.execute(search._BITMAPS_ONLY, {"on": "off"})  # as the search plans

                plan = _last_plan(conn, searched, "WITH pool")
                conn.execute(search._BITMAPS_ONLY, {"on": "on"})
                assert "Bitmap Index Scan on ix_articles_search_recent" in plan, plan
                assert "articles_search_recent_pkey" not in plan, plan
            # What the articles' own indexes do:
            monkeypatch.setattr(search, "_pg_recent", lambda *_args: (None, 0))
            # Newest first, a rare word's matches are gathered off the word index and sorted,
            # a common word's read off the time index. PostgreSQL's planner alone walked the
            # time index for any word it had no statistics of, where its estimate is ~1 % (a
            # word in no article: 0.5-1.2 s at bench/archive.py's 100,000; here, with few
            # words, it estimates such a word well): so the choice is made from its estimate.
            assert not search._pg_common(conn, "zzzqqq")
            assert search._pg_common(conn, "article")
            for word, walked in (("2999", False), ("zzzqqq", False), ("article", True)):
                plan = _last_plan(
                    conn, partial(search.search, conn, word, 5, 0, None, "date"), "SELECT hit"
                )
                assert ("Index Scan Backward using ix_articles_time" in plan) is walked, plan
            # Best first likewise: a rare word's matches gathered off the word index, then
            # the newest POOL ranked (walking the key back read every article for a rare one:
            # 102 s at a million). Both ways rank the same pool.
            plan = _last_plan(conn, partial(search.search, conn, "2999", 5), "SELECT hit")
            assert "Index Scan Backward" not in plan, plan
            until = search.Filters(date_to=NOW - timedelta(days=100))
            cases = [("article", None), ("article", until), ("2999", None), ("text", until)]
            walked = [search.search(conn, w, 20, 3, f) for w, f in cases]
            monkeypatch.setattr(search, "_pg_common", lambda *_args: False)
            gathered = [search.search(conn, w, 20, 3, f) for w, f in cases]
            assert [[(h.id, h.rank) for h in hits] for hits in walked] == [
                [(h.id, h.rank) for h in hits] for hits in gathered
            ]
            assert [h.pooled for h in walked] == [h.pooled for h in gathered]
            assert len(walked[0]) == 20
            # Gathered among the latest articles first: a window of 500 holds too few of
            # "article"'s matches, one of 1,500 holds its pool (the same pool); "2999" is in
            # neither and is gathered from the whole archive; so is any word under an end date.
            monkeypatch.setattr(search, "_PG_WINDOWS", (500, 1500))
            tried = []
            real = search._pg_in_windows

            def counted(*args: object) -> object:
                found = real(*args)  # type: ignore[arg-type]
                tried.append(found is not None)
                return found

            monkeypatch.setattr(search, "_pg_in_windows", counted)
            windowed = [search.search(conn, w, 20, 3, f) for w, f in cases]
            assert tried == [True, False]  # "article" in a window; "2999" in none
            # the windows' plans turn plain index scans off for their own queries only
            assert conn.execute(text("SHOW enable_indexscan")).scalar_one() == "on"
            assert [[(h.id, h.rank) for h in hits] for hits in windowed] == [
                [(h.id, h.rank) for h in hits] for hits in gathered
            ]
            assert [h.pooled for h in windowed] == [h.pooled for h in gathered]


def test_a_filtered_search_finds_every_match_of_its_filter_without_walking_the_rest(
    db: Database,
) -> None:
    """A common word in one source of 200, one country, one language, one month: every match
    the filter keeps is found and counted (the count is the pool's), and on SQLite the walk
    is the filter's matches, not every match of the word (migration 0013; issue 15: a search
    of one source walked the whole archive, ~500 ms at 100,000 articles)."""
    _many_articles(db, 3000)
    with db.begin() as conn:
        conn.execute(text("UPDATE sources SET country = 'NZ' WHERE id IN (3, 4)"))
        conn.execute(text("UPDATE articles SET language = 'fr' WHERE source_id = 9"))
        conn.execute(text("UPDATE articles SET language = 'pt-BR' WHERE source_id = 10"))
        conn.execute(
            text("INSERT INTO tags (id, slug, label, display) VALUES (1, 'quay', 'Quay', '#Quay')")
        )
        conn.execute(
            text("INSERT INTO article_tags (article_id, tag_id, score) "
                 "SELECT id, 1, 1.0 FROM articles WHERE id % 97 = 0")
        )  # fmt: skip
    start, end = NOW - timedelta(days=40), NOW - timedelta(days=20)
    cases = {
        "source_id = 8": search.Filters(source_id=8),
        "source_id IN (3, 4)": search.Filters(country="NZ"),
        "language = 'fr'": search.Filters(language="fr"),
        "source_id = 9 AND language = 'fr'": search.Filters(source_id=9, language="fr"),
        "id % 97 = 0": search.Filters(tag="quay"),
        "coalesce(published_at, first_seen_at) >= :start "
        "AND coalesce(published_at, first_seen_at) < :end": search.Filters(
            date_from=start, date_to=end
        ),
    }
    with db.connect() as conn:
        for where, filters in cases.items():
            query = text(f"SELECT id FROM articles WHERE {where}")
            if ":start" in where:
                query = query.bindparams(
                    bindparam("start", start, type_=UTCDateTime()),
                    bindparam("end", end, type_=UTCDateTime()),
                )
            expected = {int(i) for i in conn.execute(query).scalars()}
            assert expected
            for order in ("rank", "date"):
                hits = search.search(conn, "article", 200, 0, filters, order)
                total = search.count(conn, "article", filters, hits)
                assert {h.id for h in hits} == expected, (where, order)
                assert total == len(expected), (where, order)
        # facet tokens are not words of the article, nor is a part of a page's own language
        assert search.search(conn, "s8 l") == []
        assert search.search(conn, "br") == []
        if db.engine.dialect.name == "sqlite":
            raw = conn.connection.driver_connection
            steps = [0]

            def tick() -> int:
                steps[0] += 1
                return 0

            raw.set_progress_handler(tick, 100)
            try:
                search.count(conn, "article", None, search.search(conn, "article", 21))
                whole_pool, steps[0] = steps[0], 0
                one = search.Filters(source_id=8)
                search.count(conn, "article", one, search.search(conn, "article", 21, 0, one))
                one_source, steps[0] = steps[0], 0
                tag = search.Filters(tag="quay")
                search.count(conn, "article", tag, search.search(conn, "article", 21, 0, tag))
                one_tag = steps[0]
            finally:
                raw.set_progress_handler(None, 0)
            assert one_source < whole_pool / 5, (one_source, whole_pool)
            # the pool's state, copy and filters off the article in brief, not off its row
            # (migration 0015), for best first and for a rare word newest first
            for order in ("rank", "date"):
                plan = _last_plan(
                    conn, lambda o=order: search.search(conn, "article", 20, 0, one, o), "LIMIT"
                )
                assert "COVERING INDEX ix_articles_brief" in plan, plan
            # a small tag's articles are looked up (its estimate of the word's matches is a
            # short walk of the latest articles); walking the word's matches was 3 pools here
            assert one_tag < whole_pool, (one_tag, whole_pool)


def test_best_first_search_ranks_in_the_window_of_the_latest_articles(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window (migration 0018) holds every article above its boundary and none below, as
    articles are stored, edited and deleted and it slides; a pool that lies inside it is
    ranked there (bm25 counted a common word's articles in the whole archive on every
    search: 17 of 22 ms at a million), one that does not is ranked in the whole index."""
    from sqlalchemy import insert

    from newsweave.store.schema import articles

    db = sqlite_db
    with db.begin() as conn:
        conn.execute(text("UPDATE articles_fts_window SET size = 100, slack = 10"))
    _many_articles(db, 300)  # ids 1-300, all "Article N"
    monkeypatch.setattr(search, "POOL", 50)

    def window(conn: Connection) -> tuple[int, set[int]]:
        boundary = conn.execute(text("SELECT boundary FROM articles_fts_window")).scalar_one()
        found = conn.execute(
            text("SELECT rowid FROM articles_fts_recent WHERE articles_fts_recent MATCH 'article'")
        ).scalars()
        for fts in ("articles_fts", "articles_fts_recent"):  # raises if index and text differ
            conn.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')"))
        return int(boundary), {int(i) for i in found}

    with db.begin() as conn:
        boundary, indexed = window(conn)
        assert boundary == 198  # slid at id 111 to 11, then every 10 + 1 articles
        assert indexed == set(range(boundary + 1, 301))
        conn.execute(text("UPDATE articles SET title = 'Zebra crossing' WHERE id IN (5, 250)"))
        conn.execute(text("UPDATE articles SET source_id = 7 WHERE id = 260"))  # a facet
        conn.execute(text("DELETE FROM articles WHERE id IN (7, 270)"))
        assert window(conn) == (198, set(range(199, 301)) - {250, 270})
    with db.connect() as conn:
        statements: list[str] = []
        conn.connection.driver_connection.set_trace_callback(statements.append)
        hits = search.search(conn, "article", 20)
        assert search.count(conn, "article", None, hits) == 50
        assert {h.id for h in hits} <= set(range(199, 301))
        ranked = [s for s in statements if "bm25(" in s]
        assert len(ranked) == 1, ranked
        assert "bm25(articles_fts_recent" in ranked[0], ranked
        statements.clear()
        # a rarer word: its pool reaches below the window, and the whole index ranks it, alone:
        # its matches in the window, counted off the index, are fewer than the pool
        assert {h.id for h in search.search(conn, "zebra", 20)} == {5, 250}
        ranked = [s for s in statements if "bm25(" in s]
        assert [("_recent" in s) for s in ranked] == [False], ranked
        # One source with fewer articles in the window than the pool: it cannot fill the pool
        # there, so the window is not tried; the whole index ranks it.
        statements.clear()
        one = search.Filters(source_id=7)
        assert 260 in {h.id for h in search.search(conn, "article", 20, 0, one)}
        ranked = [s for s in statements if "bm25(" in s]
        assert [("_recent" in s) for s in ranked] == [False], ranked
        conn.connection.driver_connection.set_trace_callback(None)
    with db.begin() as conn:  # enough matches in the window, too few of them readable
        conn.execute(text("UPDATE articles SET duplicate_of = 1 WHERE id > 240"))
    with db.connect() as conn:
        statements.clear()
        conn.connection.driver_connection.set_trace_callback(statements.append)
        hits = search.search(conn, "article", 20)
        assert {h.id for h in hits} == set(range(221, 241))  # all ranked alike: newest first
        assert search.count(conn, "article", None, hits) == 50
        ranked = [s for s in statements if "bm25(" in s]
        assert [("_recent" in s) for s in ranked] == [True, False], ranked
        conn.connection.driver_connection.set_trace_callback(None)
    with db.begin() as conn:
        conn.execute(text("UPDATE articles SET duplicate_of = NULL"))
    with db.begin() as conn:  # the next slides take what fell out, edited or not
        new = {"source_id": 1, "title": "Article new", "text": "Text.", "first_seen_at": NOW}
        conn.execute(insert(articles), [{"ident": f"n{i}", **new} for i in range(40)])
        boundary, indexed = window(conn)
        assert boundary == 231
        assert indexed == set(range(232, 341)) - {250, 270}


def _pg_window(conn: Connection) -> tuple[int, set[int]]:
    """PostgreSQL's search window (migration 0019): its boundary, and the ids it holds."""
    boundary = conn.execute(text("SELECT boundary FROM articles_search_window")).scalar_one()
    held = conn.execute(text("SELECT id FROM articles_search_recent")).scalars()
    return int(boundary), {int(i) for i in held}


@pytest.mark.postgres
def test_best_first_search_ranks_in_postgresqls_window_of_the_latest_articles(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's window (migration 0019) holds every readable original above its boundary, a
    narrow row with its own word index, as articles are stored, edited, failed, made copies and
    deleted and as it slides; an unfiltered best-first pool that lies inside it is gathered and
    ranked there, the same hits, ranks and count as off the articles' rows (whose wide rows the
    window's matches were read off: ~20 of a search's ~40 ms at 200,000 articles), and one that
    does not is found the way it was."""
    from sqlalchemy import insert

    from newsweave.store.schema import articles

    db = open_database(pg_url)
    with db.begin() as conn:
        conn.execute(text("UPDATE articles_search_window SET size = 100, slack = 10"))
    _many_articles(db, 300)  # ids 1-300, all "Article N", readable
    monkeypatch.setattr(search, "POOL", 50)

    with db.begin() as conn:
        boundary, held = _pg_window(conn)
        assert boundary == 198  # slid at id 111 to 11, then every 10 + 1 articles
        assert held == set(range(boundary + 1, 301))
        conn.execute(text("UPDATE articles SET title = 'Zebra crossing' WHERE id IN (5, 250)"))
        conn.execute(text("UPDATE articles SET state = 'failed' WHERE id = 260"))
        conn.execute(text("UPDATE articles SET state = 'fetched' WHERE id = 262"))
        conn.execute(text("UPDATE articles SET state = 'enriched' WHERE id = 262"))
        conn.execute(text("UPDATE articles SET duplicate_of = 265 WHERE id IN (261, 264)"))
        conn.execute(text("DELETE FROM articles WHERE id IN (7, 265, 270)"))  # 261, 264: originals
        conn.execute(text("UPDATE articles SET duplicate_of = 263 WHERE id = 264"))
        assert _pg_window(conn) == (198, set(range(199, 301)) - {260, 264, 265, 270})
        # a step between two readable states leaves the row as it was (no vector rewritten)
        row_version = text("SELECT ctid::text FROM articles_search_recent WHERE id = 280")
        before = conn.execute(row_version).scalar_one()
        conn.execute(text("UPDATE articles SET state = 'extracted' WHERE id = 280"))
        assert conn.execute(row_version).scalar_one() == before
        zebra = conn.execute(
            text("SELECT id FROM articles_search_recent WHERE search_vector @@ 'zebra'::tsquery")
        ).scalars()
        assert set(zebra) == {250}  # the edited title's words, not the old ones

    def answers(
        conn: Connection, *args: Any
    ) -> tuple[list[tuple[int, float]], int | None, list[str]]:
        hits, statements = _run_statements(conn, partial(search.search, conn, *args))
        ranked = [s for s, _ in statements if "ts_rank_cd" in s]  # where each pool was ranked
        where = ["window" if "articles_search_recent" in s else "articles" for s in ranked]
        return [(h.id, h.rank) for h in hits], hits.pooled, where

    with db.connect() as conn:
        cases = [("article", 20, 0), ("article", 10, 45), ("zebra", 20, 0), ("article 299", 5, 0)]
        found = [answers(conn, *case) for case in cases]
        assert [where for *_, where in found] == [
            ["window"],
            ["window"],
            ["window", "articles"],  # its pool reaches below the window
            ["window", "articles"],
        ]
        assert found[0][1] == 50
        assert len(found[0][0]) == 20
        assert {i for i, _ in found[2][0]} == {5, 250}
        # one source, any filter: off the articles, as before
        assert answers(conn, "article", 20, 0, search.Filters(source_id=7))[2] == ["articles"]
        assert conn.execute(text("SHOW enable_seqscan")).scalar_one() == "on"
        assert conn.execute(text("SHOW enable_indexscan")).scalar_one() == "on"
        monkeypatch.setattr(search, "_pg_recent", lambda *_: (None, 0))
        off_rows = [answers(conn, *case) for case in cases]
        assert [f[:2] for f in off_rows] == [f[:2] for f in found]
        assert [f[2] for f in off_rows] == [["articles"]] * len(cases)
    with db.begin() as conn:  # the next slides take what fell out, edited or not
        new = {"source_id": 1, "title": "Article new", "text": "Text.", "first_seen_at": NOW}
        rows = [{"ident": f"n{i}", "state": "enriched", **new} for i in range(40)]
        conn.execute(insert(articles), rows)
        boundary, held = _pg_window(conn)
        assert boundary == 231
        assert held == set(range(232, 341)) - {260, 264, 265, 270}
    db.dispose()


@pytest.mark.postgres
def test_postgresqls_search_window_holds_under_concurrent_writers(pg_url: str) -> None:
    """Two transactions slide the window at once: the one that waited on the other's boundary
    never moves it back (rows the first removed would be missing above it); a slide never
    waits on a row another transaction holds (SKIP LOCKED: a worker storing old articles and
    a slide cannot deadlock), and what it skipped goes at the next slide. Then workers store
    and edit articles side by side: no error, and every readable original above the
    boundary is in the window."""
    import random
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import insert

    from newsweave.store.schema import articles, sources

    db = open_database(pg_url)
    row = {"source_id": 1, "title": "Article", "text": "Text.", "state": "enriched"}
    row["first_seen_at"] = NOW
    with db.begin() as conn:
        conn.execute(text("UPDATE articles_search_window SET size = 40, slack = 3"))
        conn.execute(insert(sources), [{"id": 1, "name": "S1"}])
        conn.execute(insert(articles), [{"id": i, "ident": f"a{i}", **row} for i in range(1, 44)])

    def later(ident: str, article_id: int) -> threading.Thread:
        """A transaction that stores an article and slides, waiting on the window's row."""

        def run() -> None:
            with db.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                conn.execute(insert(articles), [{"id": article_id, "ident": ident, **row}])

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    with db.connect() as first:
        first.execute(insert(articles), [{"id": 50, "ident": "a50", **row}])  # slides to 10
        waiting = later("a46", 46)  # saw the boundary at 0: slides to 6, after the first
        time.sleep(0.3)
        first.commit()
    waiting.join()
    with db.connect() as conn:
        assert _pg_window(conn) == (10, set(range(11, 44)) | {46, 50})
    with db.connect() as holder:  # holds the window's row of article 12 (an edit)
        holder.execute(text("UPDATE articles SET title = 'Held' WHERE id = 12"))
        with db.begin() as conn:  # slides past 12 without waiting on it
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            conn.execute(insert(articles), [{"id": 54, "ident": "a54", **row}])
        holder.commit()
    with db.begin() as conn:
        boundary, held = _pg_window(conn)
        assert boundary == 14
        assert held == set(range(15, 44)) | {12, 46, 50, 54}  # 12 lingers, below the boundary
        conn.execute(insert(articles), [{"id": 58, "ident": "a58", **row}])
        assert _pg_window(conn) == (18, set(range(19, 44)) | {46, 50, 54, 58})
        conn.execute(text("SELECT setval(pg_get_serial_sequence('articles', 'id'), 58)"))

    def store(worker: int) -> None:
        for batch in range(25):
            with db.begin() as conn:
                conn.execute(
                    insert(articles),
                    [{"ident": f"w{worker}-{batch}-{i}", **row} for i in range(4)],
                )

    def flip(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(60):
            with db.begin() as conn:
                top = conn.execute(text("SELECT max(id) FROM articles")).scalar_one()
                for i in sorted(rng.sample(range(1, top + 1), 5)):
                    state = rng.choice(["failed", "enriched"])
                    conn.execute(
                        text("UPDATE articles SET state = :s WHERE id = :i"), {"s": state, "i": i}
                    )

    with ThreadPoolExecutor(5) as pool:
        for f in [pool.submit(store, w) for w in range(4)] + [pool.submit(flip, 1)]:
            f.result()  # raises what a worker met
    with db.connect() as conn:
        boundary, held = _pg_window(conn)
        top = conn.execute(text("SELECT max(id) FROM articles")).scalar_one()
        assert top - 40 - 3 <= boundary <= top - 40
        readable = conn.execute(
            text("SELECT id FROM articles WHERE id > :b AND state = 'enriched'"), {"b": boundary}
        ).scalars()
        assert {i for i in held if i > boundary} == set(readable)
    db.dispose()


def test_the_front_pages_stories_are_the_widest_of_the_latest(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not all time's: a year-old story of many outlets must not lead the page, and the latest
    are read off the last-seen index (sorting every story took 0.8 s at a million)."""
    from sqlalchemy import insert

    from newsweave.store import views
    from newsweave.store.schema import articles, sources, stories

    def story(i: int, days_ago: float, outlets: int) -> dict[str, Any]:
        at = NOW - timedelta(days=days_ago)
        return {"id": i, "first_seen_at": at, "last_seen_at": at, "article_count": outlets,
                "outlet_count": outlets, "title": f"Story {i}"}  # fmt: skip

    with db.begin() as conn:
        conn.execute(
            insert(stories),
            [story(1, 300, 40), story(2, 0, 3), story(3, 2, 9), story(4, 6.5, 5), story(5, 8, 30)],
        )
    monkeypatch.setattr(views, "_TOP_FROM", 3)
    with db.connect() as conn:
        top = views.top_stories(conn, limit=10)
        assert [s.id for s in top] == [3, 4, 2]  # widest first of the three fed last
        if db.engine.dialect.name == "sqlite":
            plan = " ".join(
                str(r)
                for r in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT id FROM stories WHERE article_count > 0 "
                    "ORDER BY last_seen_at DESC LIMIT 3"
                )
            )
            assert "SCAN stories USING INDEX ix_stories_last_seen_at" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
    # A filter keeps the stories with an article that matches it (tested per story since
    # session 20: gathering every matching article's story first took 0.6 s at a million).
    with db.begin() as conn:
        conn.execute(insert(sources), [{"id": 901, "name": "Desk FR", "country": "FR"}])
        conn.execute(insert(articles), [
            {"ident": "fr1", "source_id": 901, "title": "Un article", "text": "Texte.",
             "first_seen_at": NOW, "story_id": 4, "language": "fr"},
            {"ident": "en1", "source_id": 901, "title": "An article", "text": "Text.",
             "first_seen_at": NOW, "story_id": 2, "language": "en"},
            {"ident": "old", "source_id": 901, "title": "Old", "text": "Text.",
             "first_seen_at": NOW, "story_id": 1, "language": "fr"},
        ])  # fmt: skip
    with db.connect() as conn:
        assert [s.id for s in views.top_stories(conn, labels={"language": "fr"})] == [4]
        assert [s.id for s in views.top_stories(conn, labels={"country": "FR"})] == [4, 2]
        assert views.top_stories(conn, labels={"language": "de"}) == []
        assert views.top_stories(conn, labels={"country": "FR"})[0].outlets == ["Desk FR"]


def test_postgresql_plans_each_statement_for_its_parameters(pg_url: str) -> None:
    """Every connection of the pool plans each statement for the values it is given (a plan
    made once for any values read every article of a reader's follows for For You's reasons),
    set when it connects and committed: a SET in a transaction rolled back, as every read's is
    when its connection goes back to the pool, would be undone."""
    db = open_database(pg_url)
    show = text("SHOW plan_cache_mode")
    try:
        for _ in range(2):
            with db.connect() as a, db.connect() as b:  # two connections of the pool
                assert a.execute(show).scalar_one() == "force_custom_plan"
                assert b.execute(show).scalar_one() == "force_custom_plan"
            with db.connect() as conn:
                conn.execute(text("SET LOCAL plan_cache_mode = auto"))
                conn.rollback()  # the SET LOCAL goes; the session's setting stays
    finally:
        db.dispose()
