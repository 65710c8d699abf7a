"""The daily digest (issue 14): a page, an Atom feed with a private address, and e-mail
through a real SMTP server on 127.0.0.1 (aiosmtpd) to every reader who follows something."""

from __future__ import annotations

import email.policy
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import pytest
from sqlalchemy import select, update

from newsweave import accounts, config, jobs, reading
from newsweave.model import SourceInfo
from newsweave.store import sources as source_store
from newsweave.store.accounts import get_user
from newsweave.store.db import Database, open_database
from newsweave.store.schema import articles, sources, users
from tests.events import EVENTS, load_events
from tests.test_cli import env_for, nw_env
from tests.test_discussion import PASSWORD, Browser


class Inbox:
    """aiosmtpd's handler: keeps what it accepts, refuses any address @refused.example."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def _fresh_events(db: Database, end: datetime | None = None) -> dict[str, int]:
    """The event fixtures as if published in the last hours: same order, ten minutes apart,
    the last at `end` (three hours ago by default)."""
    end = end or datetime.now(UTC) - timedelta(hours=3)
    n = len(EVENTS)
    moved = [
        e | {"published": (end - timedelta(minutes=10 * (n - 1 - i))).isoformat()}
        for i, e in enumerate(EVENTS)
    ]
    return load_events(db, moved)


def _reader(db: Database, name: str, email: str | None) -> int:
    return accounts.create_user(db, name, PASSWORD, email=email)


def _follow_source(db: Database, user_id: int, name: str) -> None:
    with db.connect() as conn:
        user = get_user(conn, user_id)
        sid = conn.execute(select(sources.c.id).where(sources.c.name == name)).scalar_one()
    assert user is not None
    reading.follow(db, user, "source", int(sid))


def test_digest_page_and_private_feed(sqlite_db: Database) -> None:
    ids = _fresh_events(sqlite_db)
    assert ids, "some fixtures fall in the last day"
    b = Browser(sqlite_db)
    b.get("/register")
    b.post("/register", {"username": "rhea", "password": PASSWORD})
    assert "You follow nothing yet" in b.get("/digest").text
    for name in ("Wire One", "Daily Courier"):  # followed with the buttons, as a reader does
        with sqlite_db.connect() as conn:
            sid = conn.execute(select(sources.c.id).where(sources.c.name == name)).scalar_one()
        b.post(f"/follow/source/{sid}", {"next": "/digest"})
    page = lxml.html.fromstring(b.get("/digest").text)
    heads = [h.text_content().strip() for h in page.xpath("//ol[@class='digest']/li/h2")]
    assert heads, "the last day's stories from what rhea follows"
    first_outlets = page.xpath("//ol[@class='digest']/li[1]/div[@class='meta']")[0].text_content()
    assert first_outlets.startswith("2 outlets")  # the widest-covered first
    # A past day by date; a broken date says so.
    assert "Nothing new" in b.get("/digest?date=2020-01-01").text
    assert b.get("/digest?date=yesterday").status_code == 400

    feed_path = page.xpath("//a[starts-with(@href, '/digest/')]/@href")[0]
    feed = b.get(feed_path)
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = lxml.etree.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.xpath("//a:entry", namespaces=ns)
    assert 1 <= len(entries) <= 2  # one a day with something in it
    assert heads[0] in "".join(root.xpath("//a:entry/a:content/text()", namespaces=ns))
    assert Browser(sqlite_db).get(feed_path).status_code == 200  # no cookie needed
    wrong = feed_path.replace(feed_path.split("/")[-1], "0" * 32 + ".atom")
    assert b.get(wrong).status_code == 404
    assert Browser(sqlite_db).get("/digest").status_code == 401

    # An address that got out is replaced from the page: the old one stops working.
    moved = b.post("/digest/address", {})
    assert (moved.status_code, moved.headers["location"]) == (303, "/digest")
    page = lxml.html.fromstring(b.get("/digest").text)
    new_path = page.xpath("//a[starts-with(@href, '/digest/')]/@href")[0]
    assert new_path != feed_path
    assert Browser(sqlite_db).get(feed_path).status_code == 404
    assert Browser(sqlite_db).get(new_path).status_code == 200
    anonymous = Browser(sqlite_db).request("POST", "/digest/address", data={"csrf_token": "0" * 32})
    assert anonymous.status_code in (401, 403)
    other = Browser(sqlite_db)  # another reader moves their own address, not rhea's
    other.get("/register")
    other.post("/register", {"username": "mallory", "password": PASSWORD})
    other.get("/digest")
    assert other.post("/digest/address", {}).status_code == 303
    assert Browser(sqlite_db).get(new_path).status_code == 200


def test_digest_mail_through_smtp(tmp_path: Path, smtp: tuple[str, Inbox]) -> None:
    url, inbox = smtp
    env = env_for(tmp_path) | {
        "NEWSWEAVE_SMTP_URL": url,
        "NEWSWEAVE_SMTP_FROM": "digest@news.example",
        "NEWSWEAVE_SITE_URL": "https://news.example",
    }
    db = open_database(f"sqlite:///{tmp_path / 'data' / 'newsweave.db'}")
    try:
        _fresh_events(db)
        rhea = _reader(db, "rhea", "rhea@mail.example")
        bob = _reader(db, "bob", "bob@refused.example")
        _reader(db, "carl", "carl@mail.example")  # follows nothing: no mail
        dan = _reader(db, "dan", None)  # no address: no mail
        for uid in (rhea, bob, dan):
            _follow_source(db, uid, "Wire One")
        quiet = _reader(db, "quiet", "quiet@mail.example")
        with db.begin() as conn:
            source_store.add_source(conn, SourceInfo(name="Quiet Times"))
        _follow_source(db, quiet, "Quiet Times")  # nothing of it in the last day
    finally:
        db.dispose()

    proc = nw_env(env, "digest", "send", ok=False)
    assert proc.returncode == 1, proc.stderr  # bob's address was refused...
    assert "bob <bob@refused.example>: the server refused it" in proc.stderr
    assert "1 digests sent, 1 readers with nothing new, 1 refused" in proc.stdout
    ((to, msg),) = inbox.messages  # ...and rhea's went out all the same
    assert to == ["rhea@mail.example"]
    assert msg["From"] == "digest@news.example"
    assert msg["Subject"].startswith("Your newsweave digest: ")
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Wire One" in text
    assert "https://news.example/articles/" in text
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert '<a href="https://news.example/articles/' in html

    none = nw_env(env_for(tmp_path), "digest", "send", ok=False)
    assert none.returncode != 0
    assert "NEWSWEAVE_SMTP_URL" in none.stderr


def test_digests_go_out_once_a_day_at_the_hour(tmp_path: Path, smtp: tuple[str, Inbox]) -> None:
    url, inbox = smtp
    db = open_database(f"sqlite:///{tmp_path / 'n.db'}")
    try:
        morning = datetime.now(UTC).replace(hour=6, minute=30, second=0, microsecond=0)
        _fresh_events(db, end=morning - timedelta(hours=1))
        _follow_source(db, _reader(db, "rhea", "rhea@mail.example"), "Wire One")
        settings = config.load(smtp_url=url, digest_hour=7)
        assert not jobs.send_digests_if_due(db, settings, morning)  # before the hour
        assert jobs.send_digests_if_due(db, settings, morning.replace(hour=8))
        assert not jobs.send_digests_if_due(db, settings, morning.replace(hour=9))  # done today
        assert len(inbox.messages) == 1
        nobody = config.load(digest_hour=0)
        assert not jobs.send_digests_if_due(db, nobody, morning + timedelta(days=1))
        with db.begin() as conn:  # a banned reader gets none
            conn.execute(update(users).values(banned_at=datetime.now(UTC)))
        assert jobs.send_digests_if_due(db, settings, morning + timedelta(days=1, hours=3))
        assert len(inbox.messages) == 1
    finally:
        db.dispose()


def test_a_digest_is_the_stories_of_the_follows_widest_first(db: Database) -> None:
    from newsweave import digest

    ids = load_events(db)
    uid = _reader(db, "ola", None)
    for name in ("Wire One", "Daily Courier", "Iberia Times"):
        _follow_source(db, uid, name)
    with db.connect() as conn:
        user = get_user(conn, uid)
        assert user is not None
        times = conn.execute(
            select(articles.c.published_at).where(articles.c.id.in_([ids["a1"], ids["a3"]]))
        ).scalars()
        first, last = sorted(times)
        since, until = digest.day_window(first)[0], digest.day_window(last)[1]
        d = digest.build(conn, reading.reader(conn, user), since, until)
    assert d.stories
    floods = d.stories[0]
    assert floods.story_id is not None
    assert len(floods.outlets) >= 2
    assert {a.id for a in floods.articles} <= {ids["a1"], ids["a2"], ids["a3"]}
    assert "Valencia" in digest.text_of(d, "https://n.example")
