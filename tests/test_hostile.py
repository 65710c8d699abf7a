"""The hostile corpus (tests/fixtures/hostile, its make_corpus.py says what is in it) collected
and imported on both databases: every item ends stored, or as a clear, counted error, and none
stops its batch.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from newsweave.model import SourceInfo
from newsweave.store.db import open_database
from newsweave.store.schema import articles, sources
from newsweave.store.sources import add_source
from tests.fixture_server import FIXTURES, FixtureServer
from tests.test_cli import env_for

sys.path.insert(0, str(FIXTURES / "hostile"))
import make_corpus

pytestmark = pytest.mark.slow
HOSTILE = FIXTURES / "hostile"

# Servers that misbehave, and a word the source's error must hold. The bomb inflates to 10 MB,
# exactly the size cap, so it is read whole and found to be no feed; a bigger one hits the cap
# (tests/test_fetch.py).
MISBEHAVING = {
    "bomb": ("bomb", "not a feed"),
    "drip": ("drip", "within"),
    "endless": ("huge", "cap"),
    "declared-huge": ("declared-huge", "cap"),
    "garbage": ("garbage", "not a feed"),
    "empty": ("empty", "empty"),
    "server-error": ("status/500", "500"),
    "gone-missing": ("status/404", "404"),
    "redirect-loop": ("loop", "redirect"),
}


def _cli(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = env_for(tmp_path)
    env.update(NEWSWEAVE_DATABASE_URL=db_url, NEWSWEAVE_WORKERS="1", NEWSWEAVE_TOTAL_TIMEOUT="4")
    return subprocess.run(
        [sys.executable, "-m", "newsweave", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _read(db_url: str) -> tuple[list[dict[str, object]], dict[str, dict[str, object]]]:
    db = open_database(db_url)
    try:
        with db.connect() as conn:
            arts = [
                dict(r._mapping)
                for r in conn.execute(
                    select(
                        articles.c.title,
                        articles.c.text,
                        articles.c.state,
                        sources.c.name.label("source"),
                    ).join(sources, sources.c.id == articles.c.source_id)
                )
            ]
            srcs = {
                r.name: dict(r._mapping)
                for r in conn.execute(
                    select(
                        sources.c.name,
                        sources.c.last_error,
                        sources.c.last_warning,
                        sources.c.error_count,
                    )
                )
            }
    finally:
        db.dispose()
    return arts, srcs


def test_hostile_feeds_and_servers(db_url: str, tmp_path: Path, server: FixtureServer) -> None:
    feeds = sorted((HOSTILE / "feeds").glob("*.xml"))
    db = open_database(db_url)
    with db.begin() as conn:  # added as the store would keep them: a feed can turn bad later
        for f in feeds:
            add_source(
                conn, SourceInfo(name=f.stem, feed_url=server.url(f"hostile/feeds/{f.name}"))
            )
        for name, (path, _) in MISBEHAVING.items():
            add_source(conn, SourceInfo(name=name, feed_url=server.url(path)))
    db.dispose()

    done = _cli(db_url, tmp_path, "fetch")
    # the misbehaving servers failed and the rest was kept: scripts are told with the status
    assert done.returncode == 1, done.stderr
    polled = f"polled {len(feeds) + len(MISBEHAVING)} sources"
    assert polled in done.stdout, done.stdout
    arts, srcs = _read(db_url)
    titles = {(a["source"], a["title"]) for a in arts}

    for enc, (_name, heads, _) in make_corpus.ENCODINGS.items():  # thirteen code pages
        for head in heads:
            assert (f"enc-{enc}", head) in titles, (enc, sorted(t for s, t in titles if enc in s))
        assert srcs[f"enc-{enc}"]["error_count"] == 0
    assert {t for s, t in titles if s == "ill-formed"} >= {
        "Ill-formed feed story 0",
        "Ill-formed feed story 1",
    }
    assert "malformed" in str(srcs["ill-formed"]["last_warning"])
    assert any("Café owners" in str(t) for s, t in titles if s == "html-entities")
    for a in arts:
        title, text = str(a["title"]), str(a["text"])
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in title + text), title
        assert "root:" not in text
        assert "root:" not in title
        assert len(title) < 300  # no entity was expanded a billion times
        assert a["state"] == "enriched", a
    assert not any(s == "no-items" for s, _ in titles)
    assert srcs["no-items"]["error_count"] == 0
    for name, (_, word) in MISBEHAVING.items():
        src = srcs[name]
        assert src["error_count"], (name, src)
        assert word in str(src["last_error"]).lower(), (name, src)
        assert f"{name}" in done.stderr or str(src["last_error"]) in done.stderr


def test_hostile_archives(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "archives"
    folder.mkdir()
    for f in (HOSTILE / "archives").iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    make_corpus.huge_line(folder / "huge-line.jsonl")

    done = _cli(db_url, tmp_path, "import", str(folder))
    assert done.returncode == 1, done.stdout + done.stderr  # some items failed: say so
    out = done.stdout
    assert "imported 17, updated 0, skipped as duplicate 0, failed 4" in out, out
    for file, why in (
        ("garbage.bin", "binary data"),
        ("nul-and-controls.jsonl:5", "not JSON"),
        ("nul-and-controls.jsonl", "no text"),
        ("truncated.jsonl.gz", "truncated or damaged after line"),
    ):
        assert any(file in line and why in line for line in out.splitlines()), (file, out)
    arts, _ = _read(db_url)
    titles = {str(a["title"]) for a in arts}
    assert {"Clean line", "NUL in title", "Controls", "Page with NULs", "A 4 MB article"} <= titles
    assert {f"Zipped {k}" for k in range(12)} <= titles  # the lines before the damage
    for a in arts:
        assert "\x00" not in str(a["text"])
        assert "\x1b" not in str(a["text"])
        assert a["state"] == "enriched"
    assert (folder / "empty.jsonl").stat().st_size == 0  # read, and nothing to say about it
