"""The minimal site, through an in-process ASGI client: the front page lists what was collected,
markup in articles is escaped, unknown ids give a 404 page."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from newsweave import pipeline
from newsweave.model import ArticleIn
from newsweave.store.db import Database
from newsweave.store.schema import articles, sources
from newsweave.web.app import create_app
from newsweave.web.timefmt import relative_time
from tests.events import load_events as _load


def test_front_page_article_page_and_health(sqlite_db: Database) -> None:
    text = "The council met on <b>Monday</b> and approved the plan. " * 10
    art_id, _ = pipeline.ingest(
        sqlite_db,
        ArticleIn(url="https://e.example/1", title="Council <script>alert(1)</script> plan",
                  text=text, source_name="E", published=datetime.now(UTC) - timedelta(hours=1)),
    )  # fmt: skip
    app = create_app(sqlite_db)

    async def get(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as client:
            return await client.get(path)

    def fetch(path: str) -> httpx.Response:
        return asyncio.run(get(path))

    assert fetch("/healthz").text == "ok"
    home = fetch("/")
    assert home.status_code == 200
    assert "Council &lt;script&gt;alert(1)&lt;/script&gt; plan" in home.text
    assert "<script>alert(1)" not in home.text
    assert "an hour ago" in home.text
    page = fetch(f"/articles/{art_id}")
    assert page.status_code == 200
    assert "&lt;b&gt;Monday&lt;/b&gt;" in page.text
    assert 'class="labels"' not in page.text  # a source without labels shows none
    with sqlite_db.begin() as conn:
        conn.execute(update(sources).values(country="GB", ownership="public broadcaster"))
    app = create_app(sqlite_db)  # a new process: nothing of the article kept
    labelled = fetch(f"/articles/{art_id}").text
    assert '<span class="labels">(GB, public broadcaster)</span>' in labelled
    missing = fetch("/articles/999999")
    assert missing.status_code == 404
    assert "no article with id 999999" in missing.text
    assert fetch("/articles/not-a-number").status_code == 422


def test_relative_time() -> None:
    now = datetime(2025, 8, 14, 12, tzinfo=UTC)
    assert relative_time(now - timedelta(seconds=20), now) == "just now"
    assert relative_time(now - timedelta(minutes=1), now) == "a minute ago"
    assert relative_time(now - timedelta(hours=1, minutes=5), now) == "an hour ago"
    assert relative_time(now - timedelta(hours=3), now) == "3 hours ago"
    assert relative_time(now - timedelta(days=2), now) == "2 days ago"
    assert relative_time(now - timedelta(days=6), now) == "6 days ago"
    assert relative_time(now - timedelta(days=15), now) == "30 Jul"  # past a week: the date
    assert relative_time(datetime(2021, 3, 12, 9, tzinfo=UTC), now) == "12 Mar 2021"
    assert relative_time(None, now) == ""


def _client_get(db: Database):  # type: ignore[no-untyped-def]
    app = create_app(db)

    def fetch(path: str) -> httpx.Response:
        async def get() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
                return await c.get(path)

        return asyncio.run(get())

    return fetch


def test_article_page_shows_hashtags_ai_panel_coverage_and_related(sqlite_db: Database) -> None:
    from tests.events import load_events

    ids = load_events(sqlite_db)
    fetch = _client_get(sqlite_db)
    page = fetch(f"/articles/{ids['d1']}").text
    order = ["<h1>", "Hashtags", "AI features", "Summary", "Who says what", "Related articles"]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions), "sections out of order"
    assert 'href="/tags/rapid-support-forces"' in page
    assert "#RapidSupportForces" in page
    assert "<strong>UN press service</strong>" in page
    assert "Other coverage of this story" in page
    assert "Africa Desk" in page  # the other outlet covering the Sudan story
    assert f'href="/articles/{ids["d2"]}"' in page

    tag = fetch("/tags/rapid-support-forces")
    assert tag.status_code == 200
    assert "UN rejects parallel government in Sudan" in tag.text
    assert fetch("/tags/no-such-tag").status_code == 404

    b2 = fetch(f"/articles/{ids['b2']}").text
    related = b2[b2.index("Related articles") :]
    assert not (f'/articles/{ids["b1"]}"' in related and f'/articles/{ids["b1copy"]}"' in related)

    filtered = fetch("/?language=de").text
    assert "Top stories" not in filtered
    assert "UN rejects parallel government in Sudan" not in filtered
    assert "UN rejects parallel government in Sudan" in fetch("/?language=en").text
    home = fetch("/").text
    assert "Top stories" in home
    story_link = home.split('href="/stories/', 1)[1].split('"', 1)[0]
    story = fetch(f"/stories/{story_link}")
    assert story.status_code == 200
    assert "Timeline" in story.text
    assert "Coverage by perspective" in story.text
    assert "Coverage by outlet" in story.text
    assert fetch("/stories/999999").status_code == 404


def test_anonymous_pages_are_cached_briefly_and_signed_in_ones_get_fresh_comments(
    sqlite_db: Database,
) -> None:
    """Anonymous readers get the whole page from the page cache; a signed-in reader's page is
    built each time (their name, their comments' buttons, comments posted a moment ago) around
    the article's part, which is the same for everyone and kept as long."""
    from sqlalchemy import update

    from newsweave import accounts, comments
    from newsweave.store.schema import articles, stories

    art_id, _ = pipeline.ingest(
        sqlite_db,
        ArticleIn(url="https://e.example/c", title="Original title", text="Some text here. " * 40,
                  source_name="E"),
    )  # fmt: skip
    user_id = accounts.create_user(sqlite_db, "reader1", "a long enough password")
    token = accounts.start_session(sqlite_db, user_id)
    app = create_app(sqlite_db, "s", page_cache_seconds=60)

    def get(path: str, cookie: str | None = None) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as c:
                headers = {"Cookie": cookie} if cookie else {}
                return await c.get(path, headers=headers)

        return asyncio.run(go())

    first = get(f"/articles/{art_id}")
    assert "set-cookie" in first.headers  # the CSRF cookie, on the fresh answer
    with sqlite_db.begin() as conn:
        conn.execute(update(articles).values(title="Changed title"))
    user = accounts.user_for_session(sqlite_db, token)
    assert user is not None
    comments.post(sqlite_db, user, "A comment posted just now", article_id=art_id)
    cached = get(f"/articles/{art_id}")
    assert "Original title" in cached.text
    assert "A comment posted just now" not in cached.text
    assert "set-cookie" not in cached.headers  # nobody gets another browser's cookie
    mine = get(f"/articles/{art_id}", cookie=f"nw_session={token}")
    assert "A comment posted just now" in mine.text
    assert "reader1" in mine.text
    assert "Original title" in mine.text  # the shared part lives as long as the page cache
    assert get("/articles/999999").status_code == 404
    assert get("/articles/999999").status_code == 404  # errors are not kept
    uncached_app = create_app(sqlite_db, "s", page_cache_seconds=0)
    app = uncached_app
    assert "Changed title" in get(f"/articles/{art_id}").text
    assert "Changed title" in get(f"/articles/{art_id}", cookie=f"nw_session={token}").text
    # The index pages are kept too: a story retitled meanwhile shows on none of them yet.
    app = create_app(sqlite_db, "s", page_cache_seconds=60)
    for index in ("/stories", "/sources", "/tags", "/blindspots"):
        assert get(index).text == get(index).text
    assert "Original title" in get("/stories").text  # the story's title, from its article
    with sqlite_db.begin() as conn:
        conn.execute(update(stories).values(title="Retitled story"))
    assert "Retitled story" not in get("/stories").text
    assert "Retitled story" in get("/stories", cookie=f"nw_session={token}").text


def test_every_page_carries_the_security_headers(sqlite_db: Database) -> None:
    fetch = _client_get(sqlite_db)
    for path in ["/", "/login", "/register", "/articles/424242", "/api/articles", "/healthz"]:
        r = fetch(path)
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp, path
        assert "script-src 'self'" in csp, path
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], path
    page = fetch("/login").text
    assert "<script>" not in page  # no inline script for the policy to refuse
    js = fetch("/assets/local-time.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert "toLocaleString" in js.text


def test_a_filter_that_matches_nothing_says_so(sqlite_db: Database) -> None:
    _load(sqlite_db)
    get = _client_get(sqlite_db)
    page = get("/?country=ZZ").text
    assert "Nothing matches country “ZZ”" in page
    assert "No articles yet" not in page  # the site is not empty; the filter is too narrow
    assert '<a href="/">Show everything</a>' in page


def test_russian_and_chinese_articles_show_their_names_and_tag_pages(sqlite_db: Database) -> None:
    """Issue 11: an article in Russian or Chinese carries its entities and hashtags (their own
    models: enrich.russian, enrich.chinese) on its page and in the API, and each tag's page
    answers at its address in its own script."""
    from urllib.parse import quote

    from tests.test_enrich import RUSSIAN

    zh = (
        "中国国家主席习近平周三在北京人民大会堂会见了美国国务卿布林肯。习近平表示，中美两国应当"
        "加强对话。布林肯说，美国愿意与中国加强沟通。外交部发言人汪文斌介绍了会见情况。"
    ) * 2
    for i, (title, text) in enumerate(
        [("Путин обсудил с Набиуллиной инфляцию", RUSSIAN), ("习近平会见布林肯", zh)]
    ):
        art = ArticleIn(
            url=f"https://world.example/{i}",
            title=title,
            text=text,
            source_name="World Wire",
            published=datetime(2026, 12, 1, tzinfo=UTC),
        )
        pipeline.ingest(sqlite_db, art)
    get = _client_get(sqlite_db)
    with sqlite_db.connect() as conn:
        ids = dict(conn.execute(select(articles.c.language, articles.c.id)).all())
    ru = get(f"/api/articles/{ids['ru']}").json()
    assert {"label": "Эльвира Набиуллина", "kind": "person"}.items() <= next(
        t for t in ru["hashtags"] if t["label"] == "Эльвира Набиуллина"
    ).items()
    assert {"text": "Москва", "type": "place", "count": 1} in ru["entities"]
    page = get(f"/articles/{ids['ru']}").text
    assert "#ВладимирПутин" in page
    assert "#习近平" in get(f"/articles/{ids['zh']}").text
    for slug in ("владимир-путин", "习近平"):
        r = get("/tags/" + quote(slug))
        assert r.status_code == 200, slug
        assert ("Путин" if slug.startswith("в") else "习近平") in r.text


def test_source_and_tag_pages_link_their_feeds_without_stray_separators(
    sqlite_db: Database,
) -> None:
    import re

    _load(sqlite_db)
    get = _client_get(sqlite_db)
    with sqlite_db.connect() as conn:
        sid = conn.execute(sources.select().limit(1)).first().id  # type: ignore[union-attr]
        conn.execute(update(sources).values(country=None, ownership=None, kind=None))
        conn.execute(update(sources).values(language=None, homepage=None))
        conn.commit()
    page = get(f"/sources/{sid}").text
    meta = re.search(r'<p class="meta">(.*?)</p>', page, re.S)
    assert meta is not None
    assert meta.group(1).startswith("<a href=")  # was " · Atom · JSON Feed"
    assert f'href="/sources/{sid}/feed.atom"' in page
    items = get("/api/tags").json()["items"]
    slug = items[0]["slug"]
    assert f'href="/tags/{slug}/feed.atom"' in get(f"/tags/{slug}").text
    org = next(t["slug"] for t in items if t["kind"] == "org")  # a reader's word, not a code
    assert " · organisation · " in get(f"/tags/{org}").text
    assert " · organisation · " in get("/tags").text


def test_an_article_without_a_date_is_latest_by_when_it_was_first_seen(db: Database) -> None:
    """The seed page's main article has no date: it was missing from the front page's Latest
    (ordered by publication date, undated last) while the feeds and the API listed it first."""
    body = "The council met on Monday and approved the plan for the harbour. " * 10
    dated, _ = pipeline.ingest(
        db,
        ArticleIn(url="https://e.example/dated", title="Harbour plan approved", text=body,
                  source_name="E", published=datetime.now(UTC) - timedelta(days=2)),
    )  # fmt: skip
    undated, _ = pipeline.ingest(
        db,
        ArticleIn(url="https://e.example/undated", title="Why the harbour plan matters",
                  text="Shipping firms say the new berths will double trade by 2030. " * 10,
                  source_name="E"),
    )  # fmt: skip
    app = create_app(db, page_cache_seconds=0)

    async def get(path: str) -> str:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as client:
            return (await client.get(path)).text

    home = asyncio.run(get("/"))
    latest = home[home.index("Latest") :]
    assert latest.index("Why the harbour plan matters") < latest.index("Harbour plan approved")
    assert "just now" in latest or "a minute ago" in latest or "minutes ago" in latest
    page = asyncio.run(get(f"/articles/{undated}"))
    assert "first seen <time" in page
    assert "first seen" not in asyncio.run(get(f"/articles/{dated}"))


def test_indexes_of_stories_tags_and_sources(db: Database) -> None:
    """/tags and /sources answered raw JSON 404s: there were no index pages."""
    ids = _load(db)
    app = create_app(db, page_cache_seconds=0)

    async def get(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as client:
            return await client.get(path)

    tags = asyncio.run(get("/tags"))
    assert tags.status_code == 200
    assert tags.headers["content-type"].startswith("text/html")
    assert 'href="/tags/rapid-support-forces"' in tags.text
    sources = asyncio.run(get("/sources")).text
    assert "<th>Country</th>" in sources
    with db.connect() as conn:
        source_id = conn.execute(
            select(articles.c.source_id).where(articles.c.id == ids["a1"])
        ).scalar_one()
    assert f'href="/sources/{source_id}"' in sources
    stories = asyncio.run(get("/stories")).text
    assert stories.count('href="/stories/') >= 4  # the fixtures' four events
    home = asyncio.run(get("/")).text
    for index in ("/stories", "/tags", "/sources"):
        assert f'<a href="{index}">' in home  # in the site's header
