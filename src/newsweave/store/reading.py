"""What a reader keeps: follows, mutes, saved articles and read state: SQL only (the rules, and
what For You means, live in newsweave.reading).

Read state is a watermark plus exceptions: `users.read_until` says "everything up to here is
read" (the "mark all as read" button) and `reads` holds the articles read, or made unread
again, one by one. An article is read when its own row says so, else when it is not newer than
the watermark. A row per article for "mark all" would be a million inserts on a year's archive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal, TypeAlias

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Integer,
    Select,
    any_,
    bindparam,
    cast,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import BindParameter

from newsweave.store import tags as tag_store
from newsweave.store import upserts
from newsweave.store.schema import (
    ARTICLE_TIME,
    UTCDateTime,
    article_tags,
    articles,
    follows,
    mutes,
    reads,
    related,
    saved,
    site_state,
    sources,
    stories,
    tags,
    users,
)
from newsweave.store.views import (
    CARD,
    SOURCE_OF,
    VISIBLE,
    ArticleCard,
    after_keyset,
    cards,
    unindexed,
    walk_point,
)

__all__ = [
    "FollowKind",
    "Follows",
    "MuteKind",
    "Mutes",
    "Reason",
    "ReasonNames",
    "add_follow",
    "add_mute",
    "by_id_range",
    "cards_by_id",
    "count_of_sources",
    "digest_readers",
    "drop_follow",
    "drop_mute",
    "folders_of",
    "follows_of",
    "is_read",
    "marks",
    "mute_clauses",
    "mutes_of",
    "named",
    "opened_ids",
    "reach_is_wide",
    "read_ids",
    "read_until",
    "reason_names",
    "reasons",
    "reasons_and_marks",
    "recently_read",
    "rename_folder",
    "save",
    "saved_articles",
    "saved_ids",
    "set_fever_key",
    "set_folder",
    "set_read",
    "set_read_until",
    "set_site_value",
    "site_value",
    "stories_of",
    "story_anchor",
    "story_article_ids",
    "stream",
    "texts",
    "unread_count",
    "unread_total",
    "unsave",
    "user_by_fever_key",
]

FollowKind = Literal["tag", "source", "story"]
MuteKind = Literal["tag", "source", "keyword"]
_COUNT_CAP = 1000  # unread counts stop here ("1000+"): counting a big tag's archive is waste


@dataclass(frozen=True, slots=True)
class Follows:
    """A reader's follows. Stories by anchor article (schema.follows says why) and by the
    story each anchor is in now."""

    tag_ids: frozenset[int] = frozenset()
    source_ids: frozenset[int] = frozenset()
    story_anchors: frozenset[int] = frozenset()
    story_ids: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.tag_ids or self.source_ids or self.story_ids)


@dataclass(frozen=True, slots=True)
class Mutes:
    source_ids: frozenset[int] = frozenset()
    tag_ids: frozenset[int] = frozenset()
    keywords: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.source_ids or self.tag_ids or self.keywords)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an article is on a reader's For You page: what of theirs it matched, by name."""

    article_id: int
    kind: str  # source, tag, story, opened
    target_id: int
    name: str


def add_follow(
    conn: Connection, user_id: int, kind: FollowKind, target_id: int, now: datetime
) -> None:
    row = {"user_id": user_id, "kind": kind, "target_id": target_id, "created_at": now}
    upserts.insert_missing(conn, follows, [row], ["user_id", "kind", "target_id"])


def drop_follow(
    conn: Connection, user_id: int, kind: FollowKind, target_ids: Iterable[int]
) -> None:
    conn.execute(
        delete(follows).where(
            follows.c.user_id == user_id,
            follows.c.kind == kind,
            follows.c.target_id.in_(list(target_ids)),
        )
    )


def story_anchor(conn: Connection, story_id: int) -> int | None:
    """The article a follow of this story holds on to: its first original article."""
    q = (
        select(articles.c.id)
        .where(articles.c.story_id == story_id, articles.c.duplicate_of.is_(None))
        .order_by(ARTICLE_TIME, articles.c.id)
        .limit(1)
    )
    found = conn.execute(q).scalar()
    return int(found) if found is not None else None


def story_article_ids(conn: Connection, story_id: int) -> list[int]:
    q = select(articles.c.id).where(articles.c.story_id == story_id)
    return [int(i) for i in conn.execute(q).scalars()]


def follows_of(conn: Connection, user_id: int) -> Follows:
    found: dict[str, set[int]] = {"tag": set(), "source": set(), "story": set()}
    for kind, target in conn.execute(
        select(follows.c.kind, follows.c.target_id).where(follows.c.user_id == user_id)
    ):
        found.setdefault(kind, set()).add(int(target))
    story_ids: set[int] = set()
    if found["story"]:
        q = select(articles.c.story_id).where(
            articles.c.id.in_(found["story"]), articles.c.story_id.is_not(None)
        )
        story_ids = {int(s) for s in conn.execute(q).scalars()}
    return Follows(
        frozenset(found["tag"]),
        frozenset(found["source"]),
        frozenset(found["story"]),
        frozenset(story_ids),
    )


def add_mute(
    conn: Connection,
    user_id: int,
    kind: MuteKind,
    now: datetime,
    target_id: int = 0,
    keyword: str = "",
) -> None:
    row = {
        "user_id": user_id,
        "kind": kind,
        "target_id": target_id,
        "keyword": keyword,
        "created_at": now,
    }
    upserts.insert_missing(conn, mutes, [row], ["user_id", "kind", "target_id", "keyword"])


def drop_mute(
    conn: Connection, user_id: int, kind: MuteKind, target_id: int = 0, keyword: str = ""
) -> None:
    conn.execute(
        delete(mutes).where(
            mutes.c.user_id == user_id,
            mutes.c.kind == kind,
            mutes.c.target_id == target_id,
            mutes.c.keyword == keyword,
        )
    )


def mutes_of(conn: Connection, user_id: int) -> Mutes:
    src: set[int] = set()
    tag: set[int] = set()
    words: list[str] = []
    q = (
        select(mutes.c.kind, mutes.c.target_id, mutes.c.keyword)
        .where(mutes.c.user_id == user_id)
        .order_by(mutes.c.created_at)
    )
    for kind, target, keyword in conn.execute(q):
        if kind == "source":
            src.add(int(target))
        elif kind == "tag":
            tag.add(int(target))
        elif keyword:
            words.append(keyword)
    return Mutes(frozenset(src), frozenset(tag), tuple(words))


def mute_clauses(m: Mutes | None) -> list[ColumnElement[bool]]:
    """WHERE clauses over `articles` that leave out what the reader muted. A keyword mutes an
    article whose headline or summary holds it, in any case (as Twitter and Feedly mute)."""
    if not m:
        return []
    out: list[ColumnElement[bool]] = []
    if m.source_ids:
        out.append(articles.c.source_id.not_in(sorted(m.source_ids)))
    if m.tag_ids:
        # An alias, correlated to `articles` alone: a tag page's query joins article_tags too.
        mt = article_tags.alias("muted_tags")
        out.append(
            ~exists()
            .where(mt.c.article_id == articles.c.id, mt.c.tag_id.in_(sorted(m.tag_ids)))
            .correlate_except(mt)
        )
    if m.keywords:
        shown = func.lower(
            func.coalesce(articles.c.title, "") + " " + func.coalesce(articles.c.summary, "")
        )
        out.extend(~shown.contains(k.lower(), autoescape=True) for k in m.keywords)
    return out


def save(conn: Connection, user_id: int, article_id: int, now: datetime) -> None:
    row = {"user_id": user_id, "article_id": article_id, "created_at": now}
    upserts.insert_missing(conn, saved, [row], ["user_id", "article_id"])


def unsave(conn: Connection, user_id: int, article_id: int) -> None:
    conn.execute(delete(saved).where(saved.c.user_id == user_id, saved.c.article_id == article_id))


def saved_ids(conn: Connection, user_id: int, article_ids: Sequence[int]) -> set[int]:
    if not article_ids:
        return set()
    q = select(saved.c.article_id).where(
        saved.c.user_id == user_id, saved.c.article_id.in_(list(article_ids))
    )
    return {int(i) for i in conn.execute(q).scalars()}


def saved_articles(conn: Connection, user_id: int, limit: int = 200) -> list[ArticleCard]:
    """The reader's saved articles, last saved first (whatever their state now, but readable)."""
    q = (
        select(*CARD)
        .join(sources, sources.c.id == articles.c.source_id)
        .join(saved, saved.c.article_id == articles.c.id)
        .where(saved.c.user_id == user_id, VISIBLE)
        .order_by(saved.c.created_at.desc(), articles.c.id.desc())
        .limit(limit)
    )
    return cards(conn, q)


def read_until(conn: Connection, user_id: int) -> datetime | None:
    found: datetime | None = conn.execute(
        select(users.c.read_until).where(users.c.id == user_id)
    ).scalar()
    return found


def set_read_until(conn: Connection, user_id: int, when: datetime) -> None:
    """Everything up to `when` is read; what was marked one by one before is folded in (the
    rows older than the mark are dropped, read or not: "mark all as read" means all)."""
    conn.execute(update(users).where(users.c.id == user_id).values(read_until=when))
    older = select(articles.c.id).where(when >= ARTICLE_TIME).scalar_subquery()
    conn.execute(delete(reads).where(reads.c.user_id == user_id, reads.c.article_id.in_(older)))


def set_read(
    conn: Connection,
    user_id: int,
    article_ids: Iterable[int],
    is_read: bool,
    now: datetime,
    opened: bool = False,
) -> None:
    """Mark read or unread; `opened` when the reader opened the article (it stays opened
    whatever is marked later: For You widens from what was opened, not what was marked)."""
    for aid in article_ids:
        row = {"user_id": user_id, "article_id": aid, "is_read": is_read, "at": now}
        stmt = upserts.insert_stmt(conn, reads).values({**row, "opened": opened})
        keep = {"is_read": stmt.excluded.is_read, "at": stmt.excluded.at}
        if opened:
            keep["opened"] = stmt.excluded.opened
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["user_id", "article_id"], set_=keep)
        )


def is_read(user_id: int, until: datetime | None) -> ColumnElement[bool]:
    """Whether the article in the query is read by this reader (see the module's docstring)."""
    own = (
        select(reads.c.is_read)
        .where(reads.c.user_id == user_id, reads.c.article_id == articles.c.id)
        .scalar_subquery()
    )
    by_mark = until >= ARTICLE_TIME if until is not None else false()
    return func.coalesce(own, by_mark)


def read_ids(
    conn: Connection, user_id: int, until: datetime | None, article_ids: Sequence[int]
) -> set[int]:
    if not article_ids:
        return set()
    q = select(articles.c.id).where(
        articles.c.id.in_(list(article_ids)), is_read(user_id, until) == true()
    )
    return {int(i) for i in conn.execute(q).scalars()}


def _mark_parts(dialect: str) -> list[Select[Any]]:
    """(article id, "read" or "saved", 1/0) of the reader's marks on the cards `ids`."""
    ids = _ids_param("ids", dialect)
    return [
        select(
            reads.c.article_id, literal("read").label("kind"), cast(reads.c.is_read, Integer)
        ).where(reads.c.user_id == bindparam("user_id"), _among(reads.c.article_id, ids)),
        select(saved.c.article_id, literal("saved").label("kind"), literal(1)).where(
            saved.c.user_id == bindparam("user_id"), _among(saved.c.article_id, ids)
        ),
    ]


@cache
def _marks_statement(dialect: str) -> CompoundSelect[Any]:
    """marks' statement, prepared once (per database: its list of ids is a parameter)."""
    return union_all(*_mark_parts(dialect))


_MARKS = ("read", "saved")


def _apply_marks(
    rows: Iterable[tuple[Any, str, Any]], until: datetime | None, shown: Sequence[ArticleCard]
) -> tuple[set[int], set[int]]:
    """(read, saved) of the cards from their mark rows: a card's own read mark, else the
    watermark (is_read's rule; the cards carry their times)."""
    own: dict[int, bool] = {}
    kept: set[int] = set()
    for article_id, kind, value in rows:
        if kind == "saved":
            kept.add(int(article_id))
        else:
            own[int(article_id)] = bool(value)
    read = {c.id for c in shown if own.get(c.id, until is not None and until >= c.at)}
    return read, kept


def marks(
    conn: Connection, user_id: int, until: datetime | None, shown: Sequence[ArticleCard]
) -> tuple[set[int], set[int]]:
    """Which of these cards the reader has read and which they saved, in one prepared query:
    read_ids and saved_ids cost ~1 ms for 50 cards, mostly building their statements. The
    cards carry their times, so is_read's rule (their own mark, else the watermark) is
    applied here."""
    if not shown:
        return set(), set()
    rows = conn.execute(
        _marks_statement(conn.dialect.name), {"user_id": user_id, "ids": [c.id for c in shown]}
    )
    return _apply_marks(rows, until, shown)


def opened_ids(conn: Connection, user_id: int, article_ids: Sequence[int]) -> set[int]:
    if not article_ids:
        return set()
    q = select(reads.c.article_id).where(
        reads.c.user_id == user_id, reads.c.article_id.in_(list(article_ids)), reads.c.opened
    )
    return {int(i) for i in conn.execute(q).scalars()}


def recently_read(conn: Connection, user_id: int, limit: int = 20) -> list[int]:
    """The articles the reader opened last, newest first (what For You widens from)."""
    q = (
        select(reads.c.article_id)
        .where(reads.c.user_id == user_id, reads.c.opened == true())
        .order_by(reads.c.at.desc())
        .limit(limit)
    )
    return [int(i) for i in conn.execute(q).scalars()]


@dataclass(frozen=True, slots=True)
class _Ids:
    """The ids a reader's follows and opened articles are tested by, kind by kind: sorted
    lists, or the expanding parameters of a prepared statement (_stream_statement,
    _reasons_statement); None where the reader has none of that kind."""

    source_ids: Any = None
    tag_ids: Any = None
    story_ids: Any = None
    opened: Any = None

    @staticmethod
    def of(f: Follows, opened: Sequence[int]) -> _Ids:
        return _Ids(
            sorted(f.source_ids) or None,
            sorted(f.tag_ids) or None,
            sorted(f.story_ids) or None,
            list(opened) or None,
        )

    def values(self) -> dict[str, Any]:
        """The lists by name, for a prepared statement's parameters."""
        return {k: getattr(self, k) for k in _Ids.__slots__ if getattr(self, k) is not None}

    @staticmethod
    def placeholders(names: Iterable[str], dialect: str) -> _Ids:
        return _Ids(**{n: _ids_param(n, dialect) for n in names})


def _ids_param(name: str, dialect: str) -> BindParameter[Any]:
    """A prepared statement's list of ids: on PostgreSQL one array (`= ANY(:ids)`), so the
    statement's text is the same for any number of ids; elsewhere an expanding IN list.

    Expanded, For You's 51 card ids were rendered into the SQL on every request: a new text
    each time, too long for psycopg's cache of parsed queries, parsed again every time. As
    arrays, and with each statement planned for its values (store.db._postgres_session),
    reading.for_you went 6.3-7.3 -> 3.3-4.2 ms at 200,000 articles on PostgreSQL
    (bench/archive.py's reader, in process)."""
    if dialect == "postgresql":
        return bindparam(name, type_=ARRAY(Integer()))
    return bindparam(name, expanding=True)


def _among(column: ColumnElement[Any], ids: Any) -> ColumnElement[bool]:
    """`column IN ids` for a list, a select, or a parameter of _ids_param."""
    if isinstance(ids, BindParameter) and isinstance(ids.type, ARRAY):
        return column == any_(ids)
    return column.in_(ids)


def _matching(ids: _Ids) -> Any:
    """(article id, why, what) of every article a reader's follows and reading reach."""

    def part(article: Any, kind: str, target: Any) -> Any:
        return select(
            article.label("article_id"), literal(kind).label("kind"), target.label("target_id")
        )

    parts: list[Any] = []
    if ids.source_ids is not None:
        parts.append(
            part(articles.c.id, "source", articles.c.source_id).where(
                _among(articles.c.source_id, ids.source_ids)
            )
        )
    if ids.tag_ids is not None:
        parts.append(
            part(article_tags.c.article_id, "tag", article_tags.c.tag_id).where(
                _among(article_tags.c.tag_id, ids.tag_ids)
            )
        )
    if ids.story_ids is not None:
        parts.append(
            part(articles.c.id, "story", articles.c.story_id).where(
                _among(articles.c.story_id, ids.story_ids)
            )
        )
    if ids.opened is not None:
        parts.append(
            part(related.c.related_id, "opened", related.c.article_id).where(
                _among(related.c.article_id, ids.opened)
            )
        )
    if not parts:
        return None
    return union_all(*parts).subquery("matching")


def reach_is_wide(conn: Connection, f: Follows, opened: Sequence[int], limit: int) -> bool:
    """Whether the newest of what a reader's follows reach are found by walking the time index,
    testing each article met, rather than by gathering all of them and sorting.

    As for a hashtag's page (views._walks_for): gathering costs a row for each article the
    follows reach, the walk about limit x archive / reach rows, and the two meet at
    sqrt(limit x archive). For You of a reader following a tag on 65,000 of 100,000 articles
    (bench/archive.py's archive, in-process) sorted them all in 310 ms; walked, 2.7 ms.
    Decided here on PostgreSQL too, unlike a hashtag's page: its planner has statistics for
    one tag, but takes any union of follows for 200 articles, and so probed the 65,000 one by
    one and sorted them (bench/archive.py's PostgreSQL archive of 100,000: For You's stream
    165-182 ms, walked 1.5 ms; its unread count past a watermark a week back 129 ms, walked
    6.5 ms).
    """
    meet = walk_point(conn, limit)
    if meet is None:
        return False
    reach = len(opened) * 8  # a related list is 8 articles at most
    for tag_id in sorted(f.tag_ids):
        reach += tag_store.count_upto(conn, tag_id, meet - reach)
        if reach > meet:
            return True
    for column, ids in ((articles.c.source_id, f.source_ids), (articles.c.story_id, f.story_ids)):
        for one in sorted(ids):
            inner = select(articles.c.id).where(column == one).limit(meet - reach + 1)
            reach += conn.execute(select(func.count()).select_from(inner.subquery())).scalar_one()
            if reach > meet:
                return True
    return False


def _reached(dialect: str, ids: _Ids) -> ColumnElement[bool]:
    """What follows and opened articles reach, as a test of each article the time walk meets
    (no index of its own may drive the query: see reach_is_wide)."""
    terms: list[ColumnElement[bool]] = []
    if ids.tag_ids is not None:
        tagged = select(article_tags.c.article_id).where(
            article_tags.c.article_id == articles.c.id,
            _among(article_tags.c.tag_id, ids.tag_ids),
        )
        if dialect == "postgresql":
            # OFFSET 0 keeps PostgreSQL from hashing every article of the tags before the walk
            # starts (a hashed SubPlan: 24 ms for a tag on 65,000 articles, where the ~70
            # probes a page needs take 0.2 ms); it plans a subquery with one as it is written.
            tagged = tagged.offset(0)
        terms.append(exists(tagged))
    if ids.source_ids is not None:
        terms.append(_among(unindexed(articles.c.source_id), ids.source_ids))
    if ids.story_ids is not None:
        terms.append(_among(unindexed(articles.c.story_id), ids.story_ids))
    if ids.opened is not None:
        near = select(related.c.related_id).where(_among(related.c.article_id, ids.opened))
        terms.append(unindexed(articles.c.id).in_(near))
    return or_(*terms)


def stream(
    conn: Connection,
    f: Follows | None,
    m: Mutes | None,
    *,
    opened: Sequence[int] = (),
    starred_by: int | None = None,
    read: tuple[int, datetime | None, bool] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    oldest_first: bool = False,
    limit: int = 100,
    wide: bool | None = None,
) -> list[ArticleCard]:
    """What a reader's lists show (For You, the digest, reader apps' streams): what follows `f`
    reach, and what is related to the articles `opened` (None: no follow restriction), or
    what `starred_by` saved, or both; muted ones left out; `read` = (user, watermark, wanted)
    keeps only the read (True) or unread (False) ones; published (or first seen) in
    [since, until); from just after the keyset `after`, newest or oldest first. `wide` is
    reach_is_wide's answer for these follows, opened articles and limit where the caller
    keeps it (None: decided here)."""
    if f is not None:
        if not (f or opened):
            return []
        if wide is None:
            wide = reach_is_wide(conn, f, opened, limit)
    ids = _Ids.of(f, opened) if f is not None else None
    plain = not m and starred_by is None and read is None and since is None and until is None
    if ids is not None and plain:
        # For You's own list, and a reader app's stream of what the reader follows
        values = ids.values()
        if after is not None:
            values["at"], values["last_id"] = after
        values["limit"] = limit
        names = tuple(sorted(values))
        stmt = _stream_statement(conn.dialect.name, names, bool(wide), oldest_first)
        return [ArticleCard(*r) for r in conn.execute(stmt, values)]
    q = _stream_query(
        conn.dialect.name,
        ids,
        bool(wide),
        after,
        limit,
        oldest_first=oldest_first,
        m=m,
        starred_by=starred_by,
        read=read,
        since=since,
        until=until,
    )
    return cards(conn, q)


@cache
def _stream_statement(
    dialect: str, names: tuple[str, ...], wide: bool, oldest_first: bool
) -> Select[Any]:
    """stream's statement with parameters in place of the reader's ids, keyset and limit,
    built once per shape: building it and its cache key each time cost ~0.7 of its ~2 ms at
    100,000 articles, where SQLite runs it in ~0.4 (bench/archive.py's reader, in-process)."""
    after = None
    if "at" in names:
        after = (bindparam("at", type_=UTCDateTime()), bindparam("last_id", type_=Integer()))
    ids = _Ids.placeholders((n for n in names if n in _Ids.__slots__), dialect)
    limit = bindparam("limit", type_=Integer())
    return _stream_query(dialect, ids, wide, after, limit, oldest_first=oldest_first)


def _stream_query(
    dialect: str,
    ids: _Ids | None,
    wide: bool,
    after: tuple[Any, Any] | None,
    limit: Any,
    *,
    oldest_first: bool,
    m: Mutes | None = None,
    starred_by: int | None = None,
    read: tuple[int, datetime | None, bool] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[Any]:
    q = (
        select(*CARD)
        .join(sources, SOURCE_OF)
        .where(VISIBLE, articles.c.duplicate_of.is_(None), *mute_clauses(m))
    )
    if ids is not None:
        if wide:
            q = q.where(_reached(dialect, ids))
        else:  # built only here: the union is ~0.2 ms of Python to build
            q = q.where(articles.c.id.in_(select(_matching(ids).c.article_id)))
    if starred_by is not None:
        q = q.where(
            articles.c.id.in_(select(saved.c.article_id).where(saved.c.user_id == starred_by))
        )
    if read is not None:
        user_id, mark, wanted = read
        q = q.where(is_read(user_id, mark) == (true() if wanted else false()))
    if since is not None:
        q = q.where(since <= ARTICLE_TIME)
    if until is not None:
        q = q.where(until > ARTICLE_TIME)
    if after is not None:
        q = q.where(*after_keyset(after, oldest_first=oldest_first))
    order = (
        (ARTICLE_TIME.asc(), articles.c.id.asc())
        if oldest_first
        else (ARTICLE_TIME.desc(), articles.c.id.desc())
    )
    return q.order_by(*order).limit(limit)


def stories_of(conn: Connection, article_ids: Iterable[int]) -> set[int]:
    """The stories these articles are in now (a followed story's anchors)."""
    q = select(articles.c.story_id).where(
        articles.c.id.in_(sorted(article_ids)), articles.c.story_id.is_not(None)
    )
    return {int(s) for s in conn.execute(q).scalars()}


def cards_by_id(conn: Connection, article_ids: Sequence[int]) -> list[ArticleCard]:
    """The readable articles among these ids (in no particular order)."""
    if not article_ids:
        return []
    q = (
        select(*CARD)
        .join(sources, sources.c.id == articles.c.source_id)
        .where(articles.c.id.in_(list(article_ids)), VISIBLE)
    )
    return cards(conn, q)


def _of_sources(source_ids: Sequence[int], m: Mutes | None) -> list[ColumnElement[bool]]:
    return [
        articles.c.source_id.in_(list(source_ids)),
        VISIBLE,
        articles.c.duplicate_of.is_(None),
        *mute_clauses(m),
    ]


def by_id_range(
    conn: Connection,
    source_ids: Sequence[int],
    m: Mutes | None,
    since_id: int | None,
    max_id: int | None,
    limit: int,
) -> list[ArticleCard]:
    """Articles of these sources by id, as the Fever API pages: after `since_id` ascending,
    else before `max_id` descending, else the first ones."""
    if not source_ids:
        return []
    q = select(*CARD).join(sources, sources.c.id == articles.c.source_id)
    q = q.where(*_of_sources(source_ids, m))
    if since_id is not None:
        q = q.where(articles.c.id > since_id).order_by(articles.c.id)
    elif max_id is not None:
        q = q.where(articles.c.id < max_id).order_by(articles.c.id.desc())
    else:
        q = q.order_by(articles.c.id)
    return cards(conn, q.limit(limit))


def count_of_sources(conn: Connection, source_ids: Sequence[int], m: Mutes | None) -> int:
    if not source_ids:
        return 0
    q = select(func.count()).select_from(articles).where(*_of_sources(source_ids, m))
    return int(conn.execute(q).scalar_one())


def texts(conn: Connection, article_ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
    """(text, byline) of these articles, for reader apps that show the whole article."""
    if not article_ids:
        return {}
    q = select(articles.c.id, articles.c.text, articles.c.byline).where(
        articles.c.id.in_(list(article_ids))
    )
    return {int(i): (t or "", b) for i, t, b in conn.execute(q)}


def folders_of(conn: Connection, user_id: int) -> dict[tuple[str, int], str | None]:
    q = select(follows.c.kind, follows.c.target_id, follows.c.folder).where(
        follows.c.user_id == user_id
    )
    return {(k, int(t)): f for k, t, f in conn.execute(q)}


def set_folder(
    conn: Connection, user_id: int, kind: str, target_id: int, folder: str | None
) -> None:
    conn.execute(
        update(follows)
        .where(
            follows.c.user_id == user_id, follows.c.kind == kind, follows.c.target_id == target_id
        )
        .values(folder=folder)
    )


def rename_folder(conn: Connection, user_id: int, old: str, new: str | None) -> None:
    """Rename a reader's folder (None: delete it; its follows stay, at the top level)."""
    conn.execute(
        update(follows)
        .where(follows.c.user_id == user_id, follows.c.folder == old)
        .values(folder=new)
    )


def set_fever_key(conn: Connection, user_id: int, key: str | None) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(fever_key=key))


def user_by_fever_key(conn: Connection, key: str) -> int | None:
    found = conn.execute(
        select(users.c.id).where(users.c.fever_key == key, users.c.banned_at.is_(None))
    ).scalar()
    return int(found) if found is not None else None


# (kind, target id) -> the name a reason gives
ReasonNames: TypeAlias = Mapping[tuple[str, int], str]


_NAMES = {
    "source": (sources.c.id, sources.c.name),
    "tag": (tags.c.id, tags.c.display),
    "story": (stories.c.id, stories.c.title),
    "opened": (articles.c.id, articles.c.title),
}


def _names(conn: Connection, want: Mapping[str, Iterable[int]]) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    for kind, ids in want.items():
        if ids:
            key, name = _NAMES[kind]
            for i, n in conn.execute(select(key, name).where(key.in_(sorted(ids)))):
                names[(kind, int(i))] = n or "(untitled)"
    return names


def reason_names(conn: Connection, f: Follows, opened: Sequence[int]) -> dict[tuple[str, int], str]:
    """The names of everything a reason may give: each follow and each article opened last
    (a page keeps them with the reader's reach: web/parts.own)."""
    return _names(
        conn,
        {"source": f.source_ids, "tag": f.tag_ids, "story": f.story_ids, "opened": opened},
    )


def reasons(
    conn: Connection,
    f: Follows,
    opened: Sequence[int],
    article_ids: Sequence[int],
    known: ReasonNames | None = None,
) -> list[Reason]:
    """Why each of these articles reached the reader, with the names to say it by: from
    `known` (reason_names, kept), the rest read here."""
    ids = _Ids.of(f, opened)
    values = ids.values()
    if not values or not article_ids:
        return []
    stmt = _reasons_statement(conn.dialect.name, tuple(sorted(values)))
    rows = conn.execute(stmt, {**values, "ids": list(article_ids)}).all()
    return _named(conn, rows, known)


def reasons_and_marks(
    conn: Connection,
    f: Follows,
    opened: Sequence[int],
    user_id: int,
    until: datetime | None,
    shown: Sequence[ArticleCard],
    known: ReasonNames | None = None,
) -> tuple[list[Reason], set[int], set[int]]:
    """reasons() and marks() of the same cards (For You's), in one statement: a round trip
    and a statement's execution fewer on every page, where the two were ~0.3 of the ~3 ms of
    Python a For You page holds the GIL for (py-spy, 100,000 articles on PostgreSQL)."""
    values = _Ids.of(f, opened).values()
    if not values or not shown:
        return [], *marks(conn, user_id, until, shown)
    stmt = _reasons_and_marks_statement(conn.dialect.name, tuple(sorted(values)))
    rows = conn.execute(stmt, {**values, "user_id": user_id, "ids": [c.id for c in shown]}).all()
    why = [r for r in rows if r[1] not in _MARKS]
    read, kept = _apply_marks((r for r in rows if r[1] in _MARKS), until, shown)
    return _named(conn, why, known), read, kept


def _named(
    conn: Connection, rows: Sequence[tuple[Any, str, Any]], known: ReasonNames | None
) -> list[Reason]:
    """The reasons of (article, kind, target) rows, named from `known`, the rest read here."""
    known = known or {}
    want: dict[str, set[int]] = {}
    for _aid, kind, target in rows:
        if (kind, int(target)) not in known:
            want.setdefault(kind, set()).add(int(target))
    read = _names(conn, want)
    return [
        Reason(int(aid), kind, int(t), known.get((kind, int(t))) or read.get((kind, int(t)), ""))
        for aid, kind, t in rows
    ]


def _reason_part(dialect: str, names: tuple[str, ...]) -> Select[Any]:
    matching = _matching(_Ids.placeholders(names, dialect))
    return select(matching.c.article_id, matching.c.kind, matching.c.target_id).where(
        _among(matching.c.article_id, _ids_param("ids", dialect))
    )


@cache
def _reasons_statement(dialect: str, names: tuple[str, ...]) -> Select[Any]:
    """reasons' statement, prepared once per kinds of follows (as _stream_statement)."""
    return _reason_part(dialect, names)


@cache
def _reasons_and_marks_statement(dialect: str, names: tuple[str, ...]) -> CompoundSelect[Any]:
    return union_all(_reason_part(dialect, names), *_mark_parts(dialect))


def unread_total(
    conn: Connection, user_id: int, until: datetime | None, f: Follows, m: Mutes | None
) -> int:
    """Unread readable originals that any follow reaches, each once, up to _COUNT_CAP.

    A wide reach is walked on the time index from the newest, as the stream is (see
    reach_is_wide), and stops at the cap: gathering every article a tag on 65,000 of 100,000
    articles reaches took 78 ms of each For You page (bench/archive.py; the page answered 16
    requests/s). Past the reader's mark-all-read watermark only the articles they marked
    unread one by one are unread: those are read off their own marks, so the walk stops at
    the watermark instead of walking the rest of the archive. A narrow reach is gathered,
    split at the watermark alike: the newer part is then a range of the time index.
    """
    if not f:
        return 0
    unread = is_read(user_id, until) == false()
    base = [VISIBLE, articles.c.duplicate_of.is_(None), *mute_clauses(m)]
    wide = reach_is_wide(conn, f, [], _COUNT_CAP)
    if wide:
        reached = _reached(conn.dialect.name, _Ids.of(f, []))
    else:  # the union built only here, as in stream
        reached = articles.c.id.in_(select(_matching(_Ids.of(f, [])).c.article_id))
    newer = select(articles.c.id).where(reached, unread, *base)
    if until is not None:
        newer = newer.where(until < ARTICLE_TIME)
    if wide:
        newer = newer.order_by(ARTICLE_TIME.desc(), articles.c.id.desc())
    n = _capped(conn, newer)
    if until is not None and n < _COUNT_CAP:
        marked = select(reads.c.article_id).where(
            reads.c.user_id == user_id, reads.c.is_read == false()
        )
        older = select(articles.c.id).where(
            articles.c.id.in_(marked), until >= ARTICLE_TIME, reached, *base
        )
        n += _capped(conn, older)
    return min(n, _COUNT_CAP)


def unread_count(
    conn: Connection, user_id: int, until: datetime | None, f: Follows, m: Mutes | None
) -> dict[tuple[str, int], int]:
    """Unread readable originals of each follow, up to _COUNT_CAP each.

    Without a mark-all-read watermark nearly everything is unread and each follow's rows are
    joined and counted to the cap. Past a watermark that join read a wide tag oldest first
    down to it (a tag on 65,000 of 100,000 articles: 50-90 ms for the following page and a
    reader app's unread-count poll, bench/archive.py's archive in-process); there each follow
    is counted as unread_total counts them all, walked from the newest and stopped at the
    watermark: 14-18 ms for a tag, a source and a story.
    """
    if until is not None:
        kinds = (("source", f.source_ids), ("tag", f.tag_ids), ("story", f.story_ids))
        return {
            (kind, i): unread_total(
                conn, user_id, until, Follows(**{f"{kind}_ids": frozenset({i})}), m
            )
            for kind, ids in kinds
            for i in sorted(ids)
        }
    out: dict[tuple[str, int], int] = {}
    unread = is_read(user_id, until) == false()
    base = [VISIBLE, articles.c.duplicate_of.is_(None), unread, *mute_clauses(m)]
    for sid in sorted(f.source_ids):
        inner = select(articles.c.id).where(articles.c.source_id == sid, *base)
        out[("source", sid)] = _capped(conn, inner)
    for tid in sorted(f.tag_ids):
        inner = (
            select(articles.c.id)
            .join(article_tags, article_tags.c.article_id == articles.c.id)
            .where(article_tags.c.tag_id == tid, *base)
        )
        out[("tag", tid)] = _capped(conn, inner)
    for story in sorted(f.story_ids):
        inner = select(articles.c.id).where(articles.c.story_id == story, *base)
        out[("story", story)] = _capped(conn, inner)
    return out


def site_value(conn: Connection, name: str) -> int | None:
    found = conn.execute(select(site_state.c.value).where(site_state.c.name == name)).scalar()
    return int(found) if found is not None else None


def set_site_value(conn: Connection, name: str, value: int) -> None:
    upserts.put(conn, site_state, {"name": name, "value": value}, ["name"])


def digest_readers(conn: Connection) -> list[int]:
    """Readers a digest can be mailed to: an address, not banned, and something followed."""
    q = (
        select(users.c.id)
        .where(
            users.c.email.is_not(None),
            users.c.banned_at.is_(None),
            users.c.id.in_(select(follows.c.user_id)),
        )
        .order_by(users.c.id)
    )
    return [int(i) for i in conn.execute(q).scalars()]


def named(conn: Connection, kind: str, ids: Iterable[int]) -> list[tuple[int, str, str]]:
    """(id, name, address) of sources, tags or stories, by name."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    if kind == "source":
        q: Any = select(sources.c.id, sources.c.name, sources.c.id).where(sources.c.id.in_(wanted))
        path = "/sources/{}"
    elif kind == "tag":
        q = select(tags.c.id, tags.c.display, tags.c.slug).where(tags.c.id.in_(wanted))
        path = "/tags/{}"
    else:
        q = select(stories.c.id, stories.c.title, stories.c.id).where(stories.c.id.in_(wanted))
        path = "/stories/{}"
    rows = [(int(i), str(n or "(untitled)"), path.format(a)) for i, n, a in conn.execute(q)]
    return sorted(rows, key=lambda r: r[1].lower())


def _capped(conn: Connection, inner: Any) -> int:
    sub = inner.limit(_COUNT_CAP).subquery()
    return int(conn.execute(select(func.count()).select_from(sub)).scalar_one())
