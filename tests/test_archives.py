"""Archives in: HTML files, WARC (with a truncated record), JSONL (with bad lines), dumps."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsweave.errors import ArchiveItemError
from newsweave.ingest import archives
from newsweave.ingest.archives import read_archive
from newsweave.model import ArticleIn

PAGES = Path(__file__).parent / "fixtures" / "pages"
WHEN = datetime(2025, 8, 14, 12, 0, tzinfo=UTC)


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes().replace(b"{base}", b"https://fixture.example")


def split(items: list[ArticleIn | ArchiveItemError]) -> tuple[list[ArticleIn], list[str]]:
    ok = [i for i in items if isinstance(i, ArticleIn)]
    bad = [str(i) for i in items if isinstance(i, ArchiveItemError)]
    return ok, bad


def write_warc(path: Path, pages: list[tuple[str, bytes, str]]) -> None:
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, body, ctype in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
            record.raw_stream.close()  # warcio spools the payload to a temp file it never closes


def test_html_file(tmp_path: Path) -> None:
    file = tmp_path / "summit.html"
    file.write_bytes(page("summit-talks.html"))
    (art,), bad = split(list(read_archive(file, WHEN)))
    assert not bad
    assert art.title == "Leaders prepare for Alaska summit as talks loom"
    assert art.url == "https://fixture.example/pages/summit-talks.html"  # the canonical link
    assert art.byline == "Anna Petrova"
    assert "Most read" not in art.text


def test_warc_records_and_a_truncated_tail(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(
        warc,
        [
            ("https://fixture.example/a", page("summit-talks.html"), "text/html"),
            ("https://fixture.example/style.css", b"body{}", "text/css"),
            ("https://fixture.example/b", page("sudan-council.html"), "text/html; charset=utf-8"),
            ("https://fixture.example/nav", page("navigation-only.html"), "text/html"),
            ("https://fixture.example/c", page("markets-rally.html"), "text/html"),
        ],
    )
    ok, bad = split(list(read_archive(warc, WHEN)))
    assert [a.title for a in ok][:2] == [
        "Leaders prepare for Alaska summit as talks loom",
        "UN Security Council rejects parallel government in Sudan",
    ]
    assert len(ok) == 3
    assert len(bad) == 1
    assert "no article text" in bad[0]

    data = warc.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[:-200])  # inside the last record's gzip member
    ok_cut, bad_cut = split(list(read_archive(cut, WHEN)))
    assert len(ok_cut) == 2
    assert any("truncated" in b for b in bad_cut)


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"url": "https://x.example/1", "title": "One", "text": "Body one. " * 30,
                    "published": "2025-08-10T08:00:00Z", "source": "Wire"}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"title": "No text"}),
        "",
        json.dumps({"title": "Two", "text": "Body two. " * 30}),
    ]  # fmt: skip
    file = tmp_path / "dump.jsonl"
    file.write_text("\n".join(lines))
    ok, bad = split(list(read_archive(file, WHEN, source_name="Fallback")))
    assert [a.title for a in ok] == ["One", "Two"]
    assert ok[0].source_name == "Wire"
    assert ok[1].source_name == "Fallback"
    assert ok[0].published == datetime(2025, 8, 10, 8, tzinfo=UTC)
    assert len(bad) == 3
    assert bad[0].startswith(f"{file}:2: not JSON")
    assert "not an object" in bad[1]
    assert "no 'text' field" in bad[2]


def test_empty_garbage_and_oversized_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(bytes(range(256)) * 100)
    big = tmp_path / "big.html"
    big.write_bytes(b"<html>" + b"x" * 2_000)
    assert "empty" in split(list(read_archive(empty)))[1][0]
    assert split(list(read_archive(garbage)))[1]
    monkeypatch.setattr(archives, "MAX_FILE_BYTES", 1_000)
    assert "over the 1,000 cap" in split(list(read_archive(big)))[1][0]


def test_gzipped_jsonl_is_not_mistaken(tmp_path: Path) -> None:
    file = tmp_path / "x.bin"
    file.write_bytes(gzip.compress(b"hello"))
    assert archives.archive_kind(file) == "dump"


def test_binary_files_are_refused_not_imported(tmp_path: Path) -> None:
    noise = tmp_path / "g.bin"
    noise.write_bytes(bytes(range(256)) * 400)  # NULs, controls, invalid UTF-8
    png = tmp_path / "picture"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    for path in (noise, png):
        ok, bad = split(list(read_archive(path, WHEN)))
        assert ok == []
        assert "binary data" in bad[0]


def test_gzipped_jsonl_is_read_and_a_truncated_one_says_so(tmp_path: Path) -> None:
    lines = b"".join(
        json.dumps({"title": f"Story {i}", "text": f"Story number {i} in words. " * 12}).encode()
        + b"\n"
        for i in range(200)
    )
    whole = tmp_path / "items.jsonl.gz"
    whole.write_bytes(gzip.compress(lines))
    ok, bad = split(list(read_archive(whole, WHEN)))
    assert (len(ok), bad) == (200, [])
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(lines)[:-400])
    ok, bad = split(list(read_archive(cut, WHEN)))
    assert 0 < len(ok) < 200  # what came before the cut is kept
    assert len(bad) == 1
    assert "gzip file is truncated or damaged" in bad[0]
    assert "UnicodeDecodeError" not in bad[0]


def test_a_page_or_a_line_keeps_the_section_its_publisher_gives(tmp_path: Path) -> None:
    from newsweave.ingest.extract import extract

    body = "<p>" + "The council voted on the budget after weeks of talks, officials said. " * 8
    typed = (
        '<html><head><title>Stop pretending</title><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "OpinionNewsArticle", "headline": "Stop"}'
        f"</script></head><body><article><h1>Stop pretending</h1>{body}</p></article></body></html>"
    )
    assert extract(typed, "https://p.example/a").section == "OpinionNewsArticle"
    sectioned = typed.replace("OpinionNewsArticle", "NewsArticle").replace(
        "<title>", '<meta property="article:section" content="Analysis"><title>'
    )
    assert extract(sectioned, "https://p.example/b").section == "Analysis"
    plain = typed.replace("OpinionNewsArticle", "NewsArticle")
    assert extract(plain, "https://p.example/c").section is None
    lines = tmp_path / "a.jsonl"
    rows = [
        {"title": "A", "text": "One two three. " * 20, "section": "Opinion"},
        {"title": "B", "text": "Four five six. " * 20, "category": ["Politics", "Analysis"]},
        {"title": "C", "text": "Seven eight. " * 20},
    ]
    lines.write_text("\n".join(json.dumps(r) for r in rows))
    got = [a.section for a in read_archive(lines) if isinstance(a, ArticleIn)]
    assert got == ["Opinion", "Politics, Analysis", None]
