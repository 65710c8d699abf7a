"""One tag per thing across the site: short names fold into the full name that leads, merges
and renames stick, and an old tag URL redirects (store/tags.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection, delete, func, insert, select, text, update

from newsweave import pipeline
from newsweave.enrich.hashtags import display, slugify
from newsweave.errors import NotFoundError
from newsweave.model import ArticleIn
from newsweave.store import tags as tag_store
from newsweave.store import views
from newsweave.store.db import Database, open_database
from newsweave.store.enrichment import TagIn, save_tags
from newsweave.store.schema import article_tags, articles, tag_aliases, tag_counts, tag_forms, tags
from newsweave.web.app import create_app
from tests.test_cli import nw


def _article(db: Database, n: int) -> int:
    art = ArticleIn(
        url=f"https://tags.example/{n}",
        title=f"Article {n}",
        text=f"Article number {n} says something about the day's news. " * 6,
        source_name="Tags Daily",
        published=datetime(2026, 11, 1, tzinfo=UTC),
    )
    return pipeline.ingest(db, art, enrich_now=False)[0]


def _tag(label: str, kind: str, short: str = "") -> TagIn:
    return TagIn(slugify(label), label, display(label), kind, 1.0, short)


def _tag_of(db: Database, article_id: int) -> set[str]:
    with db.connect() as conn:
        q = (
            select(tags.c.slug)
            .join(article_tags, article_tags.c.tag_id == tags.c.id)
            .where(article_tags.c.article_id == article_id)
        )
        return set(conn.execute(q).scalars())


def _save(db: Database, article_id: int, *items: TagIn) -> None:
    with db.begin() as conn:
        save_tags(conn, article_id, list(items))


def test_a_bare_surname_joins_the_full_name_that_leads_before_or_after_it(db: Database) -> None:
    early = _article(db, 1)
    _save(db, early, _tag("Biden", "person"))  # an outlet that only writes "Biden", first
    joes = [_article(db, n) for n in range(2, 6)]
    for a in joes:
        _save(db, a, _tag("Joe Biden", "person"))
    hunter = _article(db, 6)
    _save(db, hunter, _tag("Hunter Biden", "person"))
    late = _article(db, 7)
    _save(db, late, _tag("Biden", "person"))
    assert _tag_of(db, early) == {"joe-biden"}  # the older bare tag was folded in
    assert _tag_of(db, late) == {"joe-biden"}
    assert _tag_of(db, hunter) == {"hunter-biden"}
    with db.connect() as conn:
        assert tag_store.moved_to(conn, "biden") == "joe-biden"
        assert conn.execute(select(tags.c.id).where(tags.c.slug == "biden")).first() is None


def test_a_bare_family_name_written_first_joins_its_full_name(db: Database) -> None:
    """Chinese and Korean names are written family name first: a bare "Xi" (two articles of
    allsides-dev) is Xi Jinping's, a bare "Kim" Kim Jong Un's, as "Biden" is Joe Biden's; and
    "Kim Kardashian" is no Kim. The claims a bare "Xi" speaks are stored under the full name."""
    early = _article(db, 1)
    _save(db, early, _tag("Xi", "person"))
    xi = [_article(db, n) for n in range(2, 5)]
    for a in xi:
        _save(db, a, _tag("Xi Jinping", "person"))
    _save(db, _article(db, 5), _tag("Kim Jong Un", "person"))
    _save(db, _article(db, 6), _tag("Kim Kardashian", "person"))
    late = _article(db, 7)
    with db.begin() as conn:
        full = save_tags(conn, late, [_tag("Xi", "person"), _tag("Kim", "person")])
    assert _tag_of(db, early) == {"xi-jinping"}
    assert _tag_of(db, late) == {"xi-jinping", "kim-jong-un"}
    assert full == {"Xi": "Xi Jinping", "Kim": "Kim Jong Un"}
    kardashian = _article(db, 8)
    _save(db, kardashian, _tag("Kardashian", "person"))
    assert _tag_of(db, kardashian) == {"kim-kardashian"}


def test_one_article_with_a_short_name_before_its_full_name_stores_one_tag(db: Database) -> None:
    """Found by bench/archive.py on public news: an article tagged "Trump" then "Donald Trump",
    neither known yet, stored the bare tag, folded it into the full name, and then linked the
    article to the tag the fold had deleted (a foreign-key error that stopped the batch)."""
    a = _article(db, 1)
    _save(db, a, _tag("Trump", "person"), _tag("Donald Trump", "person"), _tag("Iowa", "place"))
    assert _tag_of(db, a) == {"donald-trump", "iowa"}
    b = _article(db, 2)
    nato = _tag("North Atlantic Treaty Organization", "org", short="NATO")  # spelt out there
    _save(db, b, _tag("NATO", "org"), nato)
    assert _tag_of(db, b) == {"north-atlantic-treaty-organization"}
    with db.connect() as conn:
        assert tag_store.moved_to(conn, "trump") == "donald-trump"
        assert tag_store.moved_to(conn, "nato") == "north-atlantic-treaty-organization"
    # The other order, the bare tag known from an earlier article: the full name folds it in,
    # and the bare name after it is the full name's, not the tag just deleted.
    c, d = _article(db, 3), _article(db, 4)
    _save(db, c, _tag("Sanders", "person"))
    _save(db, d, _tag("Bernie Sanders", "person"), _tag("Sanders", "person"))
    assert _tag_of(db, c) == _tag_of(db, d) == {"bernie-sanders"}


def test_an_acronym_is_the_body_an_article_spelt_it_out_as(db: Database) -> None:
    """An acronym joins the long form an article spelt it out with ("Rapid Support Forces
    (RSF)"), before or after it, and not a long form that merely shares its initials: on public
    news that was as often another body ("BBC" Bournemouth Borough Council)."""
    a, b, c = (_article(db, n) for n in range(1, 4))
    _save(db, a, _tag("RSF", "org"))
    _save(db, b, _tag("Rapid Support Forces", "org", short="RSF"))
    _save(db, c, _tag("RSF", "org"))
    assert _tag_of(db, a) == _tag_of(db, b) == _tag_of(db, c) == {"rapid-support-forces"}
    d, e, f = (_article(db, n) for n in range(4, 7))
    _save(db, d, _tag("Associated Press", "org", short="AP"))  # no "AP" tag yet: an alias
    _save(db, e, _tag("AP", "org"))
    _save(db, f, _tag("Andhra Pradesh", "place", short="AP"))  # the first to spell it keeps it
    assert _tag_of(db, d) == _tag_of(db, e) == {"associated-press"}
    assert _tag_of(db, f) == {"andhra-pradesh"}
    g, h = _article(db, 7), _article(db, 8)
    _save(db, g, _tag("Bournemouth Borough Council", "org"))  # spelt out nowhere
    _save(db, h, _tag("BBC", "org"))
    assert _tag_of(db, h) == {"bbc"}
    # Two bare "CDC" first; one report spelling out another body does not take them.
    cdc = [_article(db, n) for n in range(9, 11)]
    for x in cdc:
        _save(db, x, _tag("CDC", "org"))
    other = _article(db, 11)
    _save(db, other, _tag("Caribbean Development Corporation", "org", short="CDC"))
    assert _tag_of(db, cdc[0]) == {"cdc"}
    assert _tag_of(db, other) == {"caribbean-development-corporation"}
    with db.connect() as conn:
        assert tag_store.moved_to(conn, "rsf") == "rapid-support-forces"
        assert tag_store.moved_to(conn, "ap") == "associated-press"


def test_a_merge_sticks_and_old_urls_redirect(sqlite_db: Database) -> None:
    a, b, c = (_article(sqlite_db, n) for n in range(1, 4))
    _save(sqlite_db, a, _tag("Panel", "topic"))
    _save(sqlite_db, b, _tag("Advisory panel", "topic"), _tag("Panel", "topic"))
    with sqlite_db.begin() as conn:
        src, dst = tag_store.merge_slugs(conn, "panel", "advisory-panel")
    assert (src.label, dst.label) == ("Panel", "Advisory panel")
    assert _tag_of(sqlite_db, a) == _tag_of(sqlite_db, b) == {"advisory-panel"}
    _save(sqlite_db, c, _tag("Panel", "topic"))  # an article analysed later still lands there
    assert _tag_of(sqlite_db, c) == {"advisory-panel"}

    app = create_app(sqlite_db)

    def fetch(path: str) -> httpx.Response:
        async def get() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)  # the app of the moment
            async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as cl:
                return await cl.get(path)

        return asyncio.run(get())

    for old, new in [
        ("/tags/panel", "/tags/advisory-panel"),
        ("/tags/panel/feed.atom", "/tags/advisory-panel/feed.atom"),
        ("/api/tags/panel?limit=5", "/api/tags/advisory-panel?limit=5"),
    ]:
        r = fetch(old)
        assert r.status_code == 301, (old, r.status_code)
        assert r.headers["location"] == new
        assert fetch(new).status_code == 200
    assert fetch("/tags/never-a-tag").status_code == 404

    with sqlite_db.begin() as conn:
        renamed = tag_store.rename(
            conn, "advisory-panel", "FDA advisory panel", "fda-advisory-panel", "#FDAAdvisoryPanel"
        )
    assert renamed.slug == "fda-advisory-panel"
    app = create_app(sqlite_db)  # pages are cached for a few seconds; as another process sees it
    assert fetch("/tags/advisory-panel").headers["location"] == "/tags/fda-advisory-panel"
    assert fetch("/tags/panel").headers["location"] == "/tags/fda-advisory-panel"


def test_reindex_joins_an_older_tag_of_a_name_now_written_one_way(tmp_path: Path) -> None:
    """A site tagged "Gaza Strip" and "Gaza", "US" and "United States", "Donald J. Trump" and
    "Donald Trump" apart before the analyses made each one name (enrich.entities.canonical,
    without_middle_initial); reindex re-tags the articles, and
    the old tags join the new ones, their URLs redirecting. A tag the operator named stays;
    one no article carries any more and nothing points at is removed (its page stood empty:
    "Donald" of an aggregator's cut lead, "May" read as a person)."""
    db = open_database(f"sqlite:///{tmp_path / 'data' / 'newsweave.db'}")
    arts = [_article(db, n) for n in range(1, 8)]
    _save(db, arts[0], _tag("Gaza Strip", "place"), _tag("US", "place"))
    _save(db, arts[1], _tag("Gaza", "place"), _tag("United States", "place"))
    _save(db, arts[2], _tag("America", "place"), _tag("Coronavirus", "topic"))
    _save(db, arts[3], _tag("Donald J. Trump", "person"), _tag("George H. W. Bush", "person"))
    _save(db, arts[4], _tag("Donald Trump", "person"))
    _save(db, arts[5], _tag("Department of Labor", "org"), _tag("Calif", "place"))
    _save(db, arts[6], _tag("Labor Department", "org"), _tag("California", "place"))
    _save(db, arts[6], _tag("Ga", "topic"), _tag("Georgia", "place"))  # a topic: no state
    with db.begin() as conn:
        tag_store.rename(conn, "america", "America", "america", "#America")
    db.dispose()
    out = nw(tmp_path, "reindex").stdout
    assert "tag gaza-strip joined gaza (its old URL redirects)" in out
    assert "tag us joined united-states" in out
    assert "tag donald-j-trump joined donald-trump" in out
    assert "tag department-of-labor joined labor-department" in out
    assert "tag calif joined california" in out
    assert "george-h-w-bush joined" not in out
    assert "ga joined" not in out
    # The fixture articles' text names none of them: after the reindex no article carries a
    # tag, and those no slug redirects to, nobody follows and the operator did not name go.
    removed = "coronavirus, ga, george-h-w-bush, georgia"
    assert f"4 tags no article carries any more removed: {removed}" in out
    db = open_database(f"sqlite:///{tmp_path / 'data' / 'newsweave.db'}")
    try:
        with db.connect() as conn:
            assert tag_store.moved_to(conn, "gaza-strip") == "gaza"
            assert tag_store.moved_to(conn, "us") == "united-states"
            assert tag_store.moved_to(conn, "department-of-labor") == "labor-department"
            assert tag_store.moved_to(conn, "calif") == "california"
            assert tag_store.find(conn, "america").label == "America"
            with pytest.raises(NotFoundError):
                tag_store.find(conn, "coronavirus")
        response = asyncio.run(_get(create_app(db), "/tags/gaza-strip"))
        assert response.status_code == 301
        assert response.headers["location"] == "/tags/gaza"
    finally:
        db.dispose()


async def _get(app: object, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as client:
        return await client.get(path)


def test_tags_merge_and_rename_on_the_command_line(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'data' / 'newsweave.db'}")
    a, b = _article(db, 1), _article(db, 2)
    _save(db, a, _tag("COVID", "org"))
    _save(db, b, _tag("Covid pandemic", "topic"))
    db.dispose()
    out = nw(tmp_path, "tags", "merge", "#COVID", "Covid pandemic").stdout
    assert "merged COVID (covid) into Covid pandemic (covid-pandemic)" in out
    out = nw(tmp_path, "tags", "rename", "covid-pandemic", "COVID-19 pandemic").stdout
    assert "renamed to COVID-19 pandemic (covid-19-pandemic)" in out
    missing = nw(tmp_path, "tags", "merge", "no-such-tag", "covid-19-pandemic", ok=False)
    assert missing.returncode != 0
    assert "no hashtag 'no-such-tag'" in missing.stderr
    db = open_database(f"sqlite:///{tmp_path / 'data' / 'newsweave.db'}")
    assert _tag_of(db, a) == _tag_of(db, b) == {"covid-19-pandemic"}
    db.dispose()


def test_a_surname_with_an_accent_or_an_arabic_article_folds_too(db: Database) -> None:
    early, late = _article(db, 1), _article(db, 2)
    _save(db, early, _tag("Müller", "person"))
    _save(db, late, _tag("Thomas Müller", "person"))  # takes over the short tag "muller"
    assert _tag_of(db, early) == _tag_of(db, late) == {"thomas-muller"}
    # An outlet that writes only "Assad" lands on Bashar al-Assad, before or after him.
    before, full, after = _article(db, 3), _article(db, 4), _article(db, 5)
    _save(db, before, _tag("Assad", "person"))
    _save(db, full, _tag("Bashar al-Assad", "person"))
    _save(db, after, _tag("Assad", "person"))
    assert _tag_of(db, before) == _tag_of(db, full) == _tag_of(db, after) == {"bashar-al-assad"}


def test_a_surname_with_its_particle_folds_into_the_full_name(db: Database) -> None:
    """News writes "Van Gaal" and "De Blasio" alone, the particle capitalised: an outlet that
    only does lands on Louis van Gaal, before or after him, and its quotes are his; "Gaal"
    alone still does too, and "Van Persie" is no van Gaal."""
    before, full, after, last = (_article(db, n) for n in range(1, 5))
    _save(db, before, _tag("Van Gaal", "person"))
    _save(db, full, _tag("Louis van Gaal", "person"))
    with db.begin() as conn:
        named = save_tags(conn, after, [_tag("Van Gaal", "person"), _tag("Van Persie", "person")])
    _save(db, last, _tag("Gaal", "person"))
    assert _tag_of(db, before) == _tag_of(db, full) == _tag_of(db, last) == {"louis-van-gaal"}
    assert _tag_of(db, after) == {"louis-van-gaal", "van-persie"}
    assert named == {"Van Gaal": "Louis van Gaal"}


def _counted(db: Database) -> tuple[dict[str, int], dict[str, int]]:
    """The kept counts (tag_counts, by slug, zeros left out) and a recount of article_tags."""
    with db.connect() as conn:
        kept = conn.execute(
            select(tags.c.slug, tag_counts.c.n)
            .join(tag_counts, tag_counts.c.tag_id == tags.c.id)
            .where(tag_counts.c.n != 0)
        ).all()
        recount = conn.execute(
            select(tags.c.slug, func.count())
            .join(article_tags, article_tags.c.tag_id == tags.c.id)
            .group_by(tags.c.slug)
        ).all()
    return dict(kept), dict(recount)  # type: ignore[arg-type]


def test_each_tags_count_is_kept_through_every_way_its_links_change(db: Database) -> None:
    """tag_counts (migration 0022's triggers) stays what a count of article_tags says: after
    analyses are saved and saved again, a score alone changes, tags are merged and folded, and
    an article or a tag is deleted (their links going by cascade); the index lists from it."""
    ids = [_article(db, n) for n in range(1, 8)]
    for a in ids[:4]:
        _save(db, a, _tag("Lisbon", "place"), _tag("Climate summit", "event"))
    _save(db, ids[4], _tag("Lisbon", "place"), _tag("Heat wave", "topic"))
    _save(db, ids[5], _tag("Heat wave", "topic"), _tag("Drought", "topic"))
    _save(db, ids[6], _tag("Drought", "topic"))
    kept, recount = _counted(db)
    assert kept == recount == {"lisbon": 5, "climate-summit": 4, "heat-wave": 2, "drought": 2}

    _save(db, ids[0], _tag("Porto", "place"))  # analysed again: its old links replaced
    with db.begin() as conn:  # a score alone: no count moves
        conn.execute(update(article_tags).values(score=0.5))
        # one article has both (its old link goes), the other's link moves
        tag_store.merge_slugs(conn, "drought", "heat-wave")
    _save(db, ids[1], _tag("Lisbon", "place"), _tag("Heat", "topic"))
    kept, recount = _counted(db)
    assert kept == recount
    assert kept["lisbon"] == 4
    assert kept["heat-wave"] == 3
    assert "drought" not in kept

    with db.begin() as conn:
        conn.execute(delete(articles).where(articles.c.id == ids[2]))
        conn.execute(delete(tags).where(tags.c.slug == "porto"))
    kept, recount = _counted(db)
    assert kept == recount
    assert kept["lisbon"] == 3
    assert "porto" not in kept
    with db.connect() as conn:
        listed = [(t.slug, t.articles) for t in views.tag_list(conn, limit=3)]
        assert tag_store.count_upto(conn, tag_store.find(conn, "lisbon").id, 1) == 2
    assert listed == sorted(recount.items(), key=lambda kv: (-kv[1], kv[0]))[:3]


def test_a_place_or_body_is_not_folded_into_a_person_whose_last_word_it_spells(
    db: Database,
) -> None:
    """A full name took over whatever tag its last word slugged to: storing "Kim Jong Un"
    folded the site's "UN" into him (slug "un"), "Michael Jordan" the country, and a German
    site's bare "Merz" (from_names' kind "name") must still join "Friedrich Merz"."""
    un, jordan, merz = _article(db, 1), _article(db, 2), _article(db, 3)
    _save(db, un, _tag("UN", "org"))
    _save(db, jordan, _tag("Jordan", "place"))
    _save(db, merz, _tag("Merz", "name"))
    later = _article(db, 4)
    _save(
        db,
        later,
        _tag("Kim Jong Un", "person"),
        _tag("Michael Jordan", "person"),
        _tag("Friedrich Merz", "person"),
    )
    assert _tag_of(db, un) == {"un"}
    assert _tag_of(db, jordan) == {"jordan"}
    assert _tag_of(db, merz) == {"friedrich-merz"}
    assert _tag_of(db, later) == {"kim-jong-un", "michael-jordan", "friedrich-merz"}


def test_a_surname_typed_an_organisation_folds_once_the_person_leads_it(db: Database) -> None:
    """spaCy types a bare "Trump" an organisation as often as a person (31 of 72 on public
    news): a site whose first bare tag was such still folds it into "Donald Trump", once he has
    as many articles; "House" (the chamber, an organisation of many articles) never goes to the
    one "Obama White House" the model called a person."""
    trumps = [_article(db, n) for n in range(1, 3)]
    for a in trumps:
        _save(db, a, _tag("Trump", "org"), _tag("House", "org"))
    donald = [_article(db, n) for n in range(3, 7)]
    _save(db, donald[0], _tag("Donald Trump", "person"), _tag("Obama White House", "person"))
    assert _tag_of(db, trumps[0]) == {"trump", "house"}  # none against two: not yet
    _save(db, donald[1], _tag("Donald Trump", "person"))
    _save(db, donald[2], _tag("Donald Trump", "person"))
    assert _tag_of(db, trumps[0]) == {"trump", "house"}  # two: as many, under the floor of 3
    _save(db, donald[3], _tag("Donald Trump", "person"))
    assert _tag_of(db, trumps[0]) == {"donald-trump", "house"}
    assert _tag_of(db, donald[0]) == {"donald-trump", "obama-white-house"}


def test_a_name_written_with_either_apostrophe_is_one_tag_and_0027_joins_the_old_two(
    db_url: str,
) -> None:
    """ "Martin O'Malley" had the slug "martin-o-malley" and "Martin O’Malley" (curly, as other
    outlets write it) "martin-omalley": two tags of one man. slugify now drops apostrophes, and
    migration 0027 joins a site's old pair (articles, followers, the old URL as an alias)."""
    from newsweave.store.schema import follows, users

    db = open_database(db_url, migrate=False)
    try:
        db.upgrade("0026")
        a, b, c = (_article(db, n) for n in range(1, 4))
        with db.begin() as conn:
            ids = _old_tags(
                conn,
                [
                    ("martin-o-malley", "Martin O'Malley", "person"),
                    ("martin-omalley", "Martin O’Malley", "person"),
                    ("sinead-o-connor", "Sinéad O'Connor", "person"),
                ],
                [
                    (a, "martin-o-malley"),
                    (b, "martin-omalley"),
                    (b, "martin-o-malley"),
                    (c, "sinead-o-connor"),
                ],
            )
            uid = conn.execute(
                insert(users)
                .values(username="reader", password_hash="x", role="reader")
                .returning(users.c.id)
            ).scalar_one()
            conn.execute(
                insert(follows).values(user_id=uid, kind="tag", target_id=ids["martin-o-malley"])
            )
        db.upgrade()
        assert _tag_of(db, a) == _tag_of(db, b) == {"martin-omalley"}
        assert _tag_of(db, c) == {"sinead-oconnor"}  # renamed: no tag had its new slug
        with db.connect() as conn:
            assert tag_store.moved_to(conn, "martin-o-malley") == "martin-omalley"
            assert tag_store.moved_to(conn, "sinead-o-connor") == "sinead-oconnor"
            followed = conn.execute(select(follows.c.target_id)).scalars().all()
            assert followed == [ids["martin-omalley"]]
        kept, recount = _counted(db)
        assert kept == recount
        d = _article(db, 4)  # a later article that writes the straight apostrophe
        _save(db, d, _tag("Martin O'Malley", "person"))
        assert _tag_of(db, d) == {"martin-omalley"}
    finally:
        db.dispose()


def _old_tags(
    conn: Connection, rows: list[tuple[str, str, str]], links: list[tuple[int, str]]
) -> dict[str, int]:
    """Tags (slug, label, kind) and article links (article, slug) as an older revision's
    site has them, written below the store; their ids by slug."""
    ids = {
        slug: conn.execute(
            insert(tags)
            .values(slug=slug, label=label, display="#" + label, kind=kind)
            .returning(tags.c.id)
        ).scalar_one()
        for slug, label, kind in rows
    }
    conn.execute(
        insert(article_tags),
        [{"article_id": art, "tag_id": ids[slug], "score": 1.0} for art, slug in links],
    )
    return ids


def test_0028_joins_a_sites_plural_topic_tags_to_their_singular(db_url: str) -> None:
    """A site built before hashtags slugged topics in the singular has "polls" beside "poll"
    and "iowa-caucuses" alone: 0028 joins the first pair, renames the second, leaves the old
    slugs as aliases (so later articles that write the plural land there too) and leaves
    alone a plural with no singular ("series"), a place, and a topic whose singular is a place's
    slug."""
    db = open_database(db_url, migrate=False)
    try:
        db.upgrade("0027")
        a, b, c, d = (_article(db, n) for n in range(1, 5))
        with db.begin() as conn:
            _old_tags(
                conn,
                [
                    ("polls", "Polls", "topic"),
                    ("poll", "Poll", "topic"),
                    ("iowa-caucuses", "Iowa caucuses", "topic"),
                    ("world-series", "World Series", "event"),
                    ("philippines", "Philippines", "place"),
                    ("paris", "Paris", "place"),
                    ("jordan", "Jordan", "place"),
                    ("jordans", "Jordans", "topic"),
                    ("paris-attacks", "Paris attacks", "event"),
                ],
                [
                    (a, "polls"),
                    (b, "poll"),
                    (b, "polls"),
                    (c, "iowa-caucuses"),
                    (c, "world-series"),
                    (d, "philippines"),
                    (d, "paris"),
                    (d, "paris-attacks"),
                    (d, "jordans"),
                ],
            )
        db.upgrade()
        assert _tag_of(db, a) == _tag_of(db, b) == {"poll"}
        assert _tag_of(db, c) == {"iowa-caucus", "world-series"}
        assert _tag_of(db, d) == {"philippines", "paris", "paris-attack", "jordans"}
        with db.connect() as conn:
            assert tag_store.moved_to(conn, "polls") == "poll"
            assert tag_store.moved_to(conn, "iowa-caucuses") == "iowa-caucus"
        kept, recount = _counted(db)
        assert kept == recount
        e = _article(db, 5)  # a later article whose tag was made before slugs were singular
        _save(db, e, _tag("Polls", "topic"), _tag("Iowa caucuses", "topic"))
        assert _tag_of(db, e) == {"poll", "iowa-caucus"}
    finally:
        db.dispose()


def _label(db: Database, slug: str) -> tuple[str, str, str | None]:
    with db.connect() as conn:
        row = conn.execute(
            select(tags.c.label, tags.c.display, tags.c.kind).where(tags.c.slug == slug)
        ).one()
    return row.label, row.display, row.kind


def _form(label: str, kind: str, slug: str) -> TagIn:
    return TagIn(slug, label, display(label), kind, 1.0)


def test_a_tags_label_and_kind_are_what_most_of_its_articles_give(db: Database) -> None:
    """The first article named the tag for good: "Gun controls" for a tag most articles
    write "Gun control", "LOS ANGELES" from a dateline, Facebook a topic. Each article now
    votes for how it wrote the tag; an article stored again (reindex) takes its vote back
    first; a tie moves nothing, except away from capitals. A form whose own slug is not the
    tag's is left as its alias."""
    a, b, c, d = (_article(db, n) for n in range(1, 5))
    _save(db, a, _form("Gun controls", "topic", "gun-control"), _tag("Facebook", "topic"))
    _save(db, b, _form("Gun control", "topic", "gun-control"), _tag("Facebook", "org"))
    assert _label(db, "gun-control") == ("Gun controls", "#GunControls", "topic")  # 1 : 1
    with db.connect() as conn:  # the plural's own slug finds the tag: /tags/gun-controls
        assert tag_store.moved_to(conn, "gun-controls") == "gun-control"
    assert _label(db, "facebook")[2] == "topic"
    for _ in range(3):  # stored again: still one vote
        _save(db, a, _form("Gun controls", "topic", "gun-control"), _tag("Facebook", "topic"))
    _save(db, c, _form("Gun control", "topic", "gun-control"), _tag("Facebook", "org"))
    assert _label(db, "gun-control") == ("Gun control", "#GunControl", "topic")
    assert _label(db, "facebook") == ("Facebook", "#Facebook", "org")
    _save(db, b, _tag("Facebook", "org"))  # b no longer names gun control: 1 : 1, it stays
    assert _label(db, "gun-control")[0] == "Gun control"
    _save(db, d, _tag("LOS ANGELES", "place"))
    _save(db, a, _tag("Los Angeles", "place"))
    assert _label(db, "los-angeles") == ("Los Angeles", "#LosAngeles", "place")
    with db.connect() as conn:
        votes = conn.execute(select(func.sum(tag_forms.c.n))).scalar_one()
        links = conn.execute(
            select(func.count())
            .select_from(article_tags)
            .where(article_tags.c.form_id.is_not(None))
        ).scalar_one()
    assert votes == links  # every counted link is one vote, and nothing else is


def test_a_name_that_folds_into_a_tag_or_an_operators_label_is_no_vote(db: Database) -> None:
    """ "Trump" folded into "Donald Trump" names the tag without being its name; a label the
    operator gave stays whatever the articles write."""
    donald = [_article(db, n) for n in range(1, 4)]
    for art in donald:
        _save(db, art, _tag("Donald Trump", "person"))
    bare = [_article(db, n) for n in range(4, 9)]
    for art in bare:
        _save(db, art, _tag("Trump", "person"))
    assert _tag_of(db, bare[0]) == {"donald-trump"}
    assert _label(db, "donald-trump") == ("Donald Trump", "#DonaldTrump", "person")
    with db.begin() as conn:
        tag_store.rename(conn, "donald-trump", "Donald J. Trump", "donald-trump", "#Trump")
    for art in bare:
        _save(db, art, _tag("Donald Trump", "org"))
    assert _label(db, "donald-trump") == ("Donald J. Trump", "#Trump", "person")


def test_an_article_that_shows_a_kind_outweighs_the_models_readings(db: Database) -> None:
    """spaCy reads a bare "Pfizer" as a person in most articles; one that writes "Pfizer Inc"
    or "Pfizer (PFE.N)" shows a company (a sure vote), and that decides the kind however many
    plain votes say otherwise, for as long as such an article counts."""
    plain = [_article(db, n) for n in range(1, 6)]
    for art in plain[:3]:
        _save(db, art, _tag("Pfizer", "person"))
    assert _label(db, "pfizer")[2] == "person"
    shows = _article(db, 6)
    _save(db, shows, replace(_tag("Pfizer", "org"), sure=True))
    assert _label(db, "pfizer") == ("Pfizer", "#Pfizer", "org")
    for art in plain[3:]:
        _save(db, art, _tag("Pfizer", "person"))
    assert _label(db, "pfizer")[2] == "org"  # 5 plain person votes against 1 sure
    _save(db, shows, replace(_tag("Pfizer", "org"), sure=True))  # reindexed: still one vote
    _save(db, shows, _tag("Pfizer", "org"))  # the article no longer shows it: a plain vote
    _save(db, plain[0], _tag("Pfizer", "person"))  # the next count goes by plain votes
    assert _label(db, "pfizer")[2] == "person"
    with db.connect() as conn:
        votes = conn.execute(select(func.sum(tag_forms.c.n))).scalar_one()
    assert votes == 6


def test_0030_counts_sure_votes_apart_and_back(db_url: str) -> None:
    """Up, every vote so far stays a plain one; down, a sure vote joins its plain twin and
    the links that counted it count the twin."""
    db = open_database(db_url, migrate=False)
    try:
        db.upgrade("0028")
        a, b = _article(db, 1), _article(db, 2)
        with db.begin() as conn:
            _old_tags(conn, [("pfizer", "Pfizer", "person")], [(a, "pfizer")])
        db.upgrade("0029")  # the tag's label and kind: one vote
        db.upgrade()
        with db.connect() as conn:
            assert conn.execute(select(tag_forms.c.sure)).scalars().all() == [False]
        _save(db, b, replace(_tag("Pfizer", "person"), sure=True))
        db.downgrade("0029")
        with db.connect() as conn:
            forms = conn.execute(text("SELECT id, n FROM tag_forms")).all()
            linked = conn.execute(
                text("SELECT form_id FROM article_tags WHERE article_id = :b"), {"b": b}
            ).scalar_one()
        assert [n for _, n in forms] == [2]
        assert linked == forms[0][0]
        db.upgrade()
        _save(db, b, _tag("Pfizer", "person"))  # takes its vote back from the twin
        with db.connect() as conn:
            assert conn.execute(select(func.sum(tag_forms.c.n))).scalar_one() == 2
    finally:
        db.dispose()


def test_0029_makes_a_sites_present_labels_one_vote_each(db_url: str) -> None:
    db = open_database(db_url, migrate=False)
    try:
        db.upgrade("0028")
        a, b, c = (_article(db, n) for n in range(1, 4))
        with db.begin() as conn:
            tid = conn.execute(
                insert(tags)
                .values(slug="gun-control", label="Gun controls", display="#GunControls")
                .values(kind="topic")
                .returning(tags.c.id)
            ).scalar_one()
            conn.execute(insert(article_tags).values(article_id=a, tag_id=tid, score=1.0))
        db.upgrade()
        _save(db, b, _form("Gun control", "topic", "gun-control"))
        assert _label(db, "gun-control")[0] == "Gun controls"  # one vote against one
        _save(db, c, _form("Gun control", "topic", "gun-control"))
        assert _label(db, "gun-control")[0] == "Gun control"
    finally:
        db.dispose()


def test_a_tag_no_article_carries_goes_unless_someone_holds_it(db: Database) -> None:
    """store.tags.drop_empty, run after a reindex: an empty tag goes, with its forms and count;
    one a reader follows, the operator named, or an old slug redirects to stays."""
    from newsweave.store.schema import follows, users

    a, b = _article(db, 1), _article(db, 2)
    _save(db, a, _tag("Gaza", "place"), _tag("Donald", "person"), _tag("May", "person"))
    _save(db, b, _tag("Hamas", "org"), _tag("Moderna", "org"), _tag("Pfizer", "org"))
    _save(db, a, _tag("Gaza", "place"))  # the reindexed article carries only Gaza now
    _save(db, b, _tag("Gaza", "place"))
    with db.begin() as conn:
        ids, _, _ = tag_store.lookup(conn, ["hamas", "moderna", "pfizer"])
        uid = conn.execute(
            insert(users)
            .values(username="reader", password_hash="x", role="reader")
            .returning(users.c.id)
        ).scalar_one()
        conn.execute(insert(follows).values(user_id=uid, kind="tag", target_id=ids["hamas"]))
        tag_store.rename(conn, "moderna", "Moderna", "moderna", "#Moderna")
        conn.execute(insert(tag_aliases).values(slug="pfizer-inc", tag_id=ids["pfizer"]))
        assert tag_store.drop_empty(conn) == ["donald", "may"]
    with db.connect() as conn:
        left = set(conn.execute(select(tags.c.slug)).scalars())
        assert left == {"gaza", "hamas", "moderna", "pfizer"}
        assert conn.execute(select(func.count()).select_from(tag_forms)).scalar_one() > 0
        assert (
            conn.execute(
                select(func.count())
                .select_from(tag_counts)
                .where(tag_counts.c.tag_id.notin_(select(tags.c.id)))
            ).scalar_one()
            == 0
        )
