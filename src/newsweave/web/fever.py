"""The Fever API (api_version 3), for the reader apps that speak it (Reeder, ReadKit, Unread...).

Fever authenticates every request with `api_key` = md5("username:password"). newsweave never
keeps a password in a form md5 can check, so the reader makes an *app password* for Fever on
/account/apps; its md5 key is stored and the account's own password stays out of it.

Fever knows feeds and groups, not hashtags or stories: its feeds are the sources the reader
follows, its groups the reader's folders, its items those sources' articles (mutes apply).
Google Reader API apps see hashtags and stories too.
"""

from __future__ import annotations

import hashlib
import html
import json
import secrets
import zlib
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from newsweave import reading
from newsweave.errors import InvalidInputError
from newsweave.store import reading as store
from newsweave.store import sources as source_store
from newsweave.store.accounts import UserRow, get_user
from newsweave.store.db import Database
from newsweave.store.reading import Follows
from newsweave.store.views import ArticleCard

__all__ = ["make_app_password", "router"]

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
MAX_IDS = 10_000


def key_for(username: str, password: str) -> str:
    return hashlib.md5(f"{username}:{password}".encode(), usedforsecurity=False).hexdigest()


def make_app_password(db: Database, user: UserRow) -> str:
    """A new Fever app password for this reader (the old one stops working)."""
    password = secrets.token_urlsafe(12)
    with db.begin() as conn:
        store.set_fever_key(conn, user.id, key_for(user.username, password))
    return password


def group_id(name: str) -> int:
    """A folder's Fever group id: stable across requests and renames of other folders."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF or 1


def _out(payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), media_type="application/json")


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    assert value is not None
    if not value.isdigit() or len(value) > 12:
        raise InvalidInputError(f"{name} must be a whole number")
    return int(value)


def _item(c: ArticleCard, text: str, byline: str | None, read: bool, kept: bool) -> dict[str, Any]:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    return {
        "id": c.id,
        "feed_id": c.source_id,
        "title": c.title or "(untitled)",
        "author": byline or c.source,
        "html": body or html.escape(c.summary or ""),
        "url": c.url or "",
        "is_saved": int(kept),
        "is_read": int(read),
        "created_on_time": int(c.at.timestamp()),
    }


@router.api_route("/fever/", methods=["GET", "POST"])
async def fever(request: Request) -> Response:
    params: dict[str, str] = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    now = int(datetime.now(UTC).timestamp())
    payload: dict[str, Any] = {"api_version": 3, "auth": 0}
    key = params.get("api_key", "").strip().lower()
    db: Database = request.app.state.db
    with db.read() as conn:
        uid = store.user_by_fever_key(conn, key) if len(key) == 32 else None
        user = get_user(conn, uid) if uid is not None else None
    if user is None:
        return _out(payload)
    payload["auth"] = 1
    payload["last_refreshed_on_time"] = now
    if "mark" in params:
        _mark(db, user, params)
        request.app.state.shared.reader_changed(user.id)  # their cached site pages go
    with db.read() as conn:
        r = reading.reader(conn, user)
        folders = store.folders_of(conn, user.id)
        followed = sorted(r.follows.source_ids)
        sources_only = Follows(source_ids=frozenset(followed))
        groups: dict[str, list[int]] = {}
        for sid in followed:
            name = folders.get(("source", sid))
            if name:
                groups.setdefault(name, []).append(sid)
        feeds_groups = [
            {"group_id": group_id(name), "feed_ids": ",".join(map(str, ids))}
            for name, ids in sorted(groups.items())
        ]
        if "groups" in params:
            payload["groups"] = [{"id": group_id(n), "title": n} for n in sorted(groups)]
            payload["feeds_groups"] = feeds_groups
        if "feeds" in params:
            feeds = []
            for sid in followed:
                src = source_store.get_source(conn, sid)
                feeds.append(
                    {
                        "id": sid,
                        "favicon_id": 0,
                        "title": src.name,
                        "url": src.feed_url or "",
                        "site_url": src.homepage or "",
                        "is_spark": 0,
                        "last_updated_on_time": int(src.last_success_at.timestamp())
                        if src.last_success_at
                        else 0,
                    }
                )
            payload["feeds"] = feeds
            payload["feeds_groups"] = feeds_groups
        if "favicons" in params:
            payload["favicons"] = []
        if "links" in params:
            payload["links"] = []
        if "unread_item_ids" in params:
            unread = store.stream(
                conn,
                sources_only,
                r.mutes,
                read=(user.id, r.read_until, False),
                limit=MAX_IDS,
            )
            payload["unread_item_ids"] = ",".join(str(c.id) for c in sorted(unread, key=_id))
        if "saved_item_ids" in params:
            kept = store.stream(conn, None, None, starred_by=user.id, limit=MAX_IDS)
            payload["saved_item_ids"] = ",".join(str(c.id) for c in sorted(kept, key=_id))
        if "items" in params:
            payload.update(_items(conn, user, r, sources_only, params))
    return _out(payload)


def _id(c: ArticleCard) -> int:
    return c.id


def _items(
    conn: Any, user: UserRow, r: reading.Reader, f: Follows, params: dict[str, str]
) -> dict[str, Any]:
    """Up to 50 items: after `since_id` (ascending), before `max_id` (descending) or exactly
    `with_ids` (comma-separated), as Fever clients page through them by id."""
    with_ids = params.get("with_ids")
    if with_ids:
        wanted = [int(i) for i in with_ids.split(",") if i.strip().isdigit()][:PER_PAGE]
        found = [c for c in store.cards_by_id(conn, wanted) if c.source_id in f.source_ids]
        found.sort(key=_id)
    else:
        since_id = _int(params.get("since_id"), "since_id")
        max_id = _int(params.get("max_id"), "max_id")
        found = store.by_id_range(conn, sorted(f.source_ids), r.mutes, since_id, max_id, PER_PAGE)
    read, kept = store.marks(conn, user.id, r.read_until, found)
    texts = store.texts(conn, [c.id for c in found])
    items = [_item(c, *texts.get(c.id, ("", None)), c.id in read, c.id in kept) for c in found]
    total = store.count_of_sources(conn, sorted(f.source_ids), r.mutes)
    return {"items": items, "total_items": total}


def _mark(db: Database, user: UserRow, params: dict[str, str]) -> None:
    what, how = params.get("mark"), params.get("as")
    ident = _int(params.get("id"), "id")
    if ident is None:
        raise InvalidInputError("mark needs an id")
    now = datetime.now(UTC)
    if what == "item":
        with db.begin() as conn:
            if not store.cards_by_id(conn, [ident]):
                return
            if how in ("read", "unread"):
                store.set_read(conn, user.id, [ident], how == "read", now)
            elif how == "saved":
                store.save(conn, user.id, ident, now)
            elif how == "unsaved":
                store.unsave(conn, user.id, ident)
        return
    if how != "read" or what not in ("feed", "group"):
        raise InvalidInputError("mark=item|feed|group with as=read|unread|saved|unsaved")
    before = _int(params.get("before"), "before")
    until = datetime.fromtimestamp(before, UTC) if before is not None else now
    with db.read() as conn:
        r = reading.reader(conn, user)
        if what == "feed":
            ids = frozenset({ident})
        else:  # group 0 is every feed (Fever's "Kindling")
            folders = store.folders_of(conn, user.id)
            ids = frozenset(
                sid
                for sid in r.follows.source_ids
                if ident == 0 or group_id(folders.get(("source", sid)) or "") == ident
            )
        found = store.stream(
            conn,
            Follows(source_ids=ids),
            r.mutes,
            read=(user.id, r.read_until, False),
            until=until,
            limit=MAX_IDS,
        )
    with db.begin() as conn:
        store.set_read(conn, user.id, [c.id for c in found], True, now)
