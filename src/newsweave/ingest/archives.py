"""Archives in: HTML files, WARC, JSONL and scraped text dumps.

`read_archive` yields, for each item of a file, either an ArticleIn or an ArchiveItemError saying
what was wrong and where: errors are data here, so one bad line or record never stops a batch.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsweave.errors import ArchiveItemError, ExtractionError, NewsweaveError, ParseError
from newsweave.ingest.dump import parse_dump
from newsweave.ingest.extract import as_article, extract
from newsweave.ingest.feeds import parse_date
from newsweave.model import ArticleIn
from newsweave.sanitize import looks_binary

__all__ = ["MAX_FILE_BYTES", "archive_kind", "read_archive"]

#: HTML and dump files past this are not articles (a 200 MB "page" is an attack or a mistake).
#: WARC and JSONL are streamed, so they have no cap.
MAX_FILE_BYTES = 20_000_000
_HTML_TYPES = ("text/html", "application/xhtml+xml")

Item = ArticleIn | ArchiveItemError


def archive_kind(path: Path) -> str:
    """warc, jsonl, html or dump, from the name and, failing that, the first bytes."""
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
        return "warc"
    if name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
        return "jsonl"
    if name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if name.endswith(".txt"):
        return "dump"
    with path.open("rb") as f:
        head = f.read(512).lstrip().lower()
    if head.startswith(b"warc/"):
        return "warc"
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "dump"


def read_archive(
    path: Path, fetched_at: datetime | None = None, source_name: str | None = None
) -> Iterator[Item]:
    """Every article of one archive file, or the error that stopped each item."""
    try:
        kind = archive_kind(path)
        when = fetched_at or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        yield ArchiveItemError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    readers = {"warc": _read_warc, "jsonl": _read_jsonl, "html": _read_html, "dump": _read_dump}
    try:
        yield from readers[kind](path, when, source_name)
    except OSError as exc:
        yield ArchiveItemError(str(path), f"cannot read: {exc.strerror or exc}")


def _read_small(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ArchiveItemError(
            str(path), f"file of {size:,} bytes is over the {MAX_FILE_BYTES:,} cap"
        )
    if size == 0:
        raise ArchiveItemError(str(path), "the file is empty")
    return path.read_bytes()


def _read_html(path: Path, when: datetime, source_name: str | None) -> Iterator[Item]:
    try:
        yield as_article(extract(_read_small(path)), None, when, source_name)
    except ArchiveItemError as exc:
        yield exc
    except ExtractionError as exc:
        yield ArchiveItemError(str(path), str(exc))


def _read_dump(path: Path, when: datetime, source_name: str | None) -> Iterator[Item]:
    try:
        data = _read_small(path)
        if looks_binary(data):
            raise ArchiveItemError(str(path), "binary data, neither HTML nor UTF-8 text")
        yield from parse_dump(data.decode("utf-8", "replace"), when, source_name)
    except ArchiveItemError as exc:
        yield exc
    except ParseError as exc:
        yield ArchiveItemError(str(path), str(exc))


def _read_jsonl(path: Path, when: datetime, source_name: str | None) -> Iterator[Item]:
    with path.open("rb") as raw_file:
        packed = raw_file.read(2) == b"\x1f\x8b"  # gzip's magic number
    n = 0
    with gzip.open(path, "rb") if packed else path.open("rb") as f:
        try:
            for n, raw in enumerate(f, start=1):
                if not raw.strip():
                    continue
                try:
                    yield _jsonl_article(raw, when, source_name)
                except ArchiveItemError as exc:
                    yield ArchiveItemError(f"{path}:{n}", exc.message)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            # A download cut short: the lines before were read, the rest is lost.
            yield ArchiveItemError(
                str(path), f"the gzip file is truncated or damaged after line {n} ({exc})"
            )


def _jsonl_article(raw: bytes, when: datetime, source_name: str | None) -> ArticleIn:
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArchiveItemError("line", f"not JSON ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(obj, dict):
        raise ArchiveItemError("line", "a JSON value that is not an object")
    text = obj.get("text") or obj.get("content") or obj.get("body")
    if not isinstance(text, str) or not text.strip():
        raise ArchiveItemError("line", "no 'text' field")
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    published = obj.get("published") or obj.get("date")
    return ArticleIn(
        url=url,
        title=obj.get("title") if isinstance(obj.get("title"), str) else None,
        text=text.strip(),
        source_name=str(obj["source"]) if obj.get("source") else source_name,
        byline=obj.get("byline") or obj.get("author") or None,
        published=parse_date(str(published)) if published else None,
        language=obj.get("language") or None,
        image=obj.get("image") or None,
        description=obj.get("description") or None,
        section=_first_str(obj, "section", "genre", "category"),
        fetched_at=when,
        source_labels=_source_labels(obj),
    )


# Where an archive line says what its outlet is: AllSides' `stance` (left, center, right),
# other dumps' `lean` or `bias`, and `source_*` fields for the rest.
_LABEL_FIELDS = {
    "lean": ("source_lean", "lean", "stance", "bias"),
    "country": ("source_country",),
    "ownership": ("source_ownership",),
    "kind": ("source_kind",),
}


def _source_labels(obj: dict[str, object]) -> dict[str, str]:
    found = {label: _first_str(obj, *keys) for label, keys in _LABEL_FIELDS.items()}
    return {k: v[:64] for k, v in found.items() if v}


def _first_str(obj: dict[str, object], *keys: str) -> str | None:
    """The first of `keys` that holds a non-empty string (a list of strings is joined)."""
    for key in keys:
        v = obj.get(key)
        if isinstance(v, list):
            v = ", ".join(x for x in v if isinstance(x, str))
        if isinstance(v, str) and v.strip():
            return v.strip()[:200]
    return None


def _read_warc(path: Path, when: datetime, source_name: str | None) -> Iterator[Item]:
    n = 0
    with path.open("rb") as f:
        try:
            for record in ArchiveIterator(f):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                status = record.http_headers.get_statuscode()
                if status != "200" or not ctype.startswith(_HTML_TYPES):
                    continue
                n += 1
                url = record.rec_headers.get_header("WARC-Target-URI")
                date = parse_date(record.rec_headers.get_header("WARC-Date")) or when
                where = f"{path}#{n} {url}"
                try:
                    body = record.content_stream().read()
                    # warcio hands back a short body for a cut record; the reader's unread
                    # remainder of the declared Content-Length is how to tell.
                    missing = getattr(record.raw_stream, "limit", 0)
                    if missing:
                        yield ArchiveItemError(
                            where, f"truncated record ({missing:,} bytes missing)"
                        )
                        continue
                    yield as_article(extract(body, url), url, date, source_name)
                except (ExtractionError, NewsweaveError) as exc:
                    yield ArchiveItemError(where, str(exc))
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            # A truncated or corrupt record: keep what came before it, report the rest.
            yield ArchiveItemError(f"{path} after record {n}", f"truncated or corrupt WARC: {exc}")
