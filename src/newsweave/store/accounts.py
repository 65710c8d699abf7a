"""Users, sessions and API tokens: SQL only (hashing and rules live in newsweave.accounts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from newsweave.errors import InvalidInputError
from newsweave.store import upserts
from newsweave.store.schema import api_tokens, sessions, site_secrets, users

__all__ = [
    "UserRow",
    "add_session",
    "add_token",
    "add_user",
    "delete_session",
    "delete_sessions",
    "get_user",
    "new_feed_generation",
    "set_banned",
    "set_last_login",
    "set_password",
    "set_role",
    "site_secret",
    "user_by_name",
    "user_for_session",
    "user_for_token",
]


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    username: str
    email: str | None
    password_hash: str
    role: str
    banned_at: datetime | None
    feed_generation: int = 0

    @property
    def is_moderator(self) -> bool:
        return self.role in ("moderator", "admin")


def _row(r: Any) -> UserRow:
    return UserRow(
        r.id, r.username, r.email, r.password_hash, r.role, r.banned_at, r.feed_generation
    )


def add_user(
    conn: Connection, username: str, email: str | None, password_hash: str, role: str
) -> int:
    """The new user's id. Raises InvalidInputError when another registration took the name or
    the address first (the caller looked, but two processes may look at once)."""
    q = insert(users).values(username=username, email=email, password_hash=password_hash, role=role)
    try:
        with conn.begin_nested():
            return int(conn.execute(q.returning(users.c.id)).scalar_one())
    except IntegrityError:
        raise InvalidInputError("that username or e-mail address is taken", "username") from None


def user_by_name(conn: Connection, username: str) -> UserRow | None:
    r = conn.execute(select(users).where(func.lower(users.c.username) == username.lower())).first()
    return _row(r) if r else None


def email_taken(conn: Connection, email: str) -> bool:
    q = select(users.c.id).where(func.lower(users.c.email) == email.lower())
    return conn.execute(q).first() is not None


def get_user(conn: Connection, user_id: int) -> UserRow | None:
    r = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _row(r) if r else None


def set_password(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def new_feed_generation(conn: Connection, user_id: int) -> None:
    """Replace the reader's private digest feed address: the old one stops working."""
    generation = users.c.feed_generation + 1
    conn.execute(update(users).where(users.c.id == user_id).values(feed_generation=generation))


def set_role(conn: Connection, user_id: int, role: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(role=role))


def set_banned(conn: Connection, user_id: int, when: datetime | None) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(banned_at=when))


def set_last_login(conn: Connection, user_id: int, when: datetime) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(last_login_at=when))


def add_session(
    conn: Connection, token_hash: str, user_id: int, now: datetime, expires: datetime
) -> None:
    conn.execute(
        insert(sessions).values(
            token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires
        )
    )


def user_for_session(conn: Connection, token_hash: str, now: datetime) -> UserRow | None:
    r = conn.execute(
        select(users)
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(sessions.c.token_hash == token_hash, sessions.c.expires_at > now)
    ).first()
    return _row(r) if r else None


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


def delete_sessions(conn: Connection, user_id: int) -> None:
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id))


def add_token(conn: Connection, user_id: int, token_hash: str, name: str, now: datetime) -> None:
    conn.execute(
        insert(api_tokens).values(user_id=user_id, token_hash=token_hash, name=name, created_at=now)
    )


def user_for_token(conn: Connection, token_hash: str) -> tuple[UserRow, datetime | None] | None:
    """The token's user and when the token was last used."""
    r = conn.execute(
        select(users, api_tokens.c.last_used_at.label("token_used_at"))
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == token_hash)
    ).first()
    return (_row(r), r.token_used_at) if r is not None else None


def touch_token(conn: Connection, token_hash: str, now: datetime) -> None:
    conn.execute(
        update(api_tokens).where(api_tokens.c.token_hash == token_hash).values(last_used_at=now)
    )


def site_secret(conn: Connection, name: str, candidate: str) -> str:
    """The site's secret called `name`: `candidate` if this is the first time it is asked
    for, else the one stored then (whichever process asked first wins)."""
    upserts.insert_missing(conn, site_secrets, [{"name": name, "value": candidate}], ["name"])
    return str(
        conn.execute(select(site_secrets.c.value).where(site_secrets.c.name == name)).scalar_one()
    )
