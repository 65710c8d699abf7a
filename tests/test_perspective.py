"""Outlet perspective (issue 14): lean labels from the operator, OPML and an archive's
`stance`; a story's coverage split as bars; blindspots; the front page's filter value lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
from sqlalchemy import select

from newsweave import perspective, pipeline
from newsweave.ingest.archives import read_archive
from newsweave.ingest.opml import read_opml, write_opml
from newsweave.model import ArticleIn, SourceInfo
from newsweave.store import sources as source_store
from newsweave.store.db import Database
from newsweave.store.schema import articles, sources
from tests.test_cli import nw
from tests.test_discussion import Browser


def test_sides_and_blindspots() -> None:
    assert [perspective.side(v) for v in ("Lean Left", "right", "CENTER", "liberal", None)] == [
        "left",
        "right",
        "center",
        None,
        None,
    ]
    spot = perspective.blindspot({"left": 3, "lean left": 1, "center": 5, None: 2})
    assert spot is not None
    assert (spot.covered_by, spot.missing, spot.sided) == ("left", "right", 4)
    assert perspective.blindspot({"left": 3, "right": 1}) is None  # 75%: both sides covered it
    assert perspective.blindspot({"left": 2}) is None  # two articles are no pattern
    assert perspective.blindspot({"right": 4, "center": 9})  # the centre counts for no side


def test_an_archive_stance_labels_its_outlet_and_never_overwrites_the_operator(
    tmp_path: Path, sqlite_db: Database
) -> None:
    body = "The senate passed the bill after a long night of debate. " * 12
    lines = [
        {"title": "Bill passes", "text": body, "source": "Left Daily", "stance": "left"},
        {"title": "Votes", "text": body + " More.", "source": "Right Post", "stance": "right"},
        {"title": "Vote", "text": body + " Again.", "source": "Operator Desk", "stance": "left"},
    ]  # fmt: skip
    file = tmp_path / "allsides.jsonl"
    file.write_text("\n".join(json.dumps(x) for x in lines))
    with sqlite_db.begin() as conn:
        source_store.add_source(conn, SourceInfo(name="Operator Desk", lean="center"))
    for item in read_archive(file, datetime.now(UTC)):
        assert isinstance(item, ArticleIn)
        pipeline.ingest(sqlite_db, item, enrich_now=False)
    with sqlite_db.connect() as conn:
        leans = dict(conn.execute(select(sources.c.name, sources.c.lean)).all())
    assert leans == {"Left Daily": "left", "Right Post": "right", "Operator Desk": "center"}


def test_opml_and_the_cli_carry_lean(tmp_path: Path) -> None:
    doc = write_opml([SourceInfo(name="W", feed_url="https://w.example/feed", lean="lean right")])
    (src,) = read_opml(doc)
    assert src.lean == "lean right"
    opml = tmp_path / "in.opml"
    opml.write_bytes(doc)
    nw(tmp_path, "sources", "import-opml", str(opml))
    out = nw(tmp_path, "sources", "label", "W", "--country", "US").stdout
    assert "lean: lean right" in out
    assert "country: US" in out
    assert "lean: -" in nw(tmp_path, "sources", "label", "1", "--lean", "").stdout  # cleared
    missing = nw(tmp_path, "sources", "label", "Nobody", "--lean", "left", ok=False)
    assert missing.returncode != 0
    assert "no source named 'Nobody'" in missing.stderr


def test_story_bars_blindspots_and_filter_lists(
    events_db: tuple[Database, dict[str, int]],
) -> None:
    sqlite_db, ids = events_db
    with sqlite_db.begin() as conn:
        by_name = dict(conn.execute(select(sources.c.name, sources.c.id)).all())
        for name in ("Wire One", "Daily Courier", "Iberia Times"):
            source_store.set_labels(conn, by_name[name], {"lean": "left", "country": "ES"})
        source_store.set_labels(conn, by_name["Market Ledger"], {"lean": "right"})
        floods = conn.execute(select(articles.c.story_id).where(articles.c.id == ids["a1"]))
        floods_id = int(floods.scalar_one())
        ecb = conn.execute(select(articles.c.story_id).where(articles.c.id == ids["b2"]))
        ecb_id = int(ecb.scalar_one())
    b = Browser(sqlite_db)
    page = lxml.html.fromstring(b.get(f"/stories/{floods_id}").text)
    (bar,) = page.xpath("//div[@class='bar' and starts-with(@aria-label, 'Lean')]")
    assert bar.get("aria-label") == "Lean: left 3"
    assert "Blindspot:" in page.text_content()
    page = lxml.html.fromstring(b.get(f"/stories/{ecb_id}").text)
    (bar,) = page.xpath("//div[@class='bar' and starts-with(@aria-label, 'Lean')]")
    assert bar.get("aria-label") == "Lean: left 2, right 1"
    assert "Blindspot:" not in page.text_content()

    blind = lxml.html.fromstring(b.get("/blindspots").text)
    left = blind.xpath("//h2[.='Covered mostly by the left']/following-sibling::ul[1]//li/a")
    assert [a.get("href") for a in left] == [f"/stories/{floods_id}"]
    assert "None: every story" in blind.text_content()  # nothing covered mostly by the right

    front = lxml.html.fromstring(b.get("/").text)
    options = front.xpath("//select[@name='lean']/option/text()")
    assert options == ["any", "left", "right"]
    assert front.xpath("//select[@name='language']/option/text()") == ["any", "en"]
    narrowed = b.get("/?lean=right").text
    assert "Lagarde signals caution" in narrowed
    assert "Spain mourns" not in narrowed
