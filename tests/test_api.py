"""The JSON API and the feeds out, through an in-process ASGI client, on both engines."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest

from newsweave.ingest.opml import read_opml
from newsweave.model import SourceInfo
from newsweave.store.db import Database
from newsweave.store.sources import add_source
from newsweave.web.app import create_app
from tests.events import EVENTS
from tests.events import load_events as _load


class Client:
    def __init__(self, db: Database) -> None:
        self.app = create_app(db)

    def get(self, path: str, **headers: str) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
                return await c.get(path, headers=headers)

        return asyncio.run(go())

    def json(self, path: str) -> Any:
        r = self.get(path)
        assert r.status_code == 200, (path, r.text)
        return r.json()


def test_articles_api_pages_with_cursors_and_caches(db: Database) -> None:
    ids = _load(db)
    c = Client(db)
    seen: list[int] = []
    path = "/api/articles?limit=5"
    pages = 0
    while path:
        page = c.json(path)
        assert set(page) == {"items", "next"}
        seen += [a["id"] for a in page["items"]]
        pages += 1
        path = f"/api/articles?limit=5&cursor={page['next']}" if page["next"] else ""
    assert pages == 3
    assert len(seen) == len(set(seen)) == len(EVENTS) - 1  # the syndicated copy is not listed
    assert ids["b1copy"] not in seen
    times = [c.json(f"/api/articles/{i}")["published"] for i in seen]
    assert times == sorted(times, reverse=True)

    d1 = c.get(f"/api/articles/{ids['d1']}")
    body = d1.json()
    assert body["title"] == "UN rejects parallel government in Sudan"
    assert {
        "hashtags",
        "summary",
        "key_points",
        "attributions",
        "entities",
        "related",
        "kind",
    } <= set(body)
    assert any(a["speaker"] == "UN press service" for a in body["attributions"])
    assert any(h["slug"] == "rapid-support-forces" for h in body["hashtags"])
    assert (
        c.get(f"/api/articles/{ids['d1']}", **{"If-None-Match": d1.headers["etag"]}).status_code
        == 304
    )
    later = format_datetime(datetime(2030, 1, 1).astimezone(), usegmt=False)
    assert c.get(f"/api/articles/{ids['d1']}", **{"If-Modified-Since": later}).status_code == 304
    assert c.get(f"/api/articles/{ids['d1']}", **{"If-None-Match": 'W/"other"'}).status_code == 200

    sudan = c.json("/api/articles?tag=rapid-support-forces")
    assert {a["id"] for a in sudan["items"]} >= {ids["d1"]}
    by_source = c.json(f"/api/articles?source={body['source']['id']}")
    assert all(a["source"]["name"] == "Russia Today" for a in by_source["items"])

    # Every filter, alone, together and from a cursor, narrows the list as asked: each
    # combination runs a statement of its own, prepared once (store.views._list_statement).
    everything = c.json("/api/articles?limit=100")["items"]
    story_id, src = body["story_id"], body["source"]["id"]
    wanted = {
        "language=en": lambda a: a["language"] == "en",
        "language=": lambda a: True,
        f"story={story_id}": lambda a: a["story_id"] == story_id,
        f"story={story_id}&source={src}": lambda a: (
            a["story_id"] == story_id and a["source"]["id"] == src
        ),
        f"source={src}&language=en": lambda a: a["source"]["id"] == src and a["language"] == "en",
    }
    for query, keep in wanted.items():
        got = [a["id"] for a in c.json(f"/api/articles?limit=100&{query}")["items"]]
        assert got == [a["id"] for a in everything if keep(a)], query
        first = c.json(f"/api/articles?limit=1&{query}")
        rest = []
        if first["next"]:
            rest = c.json(f"/api/articles?limit=100&{query}&cursor={first['next']}")["items"]
        assert [a["id"] for a in first["items"] + rest] == got, query
    assert c.json(f"/api/articles?story={story_id}&tag=rapid-support-forces")["items"]
    assert c.json("/api/articles?language=xx")["items"] == []

    stories = c.json("/api/stories?limit=2")
    assert len(stories["items"]) == 2
    assert stories["next"]
    rest = c.json(f"/api/stories?limit=2&cursor={stories['next']}")
    assert len(rest["items"]) == 2
    assert rest["next"] is None
    story = c.json(f"/api/stories/{body['story_id']}")
    assert {a["id"] for a in story["articles"]} == {ids["d1"], ids["d2"]}
    assert story["outlets"] == ["Africa Desk", "Russia Today"]

    assert len(c.json("/api/sources")["items"]) == len({e["source"] for e in EVENTS})
    tags = c.json("/api/tags")["items"]
    assert tags[0]["articles"] >= tags[-1]["articles"]
    tag = c.json("/api/tags/vladimir-putin")
    assert tag["tag"]["display"] == "#VladimirPutin"
    assert ids["c4"] in {a["id"] for a in tag["items"]}

    assert c.json("/api/search?q=Lagarde&language=de")["items"] == []
    assert c.json("/api/search?q=Lagarde&to=2026-01-01")["items"] == []
    assert c.json("/api/search?q=Lagarde&from=2026-10-01&tag=christine-lagarde")["items"]
    assert c.get("/api/search?q=x&from=not-a-date").status_code == 422
    hits = c.json("/api/search?q=Lagarde&limit=1")
    assert len(hits["items"]) == 1
    assert hits["next"]
    assert "/api/articles" in c.json("/api/openapi.json")["paths"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/articles/999999", 404),
        ("/api/articles/abc", 422),
        ("/api/articles?limit=1000", 422),
        ("/api/articles?limit=-1", 422),
        ("/api/articles?cursor=%%%not-a-cursor", 422),  # the schema's pattern says why
        ("/api/articles?cursor=" + "A" * 150, 422),
        ("/api/articles?source=99999999999999999999", 422),
        ("/api/stories/0", 404),
        ("/api/tags/no-such-tag", 404),
        ("/api/sources/424242", 404),
        ("/api/search", 422),
        ("/api/search?q=" + "x" * 600, 422),
        ("/api/search?q=a&cursor=MTk3MC0wMS0wMVQwMDowMDowMCswMDowMHw5OTk5OTk5", 422),
        ("/feeds/latest.rss", 422),
        ("/stories/12345678/feed.atom", 404),
    ],
)
def test_bad_requests_get_a_clear_4xx_never_a_500(
    sqlite_db: Database, path: str, status: int
) -> None:
    r = Client(sqlite_db).get(path)
    assert r.status_code == status, r.text
    if path.startswith("/api/") and status in (400, 404):
        assert "error" in r.json()


HUGE = "99999999999999999999"  # past a 64-bit integer


@pytest.mark.parametrize(
    "path",
    [
        f"/api/articles/{HUGE}",
        f"/articles/{HUGE}",
        f"/stories/{HUGE}",
        f"/api/stories/{HUGE}",
        f"/api/stories/{HUGE}/comments",
        f"/api/articles/{HUGE}/comments",
        f"/sources/{HUGE}",
        f"/api/sources/{HUGE}",
        f"/stories/{HUGE}/feed.atom",
        "/articles/9223372036854775808",
    ],
)
def test_an_id_past_the_integer_range_is_not_found(db: Database, path: str) -> None:
    r = Client(db).get(path)
    assert r.status_code == 404, (path, r.status_code, r.text[:200])
    if path.startswith("/api/"):
        assert "out of range" in r.json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        '"unterminated',
        "a OR (b AND",
        "NEAR(x y",
        "'; DROP TABLE articles; --",
        "col:val",
        "*",
        "^-+",
    ],
)
def test_search_takes_any_string(sqlite_db: Database, query: str) -> None:
    r = Client(sqlite_db).get(f"/api/search?q={httpx.QueryParams({'q': query})['q']}")
    assert r.status_code == 200
    assert r.json()["items"] == []


def test_feeds_out_and_opml(sqlite_db: Database) -> None:
    ids = _load(sqlite_db)
    c = Client(sqlite_db)
    atom = feedparser.parse(c.get("/feeds/latest.atom").content)
    assert atom.version == "atom10"
    assert not atom.bozo
    assert len(atom.entries) == len(EVENTS) - 1
    assert atom.entries[0].link.startswith("http://nw.test/articles/")
    js = c.json("/feeds/latest.json")
    assert js["version"] == "https://jsonfeed.org/version/1.1"
    assert len(js["items"]) == len(EVENTS) - 1
    tag = feedparser.parse(c.get("/tags/rapid-support-forces/feed.atom").content)
    assert {e.title for e in tag.entries} >= {"UN rejects parallel government in Sudan"}
    story_id = c.json(f"/api/articles/{ids['c1']}")["story_id"]
    story = c.json(f"/stories/{story_id}/feed.json")
    assert len(story["items"]) == 4
    src = c.json(f"/api/articles/{ids['d1']}")["source"]["id"]
    assert feedparser.parse(c.get(f"/sources/{src}/feed.atom").content).entries
    with sqlite_db.begin() as conn:
        add_source(
            conn,
            SourceInfo(name="Wire & Co", feed_url="https://wire.example/feed.xml", country="GB"),
        )
    opml = c.get("/sources.opml")
    assert opml.headers["content-type"].startswith("text/x-opml")
    # Sources that came with articles have no feed to follow; the feed source travels with labels.
    assert [(s.name, s.feed_url, s.country) for s in read_opml(opml.content)] == [
        ("Wire & Co", "https://wire.example/feed.xml", "GB")
    ]

    home = c.get("/").text
    assert 'rel="alternate" type="application/atom+xml"' in home
    tag_page = c.get("/tags/rapid-support-forces").text
    assert 'href="/tags/rapid-support-forces/feed.atom"' in tag_page
    source_page = c.get(f"/sources/{src}")
    assert source_page.status_code == 200
    assert "UN rejects parallel government in Sudan" in source_page.text


def test_feeds_out_survive_control_characters_stored_before_the_edge_cleaned_them(
    sqlite_db: Database,
) -> None:
    from sqlalchemy import update

    from newsweave import pipeline
    from newsweave.model import ArticleIn
    from newsweave.store.schema import articles

    art = ArticleIn(
        url="https://ctl.example/1",
        title="A fine title",
        text="A body of plain words about the council meeting on Monday. " * 6,
        source_name="Ctl Daily",
    )
    aid, _ = pipeline.ingest(sqlite_db, art, enrich_now=False)
    with sqlite_db.begin() as conn:  # as an older version stored it
        conn.execute(update(articles).where(articles.c.id == aid).values(title="Bad\x07 title\x00"))
    client = Client(sqlite_db)
    for path in ["/feeds/latest.atom", "/feeds/latest.json"]:
        r = client.get(path)
        assert r.status_code == 200, r.text[:200]
    parsed = feedparser.parse(client.get("/feeds/latest.atom").content)
    assert not parsed.bozo
    assert parsed.entries[0].title == "Bad title"


def test_any_cursor_the_schema_admits_is_a_position(sqlite_db: Database) -> None:
    """A cursor past either end is an empty or a first page, never an error (schemathesis
    sends such cursors: the schema's pattern is the whole rule)."""
    _load(sqlite_db)
    c = Client(sqlite_db)
    assert c.json("/api/articles?cursor=0.0") == {"items": [], "next": None}  # before 1970
    assert len(c.json("/api/articles?cursor=9999999999999999.1")["items"]) > 0
    assert c.json("/api/search?q=council&cursor=0.999999999") == {"items": [], "next": None}
    first = c.json("/api/articles?limit=2")
    assert c.json(f"/api/articles?limit=2&cursor={first['next']}")["items"][0]["id"] not in {
        a["id"] for a in first["items"]
    }


def test_a_wrong_method_is_told_every_method_of_the_path(sqlite_db: Database) -> None:
    """GET and POST share /api/articles/{id}/comments: a 405 lists both (Starlette listed the
    first route's only)."""
    app = Client(sqlite_db).app

    async def put() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            return await c.put("/api/articles/1/comments")

    r = asyncio.run(put())
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/latest.atom",
        "/feeds/latest.json",
        "/tags/{tag}/feed.atom",
        "/stories/{story}/feed.json",
    ],
)
def test_a_feed_names_its_own_address(sqlite_db: Database, path: str) -> None:
    _load(sqlite_db)
    c = Client(sqlite_db)
    story = c.json("/api/stories?limit=1")["items"][0]["id"]
    tag = c.json("/api/tags")["items"][0]["slug"]
    path = path.format(tag=tag, story=story)
    r = c.get(path)
    assert r.status_code == 200
    if path.endswith(".atom"):
        own = feedparser.parse(r.content).feed["links"]
        self_link = next(link["href"] for link in own if link["rel"] == "self")
    else:
        self_link = r.json()["feed_url"]
    assert self_link.endswith(path)
    assert c.get(urlsplit(self_link).path).status_code == 200  # it is there


@pytest.mark.parametrize(("path", "status"), [("/no/such/page", 404), ("/logout", 405)])
def test_a_wrong_address_is_a_page_not_json(sqlite_db: Database, path: str, status: int) -> None:
    r = Client(sqlite_db).get(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>" in r.text
    assert (
        Client(sqlite_db)
        .get("/api/no-such-thing")
        .headers["content-type"]
        .startswith("application/json")
    )


def test_the_api_docs_work_offline(sqlite_db: Database) -> None:
    """Swagger UI comes with the package: no CDN, nothing fetched from outside."""
    c = Client(sqlite_db)
    page = c.get("/api/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets
    assert all(a.startswith("/api/") for a in assets), assets  # no https://cdn...
    for a in assets:
        got = c.get(a)
        assert got.status_code == 200, a
        assert len(got.content) > 500, a  # the real file, not an error page


def test_a_storys_articles_say_their_story_and_language(sqlite_db: Database) -> None:
    _load(sqlite_db)
    c = Client(sqlite_db)
    story = c.json("/api/stories?limit=1")["items"][0]["id"]
    got = c.json(f"/api/stories/{story}")["articles"]
    assert got
    assert all(a["story_id"] == story and a["language"] == "en" for a in got), got
    latest = c.json("/api/articles?limit=3")["items"]
    assert all(a["language"] == "en" and a["story_id"] for a in latest), latest
