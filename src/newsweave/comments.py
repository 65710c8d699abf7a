"""Comments: threaded, plain text with links made clickable, edited only briefly, moderated.

A body is stored as the plain text the user typed; it is rendered by escaping everything and
then turning http(s) URLs into links (rel="nofollow ugc noopener"), and the result still goes
through nh3, so no markup a user writes ever reaches a page.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from newsweave.errors import ForbiddenError, InvalidInputError, NotFoundError, RateLimitedError
from newsweave.sanitize import clean_html
from newsweave.store import comments as store
from newsweave.store.accounts import UserRow
from newsweave.store.articles import get_article
from newsweave.store.comments import story_exists
from newsweave.store.db import Database

__all__ = [
    "EDIT_WINDOW",
    "MAX_BODY",
    "Node",
    "delete",
    "edit",
    "post",
    "render",
    "report",
    "set_hidden",
    "thread",
    "visible_count",
]

MAX_BODY = 5000
EDIT_WINDOW = timedelta(minutes=15)
RATE = (5, timedelta(minutes=1))  # at most 5 comments a minute per user
LINK_REL = "nofollow ugc noopener noreferrer"  # user links earn no ranking, open no window
_URL = re.compile(r"https?://[^\s<>\"']{2,2000}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_body(body: str) -> str:
    text = _CONTROL.sub("", body.replace("\r\n", "\n")).strip()
    if not text:
        raise InvalidInputError("a comment cannot be empty")
    if len(text) > MAX_BODY:
        raise InvalidInputError(f"a comment is at most {MAX_BODY} characters")
    return text


@functools.lru_cache(maxsize=4096)  # a pure function of the body; pages show the same ones
def render(body: str) -> str:
    """Safe HTML of a comment body: escaped, links clickable, paragraphs kept."""
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(body):
        url = m.group(0).rstrip(".,;:!?)")
        end = m.start() + len(url)
        out.append(html.escape(body[pos : m.start()]))
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>')
        pos = end
    out.append(html.escape(body[pos:]))
    paragraphs = "".join(out).split("\n\n")
    joined = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs if p.strip())
    return clean_html(joined, link_rel=LINK_REL)


def post(
    db: Database,
    user: UserRow,
    body: str,
    *,
    article_id: int | None = None,
    story_id: int | None = None,
    parent_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """A new comment on an article or a story (exactly one), or a reply within the same one."""
    when = now or datetime.now(UTC)
    if (article_id is None) == (story_id is None):
        raise InvalidInputError("a comment belongs to one article or one story")
    if user.banned_at is not None:
        raise ForbiddenError("this account is banned")
    text = _clean_body(body)
    with db.begin() as conn:
        if article_id is not None:
            get_article(conn, article_id)  # NotFoundError for an unknown article
        elif not story_exists(conn, story_id):
            raise NotFoundError(f"no story with id {story_id}")
        if parent_id is not None:
            parent = store.get_comment(conn, parent_id)
            same = parent is not None and (
                parent.article_id == article_id and parent.story_id == story_id
            )
            if not same:
                where = "article" if article_id is not None else "story"
                raise InvalidInputError(f"the comment replied to is not on this {where}")
        limit, window = RATE
        if store.recent_count(conn, user.id, when - window) >= limit:
            raise RateLimitedError(
                f"at most {limit} comments a minute; wait a moment", int(window.total_seconds())
            )
        return store.add_comment(
            conn,
            user_id=user.id,
            body=text,
            now=when,
            article_id=article_id,
            story_id=story_id,
            parent_id=parent_id,
        )


def _own(db: Database, user: UserRow, comment_id: int) -> store.CommentRow:
    with db.read() as conn:
        c = store.get_comment(conn, comment_id)
    if c is None or c.deleted_at is not None:
        raise NotFoundError(f"no comment with id {comment_id}")
    if c.user_id != user.id:
        raise ForbiddenError("only its author can change a comment")
    return c


def edit(
    db: Database, user: UserRow, comment_id: int, body: str, now: datetime | None = None
) -> None:
    when = now or datetime.now(UTC)
    c = _own(db, user, comment_id)
    if when - c.created_at > EDIT_WINDOW:
        raise ForbiddenError("a comment can be edited for 15 minutes after posting")
    text = _clean_body(body)
    with db.begin() as conn:
        store.set_body(conn, comment_id, text, when)


def delete(db: Database, user: UserRow, comment_id: int) -> None:
    _own(db, user, comment_id)
    with db.begin() as conn:
        store.set_deleted(conn, comment_id, datetime.now(UTC))


def report(db: Database, user: UserRow, comment_id: int, reason: str = "") -> bool:
    with db.begin() as conn:
        found = store.get_comment(conn, comment_id)
        if found is None:
            raise NotFoundError(f"no comment with id {comment_id}")
        if found.user_id == user.id:  # else the moderation queue offers to ban the reporter
            raise InvalidInputError("you cannot report your own comment: edit or delete it")
        return store.add_report(conn, comment_id, user.id, reason.strip()[:500], datetime.now(UTC))


def set_hidden(db: Database, moderator: UserRow, comment_id: int, hidden: bool) -> None:
    if not moderator.is_moderator:
        raise ForbiddenError("only moderators can hide or restore comments")
    now = datetime.now(UTC)
    with db.begin() as conn:
        if store.get_comment(conn, comment_id) is None:
            raise NotFoundError(f"no comment with id {comment_id}")
        store.set_hidden(
            conn, comment_id, moderator.id if hidden else None, now if hidden else None
        )
        store.resolve_reports(conn, comment_id, now)


def dismiss_reports(db: Database, moderator: UserRow, comment_id: int) -> None:
    """Close a comment's reports and leave the comment as it is (the report was wrong)."""
    if not moderator.is_moderator:
        raise ForbiddenError("only moderators can dismiss reports")
    with db.begin() as conn:
        if store.get_comment(conn, comment_id) is None:
            raise NotFoundError(f"no comment with id {comment_id}")
        store.resolve_reports(conn, comment_id, datetime.now(UTC))


@dataclass(slots=True)
class Node:
    """A comment as a thread shows it to one reader: its rendered body (empty when deleted or
    hidden from this reader), whether it is theirs and still editable, and its replies."""

    comment: store.CommentRow
    html: str
    state: str  # visible, hidden, deleted
    mine: bool
    editable: bool
    replies: list[Node] = field(default_factory=list)

    # What templates and the API read, as on the stored comment.
    @property
    def id(self) -> int:
        return self.comment.id

    @property
    def username(self) -> str:
        return self.comment.username

    @property
    def body(self) -> str:
        return self.comment.body

    @property
    def created_at(self) -> datetime:
        return self.comment.created_at

    @property
    def edited_at(self) -> datetime | None:
        return self.comment.edited_at


def thread(
    db: Database,
    article_id: int | None = None,
    viewer: UserRow | None = None,
    *,
    story_id: int | None = None,
) -> list[Node]:
    """An article's (or a story's) comments as a tree, in posting order.

    Deleted and hidden comments keep their place when they have replies ("[deleted]",
    "[hidden by a moderator]"); moderators still see a hidden comment's text.
    """
    with db.read() as conn:
        rows = store.thread(conn, article_id=article_id, story_id=story_id)
    now = datetime.now(UTC)
    by_id: dict[int, Node] = {}
    roots: list[Node] = []
    for r in rows:
        hidden = r.hidden_at is not None
        deleted = r.deleted_at is not None
        visible = not deleted and (not hidden or (viewer is not None and viewer.is_moderator))
        mine = viewer is not None and viewer.id == r.user_id and not deleted
        node = Node(
            comment=r,
            html=render(r.body) if visible else "",
            state="deleted" if deleted else "hidden" if hidden else "visible",
            mine=mine,
            editable=mine and now - r.created_at <= EDIT_WINDOW,
        )
        by_id[r.id] = node
        parent = by_id.get(r.parent_id) if r.parent_id else None
        (parent.replies if parent else roots).append(node)

    def keep(node: Node) -> bool:
        node.replies = [c for c in node.replies if keep(c)]
        return node.state == "visible" or bool(node.replies) or bool(node.html)

    return [r for r in roots if keep(r)]


def visible_count(tree: list[Node]) -> int:
    """Comments a reader can see in a thread (what the heading counts)."""
    return sum((node.state == "visible") + visible_count(node.replies) for node in tree)
