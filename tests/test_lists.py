"""The site's lists page and group as a reader expects (issue 14's defects): Latest groups a
story's articles and has an "Older" link; the indexes of stories, hashtags and sources page."""

from __future__ import annotations

import re

import lxml.html
import pytest

from newsweave.store.db import Database
from newsweave.web.pages import home, topics
from tests.test_discussion import Browser


def _latest(html: str) -> list[tuple[str, str]]:
    """(title, "+N more" or "") of each line of Latest."""
    doc = lxml.html.fromstring(html)
    heading = doc.xpath("//h2[.='Latest'] | //h1[contains(., 'news')]")[0]
    lines = heading.xpath("following-sibling::ul[1]/li")
    out = []
    for li in lines:
        more = li.xpath(".//a[contains(., 'more on this story')]")
        out.append((li.xpath("./a")[0].text_content(), more[0].text_content() if more else ""))
    return out


def _walk(b: Browser, start: str, link_text: str) -> list[str]:
    """Every page's HTML from `start`, following the link named `link_text`."""
    pages, url = [], start
    while url:
        html = b.get(url).text
        pages.append(html)
        found = lxml.html.fromstring(html).xpath(f"//a[@rel='next' and .='{link_text}']/@href")
        url = found[0] if found else ""
        assert len(pages) < 50
    return pages


def test_latest_groups_stories_and_pages_older(
    events_db: tuple[Database, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_db, ids = events_db
    b = Browser(sqlite_db)
    lines = _latest(b.get("/").text)
    titles = [t for t, _ in lines]
    assert len(titles) == len(set(titles))
    # The floods story's three articles are one line, its newest, with "+2 more".
    floods = [(t, m) for t, m in lines if "Valencia" in t or "Spain mourns" in t]
    assert floods == [("Valencia floods: anger grows over late warnings", "+2 more on this story")]
    assert len(lines) < len(ids) - 1  # fewer lines than articles (the copy is never listed)

    monkeypatch.setattr(home, "PER_PAGE", 4)
    pages = _walk(b, "/?page-size=4", "Older")  # another address than the cached "/"
    assert len(pages) >= 3
    seen = [t for p in pages for t, _ in _latest(p)]
    assert len(seen) == len(set(seen)), "a page repeats an article"
    assert "Older news" in pages[1]
    assert "Top stories" not in pages[1]
    assert b.get("/?before=garbage").status_code == 400


def test_indexes_page(
    events_db: tuple[Database, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_db, _ = events_db
    b = Browser(sqlite_db)
    monkeypatch.setattr(topics, "STORIES_PER_PAGE", 2)
    monkeypatch.setattr(topics, "TAGS_PER_PAGE", 10)
    monkeypatch.setattr(topics, "SOURCES_PER_PAGE", 3)

    def items(pages: list[str], xpath: str) -> list[str]:
        return [a for p in pages for a in lxml.html.fromstring(p).xpath(xpath)]

    stories = items(_walk(b, "/stories", "Older stories"), "//ul[@class='index']/li/a/@href")
    assert len(stories) == len(set(stories)) >= 4
    tags = items(_walk(b, "/tags", "More"), "//ul[@class='index']/li/a/@href")
    assert len(tags) == len(set(tags)) > 10
    sources = items(_walk(b, "/sources", "More"), "//tbody/tr/td[1]/a/text()")
    assert sources == sorted(sources, key=str.lower)
    assert len(sources) == len(set(sources)) > 3
    assert b.get("/tags?page=0").status_code == 400
    assert re.search("whole number", b.get("/sources?page=x").text)


def test_index_counts_are_what_they_say_on_both_databases(db: Database) -> None:
    """The index pages count off indexes (store.views: 19 s and 108 s at a million before):
    per hashtag every article it tags, per source its readable originals only (not a copy,
    not a failed or deleted one), every source listed, with none."""
    from sqlalchemy import func, select, update

    from newsweave import pipeline
    from newsweave.model import ArticleIn, ArticleState, SourceInfo
    from newsweave.store import sources as source_store
    from newsweave.store.schema import article_tags, articles, tags
    from newsweave.store.views import source_list, tag_list

    def add(n: int, source: str) -> int:
        art = ArticleIn(url=f"https://c.example/{n}", title=f"Counted {n}",
                        text=f"Article number {n} of the counting test. " * 12,
                        source_name=source, language="en")  # fmt: skip
        return pipeline.ingest(db, art, enrich_now=False)[0]

    a = [add(i, "Desk A") for i in range(5)]
    b = [add(i, "Desk B") for i in range(5, 8)]
    with db.begin() as conn:
        source_store.add_source(conn, SourceInfo(name="Desk C", feed_url="https://c.example/f"))
        conn.execute(
            update(articles).where(articles.c.id == a[0]).values(state=ArticleState.FAILED)
        )
        conn.execute(update(articles).where(articles.c.id == a[1]).values(state=ArticleState.GONE))
        conn.execute(update(articles).where(articles.c.id == a[2]).values(duplicate_of=b[0]))
        made = conn.execute(
            tags.insert().returning(tags.c.id, sort_by_parameter_order=True),
            [{"slug": s, "label": s.title(), "display": f"#{s.title()}", "kind": "topic"}
             for s in ("counting", "test")],
        )  # fmt: skip
        big, small = made.scalars().all()
        rows = [{"article_id": i, "tag_id": big} for i in a + b]
        conn.execute(article_tags.insert(), [*rows, {"article_id": b[1], "tag_id": small}])
    with db.connect() as conn:
        counts = {s.name: s.articles for s in source_list(conn)}
        listed = [(t.slug, t.articles) for t in tag_list(conn, limit=10)]
        expected = dict(
            conn.execute(
                select(tags.c.slug, func.count())
                .join(article_tags, article_tags.c.tag_id == tags.c.id)
                .group_by(tags.c.slug)
            ).all()
        )
    assert counts == {"Desk A": 2, "Desk B": 3, "Desk C": 0}
    assert listed[:2] == [("counting", 8), ("test", 1)]
    assert dict(listed) == expected


def test_source_counts_follow_every_way_an_article_moves_and_fold_to_a_recount(
    db: Database,
) -> None:
    """The sources index's counts are kept as moves (migration 0023's triggers) folded into
    source_counts: before a fold and after it they are what a count of the readable originals
    says, through a state change, a copy found and its original deleted (the copy readable
    again by the foreign key's SET NULL), an article moved or deleted, and a source deleted
    with its articles; a fold leaves no move behind, and on PostgreSQL two folds at once
    count each move once."""
    import threading

    from sqlalchemy import delete, func, select, update

    from newsweave import jobs, pipeline
    from newsweave.model import VISIBLE_STATES, ArticleIn, ArticleState, SourceInfo
    from newsweave.store import sources as source_store
    from newsweave.store.schema import articles, source_count_moves, sources
    from newsweave.store.views import source_list

    def add(n: int, source: str) -> int:
        art = ArticleIn(url=f"https://m.example/{n}", title=f"Moved {n}",
                        text=f"Article number {n} of the moving test. " * 12,
                        source_name=source, language="en")  # fmt: skip
        return pipeline.ingest(db, art, enrich_now=False)[0]

    def listed() -> dict[str, int]:
        with db.connect() as conn:
            return {s.name: s.articles for s in source_list(conn)}

    def recount() -> dict[str, int]:
        with db.connect() as conn:
            names = dict(conn.execute(select(sources.c.name, sources.c.id)).all())
            counted = dict(
                conn.execute(
                    select(articles.c.source_id, func.count())
                    .where(articles.c.state.in_([str(s) for s in VISIBLE_STATES]))
                    .where(articles.c.duplicate_of.is_(None))
                    .group_by(articles.c.source_id)
                ).all()
            )
        return {name: counted.get(i, 0) for name, i in names.items()}

    def moves() -> int:
        with db.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(source_count_moves)).scalar())

    a = [add(i, "Desk A") for i in range(4)]
    b = [add(i, "Desk B") for i in range(4, 7)]
    assert listed() == recount() == {"Desk A": 4, "Desk B": 3}
    assert moves() == 7
    assert jobs.fold_counts(db) == 7
    assert moves() == 0
    assert listed() == {"Desk A": 4, "Desk B": 3}

    def change(*statements: object) -> None:
        with db.begin() as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[call-overload]

    one = articles.c.id.__eq__
    change(update(articles).where(one(a[1])).values(state=ArticleState.ENRICHED))
    assert moves() == 0  # readable before and after: no move
    change(
        update(articles).where(one(a[0])).values(state=ArticleState.FAILED),
        update(articles).where(one(a[2])).values(duplicate_of=b[0]),
    )
    assert listed() == recount() == {"Desk A": 2, "Desk B": 3}
    change(delete(articles).where(one(b[0])))  # a[2]'s original: a[2] is readable again
    assert listed() == recount() == {"Desk A": 3, "Desk B": 2}
    change(
        update(articles).where(one(a[1])).values(source_id=select(sources.c.id).where(
            sources.c.name == "Desk B").scalar_subquery()),
        update(articles).where(one(a[0])).values(state=ArticleState.EXTRACTED),
        delete(articles).where(one(a[3])),
    )  # fmt: skip
    assert listed() == recount() == {"Desk A": 2, "Desk B": 3}
    jobs.fold_counts(db)
    assert moves() == 0
    assert listed() == recount() == {"Desk A": 2, "Desk B": 3}

    with db.begin() as conn:
        source_store.add_source(conn, SourceInfo(name="Desk C", feed_url="https://m.example/f"))
        source_store.remove_source(conn, source_store.find_source(conn, "Desk B").id)
    assert listed() == recount() == {"Desk A": 2, "Desk C": 0}
    jobs.fold_counts(db)  # Desk B's moves (its articles went with it) are dropped
    assert moves() == 0
    assert listed() == {"Desk A": 2, "Desk C": 0}

    if db.engine.dialect.name != "postgresql":
        return
    # Two folds at once: the second waits on the moves the first took, then skips them.
    add(10, "Desk C")
    first = db.engine.connect()
    trans = first.begin()
    assert source_store.fold_counts(first) == 1  # not committed: its moves stay locked
    add(11, "Desk C")
    second: list[int] = []
    racer = threading.Thread(target=lambda: second.append(jobs.fold_counts(db)))
    racer.start()
    racer.join(0.5)
    assert racer.is_alive()  # waiting on the rows the first fold deleted
    trans.commit()
    first.close()
    racer.join(10)
    assert second == [1]
    assert moves() == 0
    assert listed() == recount() == {"Desk A": 2, "Desk C": 2}
