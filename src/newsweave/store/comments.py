"""Comments and their reports: SQL only (rules live in newsweave.comments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from newsweave.store import upserts
from newsweave.store.schema import comment_reports, comments, stories, users

__all__ = [
    "CommentRow",
    "ReportRow",
    "add_comment",
    "add_report",
    "get_comment",
    "open_reports",
    "recent_count",
    "resolve_reports",
    "set_body",
    "set_deleted",
    "set_hidden",
    "thread",
]

_COLS = (
    comments.c.id,
    comments.c.article_id,
    comments.c.story_id,
    comments.c.parent_id,
    comments.c.user_id,
    comments.c.body,
    comments.c.created_at,
    comments.c.edited_at,
    comments.c.deleted_at,
    comments.c.hidden_at,
    users.c.username,
)


@dataclass(frozen=True, slots=True)
class CommentRow:
    """A stored comment with its author's name; on an article or on a story (one is None)."""

    id: int
    article_id: int | None
    story_id: int | None
    parent_id: int | None
    user_id: int
    body: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    hidden_at: datetime | None
    username: str


@dataclass(frozen=True, slots=True)
class ReportRow:
    """An open report, with the comment, its author and the reader who reported it."""

    id: int
    reason: str | None
    created_at: datetime
    comment_id: int
    body: str
    article_id: int | None
    hidden_at: datetime | None
    author: str
    author_id: int
    reporter: str


def add_comment(
    conn: Connection,
    *,
    user_id: int,
    body: str,
    now: datetime,
    article_id: int | None = None,
    story_id: int | None = None,
    parent_id: int | None = None,
) -> int:
    q = insert(comments).values(
        user_id=user_id,
        body=body,
        created_at=now,
        article_id=article_id,
        story_id=story_id,
        parent_id=parent_id,
    )
    return int(conn.execute(q.returning(comments.c.id)).scalar_one())


def get_comment(conn: Connection, comment_id: int) -> CommentRow | None:
    r = conn.execute(
        select(*_COLS)
        .join(users, users.c.id == comments.c.user_id)
        .where(comments.c.id == comment_id)
    ).first()
    return CommentRow(*r) if r else None


def _thread_query(owner: Any) -> Any:
    return (
        select(*_COLS)
        .join(users, users.c.id == comments.c.user_id)
        .where(owner == bindparam("owner"))
        .order_by(comments.c.created_at, comments.c.id)
    )


# Built once: every article page reads its thread, and building the statement each time was
# half the cost of the read (~0.1 ms; bench/web.py).
_THREAD_OF_ARTICLE = _thread_query(comments.c.article_id)
_THREAD_OF_STORY = _thread_query(comments.c.story_id)


def thread(
    conn: Connection, *, article_id: int | None = None, story_id: int | None = None
) -> list[CommentRow]:
    """Every comment on an article or story, oldest first (the caller builds the tree)."""
    if article_id is not None:
        rows = conn.execute(_THREAD_OF_ARTICLE, {"owner": article_id})
    else:
        rows = conn.execute(_THREAD_OF_STORY, {"owner": story_id})
    return [CommentRow(*r) for r in rows]


def recent_count(conn: Connection, user_id: int, since: datetime) -> int:
    q = select(func.count()).where(comments.c.user_id == user_id, comments.c.created_at >= since)
    return int(conn.execute(q).scalar_one())


def set_body(conn: Connection, comment_id: int, body: str, now: datetime) -> None:
    conn.execute(
        update(comments).where(comments.c.id == comment_id).values(body=body, edited_at=now)
    )


def set_deleted(conn: Connection, comment_id: int, now: datetime) -> None:
    conn.execute(update(comments).where(comments.c.id == comment_id).values(deleted_at=now))


def set_hidden(conn: Connection, comment_id: int, by: int | None, now: datetime | None) -> None:
    conn.execute(
        update(comments).where(comments.c.id == comment_id).values(hidden_at=now, hidden_by=by)
    )


def add_report(conn: Connection, comment_id: int, user_id: int, reason: str, now: datetime) -> bool:
    """False when this user already reported this comment (a double click is one report)."""
    row = {"comment_id": comment_id, "user_id": user_id, "reason": reason, "created_at": now}
    return upserts.insert_missing(conn, comment_reports, [row], ["comment_id", "user_id"]) == 1


def open_reports(conn: Connection, limit: int = 200) -> list[ReportRow]:
    reporter = users.alias("reporter")
    author = users.alias("author")
    q = (
        select(
            comment_reports.c.id,
            comment_reports.c.reason,
            comment_reports.c.created_at,
            comments.c.id.label("comment_id"),
            comments.c.body,
            comments.c.article_id,
            comments.c.hidden_at,
            author.c.username.label("author"),
            author.c.id.label("author_id"),
            reporter.c.username.label("reporter"),
        )
        .join(comments, comments.c.id == comment_reports.c.comment_id)
        .join(author, author.c.id == comments.c.user_id)
        .join(reporter, reporter.c.id == comment_reports.c.user_id)
        .where(comment_reports.c.resolved_at.is_(None))
        .order_by(comment_reports.c.created_at)
        .limit(limit)
    )
    return [ReportRow(**r._mapping) for r in conn.execute(q)]


def resolve_reports(conn: Connection, comment_id: int, now: datetime) -> None:
    conn.execute(
        update(comment_reports)
        .where(comment_reports.c.comment_id == comment_id, comment_reports.c.resolved_at.is_(None))
        .values(resolved_at=now)
    )


def story_exists(conn: Connection, story_id: int | None) -> bool:
    return conn.execute(select(stories.c.id).where(stories.c.id == story_id)).first() is not None
