"""Accounts: registration, passwords (argon2id), sessions, roles, bans and API tokens.

Session and API tokens are random (secrets.token_urlsafe) and stored only as SHA-256 hashes, so
a leaked database opens no session. Password hashes use argon2-cffi's defaults (argon2id, RFC
9106's low-memory profile), re-hashed on login when the parameters change.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from newsweave.errors import AuthError, ForbiddenError, InvalidInputError
from newsweave.store import accounts as store
from newsweave.store.accounts import UserRow
from newsweave.store.db import Database

__all__ = [
    "ROLES",
    "SESSION_DAYS",
    "UserRow",
    "authenticate",
    "change_password",
    "create_user",
    "end_session",
    "new_api_token",
    "set_banned",
    "set_role",
    "start_session",
    "user_for_session",
    "user_for_token",
]

ROLES = ("reader", "moderator", "admin")
SESSION_DAYS = 30
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 256
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so that the answer takes as long either
    way. Made at the first login, not at import: hashing costs ~0.2 s that every command paid."""
    return _hasher.hash(secrets.token_hex(16))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInputError(
            f"the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long", "password"
        )


def create_user(
    db: Database, username: str, password: str, email: str | None = None, role: str = "reader"
) -> int:
    username = username.strip()
    email = (email or "").strip() or None
    if not _USERNAME.match(username):
        raise InvalidInputError(
            "a username is 3 to 32 letters, digits, '.', '_' or '-', starting with a letter"
            " or digit",
            "username",
        )
    if email is not None and not _EMAIL.match(email):
        raise InvalidInputError("that does not look like an email address", "email")
    if role not in ROLES:
        raise InvalidInputError(f"role must be one of {', '.join(ROLES)}")
    _check_password(password)
    hashed = _hasher.hash(password)
    with db.begin() as conn:
        if store.user_by_name(conn, username):
            raise InvalidInputError(f"the username {username!r} is taken", "username")
        if email and store.email_taken(conn, email):
            raise InvalidInputError("an account with that email exists", "email")
        return store.add_user(conn, username, email, hashed, role)


def authenticate(db: Database, username: str, password: str) -> UserRow:
    with db.read() as conn:
        user = store.user_by_name(conn, username.strip())
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        raise AuthError("wrong username or password") from None
    if user is None:
        raise AuthError("wrong username or password")
    if user.banned_at is not None:
        raise ForbiddenError("this account is banned")
    if _hasher.check_needs_rehash(user.password_hash):
        with db.begin() as conn:
            store.set_password(conn, user.id, _hasher.hash(password))
    return user


def start_session(db: Database, user_id: int, now: datetime | None = None) -> str:
    """A new session; returns the token for the cookie (only its hash is stored)."""
    when = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    with db.begin() as conn:
        store.add_session(conn, _digest(token), user_id, when, when + timedelta(days=SESSION_DAYS))
        store.set_last_login(conn, user_id, when)
    return token


def user_for_session(
    db: Database, token: str | None, now: datetime | None = None
) -> UserRow | None:
    if not token or len(token) > 200:
        return None
    with db.read() as conn:
        user = store.user_for_session(conn, _digest(token), now or datetime.now(UTC))
    return user if user and user.banned_at is None else None


def end_session(db: Database, token: str | None) -> None:
    if token:
        with db.begin() as conn:
            store.delete_session(conn, _digest(token))


def change_password(db: Database, user: UserRow, old: str, new: str) -> None:
    try:
        authenticate(db, user.username, old)
    except AuthError:
        raise InvalidInputError("that is not your current password", "old") from None
    try:
        _check_password(new)
    except InvalidInputError as exc:
        raise InvalidInputError(str(exc), "new") from None
    with db.begin() as conn:
        store.set_password(conn, user.id, _hasher.hash(new))
        store.delete_sessions(conn, user.id)  # every other device signs in again


def set_banned(db: Database, actor: UserRow, username: str, banned: bool) -> None:
    if not actor.is_moderator:
        raise ForbiddenError("only moderators can ban")
    with db.begin() as conn:
        target = store.user_by_name(conn, username)
        if target is None:
            raise InvalidInputError(f"no user {username!r}")
        if target.role == "admin" or target.id == actor.id:
            raise ForbiddenError("admins and yourself cannot be banned")
        store.set_banned(conn, target.id, datetime.now(UTC) if banned else None)
        if banned:
            store.delete_sessions(conn, target.id)


def set_role(db: Database, username: str, role: str) -> None:
    """For the operator (`newsweave user role`): make a reader a moderator, and so on."""
    if role not in ROLES:
        raise InvalidInputError(f"role must be one of {', '.join(ROLES)}")
    with db.begin() as conn:
        user = store.user_by_name(conn, username)
        if user is None:
            raise InvalidInputError(f"no user {username!r}")
        store.set_role(conn, user.id, role)


def new_api_token(db: Database, username: str, name: str = "api") -> str:
    with db.begin() as conn:
        user = store.user_by_name(conn, username)
        if user is None:
            raise InvalidInputError(f"no user {username!r}")
        token = "nw_" + secrets.token_urlsafe(32)
        store.add_token(conn, user.id, _digest(token), name, datetime.now(UTC))
    return token


TOKEN_TOUCH = timedelta(minutes=5)  # how stale a token's "last used" may get


def user_for_token(db: Database, token: str) -> UserRow | None:
    """The token's user. Its "last used" time is written at most every few minutes: a reader
    app polls many times a minute, and a write per request took SQLite's write lock each time."""
    digest = _digest(token)
    with db.read() as conn:
        found = store.user_for_token(conn, digest)
    if found is None:
        return None
    user, used = found
    now = datetime.now(UTC)
    if used is None or now - used > TOKEN_TOUCH:
        with db.begin() as conn:
            store.touch_token(conn, digest, now)
    return user if user.banned_at is None else None


def signing_key(db: Database) -> str:
    """The key that signs the site's form tokens: made once, kept in the database, so every
    web process on every host signs alike and a restart keeps open forms valid."""
    with db.begin() as conn:
        return store.site_secret(conn, "form-tokens", secrets.token_hex(32))
