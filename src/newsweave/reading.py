"""What a signed-in reader keeps and sees: follows, For You, saved, read state, mutes.

The rules pages (and, later, reader-app APIs) share: what may be followed or muted, how a
keyword is cleaned, what "mark all as read" covers, and why an article is on For You. The SQL is
in store/reading.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection
from sqlalchemy.exc import IntegrityError

from newsweave.errors import InvalidInputError, NotFoundError
from newsweave.store import reading as store
from newsweave.store import sources as source_store
from newsweave.store import tags as tag_store
from newsweave.store.accounts import UserRow
from newsweave.store.articles import get_article
from newsweave.store.db import Database
from newsweave.store.reading import FollowKind, Follows, MuteKind, Mutes
from newsweave.store.views import ArticleCard, story_page

__all__ = [
    "ArticleState",
    "Followed",
    "Item",
    "Reach",
    "Reader",
    "article_state",
    "follow",
    "following",
    "for_you",
    "hidden",
    "items",
    "mark_all_read",
    "mark_read",
    "mark_story_read",
    "mute",
    "opened",
    "reach",
    "reader",
    "save",
    "unfollow",
    "unmute",
]

MAX_MUTES = 200
KEYWORD_CHARS = (2, 100)
_OPENED = 20  # For You widens from this many articles the reader opened last


@dataclass(frozen=True, slots=True)
class Reader:
    """What one reader keeps, read once a page: the page filters and marks with it."""

    user: UserRow
    follows: Follows
    mutes: Mutes
    read_until: datetime | None


@dataclass(frozen=True, slots=True)
class Item:
    """An article on a reader's list: whether read and saved, and why it is there."""

    card: ArticleCard
    read: bool = False
    saved: bool = False
    why: list[str] = field(default_factory=list)


def reader(conn: Connection, user: UserRow) -> Reader:
    return Reader(
        user,
        store.follows_of(conn, user.id),
        store.mutes_of(conn, user.id),
        store.read_until(conn, user.id),
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _target(conn: Connection, kind: str, target_id: int) -> None:
    """NotFoundError unless the thing to follow or mute exists."""
    if kind == "source":
        source_store.get_source(conn, target_id)
    elif kind == "tag":
        if not tag_store.exists(conn, target_id):
            raise NotFoundError(f"no hashtag with id {target_id}")
    elif kind == "story":
        story_page(conn, target_id)
    else:
        raise InvalidInputError(f"cannot follow or mute a {kind!r}")


def follow(db: Database, user: UserRow, kind: FollowKind, target_id: int) -> None:
    with db.begin() as conn:
        _target(conn, kind, target_id)
        if kind == "story":
            anchor = store.story_anchor(conn, target_id)
            if anchor is None:
                raise NotFoundError(f"story {target_id} has no articles to follow")
            target_id = anchor
        store.add_follow(conn, user.id, kind, target_id, _now())


def unfollow(db: Database, user: UserRow, kind: FollowKind, target_id: int) -> None:
    """Stop following; a story by any of its articles (the follow holds one of them)."""
    with db.begin() as conn:
        ids = store.story_article_ids(conn, target_id) if kind == "story" else [target_id]
        store.drop_follow(conn, user.id, kind, ids)


def clean_keyword(keyword: str) -> str:
    word = " ".join(keyword.split()).lower()
    low, high = KEYWORD_CHARS
    if not low <= len(word) <= high:
        raise InvalidInputError(f"a muted keyword has {low} to {high} characters")
    return word


def mute(
    db: Database, user: UserRow, kind: MuteKind, target_id: int = 0, keyword: str = ""
) -> None:
    with db.begin() as conn:
        if kind == "keyword":
            keyword, target_id = clean_keyword(keyword), 0
        else:
            _target(conn, kind, target_id)
            keyword = ""
        m = store.mutes_of(conn, user.id)
        if len(m.source_ids) + len(m.tag_ids) + len(m.keywords) >= MAX_MUTES:
            raise InvalidInputError(f"at most {MAX_MUTES} mutes: unmute something first")
        store.add_mute(conn, user.id, kind, _now(), target_id, keyword)


def unmute(
    db: Database, user: UserRow, kind: MuteKind, target_id: int = 0, keyword: str = ""
) -> None:
    with db.begin() as conn:
        if kind == "keyword":
            keyword, target_id = " ".join(keyword.split()).lower(), 0
        store.drop_mute(conn, user.id, kind, target_id, keyword)


def save(db: Database, user: UserRow, article_id: int, saved: bool = True) -> None:
    with db.begin() as conn:
        if saved:
            get_article(conn, article_id)  # NotFoundError for an unknown article
            store.save(conn, user.id, article_id, _now())
        else:
            store.unsave(conn, user.id, article_id)


def mark_read(db: Database, user: UserRow, article_ids: Sequence[int], read: bool = True) -> None:
    with db.begin() as conn:
        for aid in article_ids:
            get_article(conn, aid)
        store.set_read(conn, user.id, article_ids, read, _now())


def mark_story_read(db: Database, user: UserRow, story_id: int) -> None:
    with db.begin() as conn:
        story_page(conn, story_id)  # NotFoundError for an unknown story
        store.set_read(conn, user.id, store.story_article_ids(conn, story_id), True, _now())


def mark_all_read(db: Database, user: UserRow, until: datetime | None = None) -> None:
    """Everything published (or first seen) up to `until` (now by default) is read. A mark
    never moves back: marking "all older than X" after a later mark changes nothing."""
    when = min(until or _now(), _now())
    with db.begin() as conn:
        current = store.read_until(conn, user.id)
        if current is None or when > current:
            store.set_read_until(conn, user.id, when)


@dataclass(frozen=True, slots=True)
class Followed:
    """One thing a reader follows or mutes, named, with its unread count (follows only)."""

    kind: str
    id: int
    name: str
    path: str
    unread: int = 0


def following(conn: Connection, r: Reader) -> tuple[list[Followed], list[Followed], list[str]]:
    """(what the reader follows with unread counts, the sources and tags muted, the keywords)."""
    counts = store.unread_count(conn, r.user.id, r.read_until, r.follows, r.mutes)
    follows = [
        Followed(kind, i, name, path, counts.get((kind, i), 0))
        for kind, ids in (
            ("tag", r.follows.tag_ids),
            ("source", r.follows.source_ids),
            ("story", r.follows.story_ids),
        )
        for i, name, path in store.named(conn, kind, ids)
    ]
    muted = [
        Followed(kind, i, name, path)
        for kind, ids in (("source", r.mutes.source_ids), ("tag", r.mutes.tag_ids))
        for i, name, path in store.named(conn, kind, ids)
    ]
    return follows, muted, list(r.mutes.keywords)


def hidden(r: Reader | None) -> list[ColumnElement[bool]]:
    """The WHERE clauses that keep what the reader muted off every list."""
    return store.mute_clauses(r.mutes) if r is not None else []


@dataclass(frozen=True, slots=True)
class ArticleState:
    saved: bool
    read: bool
    opened: bool = False  # opened before (For You widens from opened articles)


def article_state(db: Database, user: UserRow, article_id: int) -> tuple[Reader, ArticleState]:
    """What an article page needs of its reader: their follows and mutes, and whether they
    saved and read this article."""
    with db.read() as conn:
        r = reader(conn, user)
        was_read = bool(store.read_ids(conn, user.id, r.read_until, [article_id]))
        kept = bool(store.saved_ids(conn, user.id, [article_id]))
        seen = bool(store.opened_ids(conn, user.id, [article_id]))
    return r, ArticleState(kept, was_read, seen)


def opened(db: Database, user: UserRow, article_id: int) -> bool:
    """A reader opened an article: it is read from now on. False when there is no such
    article (the page answers 404 for it)."""
    try:
        with db.begin() as conn:
            store.set_read(conn, user.id, [article_id], True, _now(), opened=True)
    except IntegrityError:
        return False
    return True


def items(conn: Connection, r: Reader, cards: Sequence[ArticleCard]) -> list[Item]:
    """The cards as this reader sees them: read or not, saved or not."""
    read, kept = store.marks(conn, r.user.id, r.read_until, cards)
    return [Item(c, c.id in read, c.id in kept) for c in cards]


_WHY = {
    "source": "From {name}, which you follow",
    "tag": "Tagged {name}, which you follow",
    "story": "More on “{name}”, a story you follow",
    "opened": "Related to “{name}”, which you read",
}


@dataclass(frozen=True, slots=True)
class Reach:
    """What For You widens from (the articles the reader opened last) and whether its list is
    found by walking the time index (store.reach_is_wide). Both change only when the reader
    follows or opens something, so a page may keep them as it keeps their follows: at 100,000
    articles they were 1.1 of For You's 8.4 ms (bench/archive.py's reader, in-process)."""

    opened: tuple[int, ...]
    wide: bool
    # The names its reasons give (each follow's, each opened article's), looked up on every
    # page before: 2.04 -> 1.98 ms for 50 cards (bench/archive.py's reader, in-process).
    names: store.ReasonNames = field(default_factory=dict)


def reach(conn: Connection, r: Reader, limit: int = 50) -> Reach:
    opened = tuple(store.recently_read(conn, r.user.id, _OPENED))
    return Reach(
        opened,
        store.reach_is_wide(conn, r.follows, opened, limit),
        store.reason_names(conn, r.follows, opened),
    )


def for_you(
    conn: Connection,
    r: Reader,
    *,
    before: tuple[datetime, int] | None = None,
    limit: int = 50,
    unread_only: bool = False,
    kept: Reach | None = None,
) -> list[Item]:
    """The reader's own front page: what their follows reach, and what is related to the
    articles they opened last, newest first, each with why it is there; muted things never.
    `kept` is reach(conn, r, limit) where the page keeps it (None: read here)."""
    found = kept or reach(conn, r, limit)
    opened = list(found.opened)
    cards = store.stream(
        conn,
        r.follows,
        r.mutes,
        opened=opened,
        read=(r.user.id, r.read_until, False) if unread_only else None,
        after=before,
        limit=limit,
        wide=found.wide,
    )
    why: dict[int, list[str]] = {}
    reasons, read, saved_ids = store.reasons_and_marks(
        conn, r.follows, opened, r.user.id, r.read_until, cards, found.names
    )
    for reason in reasons:
        text = _WHY[reason.kind].format(name=reason.name)
        if text not in why.setdefault(reason.article_id, []):
            why[reason.article_id].append(text)
    # Follows first: "related to what you read" is the weaker reason.
    return [
        Item(
            c,
            c.id in read,
            c.id in saved_ids,
            sorted(why.get(c.id, []), key=lambda w: "Related" in w),
        )
        for c in cards
    ]
