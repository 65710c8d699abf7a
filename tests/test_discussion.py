"""Accounts, sessions, CSRF and comments through the site, as a browser would send them;
the service rules on both engines; and the hostile input the issue lists."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import lxml.html
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from newsweave import accounts, comments, pipeline
from newsweave.errors import ForbiddenError, InvalidInputError, RateLimitedError
from newsweave.model import ArticleIn
from newsweave.store.db import Database
from newsweave.store.schema import comments as comments_table
from newsweave.store.schema import sessions, users
from newsweave.web.app import create_app

PASSWORD = "correct horse battery"
XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    '"><iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    'http://evil.example/"onmouseover="alert(1)',
    "<style>body{display:none}</style>",
    "{{ 7*7 }} {% raw %}",
]


_SITES: dict[int, tuple[Database, FastAPI]] = {}


def site_for(db: Database) -> FastAPI:
    """One site per database, as one web process serves every reader: browsers of one test
    share its caches (a second app on the same database is a second web process)."""
    found = _SITES.get(id(db))
    if found is None or found[0] is not db:
        found = _SITES[id(db)] = (db, create_app(db, "test-secret"))
    return found[1]


class Browser:
    """An ASGI client that keeps cookies and reads CSRF tokens off forms, like a browser."""

    def __init__(self, db: Database) -> None:
        self.app = site_for(db)
        self.cookies = httpx.Cookies()
        self.last = ""

    def request(self, method: str, path: str, **kw: object) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, client=("10.0.0.7", 1234))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://nw.test", cookies=self.cookies
            ) as c:
                r = await c.request(method, path, **kw)  # type: ignore[arg-type]
                self.cookies.update(c.cookies)
                return r

        r = asyncio.run(go())
        if method == "GET":
            self.last = r.text
        return r

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def csrf(self) -> str:
        m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', self.last)
        assert m, "no form with a csrf_token on the last page"
        return m.group(1)

    def post(self, path: str, data: dict[str, str], csrf: bool = True) -> httpx.Response:
        if csrf:
            data = {**data, "csrf_token": self.csrf()}
        return self.request("POST", path, data=data)


def _article(db: Database) -> int:
    art = ArticleIn(
        url="https://e.example/a",
        title="Council approves the plan",
        text="The council met on Monday and approved the plan after a long debate. " * 8,
        source_name="E",
        published=datetime.now(UTC) - timedelta(hours=1),
    )
    return pipeline.ingest(db, art)[0]


def _count(db: Database) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(comments_table)).scalar_one())


def test_register_login_comment_reply_report_moderate_and_ban(sqlite_db: Database) -> None:
    art = _article(sqlite_db)
    accounts.create_user(sqlite_db, "mod", PASSWORD, role="moderator")
    alice, bob, mod = Browser(sqlite_db), Browser(sqlite_db), Browser(sqlite_db)
    anon = Browser(sqlite_db)  # not signed in: its thread is kept until a comment changes

    page = alice.get(f"/articles/{art}").text
    assert "No comments yet..." in page
    assert "No comments yet..." in anon.get(f"/articles/{art}?from=0").text
    assert "Log in</a> or" in page
    alice.get("/register")
    r = alice.post("/register", {"username": "alice", "email": "a@e.example", "password": PASSWORD})
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "nw_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    alice.get(f"/articles/{art}")
    r = alice.post(f"/articles/{art}/comments", {"body": "First! See https://example.org/x."})
    assert r.status_code == 303
    first = int(r.headers["location"].rsplit("-", 1)[1])
    page = alice.get(f"/articles/{art}").text
    assert "Comments (1)" in page
    assert "First! See" in anon.get(f"/articles/{art}?from=1").text  # another address
    assert (
        '<a href="https://example.org/x" rel="nofollow ugc noopener noreferrer">https://example.org/x</a>'
        in page
    )

    bob.get("/register")
    bob.post("/register", {"username": "bob", "password": PASSWORD})
    bob.get(f"/articles/{art}")
    r = bob.post(f"/articles/{art}/comments", {"body": "A reply", "parent_id": str(first)})
    reply = int(r.headers["location"].rsplit("-", 1)[1])
    bob.get(f"/articles/{art}")
    bob.post(f"/comments/{first}/report", {"reason": "spam"})
    # bob cannot edit or delete alice's comment
    assert bob.post(f"/comments/{first}/edit", {"body": "hacked"}).status_code == 403
    assert bob.post(f"/comments/{first}/delete", {}).status_code == 403
    # nor moderate
    assert bob.post(f"/comments/{first}/hide", {}).status_code == 403

    alice.get(f"/articles/{art}")
    assert alice.post(f"/comments/{first}/edit", {"body": "First, edited"}).status_code == 303
    page = alice.get(f"/articles/{art}").text
    assert "First, edited" in page
    assert "edited" in page
    assert f'id="comment-{reply}"' in page.split(f'id="comment-{first}"', 1)[1]  # reply nested

    mod.get("/login")
    assert mod.post("/login", {"username": "mod", "password": PASSWORD}).status_code == 303
    queue = mod.get("/moderation").text
    assert "spam" in queue
    assert "alice" in queue
    assert mod.post(f"/comments/{first}/hide", {}).status_code == 303
    assert "No open reports." in mod.get("/moderation").text
    reader_view = bob.get(f"/articles/{art}").text
    assert "First, edited" not in reader_view
    assert "[hidden by a moderator]" in reader_view
    assert "First, edited" not in anon.get(f"/articles/{art}?from=2").text
    mod.get(f"/articles/{art}")
    mod.post(f"/comments/{first}/restore", {})
    assert "First, edited" in bob.get(f"/articles/{art}").text

    mod.get("/moderation")
    assert mod.post("/users/bob/ban", {"action": "ban"}).status_code == 303
    # bob's session is gone: what he posts is refused at once (every POST asks the database),
    # and his pages show him logged out once his server's session cache has expired
    refused = bob.post(f"/articles/{art}/comments", {"body": "Am I still here?"})
    assert refused.status_code == 401, refused.text
    bob.app.state.sessions.clear()  # as SESSION_CACHE_SECONDS later
    assert "Log in</a> or" in bob.get(f"/articles/{art}").text
    # ... and he cannot log back in
    bob.get("/login")
    assert bob.post("/login", {"username": "bob", "password": PASSWORD}).status_code == 403

    alice.get(f"/articles/{art}")
    assert alice.post(f"/comments/{first}/delete", {}).status_code == 303
    page = alice.get(f"/articles/{art}").text
    assert "[deleted]" in page  # kept as a placeholder: it has a reply
    assert "Comments (1)" in page

    alice.get("/")
    assert alice.post("/logout", {}).status_code == 303
    assert "Log in</a> or" in alice.get(f"/articles/{art}").text


def test_a_form_that_fails_comes_back_with_what_was_typed_and_the_error(
    sqlite_db: Database,
) -> None:
    accounts.create_user(sqlite_db, "taken", PASSWORD)
    b = Browser(sqlite_db)
    b.get("/register")
    short = b.post("/register", {"username": "newbie", "email": "n@x.example", "password": "short"})
    assert short.status_code == 400
    assert short.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/register"' in short.text  # the form, not a dead end
    assert 'value="newbie"' in short.text
    assert 'value="n@x.example"' in short.text
    assert 'role="alert"' in short.text
    taken = b.post("/register", {"username": "taken", "password": PASSWORD})
    assert taken.status_code == 400
    assert 'value="taken"' in taken.text
    huge = b.post("/register", {"username": "x" * 10_000, "password": PASSWORD})
    assert huge.status_code == 422
    assert huge.headers["content-type"].startswith("text/html")  # not raw JSON
    assert "x" * 100 not in huge.text  # the input is not echoed back whole
    assert "username" in huge.text
    b.get("/login")
    no_token = b.post("/login", {"username": "taken", "password": PASSWORD}, csrf=False)
    assert no_token.status_code == 422
    assert no_token.headers["content-type"].startswith("text/html")
    assert "security token" in no_token.text
    b.get("/login")
    wrong = b.post("/login", {"username": "taken", "password": "wrong password"})
    assert wrong.status_code == 401
    assert 'value="taken"' in wrong.text  # the username kept
    assert "wrong password" not in wrong.text  # never the password
    api = b.request("POST", "/api/articles/1/comments", json={"body": 5})
    assert api.headers["content-type"].startswith("application/json")  # the API stays JSON


def _beside(page: str, name: str) -> str:
    """The error shown right after the input called `name`, or "" when there is none."""
    m = re.search(
        rf'<input name="{name}"[^>]*aria-invalid="true" aria-describedby="{name}-error"[^>]*>'
        rf'</label>\s*<p class="error field-error" id="{name}-error" role="alert">([^<]*)</p>',
        page,
    )
    return m.group(1) if m else ""


def test_a_form_error_stands_beside_its_field(sqlite_db: Database) -> None:
    accounts.create_user(sqlite_db, "taken", PASSWORD)
    b = Browser(sqlite_db)
    b.get("/register")
    page = b.post("/register", {"username": "taken", "password": PASSWORD}).text
    assert "is taken" in _beside(page, "username")
    assert not _beside(page, "password")
    page = b.post("/register", {"username": "newbie", "email": "nope", "password": PASSWORD}).text
    assert "email" in _beside(page, "email")
    page = b.post("/register", {"username": "newbie", "password": "short"}).text
    assert "10 to" in _beside(page, "password")
    assert 'value="newbie"' in page  # kept
    page = b.post("/register", {"username": "x" * 10_000, "password": PASSWORD}).text
    assert "username" in _beside(page, "username")  # too long: said beside it, not echoed
    b.get("/login")
    page = b.post("/login", {"username": "taken", "password": "wrong password"}).text
    assert not _beside(page, "password")  # a wrong password is not said to be either field's
    assert not _beside(page, "username")
    assert 'role="alert"' in page
    b.get("/login")
    b.post("/login", {"username": "taken", "password": PASSWORD})
    b.get("/account/password")
    page = b.post("/account/password", {"old": "not it at all", "new": "a new password"}).text
    assert "current password" in _beside(page, "old")
    b.get("/account/password")
    page = b.post("/account/password", {"old": PASSWORD, "new": "short"}).text
    assert "10 to" in _beside(page, "new")
    assert PASSWORD not in page  # no password is ever written back into the page


def test_forms_need_the_right_csrf_token_and_nothing_is_stored_without_it(
    sqlite_db: Database,
) -> None:
    art = _article(sqlite_db)
    b = Browser(sqlite_db)
    b.get("/register")
    assert (
        b.post("/register", {"username": "eve", "password": PASSWORD}, csrf=False).status_code
        == 422
    )
    bad = {"username": "eve", "password": PASSWORD, "csrf_token": "0" * 64}
    assert b.request("POST", "/register", data=bad).status_code == 403
    with sqlite_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(users)).scalar_one() == 0
    b.post("/register", {"username": "eve", "password": PASSWORD})
    stolen = b.csrf()
    other = Browser(sqlite_db)  # another browser: its own CSRF cookie, so the token does not fit
    other.cookies.set("nw_session", b.cookies.get("nw_session") or "")
    r = other.request("POST", f"/articles/{art}/comments", data={"body": "x", "csrf_token": stolen})
    assert r.status_code == 403
    assert _count(sqlite_db) == 0


@pytest.mark.parametrize("payload", XSS)
def test_hostile_comments_are_shown_as_text(sqlite_db: Database, payload: str) -> None:
    art = _article(sqlite_db)
    uid = accounts.create_user(sqlite_db, "mallory", PASSWORD)
    with sqlite_db.connect() as conn:
        user = accounts.store.get_user(conn, uid)
    assert user is not None
    comments.post(sqlite_db, user, payload, article_id=art)
    page = Browser(sqlite_db).get(f"/articles/{art}").text
    section = page.split('<section id="comments"', 1)[1].split("</section>", 1)[0]
    tree = lxml.html.fromstring(f"<div>{section}</div>")
    bodies = tree.find_class("body")
    assert len(bodies) == 1
    for el in bodies[0].iter():
        assert el.tag in {"div", "p", "br", "a"}, el.tag  # only what the renderer makes
        for name, value in el.attrib.items():
            assert not name.startswith("on"), name
            assert not value.strip().lower().startswith("javascript:"), value
    assert bodies[0].text_content() == payload  # shown as the text it is
    api = json.loads(Browser(sqlite_db).get(f"/api/articles/{art}/comments").text)
    assert "<script" not in api["items"][0]["html"]


def test_login_is_rate_limited(sqlite_db: Database) -> None:
    accounts.create_user(sqlite_db, "carol", PASSWORD)
    b = Browser(sqlite_db)
    b.get("/login")
    for _ in range(5):
        assert (
            b.post("/login", {"username": "carol", "password": "wrong password"}).status_code == 401
        )
    r = b.post("/login", {"username": "carol", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0


def test_expired_sessions_and_oversized_bodies(sqlite_db: Database) -> None:
    art = _article(sqlite_db)
    b = Browser(sqlite_db)
    b.get("/register")
    b.post("/register", {"username": "dave", "password": PASSWORD})
    b.get(f"/articles/{art}")  # the form is on screen; the session expires before it is sent
    with sqlite_db.begin() as conn:
        conn.execute(update(sessions).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    r = b.post(f"/articles/{art}/comments", {"body": "still here?"})
    assert r.status_code == 401
    assert "Log in" in r.text
    b.get("/login")
    b.post("/login", {"username": "dave", "password": PASSWORD})
    b.get(f"/articles/{art}")
    too_long = b.post(f"/articles/{art}/comments", {"body": "x" * 5001})
    assert too_long.status_code == 400
    assert "at most 5000" in too_long.text
    huge = b.post(f"/articles/{art}/comments", {"body": "x" * 100_000})
    assert huge.status_code == 413
    assert _count(sqlite_db) == 0
    assert b.post("/articles/999999/comments", {"body": "hello"}).status_code == 404


def test_comment_rules_on_both_engines(db: Database) -> None:
    art = _article(db)
    uid = accounts.create_user(db, "erin", PASSWORD, "erin@e.example")
    with pytest.raises(InvalidInputError, match="taken"):
        accounts.create_user(db, "ERIN", PASSWORD)
    with pytest.raises(InvalidInputError, match="password"):
        accounts.create_user(db, "frank", "short")
    user = accounts.authenticate(db, "erin", PASSWORD)
    assert user.id == uid
    now = datetime.now(UTC)
    cid = comments.post(db, user, "hello", article_id=art, now=now)
    with pytest.raises(ForbiddenError, match="15 minutes"):
        comments.edit(db, user, cid, "too late", now=now + timedelta(minutes=16))
    comments.edit(db, user, cid, "in time", now=now + timedelta(minutes=14))
    for i in range(4):
        comments.post(db, user, f"more {i}", article_id=art)
    with pytest.raises(RateLimitedError):
        comments.post(db, user, "one too many", article_id=art)
    other = _article_two(db)
    with pytest.raises(InvalidInputError, match="not on this article"):
        comments.post(db, user, "wrong thread", article_id=other, parent_id=cid)
    tree = comments.thread(db, art)
    assert next(c.body for c in tree) == "in time"


def _article_two(db: Database) -> int:
    art = ArticleIn(
        url="https://e.example/b", title="Another", text="Other text here. " * 30, source_name="E"
    )
    return pipeline.ingest(db, art)[0]


def test_comments_api_with_a_token_or_a_session(sqlite_db: Database) -> None:
    art = _article(sqlite_db)
    accounts.create_user(sqlite_db, "gina", PASSWORD)
    token = accounts.new_api_token(sqlite_db, "gina")
    b = Browser(sqlite_db)
    r = b.request("POST", f"/api/articles/{art}/comments", json={"body": "via API"},
                  headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert r.status_code == 201, r.text
    r = b.request("POST", f"/api/articles/{art}/comments", json={"body": "x"},
                  headers={"Authorization": "Bearer nw_wrong"})  # fmt: skip
    assert r.status_code == 401
    assert r.json() == {"error": "unknown API token"}
    anonymous = b.request("POST", f"/api/articles/{art}/comments", json={"body": "x"})
    assert anonymous.status_code == 401  # no credentials: say which work, not "form token"
    assert "Bearer" in anonymous.json()["error"]
    assert "security token" not in anonymous.json()["error"]
    assert b.request("POST", f"/api/articles/{art}/comments", json={"body": ""}).status_code == 422
    b.get("/login")
    b.post("/login", {"username": "gina", "password": PASSWORD})
    no_csrf = b.request("POST", f"/api/articles/{art}/comments", json={"body": "x"})
    assert no_csrf.status_code == 403  # a session must still send its X-CSRF-Token
    items = b.get(f"/api/articles/{art}/comments").json()["items"]
    assert [(c["author"], c["html"]) for c in items] == [("gina", "<p>via API</p>")]


def test_user_create_reads_the_password_from_stdin(tmp_path: Path) -> None:
    from tests.test_cli import nw

    out = nw(tmp_path, "user", "create", "root", "--role", "admin", stdin=PASSWORD + "\n")
    assert "created user root" in out.stdout
    assert "admin" in out.stdout
    bad = nw(tmp_path, "user", "create", "x", stdin="short\n", ok=False)
    assert bad.returncode == 1
    assert "username" in bad.stderr
    nw(tmp_path, "user", "create", "helper", stdin=PASSWORD + "\n")
    assert "helper is now moderator" in nw(tmp_path, "user", "role", "helper", "moderator").stdout
    assert nw(tmp_path, "user", "role", "nobody", "admin", ok=False).returncode == 1
    token = nw(tmp_path, "user", "token", "root").stdout.strip()
    assert token.startswith("nw_")


def test_search_page_filters_highlights_and_rejects_bad_input(sqlite_db: Database) -> None:
    _article(sqlite_db)
    b = Browser(sqlite_db)
    page = b.get("/search?q=council").text
    assert "<mark>council</mark>" in page.lower() or "<mark>Council</mark>" in page
    assert "Council approves the plan" in page
    assert "Council approves" not in b.get("/search?q=council&language=de").text
    assert "Council approves" not in b.get("/search?q=council&to=2000-01-01").text
    assert "Council approves" in b.get("/search?q=council&from=2000-01-01").text
    for q in ['"', "a OR (b", "'; DROP TABLE articles; --", "<script>alert(1)</script>"]:
        r = b.get(f"/search?{httpx.QueryParams({'q': q})}")
        assert r.status_code == 200
        assert "<script>alert(1)</script>" not in r.text
    assert b.get("/search?q=x&page=99999999").status_code == 400
    assert b.get("/search?q=x&page=abc").status_code == 400
    assert b.get("/search?q=x&from=yesterday").status_code == 400


def test_stories_have_threaded_comments_too(sqlite_db: Database) -> None:
    from newsweave.store.schema import articles

    art = _article(sqlite_db)
    with sqlite_db.connect() as conn:
        story = conn.execute(select(articles.c.story_id).where(articles.c.id == art)).scalar_one()
    b = Browser(sqlite_db)
    b.get("/register")
    b.post("/register", {"username": "hana", "password": PASSWORD})
    page = b.get(f"/stories/{story}").text
    assert "No comments yet..." in page
    r = b.post(f"/stories/{story}/comments", {"body": "On the whole story"})
    assert r.status_code == 303
    first = int(r.headers["location"].rsplit("-", 1)[1])
    b.get(f"/stories/{story}")
    b.post(f"/stories/{story}/comments", {"body": "And a reply", "parent_id": str(first)})
    page = b.get(f"/stories/{story}").text
    assert "Comments (2)" in page
    assert "And a reply" in page.split(f'id="comment-{first}"', 1)[1]
    # A reply must stay in its thread: not from the story onto the article.
    b.get(f"/articles/{art}")
    wrong = b.post(f"/articles/{art}/comments", {"body": "x", "parent_id": str(first)})
    assert wrong.status_code == 400
    api = b.get(f"/api/stories/{story}/comments").json()["items"]
    assert [c["replies"][0]["html"] for c in api] == ["<p>And a reply</p>"]
    b.get(f"/stories/{story}")
    assert b.post("/stories/999999/comments", {"body": "x"}).status_code == 404


def test_failed_logins_stop_the_guesser_not_the_account_owner() -> None:
    from newsweave.errors import RateLimitedError
    from newsweave.web.security import LoginLimiter

    limiter = LoginLimiter(attempts=5, window=900, per_address=20)
    attacker, alice_home = "203.0.113.9", "198.51.100.7"
    for _ in range(6):
        try:
            limiter.check(attacker, "alice")
        except RateLimitedError:
            break
        limiter.failed(attacker, "alice")
    with pytest.raises(RateLimitedError):
        limiter.check(attacker, "alice")  # the guesser is stopped at alice
    limiter.check(alice_home, "alice")  # alice, from her own address, is not
    limiter.check(alice_home, "Alice")
    for n in range(15):  # the guesser moves from account to account: the address limit holds
        limiter.check(attacker, f"user{n}")
        limiter.failed(attacker, f"user{n}")
    with pytest.raises(RateLimitedError):
        limiter.check(attacker, "somebody-else")
    limiter.check(alice_home, "bob")


def test_nobody_reports_their_own_comment(sqlite_db: Database) -> None:
    from newsweave import comments as comment_rules
    from newsweave.errors import InvalidInputError

    article = _article(sqlite_db)
    accounts.create_user(sqlite_db, "alice", PASSWORD)
    accounts.create_user(sqlite_db, "bobby", PASSWORD)
    a = accounts.authenticate(sqlite_db, "alice", PASSWORD)
    b = accounts.authenticate(sqlite_db, "bobby", PASSWORD)
    cid = comment_rules.post(sqlite_db, a, "My own words on the plan.", article_id=article)
    with pytest.raises(InvalidInputError, match="your own comment"):
        comment_rules.report(sqlite_db, a, cid, "spam")
    assert comment_rules.report(sqlite_db, b, cid, "spam")  # anyone else may


def test_a_report_is_confirmed_and_a_moderator_can_dismiss_it(sqlite_db: Database) -> None:
    """Reporting said nothing back, and a wrong report could only end by hiding the comment."""
    art = _article(sqlite_db)
    for name, role in (("alice", "reader"), ("bob", "reader"), ("mod", "moderator")):
        accounts.create_user(sqlite_db, name, PASSWORD, role=role)
    alice, bob, mod = Browser(sqlite_db), Browser(sqlite_db), Browser(sqlite_db)
    for who, name in ((alice, "alice"), (bob, "bob"), (mod, "mod")):
        who.get("/login")
        assert who.post("/login", {"username": name, "password": PASSWORD}).status_code == 303
    alice.get(f"/articles/{art}")
    r = alice.post(f"/articles/{art}/comments", {"body": "A fair point about the plan."})
    first = int(r.headers["location"].rsplit("-", 1)[1])

    bob.get(f"/articles/{art}")
    r = bob.post(f"/comments/{first}/report", {"reason": "I disagree"})
    assert r.headers["location"] == f"/articles/{art}?reported={first}#comment-{first}"
    back = bob.get(r.headers["location"]).text
    assert "Thank you for the report: a moderator will look at it." in back
    assert "Thank you for the report" not in bob.get(f"/articles/{art}").text

    assert "I disagree" in mod.get("/moderation").text
    r = mod.post(f"/comments/{first}/dismiss", {"next": "/moderation"})
    assert r.status_code == 303
    assert "No open reports." in mod.get("/moderation").text
    assert "A fair point about the plan." in bob.get(f"/articles/{art}").text  # not hidden
    bob.get(f"/articles/{art}")
    assert bob.post(f"/comments/{first}/dismiss", {}).status_code == 403  # moderators only
