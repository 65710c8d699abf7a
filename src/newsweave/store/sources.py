"""Sources: the outlets newsweave polls, their labels, and their health (Miniflux habit: a
failing source keeps its last error and error count for the operator to see)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, delete, func, insert, or_, select, text, update

from newsweave.errors import NotFoundError
from newsweave.model import SourceInfo, SourceStatus
from newsweave.sanitize import clean_text
from newsweave.store import locks
from newsweave.store.schema import sources

__all__ = [
    "LABELS",
    "MAX_BACKOFF",
    "SourceRow",
    "add_source",
    "all_sources",
    "due_sources",
    "find_source",
    "fold_counts",
    "get_source",
    "record_failure",
    "record_success",
    "remove_source",
    "set_labels",
    "source_by_url",
    "source_for_article",
    "source_languages",
]

#: A failing source is polled less and less often, but at least once a day.
MAX_BACKOFF = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class SourceRow:
    id: int
    name: str
    feed_url: str | None
    homepage: str | None
    language: str | None
    country: str | None
    ownership: str | None
    kind: str | None
    lean: str | None
    poll_interval: int
    status: str
    etag: str | None
    last_modified: str | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    error_count: int
    last_warning: str | None
    next_poll_at: datetime | None

    @property
    def info(self) -> SourceInfo:
        return SourceInfo(
            name=self.name,
            feed_url=self.feed_url,
            homepage=self.homepage,
            language=self.language,
            country=self.country,
            ownership=self.ownership,
            kind=self.kind,
            lean=self.lean,
            poll_interval=self.poll_interval,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "feed_url": self.feed_url,
            "homepage": self.homepage,
            "language": self.language,
            "country": self.country,
            "ownership": self.ownership,
            "kind": self.kind,
            "lean": self.lean,
            "poll_interval": self.poll_interval,
            "status": self.status,
            "last_success": _iso(self.last_success_at),
            "last_error": self.last_error,
            "error_count": self.error_count,
            "last_warning": self.last_warning,
            "next_poll": _iso(self.next_poll_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_COLUMNS = [sources.c[name] for name in SourceRow.__slots__]


_SOURCES = "sources"  # the lock that adding a source takes (store.locks)


def _row(r: Any) -> SourceRow:
    return SourceRow(**r._mapping)


def _free_name(conn: Connection, name: str, feed_url: str | None) -> str:
    """`name`, or `name` with what tells this feed apart when another source has it."""
    taken = set(
        conn.execute(select(sources.c.name).where(sources.c.name.like(f"{name[:150]}%"))).scalars()
    )
    if name not in taken:
        return name
    if feed_url:
        parts = urlsplit(feed_url)
        where = f"{parts.hostname or ''}{parts.path}".rstrip("/")
        candidate = f"{name[:120]} ({where[-70:]})"
        if candidate not in taken:
            return candidate
    n = 2
    while f"{name[:190]} ({n})" in taken:
        n += 1
    return f"{name[:190]} ({n})"


def add_source(conn: Connection, info: SourceInfo, now: datetime | None = None) -> tuple[int, bool]:
    """Insert a source, or update the labels of the one it already is, and return (id, created).

    A source with a feed is its feed URL; its name is a label. Outlets title most of their
    feeds alike ("BBC News"), so a second feed under a taken name is a new source whose name
    says which feed it is ("Daily Planet (planet.example/business.xml)"), never an update of the
    first. A source without a feed (an archive's, a page's) is its name.
    """
    name = clean_text(info.name).strip()[:200] or "Unnamed source"
    locks.hold(conn, _SOURCES)  # names are unique: adding sources takes turns (it is rare)
    if info.feed_url:
        existing = conn.execute(
            select(sources.c.id).where(sources.c.feed_url == info.feed_url)
        ).scalar()
        if existing is None:
            name = _free_name(conn, name, info.feed_url)
    else:
        existing = conn.execute(
            select(sources.c.id).where(sources.c.name == name, sources.c.feed_url.is_(None))
        ).scalar()
        if existing is None:
            name = _free_name(conn, name, None)
    values = {
        "name": name,
        "feed_url": info.feed_url,
        "homepage": info.homepage,
        "language": info.language,
        "country": info.country,
        "ownership": info.ownership,
        "kind": info.kind,
        "lean": info.lean,
        "poll_interval": info.poll_interval,
    }
    if existing is not None:
        # An update keeps labels the new info does not know, and the name it has.
        values.pop("name")
        conn.execute(
            update(sources)
            .where(sources.c.id == existing)
            .values({k: v for k, v in values.items() if v is not None})
        )
        return existing, False
    when = now or datetime.now(UTC)
    new_id = conn.execute(
        insert(sources).values(
            **values,
            status=SourceStatus.ACTIVE,
            error_count=0,
            created_at=when,
            next_poll_at=when if info.feed_url else None,
        )
    ).inserted_primary_key
    assert new_id is not None
    return int(new_id[0]), True


LABELS = ("country", "ownership", "kind", "lean")  # what an operator labels an outlet by


def source_for_article(
    conn: Connection,
    name: str | None,
    homepage: str | None,
    labels: Mapping[str, str] | None = None,
) -> int:
    """The source an imported article belongs to, found by name or created (archive-only).
    `labels` the archive gives the outlet fill those the source does not have yet (the
    operator's own labels are never overwritten by an archive's)."""
    label = (name or "").strip() or "Unknown source"
    given = {k: clean_text(v).strip()[:64] for k, v in (labels or {}).items() if k in LABELS}
    given = {k: v for k, v in given.items() if v}
    found = conn.execute(
        select(sources.c.id).where(func.lower(sources.c.name) == label.lower())
    ).scalar()
    if found is None:
        locks.hold(conn, _SOURCES)
        found = conn.execute(
            select(sources.c.id).where(func.lower(sources.c.name) == label.lower())
        ).scalar()
    if found is None:
        info = SourceInfo(
            name=label,
            homepage=homepage,
            country=given.get("country"),
            ownership=given.get("ownership"),
            kind=given.get("kind"),
            lean=given.get("lean"),
        )
        source_id, _ = add_source(conn, info)
        return source_id
    for key, value in given.items():
        column = sources.c[key]
        conn.execute(
            update(sources).where(sources.c.id == found, column.is_(None)).values({key: value})
        )
    return int(found)


def set_labels(conn: Connection, source_id: int, labels: Mapping[str, str | None]) -> SourceRow:
    """The operator sets (a value) or clears (an empty string) an outlet's labels."""
    get_source(conn, source_id)
    values = {
        k: (clean_text(v).strip()[:64] or None)
        for k, v in labels.items()
        if k in LABELS and v is not None
    }
    if values:
        conn.execute(update(sources).where(sources.c.id == source_id).values(values))
    return get_source(conn, source_id)


def all_sources(conn: Connection) -> list[SourceRow]:
    return [_row(r) for r in conn.execute(select(*_COLUMNS).order_by(sources.c.name))]


def source_languages(conn: Connection) -> set[str]:
    """The languages the operator says the sources write in (ISO codes as given: "fr",
    "pt-BR"); a site has a few hundred sources at most."""
    q = select(sources.c.language).where(sources.c.language.is_not(None)).distinct()
    return {str(x) for x in conn.execute(q).scalars()}


def source_names(conn: Connection) -> list[tuple[int, str]]:
    """(id, name) of every source by name: what a filter's list shows. Whole rows cost ~35 us
    each (their times converted), 7 ms of a search page's ~20 at 200 sources."""
    return [
        (int(i), str(n))
        for i, n in conn.execute(select(sources.c.id, sources.c.name).order_by(sources.c.name))
    ]


def get_source(conn: Connection, source_id: int) -> SourceRow:
    r = conn.execute(select(*_COLUMNS).where(sources.c.id == source_id)).first()
    if r is None:
        raise NotFoundError(f"no source with id {source_id}")
    return _row(r)


def find_source(conn: Connection, ref: str) -> SourceRow:
    """A source by id, exact name (any case) or feed URL."""
    cond = or_(func.lower(sources.c.name) == ref.lower(), sources.c.feed_url == ref)
    if ref.isdigit():
        cond = or_(cond, sources.c.id == int(ref))
    r = conn.execute(select(*_COLUMNS).where(cond)).first()
    if r is None:
        raise NotFoundError(f"no source named {ref!r} (see `newsweave sources list`)")
    return _row(r)


def source_by_url(conn: Connection, url: str) -> int | None:
    """The source whose feed (or, failing that, home page) is this URL, give or take a
    trailing slash."""
    forms = {url, url.rstrip("/"), url.rstrip("/") + "/"}
    for column in (sources.c.feed_url, sources.c.homepage):
        found = conn.execute(
            select(sources.c.id).where(column.in_(sorted(forms))).order_by(sources.c.id)
        ).scalar()
        if found is not None:
            return int(found)
    return None


def remove_source(conn: Connection, source_id: int) -> None:
    """Delete a source and, by cascade, its articles."""
    conn.execute(delete(sources).where(sources.c.id == source_id))


# PostgreSQL takes the moves and adds them in one statement: a move written meanwhile is either
# deleted here and counted, or left for the next fold, and two folds at once never take the
# same move (the second's DELETE skips the rows the first deleted). In source order, so two
# folds' updates of the counts never wait on each other in opposite orders.
_PG_FOLD = text(
    """
    WITH taken AS (DELETE FROM source_count_moves RETURNING source_id, d),
    added AS (
        INSERT INTO source_counts (source_id, n)
        SELECT source_id, sum(d) FROM taken
        WHERE source_id IN (SELECT id FROM sources)
        GROUP BY source_id HAVING sum(d) <> 0 ORDER BY source_id
        ON CONFLICT (source_id) DO UPDATE SET n = source_counts.n + excluded.n
    )
    SELECT count(*) FROM taken
    """
)
# SQLite has one writer at a time: what the sum read is what the delete deletes.
_SQLITE_FOLD = (
    text(
        """
        INSERT INTO source_counts (source_id, n)
        SELECT source_id, sum(d) FROM source_count_moves
        WHERE source_id IN (SELECT id FROM sources)
        GROUP BY source_id HAVING sum(d) <> 0
        ON CONFLICT (source_id) DO UPDATE SET n = n + excluded.n
        """
    ),
    text("DELETE FROM source_count_moves"),
)


def fold_counts(conn: Connection) -> int:
    """Add the articles' moves in and out of their sources' counts (migration 0023) into
    `source_counts`; how many moves were folded. Readers add the moves not yet folded, so
    this only keeps their number small: the periodic upkeep runs it, and a bulk load after."""
    if conn.dialect.name == "postgresql":
        return int(conn.execute(_PG_FOLD).scalar_one())
    add, drop = _SQLITE_FOLD
    conn.execute(add)
    return int(conn.execute(drop).rowcount)


def due_sources(conn: Connection, now: datetime) -> list[SourceRow]:
    """Active sources with a feed whose next poll time has come."""
    q = (
        select(*_COLUMNS)
        .where(sources.c.status == SourceStatus.ACTIVE, sources.c.feed_url.is_not(None))
        .where(or_(sources.c.next_poll_at.is_(None), sources.c.next_poll_at <= now))
        .order_by(sources.c.next_poll_at)
    )
    return [_row(r) for r in conn.execute(q)]


def record_success(
    conn: Connection,
    source_id: int,
    now: datetime,
    *,
    etag: str | None,
    last_modified: str | None,
    new_feed_url: str | None = None,
    warning: str | None = None,
) -> None:
    """A poll worked: reset the error count, remember validators, follow a permanent redirect."""
    src = get_source(conn, source_id)
    values: dict[str, Any] = {
        "etag": etag,
        "last_modified": last_modified,
        "last_polled_at": now,
        "last_success_at": now,
        "last_error": None,
        "last_warning": warning,  # read, but malformed: not an error, nothing to count
        "error_count": 0,
        "next_poll_at": now + timedelta(seconds=src.poll_interval),
    }
    if new_feed_url and new_feed_url != src.feed_url:
        taken = conn.execute(
            select(sources.c.id).where(sources.c.feed_url == new_feed_url)
        ).scalar()
        if taken is None:
            values["feed_url"] = new_feed_url
    conn.execute(update(sources).where(sources.c.id == source_id).values(values))


def record_failure(
    conn: Connection,
    source_id: int,
    now: datetime,
    error: str,
    *,
    gone: bool = False,
    retry_after: float | None = None,
) -> None:
    """A poll failed: keep the error, count it, and back off (doubling, up to a day)."""
    src = get_source(conn, source_id)
    count = src.error_count + 1
    delay = timedelta(seconds=src.poll_interval * 2 ** min(count - 1, 10))
    delay = min(delay, MAX_BACKOFF)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    values: dict[str, Any] = {
        "last_polled_at": now,
        "last_error": error,
        "error_count": count,
        "next_poll_at": now + delay,
    }
    if gone:
        values["status"] = SourceStatus.GONE
    conn.execute(update(sources).where(sources.c.id == source_id).values(values))
