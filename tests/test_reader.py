"""What a signed-in reader keeps (issue 14): follow and For You, saved, read state with counts,
mark read (one, a story, all older), mute everywhere; as a browser sends the forms, on the
team's event fixtures (four events from several outlets, enriched for real)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
from sqlalchemy import select

from newsweave import accounts, pipeline, reading
from newsweave.errors import InvalidInputError, NotFoundError
from newsweave.store import reading as reading_store
from newsweave.store import tags as tag_store
from newsweave.store.accounts import UserRow, get_user
from newsweave.store.db import Database
from newsweave.store.schema import articles, sources, tags
from tests.events import load_events
from tests.test_discussion import PASSWORD, Browser


def _titles(html: str) -> list[str]:
    """The article links of the page's list(s), in order."""
    path = "//main//li//a[starts-with(@href, '/articles/')]"
    return [a.text_content().strip() for a in lxml.html.fromstring(html).xpath(path)]


def _signed_in(db: Database, name: str = "rhea") -> Browser:
    b = Browser(db)
    b.get("/register")
    assert b.post("/register", {"username": name, "password": PASSWORD}).status_code == 303
    return b


def _source_id(db: Database, name: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(sources.c.id).where(sources.c.name == name)).scalar_one())


def _story_of(db: Database, article_id: int) -> int:
    with db.connect() as conn:
        found = conn.execute(select(articles.c.story_id).where(articles.c.id == article_id))
        return int(found.scalar_one())


def _press(b: Browser, page: str, action: str, data: dict[str, str] | None = None) -> str:
    """Open `page`, press the form posting to `action` there (its hidden fields as they are,
    `data` where it must match one of several such forms), and return where it led."""
    doc = lxml.html.fromstring(b.get(page).text)
    forms = doc.xpath(f'//form[@action="{action}"]')
    fields = [{i.get("name"): i.get("value") or "" for i in f.xpath(".//input")} for f in forms]
    # A list's buttons submit the list's one form with their own formaction (and name=value).
    for button in doc.xpath(f'//button[@formaction="{action}"]'):
        (form,) = doc.xpath(f'//form[@id="{button.get("form")}"]')
        sent = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input")}
        if button.get("name"):
            sent[button.get("name")] = button.get("value") or ""
        fields.append(sent)
    fields = [f for f in fields if all(f.get(k) == v for k, v in (data or {}).items())]
    assert fields, f"no button for {action} on {page}"
    r = b.request("POST", action, data=fields[0])
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def test_follow_read_save_and_mute_as_a_reader(
    events_db: tuple[Database, dict[str, int]],
) -> None:
    db, ids = events_db
    anon = Browser(db)
    assert anon.get("/foryou").status_code == 401  # the login page, not a crash
    b = _signed_in(db)

    # Nothing followed: For You says how to start.
    assert "You follow nothing yet" in b.get("/foryou").text

    # Follow a source (from its page), a story (from an article) and a hashtag.
    wire = _source_id(db, "Wire One")
    assert _press(b, f"/sources/{wire}", f"/follow/source/{wire}") == f"/sources/{wire}"
    doc = lxml.html.fromstring(b.get(f"/sources/{wire}").text)
    (button,) = doc.xpath(f'//form[@action="/unfollow/source/{wire}"]//button')
    assert (button.get("aria-pressed"), button.text) == ("true", "Following")
    floods = _story_of(db, ids["a2"])
    _press(b, f"/articles/{ids['a2']}", f"/follow/story/{floods}")
    with db.connect() as conn:
        slug = conn.execute(select(tags.c.slug).where(tags.c.slug == "sudan")).scalar()
    assert slug, "the Sudan articles carry a Sudan hashtag"
    tag_page = b.get(f"/tags/{slug}").text
    tag_id = int(re.search(r'action="/follow/tag/(\d+)"', tag_page).group(1))  # type: ignore[union-attr]
    b.post(f"/follow/tag/{tag_id}", {"next": f"/tags/{slug}"})

    page = b.get("/foryou").text
    listed = _titles(page)
    # Wire One's three pieces, the floods story's three, the Sudan pieces; nothing else.
    for key in ("c1", "b1", "a1", "a2", "a3", "d1", "d2"):
        title = next(e["title"] for e in _events() if e["id"] == key)
        assert title in listed, f"{key} missing from For You"
    for key in ("b2", "c4"):
        title = next(e["title"] for e in _events() if e["id"] == key)
        assert title not in listed, f"{key} is reached by no follow"
    assert "From Wire One, which you follow" in page
    assert "a story you follow" in page
    assert "Tagged #" in page
    # a2 was opened when following its story: read; the others are unread.
    doc = lxml.html.fromstring(page)
    (read_item,) = doc.xpath("//li[contains(concat(' ', @class, ' '), ' read ')]")
    assert "Spain mourns" in read_item.text_content()

    # Counts per follow on /following; opening an article brings its count down.
    def unread(name: str) -> int:
        html = b.get("/following").text
        li = next(
            li for li in lxml.html.fromstring(html).xpath("//main//li") if name in li.text_content()
        )
        m = re.search(r"(\d+)\+? unread", li.text_content())
        return int(m.group(1)) if m else 0

    before = unread("Wire One")
    assert before == 3
    b.get(f"/articles/{ids['c1']}")
    assert unread("Wire One") == before - 1
    # Mark unread from the article page: it stays unread (the page does not read it again).
    where = _press(b, f"/articles/{ids['c1']}", f"/read/{ids['c1']}")
    assert where.endswith("?unread=1")
    b.get(where)
    assert unread("Wire One") == before
    # A whole story read at once.
    _press(b, f"/stories/{floods}", f"/read/story/{floods}")
    assert "Valencia" not in " ".join(_titles(b.get("/foryou?unread=1").text))
    # Mark all as read up to the newest shown: the unread list empties...
    page = b.get("/foryou").text
    until = re.search(r'name="until" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    b.post("/read/all", {"until": until, "next": "/foryou"})
    assert _titles(b.get("/foryou?unread=1").text) == []
    # ...and one marked unread again after that is unread again.
    b.get("/foryou")
    b.post(f"/read/{ids['d1']}", {"read": "0", "next": "/foryou"})
    assert _titles(b.get("/foryou?unread=1").text) == [
        next(e["title"] for e in _events() if e["id"] == "d1")
    ]

    # Save for later, and unsave.
    _press(b, f"/articles/{ids['b2']}", f"/save/{ids['b2']}")
    assert "Lagarde signals caution" in b.get("/saved").text
    _press(b, "/saved", f"/unsave/{ids['b2']}")
    assert "Lagarde signals caution" not in b.get("/saved").text

    # Mute a source, a hashtag and a word: gone from the front page, tag, story and search.
    # (Latest shows each story at its newest article: Daily Courier's is the ECB story's.)
    courier = _source_id(db, "Daily Courier")
    ecb = _story_of(db, ids["b2"])
    assert "Euro zone borrowers" in b.get("/").text
    assert "Spain mourns" in b.get(f"/stories/{floods}").text
    _press(b, f"/sources/{courier}", f"/mute/source/{courier}")
    front = b.get("/").text
    assert "Euro zone borrowers" not in front
    assert "Lagarde signals caution" in front  # the ECB story's newest now
    assert "Spain mourns" not in b.get(f"/stories/{floods}").text
    assert "Spain mourns" not in b.get("/search?q=flood").text
    assert "Spain mourns" in anon.get(f"/stories/{floods}").text  # mutes are the reader's own
    b.get("/following")
    b.post("/mute/keyword", {"keyword": "  LAGARDE ", "next": "/following"})
    assert "“lagarde”" in b.get("/following").text
    assert "Lagarde signals" not in b.get("/").text
    assert "Lagarde signals" not in b.get(f"/stories/{ecb}").text
    assert "Lagarde signals" not in b.get("/search?q=ECB").text
    _press(b, f"/tags/{slug}", f"/mute/tag/{tag_id}")
    front = b.get("/").text
    assert "Security Council condemns" not in front
    assert "Security Council condemns" not in b.get("/foryou").text
    # The related list and other coverage on an article page leave muted things out too.
    assert "Spain mourns" not in b.get(f"/articles/{ids['a1']}").text
    # Unmute brings them back.
    _press(b, "/following", f"/unmute/source/{courier}")
    _press(b, "/following", "/unmute/keyword", {"keyword": "lagarde"})
    assert "Euro zone borrowers" in b.get("/").text
    assert "Spain mourns" in b.get(f"/stories/{floods}").text
    assert "Lagarde signals" in b.get(f"/stories/{ecb}").text

    # Unfollow from /following.
    _press(b, "/following", f"/unfollow/source/{wire}")
    assert "From Wire One" not in b.get("/foryou").text


def _user(db: Database, name: str) -> UserRow:
    uid = accounts.create_user(db, name, PASSWORD)
    with db.connect() as conn:
        found = get_user(conn, uid)
    assert found is not None
    return found


def _events() -> list[dict[str, str]]:
    from tests.events import EVENTS

    return EVENTS


def test_reader_forms_refuse_what_they_must(sqlite_db: Database) -> None:
    ids = load_events(sqlite_db, _events()[:2])
    b = _signed_in(sqlite_db)
    b.get("/foryou")
    assert b.post("/follow/source/999999", {}).status_code == 404
    assert b.post("/follow/planet/1", {}).status_code == 422
    assert b.post("/save/999999", {}).status_code == 404
    assert b.post("/mute/keyword", {"keyword": "x"}).status_code == 400  # too short
    assert b.post("/read/all", {"until": "yesterday"}).status_code == 400
    assert b.post(f"/save/{ids['c1']}", {}, csrf=False).status_code == 422  # no token at all
    assert b.post(f"/save/{ids['c1']}", {"csrf_token": "0" * 64}, csrf=False).status_code == 403
    # `next` leads back into this site only.
    r = b.post(f"/save/{ids['c1']}", {"next": "//evil.example/x"})
    assert r.headers["location"] == "/saved"
    r = b.post(f"/save/{ids['c1']}", {"next": "/articles/" + str(ids["c1"])})
    assert r.headers["location"] == f"/articles/{ids['c1']}"
    assert Browser(sqlite_db).get("/saved").status_code == 401
    assert b.get("/foryou?before=" + quote("1.x")).status_code == 400


def test_reader_state_survives_tag_merges_and_reindex(db: Database) -> None:
    """A follow of a story holds on through `reindex` (stories get new ids); a followed or
    muted tag that is merged into another is followed or muted as that one."""
    ids = load_events(db)
    user = _user(db, "theo")
    with db.connect() as conn:
        tag_rows = conn.execute(select(tags.c.id, tags.c.slug).order_by(tags.c.id)).all()
    (a, _), (b_, _) = tag_rows[0], tag_rows[1]
    floods = _story_of(db, ids["a3"])
    reading.follow(db, user, "story", floods)
    reading.follow(db, user, "tag", a)
    reading.follow(db, user, "tag", b_)  # both followed: the merge keeps one follow
    reading.mute(db, user, "tag", a)
    with db.begin() as conn:
        tag_store.merge(conn, a, b_)
    pipeline.reindex(db, everything=True)
    with db.connect() as conn:
        r = reading.reader(conn, user)
        assert r.follows.tag_ids == {b_}
        assert r.mutes.tag_ids == {b_}
        now_story = _story_of(db, ids["a3"])
        assert r.follows.story_ids == {now_story}
        listed = reading.for_you(conn, r)
    assert {i.card.id for i in listed} >= {ids["a1"], ids["a2"], ids["a3"]}
    with pytest.raises(NotFoundError):
        reading.follow(db, user, "story", 10**6)
    with pytest.raises(InvalidInputError):
        reading.mute(db, user, "keyword", keyword=" ")


def test_mark_all_read_never_moves_back_and_counts_stop_at_a_cap(db: Database) -> None:
    ids = load_events(db, _events()[:4])
    user = _user(db, "ola")
    reading.follow(db, user, "source", _source_id(db, "Wire One"))
    now = datetime.now(UTC)
    reading.mark_all_read(db, user, now)
    reading.mark_all_read(db, user, now - timedelta(days=3650))  # an older mark: no change
    with db.connect() as conn:
        assert reading_store.read_until(conn, user.id) == now
        r = reading.reader(conn, user)
        assert reading.following(conn, r)[0][0].unread == 0
    reading.mark_read(db, user, [ids["c1"]], read=False)
    with db.connect() as conn:
        r = reading.reader(conn, user)
        assert reading.following(conn, r)[0][0].unread == 1


def test_a_readers_pages_are_kept_until_anything_of_theirs_changes(sqlite_db: Database) -> None:
    """web.cache.ReaderPageCache: a reload is served from memory; the reader's own form, a
    comment anywhere, or opening an article makes it fresh at once; each browser its own."""
    ids = load_events(sqlite_db, _events()[:4])
    b = _signed_in(sqlite_db)
    before = b.get("/foryou").text
    assert "You follow nothing yet" in before
    with sqlite_db.connect() as conn:
        user = get_user(conn, 1)
    assert user is not None
    reading.follow(sqlite_db, user, "source", _source_id(sqlite_db, "Wire One"))  # not via the site
    assert b.get("/foryou").text == before  # kept: nothing of theirs changed through the site
    b.get(f"/articles/{ids['c1']}")  # opening an article is a change of theirs
    assert "From Wire One" in b.get("/foryou").text
    # A second browser of the same reader gets pages with its own form tokens.
    other = Browser(sqlite_db)
    other.get("/login")
    other.post("/login", {"username": "rhea", "password": PASSWORD})
    token_a = b.get("/foryou").text.split('name="csrf_token" value="')[1][:64]
    token_b = other.get("/foryou").text.split('name="csrf_token" value="')[1][:64]
    assert token_a != token_b
    assert "Nothing saved" in b.get("/saved").text
    assert other.post(f"/save/{ids['c1']}", {"next": "/saved"}).status_code == 303
    assert "Putin and Trump to meet" in b.get("/saved").text  # the other browser's save shows


def test_a_readers_follows_and_unread_count_serve_every_address_until_theirs_change(
    sqlite_db: Database,
) -> None:
    """pages/reader._own: For You at an address the page cache has not kept (another page,
    the unread view, a first view) reuses the reader's follows and unread count while nothing
    of theirs changes, and reads both again the moment something does."""
    ids = load_events(sqlite_db, _events()[:7])
    b = _signed_in(sqlite_db)
    wire, nordic = _source_id(sqlite_db, "Wire One"), _source_id(sqlite_db, "Nordic Post")
    assert b.post(f"/follow/source/{wire}", {"next": "/foryou"}).status_code == 303

    def shown(address: str) -> tuple[int, list[str]]:
        page = b.get(address).text
        found = re.search(r"<strong>(\d+)</strong> unread", page)
        return (int(found.group(1)) if found else 0), _titles(page)

    assert shown("/foryou?at=1")[0] == 2  # Wire One's two pieces
    with sqlite_db.connect() as conn:
        user = get_user(conn, 1)
    assert user is not None
    reading.follow(sqlite_db, user, "source", nordic)  # not through the site: kept as it was
    count, titles = shown("/foryou?at=2")
    assert count == 2
    assert not any(t.startswith("Putin arrives in Anchorage") for t in titles)
    b.get(f"/articles/{ids['c1']}")  # opening an article reads it: a change of theirs
    count, titles = shown("/foryou?at=3")
    assert any(t.startswith("Putin arrives in Anchorage") for t in titles)  # follows read again
    assert count == 2  # counted again: Wire One's unread one and Nordic Post's
    # What For You widens from (reading.Reach) is read again too: the opened article's related.
    assert "which you read" in b.get("/foryou?at=4").text


def test_a_readers_cards_are_kept_and_each_change_shows_at_once(sqlite_db: Database) -> None:
    """web.parts.cards: For You's cards are rendered once and kept, keyed by all a card shows:
    a card read, saved or retitled is a new card on the next page; the others are reused."""
    load_events(sqlite_db, _events()[:7])
    b = _signed_in(sqlite_db)
    wire = _source_id(sqlite_db, "Wire One")
    assert b.post(f"/follow/source/{wire}", {"next": "/foryou"}).status_code == 303
    kept = b.app.state.card_html._entries

    def cards(address: str) -> dict[str, lxml.html.HtmlElement]:
        doc = lxml.html.fromstring(b.get(address).text)
        return {li.get("data-href"): li for li in doc.xpath("//li[@data-item]")}

    first = cards("/foryou?at=1")
    assert len(first) >= 2
    assert len(kept) == len(first)
    again = cards("/foryou?at=2")
    assert [lxml.html.tostring(li) for li in again.values()] == [
        lxml.html.tostring(li) for li in first.values()
    ]
    assert len(kept) == len(first)  # every card reused, none rendered again
    one, other = list(first)[:2]
    _press(b, "/foryou?at=3", f"/read/{one.rsplit('/', 1)[1]}")
    _press(b, "/foryou?at=4", f"/save/{other.rsplit('/', 1)[1]}")
    now = cards("/foryou?at=5")
    assert "read" in now[one].get("class").split()
    assert now[one].xpath(".//button[@name='read']")[0].text == "Mark unread"
    assert now[other].xpath(".//button[@aria-pressed='true']")[0].text == "Saved"
    assert "read" not in now[other].get("class").split()
    with sqlite_db.begin() as conn:
        conn.execute(
            articles.update().where(articles.c.id == int(other.rsplit("/", 1)[1])),
            {"title": "A title the editors changed"},
        )
    assert now[other].xpath(".//a[@data-open]")[0].text != "A title the editors changed"
    assert cards("/foryou?at=6")[other].xpath(".//a[@data-open]")[0].text == (
        "A title the editors changed"
    )


def test_a_kept_reader_page_asks_the_shared_state_once(sqlite_db: Database) -> None:
    """With several web processes every ask of the shared state is a Redis round trip on the
    event loop: a reload of a kept reader page asks once (the session's epoch and the page's
    together, web.cache.reader_epochs), where asking for each was half of its time."""
    b = _signed_in(sqlite_db)
    assert b.get("/foryou").status_code == 200  # made and kept; the session kept too
    real = b.app.state.shared
    asked: list[str] = []

    class Counting:
        def __getattr__(self, name: str) -> Any:
            found = getattr(real, name)
            if name not in ("epoch", "epochs", "reader_epoch"):
                return found

            def counted(*args: int) -> Any:
                asked.append(name)
                return found(*args)

            return counted

    b.app.state.shared = Counting()
    try:
        again = b.get("/foryou")
    finally:
        b.app.state.shared = real
    assert again.status_code == 200
    assert asked == ["epochs"]


def test_prepared_lists_give_what_the_built_ones_do(db: Database) -> None:
    """For You's stream, its reasons and its read / saved marks run statements prepared once
    per shape, with the reader's ids as parameters; the same list built with the values in
    (as a stream with a date range is) and the one-by-one marks must agree, walked or not,
    from a cursor, oldest first, with a watermark and marks that override it."""
    ids = load_events(db)
    user = _user(db, "pia")
    with db.connect() as conn:
        tag_ids = list(conn.execute(select(tags.c.id).order_by(tags.c.id).limit(2)).scalars())
    reading.follow(db, user, "source", _source_id(db, "Wire One"))
    reading.follow(db, user, "tag", tag_ids[0])
    reading.follow(db, user, "story", _story_of(db, ids["a3"]))
    reading.opened(db, user, ids["d1"])
    reading.save(db, user, ids["a1"])
    everything = datetime(1970, 1, 1, tzinfo=UTC)  # a range that leaves nothing out
    with db.connect() as conn:
        r = reading.reader(conn, user)
        opened = reading.reach(conn, r).opened
        assert opened, "the opened article widens the reach"
        cut = reading_store.stream(conn, r.follows, r.mutes, opened=opened, limit=2)[-1]
        for wide in (False, True):
            for oldest_first in (False, True):
                for after in (None, (cut.at, cut.id)):
                    args: dict[str, Any] = {
                        "opened": opened,
                        "wide": wide,
                        "oldest_first": oldest_first,
                        "after": after,
                        "limit": 100,
                    }
                    fast = reading_store.stream(conn, r.follows, r.mutes, **args)
                    built = reading_store.stream(conn, r.follows, r.mutes, since=everything, **args)
                    assert [c.id for c in fast] == [c.id for c in built], args
                    assert len(fast) >= (4 if after is None else 1), args
        cards = reading_store.stream(conn, r.follows, r.mutes, opened=opened, limit=100)
        why = reading_store.reasons(conn, r.follows, opened, [c.id for c in cards])
        assert {w.kind for w in why} == {"source", "tag", "story", "opened"}
        assert {w.article_id for w in why} == {c.id for c in cards}
    # a watermark in the middle, one older article marked unread, one newer marked read
    by_time = sorted(cards, key=lambda c: (c.at, c.id))
    middle = by_time[len(by_time) // 2]
    reading.mark_all_read(db, user, middle.at)
    reading.mark_read(db, user, [by_time[0].id], read=False)
    reading.mark_read(db, user, [by_time[-1].id])
    with db.connect() as conn:
        r = reading.reader(conn, user)
        shown = [c.id for c in cards]
        read, kept = reading_store.marks(conn, user.id, r.read_until, cards)
        assert read == reading_store.read_ids(conn, user.id, r.read_until, shown)
        assert kept == reading_store.saved_ids(conn, user.id, shown) == {ids["a1"]}
        assert by_time[0].id not in read
        assert {by_time[-1].id, middle.id} <= read
        # Run for lists of every length, past the five runs after which psycopg prepares a
        # statement (on PostgreSQL the ids are one array parameter), they still agree.
        reasons = {(w.article_id, w.kind, w.target_id) for w in why}
        for n in range(1, len(cards) + 1):
            part = cards[:n]
            some = {c.id for c in part}
            assert reading_store.marks(conn, user.id, r.read_until, part) == (
                read & some,
                kept & some,
            )
            why_n = reading_store.reasons(conn, r.follows, opened, sorted(some))
            assert {(w.article_id, w.kind, w.target_id) for w in why_n} == {
                x for x in reasons if x[0] in some
            }
            # For You asks both in one statement: the same answers
            both = reading_store.reasons_and_marks(
                conn, r.follows, opened, user.id, r.read_until, part
            )
            assert {(w.article_id, w.kind, w.target_id) for w in both[0]} == {
                x for x in reasons if x[0] in some
            }
            assert both[1:] == (read & some, kept & some)
