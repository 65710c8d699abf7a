"""Search snippets made in Python (store/snippets.py): the words the databases' own indexes
would match are the words marked, and the stretch shown is the one where the query gathers."""

from __future__ import annotations

import re
import sqlite3
import time

from sqlalchemy import create_engine, text

from newsweave.store.snippets import ELLIPSIS, HIT_END, HIT_START, TOKENS, for_query

_MARKED = re.compile("\x02(.*?)\x03")
FORMS = (
    "Floods flooded the flooding valley; the floodlight stayed on. The government governs, "
    "the governor and governments met. Happy people, happiness. A café and a cafe, an "
    "élection, élections and elections. Talks talked talking; a ceasefire, ceasefires. "
    "Generally the general said it."
)
QUERIES = ("flood", "government", "happy", "cafe", "election", "talks ceasefire", "general", "é")


def _marked(snip: str) -> list[str]:
    return _MARKED.findall(snip)


def test_every_form_sqlites_index_matches_is_marked_and_only_those() -> None:
    """The same words as FTS5's own highlight() over the porter tokenizer newsweave indexes
    with (migration 0013), diacritics folded, case ignored."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.execute("INSERT INTO t(rowid, body) VALUES (1, ?)", (FORMS,))
    for query in QUERIES:
        words = re.findall(r"\w+", query)
        match = " ".join(f'"{w}"' for w in words)
        theirs = db.execute(
            "SELECT highlight(t, 0, char(2), char(3)) FROM t WHERE t MATCH ?", (match,)
        ).fetchone()
        expected = _marked(theirs[0]) if theirs else []
        snip = for_query(words, sqlite=True)
        ours = [FORMS[s:e] for s, e, _w in snip.hits(FORMS)]
        assert ours == expected, query


def test_every_form_postgresqls_english_stems_match_is_marked(pg_url: str) -> None:
    """On PostgreSQL a word matches by its 'simple' form or its 'english' stem (store/search
    .py): the words marked are those whose stem PostgreSQL's own English stemmer gives as the
    query word's (and diacritics count: its configurations keep them)."""
    engine = create_engine(pg_url)
    with engine.connect() as conn:

        def lexeme(word: str) -> str:
            found = conn.execute(text("SELECT ts_lexize('english_stem', :w)"), {"w": word})
            stems = found.scalar()
            return stems[0] if stems else word

        for query in QUERIES:
            words = [w.lower() for w in re.findall(r"\w+", query)]
            wanted = {lexeme(w) for w in words}
            snip = for_query(words, sqlite=False)
            ours = {FORMS[s:e] for s, e, _w in snip.hits(FORMS)}
            every = {w for w in re.findall(r"\w+", FORMS) if lexeme(w.lower()) in wanted}
            assert ours == every, query
    engine.dispose()


def test_the_stretch_where_the_query_gathers_is_shown_with_its_words_marked() -> None:
    filler = " ".join(f"word{i}" for i in range(200))
    body = (
        f"A ceasefire was mentioned early. {filler} Then talks about the ceasefire resumed "
        f"in Geneva on Monday, officials said. {filler}"
    )
    snip = for_query(["ceasefire", "talks"], sqlite=True)(body)
    assert snip.startswith(ELLIPSIS)
    assert snip.endswith(ELLIPSIS)
    assert _marked(snip) == ["talks", "ceasefire"]
    plain = snip.replace(HIT_START, "").replace(HIT_END, "").strip(ELLIPSIS)
    assert len(re.findall(r"\w+", plain)) == TOKENS
    assert plain in body  # the text as written, punctuation and all


def test_a_text_without_the_words_shows_its_start_and_a_short_one_shows_whole() -> None:
    body = " ".join(f"w{i}" for i in range(100))
    snip = for_query(["missing"], sqlite=True)(body)
    assert snip == " ".join(f"w{i}" for i in range(TOKENS)) + ELLIPSIS
    short = "Floods in Valencia."
    assert for_query(["flood"], sqlite=True)(short) == f"{HIT_START}Floods{HIT_END} in Valencia."
    assert for_query(["flood"], sqlite=True)(None) == ""
    assert for_query([], sqlite=True)(short) == short


def test_a_huge_text_full_of_hits_costs_little() -> None:
    """A query word's prefix may begin most words of a text (one letter, "a"): the forms looked
    at stop at a fixed number."""
    body = "a " * 500_000
    snip = for_query(["a"], sqlite=True)
    start = time.perf_counter()
    out = snip(body)
    assert time.perf_counter() - start < 0.5
    assert _marked(out) == ["a"] * TOKENS
