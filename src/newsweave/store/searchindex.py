"""The search engine beside the database: a tantivy index of the readable originals, one per
machine, that ranks a best-first search's pool.

Why: ranking a pool of 1,000 matches in the database reads each match's words whole. On
PostgreSQL that is 1,000 search vectors of ~6.4 KB out of TOAST (ts_rank_cd: 6.4 of a 15 ms
search at 100,000 articles, bench/README.md session 28) and PostgreSQL's full-text search has
no index that ranks; FTS5's bm25 does the same walk on SQLite. An inverted index that keeps
each term's frequencies in its postings ranks without reading any article: the same pool in
~2 ms in a probe at 100,000 articles (session 28). tantivy is Lucene's design in Rust, shipped
as a manylinux wheel; the database stays the truth: every hit is looked up in it, and one that
is no longer a readable original is dropped, so the index can only be late, never wrong.

How it follows the database: triggers log every article whose entry changes (migration 0021,
`search_changes`); `catch_up` reads the log past the index's mark, looks those articles up and
replaces their entries. One process of a machine writes at a time (an exclusive lock on a file
beside the index; the others only reload what it committed). The index is built from scratch
where it has none, where the site's identity differs (another database at the same address,
or `rebuild_everywhere` asked it of every machine: `reindex --search`), where its format
changed, or where it last read the log longer ago than the log keeps (RETENTION). A search is
answered from it only where it holds every change logged (`fresh`). Until it is built, and
for the searches it cannot answer (a hashtag, an outlet's country, ownership or kind, a
reader's mutes), store/search.py asks the database as before. It answers best first and
newest first (its times are the database's to the microsecond, so the order is the same).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import tantivy
from sqlalchemy import Connection, text

from newsweave.errors import SearchIndexError
from newsweave.model import VISIBLE_STATES
from newsweave.store import accounts
from newsweave.store.db import Database
from newsweave.store.schema import UTCDateTime

__all__ = [
    "RETENTION",
    "Entry",
    "SearchIndex",
    "Where",
    "index_path",
    "keep",
    "rebuild_everywhere",
]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, int], None]  # articles done, of all, failed (cli._counter)

# The index's schema and analyzer; a change builds every index again. 2: times in
# microseconds, not seconds (newest first orders as the database does within a second).
FORMAT = 2
RETENTION = 7 * 86_400  # seconds of change log kept; an index that read it before is rebuilt
_SITE = "search-index-site"  # site_secrets: the identity of what the index was built from
_BATCH = 2_000  # articles read and added at a time while building
_CHANGES = 20_000  # changes applied in one commit
_HEAP = 64_000_000  # the writer's memory before it flushes a segment
_TIES = 20  # hits asked for past the page, to order equal scores at its edge
_EDGE_MARGIN = 3.0  # the newest ids searched first hold this many pools' matches, by estimate
_TITLE_BOOST = 5.0  # a word in the title weighs as five in the text (FTS5's bm25 weights)
_STATES = ", ".join(f"'{s.value}'" for s in VISIBLE_STATES)
_READABLE = f"a.state IN ({_STATES}) AND a.duplicate_of IS NULL"
_ENTRY = (
    "SELECT a.id, a.title, a.text, a.source_id, a.language, "
    "COALESCE(a.published_at, a.first_seen_at) AS at FROM articles a"
)


@contextmanager
def _rust() -> Iterator[None]:
    """tantivy's failures as SearchIndexError: where a Rust assertion or bug panics, pyo3
    raises a PanicException, a BaseException that `except Exception` lets through (a searcher
    asked for no hit panicked, tantivy 0.27)."""
    try:
        yield
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise SearchIndexError(f"tantivy panicked: {exc}") from exc


class Where(NamedTuple):
    """What a search filters on that the index holds: a source, a language, a time from
    (inclusive) and until (exclusive)."""

    source_id: int | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None


_ANYWHERE = Where()


@dataclass(frozen=True, slots=True)
class Entry:
    """What the index holds of an article: what is searched, and what a search filters on."""

    id: int
    title: str
    text: str
    source_id: int
    language: str
    at: int  # microseconds since the epoch: published, else first seen


def index_path(db: Database) -> Path | None:
    """Where this machine keeps the index: beside a SQLite site's file (`X.db.search`); for
    PostgreSQL in the data folder, named for the database's address (`search-<hash>`), as the
    related index's snapshot is (understanding.snapshot_path). None where there is no place."""
    if not db.is_sqlite:
        if db.local_dir is None:
            return None
        where = db.engine.url.render_as_string(hide_password=True)
        return db.local_dir / f"search-{hashlib.sha256(where.encode()).hexdigest()[:16]}"
    name = db.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(f"{name}.search")


def rebuild_everywhere(conn: Connection) -> None:
    """Make every machine's index build itself again from the database (`reindex --search`)."""
    conn.execute(
        text("DELETE FROM site_secrets WHERE name = :name"),
        {"name": _SITE},
    )


def _analyzer() -> tantivy.TextAnalyzer:
    # Words as FTS5's unicode61 + porter and PostgreSQL's english stems find them: split on
    # what is not a letter or digit, lower-cased, accents folded, English stems.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_unsigned_field("id", indexed=True, fast=True)
    b.add_text_field("title", tokenizer_name="nw", index_option="freq")
    b.add_text_field("text", tokenizer_name="nw", index_option="freq")
    b.add_unsigned_field("source", indexed=True)
    b.add_text_field("language", tokenizer_name="raw", index_option="basic")
    b.add_integer_field("at", indexed=True, fast=True)
    return b.build()


@dataclass(frozen=True)
class _State:
    """What the index was built from and how far it has read the change log."""

    format: int
    site: str
    mark: int  # SQLite: the last seq read; PostgreSQL: the oldest xid running when last read
    seq: int  # the highest seq applied (what `fresh` compares the log's newest with)
    at: float  # when the log was last read (time.time())
    seen: frozenset[int] = frozenset()  # PostgreSQL: changes applied the next read reads again

    @classmethod
    def read(cls, path: Path) -> _State | None:
        try:
            raw = json.loads(path.read_text())
            return cls(
                int(raw["format"]), str(raw["site"]), int(raw["mark"]), int(raw["seq"]),
                float(raw["at"]), frozenset(int(i) for i in raw.get("seen", ())),
            )  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        fields = ("format", "site", "mark", "seq", "at")
        raw = {f: getattr(self, f) for f in fields} | {"seen": sorted(self.seen)}
        tmp.write_text(json.dumps(raw))
        tmp.replace(path)


class SearchIndex:
    """One machine's index at `path`. `catch_up` keeps it (a background thread of each web
    process calls it every second or so); `ranked` answers from it once it is built."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.mkdir(parents=True, exist_ok=True)
        self._schema = _schema()
        self._state_file = path / "state.json"
        self._state: _State | None = _State.read(self._state_file)
        self._index: tantivy.Index | None = self._opened()
        self._pruned = 0.0
        self.ready = False  # built for this site: searches may be answered from it
        self.wake = threading.Event()  # set where a search found the index behind
        # (documents, the highest id, the oldest and newest time) as last reloaded: _keep_top
        self._top: tuple[int, int, int, int] = (0, 0, 0, 0)

    def _opened(self) -> tantivy.Index | None:
        """The index on disk where one of this format was built, else None. Only read: another
        process of the machine may be building it, and only the writer makes or clears one."""
        state = _State.read(self._state_file)
        if state is None or state.format != FORMAT or not (self.path / "meta.json").exists():
            return None
        try:
            return _configured(tantivy.Index.open(str(self.path)))
        except (OSError, ValueError):
            return None

    def _made(self) -> tantivy.Index:
        """A new, empty index (the writer's, holding the lock): none was built here, it is of
        another format (a new version of newsweave: every process restarts with it), or it
        cannot be opened."""
        self._index = None
        for f in self.path.iterdir():
            if f.is_file() and f.name != "lock":
                f.unlink()
        return _configured(tantivy.Index(self._schema, path=str(self.path), reuse=False))

    # -- keeping it ------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[bool]:
        """Whether this process may write now: one process of a machine at a time."""
        with open(self.path / "lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def catch_up(self, db: Database, on_progress: Progress | None = None) -> int:
        """Apply what changed since the index last looked (building it where it must be);
        returns how many articles' entries were written. Where another process is writing,
        only takes in what it committed."""
        with _rust(), self._writing() as mine:
            if not mine:
                self._reload(db)
                return 0
            with db.connect() as conn:
                site = _site(conn)
                if site is None:  # the first index of the site, or `rebuild_everywhere`
                    site = accounts.site_secret(conn, _SITE, secrets.token_hex(16))
                    conn.commit()
                state = _State.read(self._state_file)
                index = self._index or self._opened()
                if index is None or state is None or state.format != FORMAT:
                    index = self._made()
                    state = None
                self._index = index
                if state is None or state.site != site or time.time() - state.at > RETENTION:
                    written = self._build(index, conn, site, on_progress)
                else:
                    written = self._apply(index, conn, state)
                self._prune(conn)
            index.reload()
            self._keep_top()
            self._state = _State.read(self._state_file)
            self.ready = self._state is not None and self._state.site == site
            return written

    def _reload(self, db: Database) -> None:
        with db.connect() as conn:
            site = _site(conn)
        self._state = _State.read(self._state_file)
        if self._index is None:
            self._index = self._opened()
        else:
            self._index.reload()
        self._keep_top()
        self.ready = (
            self._index is not None
            and site is not None
            and self._state is not None
            and self._state.format == FORMAT
            and self._state.site == site
        )

    def _build(
        self,
        index: tantivy.Index,
        conn: Connection,
        site: str,
        on_progress: Progress | None = None,
    ) -> int:
        self.ready = False
        # Before the articles are read: what changes later is read again, and what the log
        # holds now is in the articles read (not applied again: _changes).
        mark, seq = _mark(conn), _newest(conn)
        _, _, seen = _changes(conn, mark, frozenset())
        writer = index.writer(_HEAP, 1)
        try:
            writer.delete_all_documents()
            total = 0
            if on_progress is not None:
                total = int(
                    conn.execute(
                        text(f"SELECT count(*) FROM articles a WHERE {_READABLE}")
                    ).scalar_one()
                )
            n = 0
            last = 0
            while True:
                batch = _entries(conn, f"a.id > {last} ORDER BY a.id LIMIT {_BATCH}")
                if not batch:
                    break
                for e in batch:
                    writer.add_document(self._document(e))
                n += len(batch)
                last = batch[-1].id
                if on_progress is not None:
                    on_progress(n, max(total, n), 0)
            writer.commit()
            writer.wait_merging_threads()
        finally:
            del writer  # its directory lock goes with it
        _State(FORMAT, site, mark, seq, time.time(), seen).write(self._state_file)
        return n

    def _apply(self, index: tantivy.Index, conn: Connection, state: _State) -> int:
        seq = _newest(conn)  # before the log is read, as the mark
        mark, ids, seen = _changes(conn, state.mark, state.seen)
        if ids:
            writer = index.writer(_HEAP, 1)
            try:
                for chunk in _chunks(ids, 500):
                    found = {
                        e.id: e for e in _entries(conn, f"a.id IN ({', '.join(map(str, chunk))})")
                    }
                    # By a query: delete_documents_by_term takes a Python int for an i64 term
                    # and deletes nothing from the u64 field (tantivy 0.27).
                    gone = tantivy.Query.term_set_query(self._schema, "id", list(chunk))
                    writer.delete_documents_by_query(gone)
                    for entry in found.values():
                        writer.add_document(self._document(entry))
                writer.commit()
                writer.wait_merging_threads()
            finally:
                del writer
        if ids or mark != state.mark or seq != state.seq or time.time() - state.at > 60:
            seq = mark if conn.dialect.name == "sqlite" else max(seq, state.seq)
            _State(FORMAT, state.site, mark, seq, time.time(), seen).write(self._state_file)
        return len(ids)

    def _prune(self, conn: Connection) -> None:
        """Drop the log older than RETENTION, once an hour (every index that read it since)."""
        now = time.time()
        if now - self._pruned < 3600:
            return
        self._pruned = now
        conn.execute(
            text("DELETE FROM search_changes WHERE at < :before"), {"before": int(now - RETENTION)}
        )
        conn.commit()

    def _document(self, e: Entry) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_unsigned("id", e.id)
        doc.add_text("title", e.title)
        doc.add_text("text", e.text)
        doc.add_unsigned("source", e.source_id)
        doc.add_text("language", e.language)
        doc.add_integer("at", e.at)
        return doc

    def _keep_top(self) -> None:
        """The highest article id in the index and its oldest and newest times, read again
        where its documents changed in number (in the keeper's thread, after a reload). Only
        a hint for where the newest matches lie (_newest_only): a stale one costs time, never
        a wrong answer. Sought from the last ones up (0.1-0.2 ms at a million articles),
        among all documents only where nothing is there (the first time, 16 ms a field)."""
        if self._index is None:
            return
        searcher = self._index.searcher()
        docs = int(searcher.num_docs)
        known, top, oldest, latest = self._top
        if docs == known:
            return

        def edge(field: str, order: tantivy.Order, since: int) -> int:
            for query in (self._since(field, since), tantivy.Query.all_query()):
                found = searcher.search(
                    query, limit=1, count=False, order_by_field=field, order=order
                )
                values = searcher.fast_field_values(field, [addr for _, addr in found.hits])
                if values and values[0] is not None:
                    return int(values[0])
            return 0

        top = edge("id", tantivy.Order.Desc, top)
        latest = edge("at", tantivy.Order.Desc, latest)
        oldest = oldest or edge("at", tantivy.Order.Asc, 0)
        self._top = (docs, top, oldest, latest)

    def _since(self, field: str, value: int) -> tantivy.Query:
        """Documents whose `field` (the id, or the time) is `value` or more."""
        kind = tantivy.FieldType.Unsigned if field == "id" else tantivy.FieldType.Integer
        return tantivy.Query.range_query(self._schema, field, kind, value, None)

    # -- searching -------------------------------------------------------------------------

    def fresh(self, conn: Connection) -> bool:
        """Whether the index holds every change the database logged: a search is answered
        from it only then, so what it finds is what the database would find (an article
        stored a moment ago included); otherwise the database answers, and the keeper is
        woken to catch up. On PostgreSQL a transaction that logged a lower number and
        commits later is not seen here; the next catch-up (within a second) applies it."""
        return self.ready and self.holds(conn.execute(_NEWEST).scalar())

    def holds(self, newest: int | None) -> bool:
        """Whether the index holds the log up to `newest` (its highest seq, read by the
        caller, in the query that reads the hits: store/search.py); if not, the keeper is
        woken to catch up."""
        state = self._state
        if not self.ready or state is None:
            return False
        if int(newest or 0) <= state.seq:
            return True
        self.wake.set()
        return False

    def _words(self, tokens: Iterable[str]) -> tantivy.Query | None:
        """Every token in the title or the text, the title's weighing more."""
        must = []
        for token in tokens:
            title = tantivy.Query.term_query(self._schema, "title", token)
            either = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, tantivy.Query.boost_query(title, _TITLE_BOOST)),
                    (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "text", token)),
                ]
            )
            must.append((tantivy.Occur.Must, either))
        return tantivy.Query.boolean_query(must) if must else None

    def ranked(
        self,
        words: Sequence[str],
        limit: int,
        offset: int,
        pool: int,
        where: Where = _ANYWHERE,
    ) -> tuple[list[tuple[int, float]], int]:
        """The page (article id, score) of the best matches among the `pool` newest (by id, as
        the database's pool is taken), and how many are in the pool."""
        if pool <= 0 or limit <= 0:  # tantivy panics when asked for no hit
            return [], 0
        with _rust():
            tokens = _tokens(words)
            matching = self._matching(tokens, where)
            if matching is None:
                return [], 0
            # Where nothing but words is asked, the pool's edge is sought first among the
            # newest ids (_newest_only); a filter narrows the matches past any estimate.
            words_only = tokens if where == _ANYWHERE else None
            return self._ranked(matching, limit, offset, pool, words_only)

    def newest(
        self,
        words: Sequence[str],
        limit: int,
        offset: int,
        where: Where = _ANYWHERE,
        cap: int | None = None,
    ) -> tuple[list[tuple[int, int]], int]:
        """The page (article id, time in microseconds) of the matches newest first (by time, then
        id, as the database orders them), and how many match (at least `cap`, where as many
        match: no more are counted). The database walked its time index testing each
        article's words, or sorted every match: a page of a common word at a million
        articles took ~390 ms on PostgreSQL."""
        if limit <= 0:
            return [], 0
        with _rust():
            tokens = _tokens(words)
            matching = self._matching(tokens, where)
            if matching is None or self._index is None:
                return [], 0
            searcher = self._index.searcher()
            # A few more than the page: hits of the same time come in the index's order, and
            # are put in the database's (newest id first) below.
            want = offset + limit + _TIES
            found = None
            if cap is not None and where == _ANYWHERE:
                need = max(cap, want)
                _, _, oldest, latest = self._top
                within = self._newest_only(searcher, matching, tokens, "at", need, oldest, latest)
                if within is not None:
                    found = searcher.search(within, limit=want, count=True, order_by_field="at")
                    if int(found.count) < need:  # type: ignore[attr-defined]
                        found = None
            if found is None:
                found = searcher.search(matching, limit=want, count=True, order_by_field="at")
            page = [(i, int(at)) for i, at in _by_id(searcher, found.hits)]
            page.sort(key=lambda hit: (-hit[1], -hit[0]))
            return page[offset : offset + limit], int(found.count)  # type: ignore[attr-defined]

    def _matching(self, tokens: Sequence[str], where: Where) -> tantivy.Query | None:
        """The query of `tokens` under the filters given; None where there are none."""
        query = self._words(tokens)
        if query is None:
            return None
        clauses = [(tantivy.Occur.Must, query)]
        source_id, language, since, until = where
        if source_id is not None:
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "source", source_id))
            )
        if language:
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "language", language))
            )
        if since is not None or until is not None:
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        self._schema,
                        "at",
                        tantivy.FieldType.Integer,
                        _micros(since) if since is not None else None,
                        _micros(until) if until is not None else None,
                        include_upper=until is None,
                    ),
                )
            )
        return tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else query

    def _ranked(
        self,
        matching: tantivy.Query,
        limit: int,
        offset: int,
        pool: int,
        tokens: Sequence[str] | None = None,
    ) -> tuple[list[tuple[int, float]], int]:
        if self._index is None:
            return [], 0
        searcher = self._index.searcher()
        # The pool's oldest, the `pool`-th newest match, alone: the 1,000 hits as Python
        # objects cost more than finding them (~0.15 ms a search at a million).
        last = None
        if tokens is not None:  # first among the newest ids only, where that is worth it
            top = self._top[1]
            within = self._newest_only(searcher, matching, tokens, "id", pool, 0, top)
            if within is not None:
                last = searcher.search(
                    within, limit=1, offset=pool - 1, count=False, order_by_field="id"
                )
                last = last if last.hits else None
        matches = pool
        if last is None:
            last = searcher.search(
                matching, limit=1, offset=pool - 1, count=True, order_by_field="id"
            )
            matches = int(last.count)  # type: ignore[attr-defined]  # in 0.27, not in its stub
            if not matches:
                return [], 0
        in_pool = matching
        if last.hits:  # more match: the pool is the newest `pool` of them
            floor = self._since("id", int(last.hits[0][0]))
            in_pool = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, matching), (tantivy.Occur.Must, floor)]
            )
        # Equal scores go newest first, as the database orders them: tantivy orders them by
        # where they lie in the index, oldest first. A few more than the page are asked for, so
        # that ties at its edge are decided too (near-identical wire stories tie exactly).
        best = searcher.search(in_pool, limit=offset + limit + _TIES, count=False)
        scored = [(i, float(score)) for i, score in _by_id(searcher, best.hits)]
        scored.sort(key=lambda hit: (-round(hit[1], 5), -hit[0]))
        return scored[offset : offset + limit], min(matches, pool)

    def _newest_only(
        self,
        searcher: tantivy.Searcher,
        matching: tantivy.Query,
        tokens: Sequence[str],
        field: str,
        need: int,
        oldest: int,
        newest: int,
    ) -> tantivy.Query | None:
        """`matching` among the newest stretch of `field` (the id, or the time) that should
        hold `need` matches three times over, or None where the whole is small enough.

        The newest `need` matches (a best-first search's pool of 1,000; a newest-first page and
        its count, capped at 1,000) were sought among all the words' matches: 65,000 for the
        median headline word at a million articles, 640,000 for the commonest (finding the
        pool's edge was 1.8 ms of a search's 4.7-5.5, bench/README.md session 29). Where the
        words are common, the newest lie in the newest few percent of the stretch; how few
        is guessed from how many texts hold each word (independent words, evenly spread: the
        product of their shares). The caller checks that the stretch held `need` and seeks
        among all matches where it did not, so the answer is exact whatever the guess: where
        the values from L up hold `need` matches, the newest `need` of them are the newest
        `need` of all (every other is older than L).
        """
        docs = self._top[0]
        if not docs or newest <= oldest:
            return None
        share = 1.0
        for token in tokens:
            share *= min(1.0, searcher.doc_freq("text", token) / docs)
        expected = share * docs  # the words' matches, were they independent
        span = int(_EDGE_MARGIN * need * (newest - oldest) / max(expected, 1.0))
        if expected < need or span > (newest - oldest) // 2:  # few: walking all is cheap
            return None
        stretch = self._since(field, newest - span)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, matching), (tantivy.Occur.Must, stretch)]
        )


def keep(db: Database, index: SearchIndex, stop: threading.Event, every: float = 1.0) -> None:
    """Keep `index` caught up until `stop` is set: every `every` seconds, or at once where a
    search found it behind (a web process runs this in a thread of its own). A failure (the
    database away, a full disk) is logged and tried again, ten seconds later, then twice as
    long each time up to ten minutes (a build that fails at the end must not run without
    pause); the database answers meanwhile."""
    failed = 0
    while not stop.is_set():
        try:
            index.catch_up(db)
            failed = 0
        except Exception:  # logged; tried again after a pause
            log.exception("search index %s: catching up failed", index.path)
            index.ready = False
            stop.wait(min(600.0, 10.0 * 2**failed))
            failed += 1
        index.wake.wait(every)
        index.wake.clear()


def _tokens(words: Iterable[str]) -> list[str]:
    """The index's terms for `words`, as its analyzer makes them from a text."""
    analyzer = _analyzer_cached()
    return [token for word in words for token in analyzer.analyze(word)]


def _configured(index: tantivy.Index) -> tantivy.Index:
    index.register_tokenizer("nw", _analyzer())
    index.config_reader(reload_policy="Manual")  # reloaded by `keep`, once a second
    return index


_ANALYZER: list[tantivy.TextAnalyzer] = []


def _analyzer_cached() -> tantivy.TextAnalyzer:
    if not _ANALYZER:
        _ANALYZER.append(_analyzer())
    return _ANALYZER[0]


def _site(conn: Connection) -> str | None:
    """The identity of the site's indexes (read, not written: a write a second would take
    SQLite's one write lock from the collectors for nothing)."""
    found = conn.execute(
        text("SELECT value FROM site_secrets WHERE name = :name"), {"name": _SITE}
    ).scalar()
    return str(found) if found is not None else None


def _by_id(searcher: tantivy.Searcher, hits: Sequence[tuple[Any, Any]]) -> list[tuple[int, Any]]:
    """Each hit's article id beside its score or sort value, in the hits' order (a hit whose
    document has no id, which none should, is left out)."""
    ids = searcher.fast_field_values("id", [addr for _, addr in hits])
    return [(int(i), value) for i, (value, _) in zip(ids, hits, strict=True) if i is not None]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(when: datetime) -> int:
    """A time as the index keeps it: whole microseconds since 1970, exactly (a float's
    timestamp() has ~16 digits and rounds some). A naive time is UTC, as the store keeps it."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(microseconds=1)


def _chunks(items: Sequence[int], n: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _mark(conn: Connection) -> int:
    """Where the change log stands now (see migration 0021)."""
    if conn.dialect.name == "sqlite":
        return int(
            conn.execute(text("SELECT coalesce(max(seq), 0) FROM search_changes")).scalar_one()
        )
    xmin = conn.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")).scalar_one()
    return int(xmin)


_NEWEST = text("SELECT max(seq) FROM search_changes")


def _newest(conn: Connection) -> int:
    return int(conn.execute(_NEWEST).scalar() or 0)


def _changes(
    conn: Connection, mark: int, seen: frozenset[int]
) -> tuple[int, list[int], frozenset[int]]:
    """The articles changed past `mark` and not `seen` yet, the mark to read from next time,
    and what that read will have seen already. On PostgreSQL the log of every transaction not
    complete when the mark was taken is read again (it may have committed since: migration
    0021); a change read once is not applied again, so a long transaction anywhere on the
    server (whose id holds the mark back) costs a longer read, not the same work each second."""
    if conn.dialect.name == "sqlite":
        rows = conn.execute(
            text(
                "SELECT seq, article_id FROM search_changes WHERE seq > :mark "
                f"ORDER BY seq LIMIT {_CHANGES}"
            ),
            {"mark": mark},
        ).all()
        if not rows:
            return mark, [], frozenset()
        return int(rows[-1][0]), list(dict.fromkeys(int(r[1]) for r in rows)), frozenset()
    nxt = _mark(conn)  # before the log is read: see migration 0021
    rows = conn.execute(
        text(
            "SELECT seq, article_id, xid::text FROM search_changes "
            "WHERE xid >= CAST(CAST(:mark AS text) AS xid8)"
        ),
        {"mark": str(mark)},
    ).all()
    fresh = sorted({int(r[1]) for r in rows if int(r[0]) not in seen})
    again = frozenset(int(r[0]) for r in rows if int(r[2]) >= nxt)  # read again next time
    return nxt, fresh, again


def _entries(conn: Connection, where: str) -> list[Entry]:
    """The readable originals among the articles `where` selects, as the index holds them."""
    conv = UTCDateTime()
    sql = f"{_ENTRY} WHERE {_READABLE} AND {where}"
    out = []
    for r in conn.execute(text(sql)):
        at = conv.process_result_value(r.at, conn.dialect)
        out.append(
            Entry(
                int(r.id),
                r.title or "",
                r.text or "",
                int(r.source_id),
                r.language or "",
                _micros(at) if at is not None else 0,
            )
        )
    return out
