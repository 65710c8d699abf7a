"""The search engine beside the database (store/searchindex.py), on a real SQLite file and on the
real PostgreSQL: it finds what the database finds, follows every change the database logs
(migration 0021), and a hit it holds that is no longer readable is never shown."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update

from newsweave import pipeline
from newsweave.model import ArticleIn
from newsweave.store import search
from newsweave.store.db import Database, open_database
from newsweave.store.schema import articles, stories
from newsweave.store.searchindex import SearchIndex, index_path, rebuild_everywhere

NOW = datetime(2025, 8, 14, 12, 0, tzinfo=UTC)
BODIES = {
    "budget": "The council budget passed after a long night of votes on schools and roads. ",
    "harbour": "Harbour dredging will take three years, the council budget papers show. ",
    "museum": "A museum roof and two libraries are missing from the draft plan for the city. ",
    "fares": "Bus fares rise in spring under the transport plan the mayor signed. ",
    "final": "The match ended in a draw after extra time, and the final went to penalties. ",
}


def _ingest(db: Database, key: str, minutes: int, **kw: object) -> int:
    art = ArticleIn(
        url=f"https://e.example/{key}",
        title=kw.pop("title", key.title()),  # type: ignore[arg-type]
        text=BODIES.get(key, key) * 4,
        source_name=str(kw.pop("source", "E")),
        language=str(kw.pop("language", "en")),
        published=NOW + timedelta(minutes=minutes),
    )
    return pipeline.ingest(db, art, now=NOW, enrich_now=False)[0]


def _both(db: Database, index: SearchIndex, query: str, **kw: object) -> tuple[list[int], ...]:
    """The ids a best-first search finds without the index and with it, in rank order."""
    with db.connect() as conn:
        plain = search.search(conn, query, **kw)  # type: ignore[arg-type]
        indexed = search.search(conn, query, index=index, **kw)  # type: ignore[arg-type]
        assert indexed.ranked_by == "index" or not indexed, query
        counted = search.count(conn, query, kw.get("filters"), indexed)  # type: ignore[arg-type]
    return [h.id for h in plain], [h.id for h in indexed], [counted]


@pytest.fixture
def loaded(db: Database, tmp_path: Path) -> tuple[Database, SearchIndex, dict[str, int]]:
    ids = {key: _ingest(db, key, i) for i, key in enumerate(BODIES)}
    index = SearchIndex(tmp_path / "index")
    assert not index.ready
    assert index.catch_up(db) == len(BODIES)
    assert index.ready
    return db, index, ids


def test_the_index_finds_what_the_database_finds(
    loaded: tuple[Database, SearchIndex, dict[str, int]],
) -> None:
    db, index, ids = loaded
    for query in ("council budget", "council", "plan", "penalties", "libraries roof", "nothing"):
        plain, indexed, counted = _both(db, index, query)
        assert sorted(plain) == sorted(indexed), query
        assert counted == [len(plain)], query
    # Title words weigh more, as in the database's ranking: "Budget" is the budget article's title.
    assert _both(db, index, "budget")[1][0] == ids["budget"]
    _, indexed, _ = _both(db, index, "council", limit=1, offset=1)
    assert len(indexed) == 1


def test_filters_the_index_holds(loaded: tuple[Database, SearchIndex, dict[str, int]]) -> None:
    db, index, ids = loaded
    other = _ingest(db, "budget-fr", 10, title="Council budget", source="F", language="fr")
    index.catch_up(db)
    with db.connect() as conn:
        source_f = conn.execute(
            text("SELECT source_id FROM articles WHERE id = :i"), {"i": other}
        ).scalar_one()
    cases = [
        search.Filters(language="fr"),
        search.Filters(source_id=int(source_f)),
        search.Filters(date_from=NOW + timedelta(minutes=1)),
        search.Filters(date_to=NOW + timedelta(minutes=1)),
    ]
    for f in cases:
        plain, indexed, _ = _both(db, index, "council budget", filters=f)
        assert sorted(plain) == sorted(indexed), f
        assert plain, f
    assert _both(db, index, "council", filters=cases[0])[1] == [other]
    assert _both(db, index, "council", filters=cases[3])[1] == [ids["budget"]]


def test_the_index_follows_every_change(
    loaded: tuple[Database, SearchIndex, dict[str, int]],
) -> None:
    db, index, ids = loaded
    new = _ingest(db, "council budget lagoon", 20, title="Lagoon")
    with db.begin() as conn:
        conn.execute(
            text("UPDATE articles SET duplicate_of = :o WHERE id = :c"),
            {"o": ids["budget"], "c": ids["harbour"]},
        )
        conn.execute(text("UPDATE articles SET state = 'gone' WHERE id = :i"), {"i": ids["museum"]})
        conn.execute(text("DELETE FROM articles WHERE id = :i"), {"i": ids["fares"]})
        conn.execute(
            text("UPDATE articles SET text = 'Rowing regatta on the lagoon.' WHERE id = :i"),
            {"i": ids["final"]},
        )
    # Not caught up yet: the database answers, and the index is woken to catch up.
    with db.connect() as conn:
        assert not index.fresh(conn)
        assert index.wake.is_set()
        hits = search.search(conn, "council", index=index)
        assert (hits.ranked_by, sorted(h.id for h in hits)) == ("database", [ids["budget"], new])
        assert search._from_index(conn, index, ["council"], search.Filters(), 20, 0, "rank") is None
        # Where it takes itself to be fresh and is not (on PostgreSQL, a transaction that
        # logged a lower seq and committed after the index read the log), a hit it holds that
        # is no longer a readable original is left out.
        held = {i for i, _ in index.ranked(["council"], 20, 0, search.POOL)[0]}
        assert held == {ids["budget"], ids["harbour"]}
        behind = index._state
        assert behind is not None
        index._state = dataclasses.replace(behind, seq=10**9)
        page = search._from_index(conn, index, ["council"], search.Filters(), 20, 0, "rank")
        assert page is not None
        assert [f.id for f in page] == [ids["budget"]]
        index._state = behind
    assert index.catch_up(db) == 5
    for query in ("council", "lagoon", "penalties", "libraries", "fares", "rowing"):
        plain, indexed, counted = _both(db, index, query)
        assert sorted(plain) == sorted(indexed), query
        assert counted == [len(plain)], query
    assert sorted(_both(db, index, "lagoon")[1]) == sorted([new, ids["final"]])
    assert index.catch_up(db) == 0  # nothing new


def test_a_transaction_that_commits_late_is_not_missed(
    loaded: tuple[Database, SearchIndex, dict[str, int]],
) -> None:
    """PostgreSQL hands out the log's numbers as rows are written, not as they commit: a
    transaction that wrote first and commits after the index read the log must still be read
    (migration 0021). SQLite has one writer at a time; the same steps hold there."""
    db, index, _ = loaded
    late = db.engine.connect()
    if db.is_sqlite:  # the first writer would hold SQLite's only write lock: commit it first
        index.catch_up(db)
    else:
        tx = late.begin()
        late.execute(
            text("UPDATE articles SET title = 'Zeppelin' WHERE id = (SELECT min(id) FROM articles)")
        )
    on_time = _ingest(db, "quokka", 30, title="Quokka")
    assert index.catch_up(db) >= 1
    if db.is_sqlite:
        tx = late.begin()
        late.execute(
            text("UPDATE articles SET title = 'Zeppelin' WHERE id = (SELECT min(id) FROM articles)")
        )
    tx.commit()
    late.close()
    index.catch_up(db)
    assert _both(db, index, "quokka")[1] == [on_time]
    plain, indexed, _ = _both(db, index, "zeppelin")
    assert plain == indexed
    assert len(indexed) == 1


def test_one_writer_a_machine_and_the_others_read(
    loaded: tuple[Database, SearchIndex, dict[str, int]], tmp_path: Path
) -> None:
    db, writer, _ = loaded
    reader = SearchIndex(tmp_path / "index")  # as another process of the machine opens it
    assert reader.catch_up(db) == 0  # the index is built: nothing to write
    assert reader.ready
    new = _ingest(db, "walrus", 40, title="Walrus")
    with writer._writing() as mine:  # the writer holds the lock: the reader only reloads
        assert mine
        assert reader.catch_up(db) == 0
        with db.connect() as conn:  # behind: the database answers
            hits = search.search(conn, "walrus", index=reader)
            assert (hits.ranked_by, [h.id for h in hits]) == ("database", [new])
    assert reader.catch_up(db) == 1  # the lock is free: it writes
    assert writer.catch_up(db) == 0
    assert _both(db, writer, "walrus")[1] == [new]


def test_rebuilt_for_another_site_or_a_broken_state(
    loaded: tuple[Database, SearchIndex, dict[str, int]], tmp_path: Path
) -> None:
    db, index, _ = loaded
    with db.begin() as conn:
        rebuild_everywhere(conn)
    other = SearchIndex(tmp_path / "index")
    other._reload(db)
    assert not other.ready  # the site's identity is gone: nobody answers from the old index
    assert index.catch_up(db) == len(BODIES)  # built again
    (tmp_path / "index" / "state.json").write_text("{not json")
    again = SearchIndex(tmp_path / "index")
    assert not again.ready
    assert again.catch_up(db) == len(BODIES)
    plain, indexed, _ = _both(db, again, "council")
    assert sorted(plain) == sorted(indexed)


def test_where_each_database_keeps_its_index(tmp_path: Path, pg_url: str) -> None:
    sqlite = open_database(f"sqlite:///{tmp_path / 'site.db'}")
    assert index_path(sqlite) == Path(f"{tmp_path / 'site.db'}.search")
    sqlite.dispose()
    pg = open_database(pg_url, local_dir=tmp_path)
    found = index_path(pg)
    assert found is not None
    assert found.parent == tmp_path
    assert found.name.startswith("search-")
    pg.dispose()
    bare = open_database(pg_url)
    assert index_path(bare) is None
    bare.dispose()


def test_ties_go_newest_first_and_snippets_mark_what_the_index_found(
    loaded: tuple[Database, SearchIndex, dict[str, int]],
) -> None:
    db, index, _ = loaded
    twins = [_ingest(db, f"rope tightly {i}", 50 + i, title="Rope") for i in range(3)]
    index.catch_up(db)
    with db.connect() as conn:
        hits = search.search(conn, "rope", index=index)
        assert hits.ranked_by == "index"
        assert [h.id for h in hits] == sorted(twins, reverse=True)  # equal scores: newest first
        page, pooled = index.ranked(["rope"], 20, 0, 2)  # a pool of the two newest matches
        assert ([i for i, _ in page], pooled) == (sorted(twins)[:0:-1], 2)
        page, pooled = index.ranked(["rope"], 1, 1, 2)
        assert ([i for i, _ in page], pooled) == ([sorted(twins)[1]], 2)
        # Snowball English stems "tightly" as "tight" (Porter: "tightli"); the snippet marks
        # the word the index matched.
        (first, *_) = search.search(conn, "tight", index=index)
        assert f"{search.HIT_START}tightly{search.HIT_END}" in first.snippet


def test_a_failing_index_leaves_the_search_to_the_database(
    loaded: tuple[Database, SearchIndex, dict[str, int]],
) -> None:
    """tantivy's panics (pyo3 raises them as a BaseException) become SearchIndexError, and a
    search whose index fails is answered by the database."""
    import tantivy

    from newsweave.errors import SearchIndexError
    from newsweave.store import searchindex

    db, index, ids = loaded
    assert index._index is not None
    with pytest.raises(SearchIndexError, match="panicked"), searchindex._rust():
        index._index.searcher().search(tantivy.Query.all_query(), limit=0)
    assert index.ranked(["council"], 0, 0, search.POOL) == ([], 0)  # asked for no hit

    class Failing(SearchIndex):  # a fault injected where tantivy would panic
        def ranked(self, *a: object, **kw: object) -> tuple[list[tuple[int, float]], int]:
            raise SearchIndexError("tantivy panicked: injected")

    failing = Failing(index.path)
    failing.catch_up(db)
    with db.connect() as conn:
        hits = search.search(conn, "council budget", index=failing)
    assert hits.ranked_by == "database"
    assert {h.id for h in hits} == {ids["budget"], ids["harbour"]}


def test_newest_first_from_the_index_is_the_databases_order(
    loaded: tuple[Database, SearchIndex, dict[str, int]],
) -> None:
    """Newest first, the index gives the database's page (time, then id, newest first; the
    index keeps whole seconds, the database orders within one) and its count up to the cap,
    under each filter the index holds; an article stored since it caught up is found (the
    database answers until it has)."""
    db, index, _ = loaded
    same_second = [_ingest(db, f"council papers {i}", 30) for i in range(3)]
    with db.begin() as conn:  # a second's fractions: the database orders by them, not by id
        conn.execute(
            text("UPDATE articles SET published_at = :t WHERE id = :i"),
            {
                "t": NOW.replace(tzinfo=None) + timedelta(minutes=30, microseconds=500),
                "i": same_second[0],
            },
        )
    index.catch_up(db)
    cases: list[tuple[str, dict[str, object]]] = [
        ("council", {}),
        ("council", {"limit": 2, "offset": 1}),
        ("council", {"filters": search.Filters(date_to=NOW + timedelta(minutes=10))}),
        ("council", {"filters": search.Filters(language="en")}),
        ("plan", {}),
        ("nothing", {}),
    ]
    with db.connect() as conn:
        for query, kw in cases:
            plain = search.search(conn, query, order="date", **kw)  # type: ignore[arg-type]
            indexed = search.search(conn, query, order="date", index=index, **kw)  # type: ignore[arg-type]
            assert indexed.ranked_by == ("index" if plain else "database"), (query, kw)
            assert [h.id for h in indexed] == [h.id for h in plain], (query, kw)
            f = kw.get("filters")
            assert search.count(conn, query, f, indexed) == search.count(conn, query, f), query  # type: ignore[arg-type]
        first = search.search(conn, "council", order="date", index=index)
        assert [h.id for h in first[:3]] == [same_second[0], same_second[2], same_second[1]]
    late = _ingest(db, "council late", 60)
    with db.connect() as conn:
        assert search.search(conn, "council", order="date", index=index)[0].id == late


def test_a_page_reads_the_texts_of_the_hits_it_gives_a_snippet(
    loaded: tuple[Database, SearchIndex, dict[str, int]],
) -> None:
    """With story_snippets (the search page: one line a story), the index's page reads only
    each story's first hit's text, in the page's order, whatever the ids' order; the API
    (every hit) reads them all. Both make the same first snippets."""
    db, index, ids = loaded
    with db.begin() as conn:
        story = conn.execute(
            stories.insert().values(first_seen_at=NOW, last_seen_at=NOW, article_count=2)
        ).inserted_primary_key[0]
        # The budget article (older, lower id) and the harbour one tell one story.
        conn.execute(
            update(articles)
            .where(articles.c.id.in_([ids["budget"], ids["harbour"]]))
            .values(story_id=story)
        )
    for order in ("rank", "date"):  # the story's older article first, then its newer one
        with db.connect() as conn:
            kw = {"index": index, "order": order}
            lines = search.search(conn, "council budget", story_snippets=True, **kw)  # type: ignore[arg-type]
            every = search.search(conn, "council budget", **kw)  # type: ignore[arg-type]
        assert lines.ranked_by == every.ranked_by == "index"
        assert [h.id for h in lines] == [h.id for h in every]
        first, second = (h for h in lines if h.story_id == story)
        assert first.id == (ids["budget"] if order == "rank" else ids["harbour"])
        assert "budget" in first.snippet.lower()
        assert second.snippet == ""
        assert all("budget" in h.snippet.lower() for h in every if h.story_id == story)
        assert {h.id: h.snippet for h in every}[first.id] == first.snippet
        with db.connect() as conn:  # the second's text was not even read
            words, f = ["council", "budget"], search.Filters()
            read = search._from_index(conn, index, words, f, 20, 0, order, True)
            assert read is not None
            texts = {r.id: r.text for r in read}
            assert texts[first.id]
            assert texts[second.id] is None
            assert all(texts[r.id] for r in read if r.story_id is None)


def test_the_newest_matches_sought_among_the_newest_first_are_the_same(
    db: Database, tmp_path: Path
) -> None:
    """Where the words are common, the pool's edge (best first) and the newest page and its
    count (newest first) are sought among the newest ids or times first (_newest_only); the
    pages are those of a search of all the matches, and that search is taken where the
    newest stretch holds too few (here: the rarer word)."""
    ids = []
    for n in range(240):
        items = " ".join(f"Motion {n}-{k} passed, {k * n + 7} votes to {k}." for k in range(14))
        body = f"The council met again. {items} " + ("The harbour was dredged. " * 3) * (
            n % 40 == 0
        )
        art = ArticleIn(
            url=f"https://e.example/c{n}", title=f"Council {n}", text=body,
            source_name="E", language="en", published=NOW + timedelta(minutes=n),
        )  # fmt: skip
        ids.append(pipeline.ingest(db, art, now=NOW, enrich_now=False)[0])
    index = SearchIndex(tmp_path / "index")
    index.catch_up(db)
    assert index._top[:2] == (240, max(ids))
    narrowed: list[str] = []
    seek = index._newest_only

    def spied(*args: Any) -> Any:
        found = seek(*args)
        if found is not None:
            narrowed.append(args[3])  # the field
        return found

    for words in (["council"], ["council", "met"], ["harbour"], ["harbour", "council"]):
        index._newest_only = lambda *a: None  # type: ignore[method-assign]
        everywhere = index.ranked(words, 5, 0, 12), index.newest(words, 5, 0, cap=30)
        index._newest_only = spied  # type: ignore[method-assign]
        newest_first = index.ranked(words, 5, 0, 12), index.newest(words, 5, 0, cap=30)
        assert newest_first[0] == everywhere[0], words
        assert newest_first[1][0] == everywhere[1][0], words
        assert min(newest_first[1][1], 30) == min(everywhere[1][1], 30), words
    assert narrowed.count("id") == 2
    assert narrowed.count("at") == 2
    # The pool is the 12 newest: the page is ranked among them alone.
    assert {i for i, _ in index.ranked(["council"], 20, 0, 12)[0]} == set(ids[-12:])
    assert [i for i, _ in index.newest(["council"], 3, 0, cap=30)[0]] == ids[-1:-4:-1]
    # One more: the newest id and time are read again from the last ones up.
    art = ArticleIn(
        url="https://e.example/c-late", title="Council, late", text="The council met late. " * 9,
        source_name="E", language="en", published=NOW + timedelta(days=2),
    )  # fmt: skip
    late = pipeline.ingest(db, art, now=NOW, enrich_now=False)[0]
    before = index._top
    index.catch_up(db)
    assert index._top[:2] == (241, late)
    assert index._top[2] == before[2]
    assert index._top[3] > before[3]
    assert index.newest(["council"], 1, 0, cap=30)[0][0][0] == late
