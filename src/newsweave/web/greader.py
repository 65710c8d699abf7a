"""The Google Reader API, as FreshRSS and Miniflux serve it, for Reeder, NetNewsWire, FeedMe,
Read You and the other apps that speak it.

Mapping: a subscription is something the reader follows: a source (`feed/<id>`), a hashtag
(`feed/tag-<id>`) or a story (`feed/story-<id>`); a label is the reader's folder of follows;
starred is saved; read is newsweave's read state; the reading list is everything the follows
bring. Sources are the operator's: subscribing to a URL follows the source that has it, and a
URL no source has is refused with a message (the operator adds sources, readers follow them).
Muted sources, hashtags and words stay out of every stream, as on the site.

Auth is ClientLogin (the account's username and password, rate-limited like the login form),
which answers an API token; requests send `Authorization: GoogleLogin auth=<token>`. Writes need
no separate POST token: the token travels in a header no other site can make a browser send.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from newsweave import accounts, reading
from newsweave.errors import AuthError, ForbiddenError, InvalidInputError, NotFoundError
from newsweave.store import reading as store
from newsweave.store import sources as source_store
from newsweave.store.accounts import UserRow
from newsweave.store.reading import Follows
from newsweave.store.views import ArticleCard
from newsweave.web import parts

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_STATE = "user/-/state/com.google/"
READING_LIST = _STATE + "reading-list"
READ = _STATE + "read"
STARRED = _STATE + "starred"
KEPT_UNREAD = _STATE + "kept-unread"
_LABEL = "user/-/label/"
_ITEM = "tag:google.com,2005:reader/item/"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ITEMS = 10_000


class GReaderAuthError(Exception):
    """A request without valid GoogleLogin credentials: 401 with a plain-text body."""


def _json(payload: Any) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type="application/json")


async def _form(request: Request) -> dict[str, list[str]]:
    """Query string and form fields together, every value of a repeated key (`i=1&i=2`)."""
    out: dict[str, list[str]] = {}
    for k, v in request.query_params.multi_items():
        out.setdefault(k, []).append(v)
    if request.method == "POST":
        form = await request.form()
        for k, fv in form.multi_items():
            if isinstance(fv, str):
                out.setdefault(k, []).append(fv)
    return out


def _one(form: dict[str, list[str]], key: str, default: str = "") -> str:
    values = form.get(key)
    return values[0] if values else default


def _user(request: Request) -> UserRow:
    auth = request.headers.get("authorization", "")
    token = auth.split("auth=", 1)[1].strip() if "auth=" in auth else ""
    user = accounts.user_for_token(request.app.state.db, token) if token else None
    if user is None:
        raise GReaderAuthError
    return user


def _done(request: Request, user: UserRow, response: Response) -> Response:
    """After a write: the reader's cached site pages go (web.cache.ReaderPageCache)."""
    request.app.state.shared.reader_changed(user.id)
    return response


def _micros(at: datetime) -> int:
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return (at - _EPOCH) // timedelta(microseconds=1)


def _from_seconds(value: str, name: str) -> datetime | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise InvalidInputError(f"{name} is seconds since 1970")
    return _EPOCH + timedelta(seconds=int(value))


def item_id(value: str) -> int:
    """An item id in any form clients send: the long form (hex), or decimal."""
    try:
        if value.startswith(_ITEM):
            return int(value[len(_ITEM) :], 16)
        return int(value)
    except ValueError:
        raise InvalidInputError(f"not an item id: {value[:80]!r}") from None


def feed_id(kind: str, ident: int) -> str:
    """The stream id of a follow: `feed/<source>`, `feed/tag-<id>`, `feed/story-<id>`."""
    return f"feed/{ident}" if kind == "source" else f"feed/{kind}-{ident}"


def _feed_ref(stream_id: str) -> tuple[str, int] | None:
    """(kind, id) of a `feed/...` stream id that feed_id made, else None."""
    ref = stream_id.removeprefix("feed/")
    if ref == stream_id:
        return None
    for kind in ("tag", "story"):
        number = ref.removeprefix(kind + "-")
        if number != ref and number.isdigit():
            return kind, int(number)
    return ("source", int(ref)) if ref.isdigit() else None


@dataclass(frozen=True, slots=True)
class Stream:
    follows: Follows | None
    starred: bool = False
    read: bool | None = None


def _stream(
    stream_id: str, r: reading.Reader, folders: dict[tuple[str, int], str | None]
) -> Stream:
    """What a stream id names, for this reader."""
    sid = stream_id
    if sid.startswith("user/") and "/state/com.google/" in sid:
        state = sid.rsplit("/", 1)[1]
        if state == "reading-list":
            return Stream(r.follows)
        if state == "starred":
            return Stream(None, starred=True)
        if state == "read":
            return Stream(r.follows, read=True)
        raise NotFoundError(f"no stream {stream_id!r}")
    if sid.startswith("user/") and "/label/" in sid:
        name = sid.split("/label/", 1)[1]
        inside = {key for key, folder in folders.items() if folder == name}
        return Stream(
            Follows(
                tag_ids=frozenset(t for k, t in inside if k == "tag"),
                source_ids=frozenset(t for k, t in inside if k == "source"),
                story_anchors=frozenset(t for k, t in inside if k == "story"),
            )
        )
    found = _feed_ref(sid)
    if found is not None:
        kind, n = found[0], frozenset({found[1]})
        if kind == "tag":
            return Stream(Follows(tag_ids=n))
        return Stream(Follows(story_ids=n) if kind == "story" else Follows(source_ids=n))
    raise NotFoundError(f"no stream {stream_id!r}")


def _resolve_story_anchors(conn: Any, f: Follows | None) -> Follows | None:
    """A label's stories are held by anchor articles: the stories they are in now."""
    if f is None or not f.story_anchors or f.story_ids:
        return f
    now = store.stories_of(conn, f.story_anchors)
    return Follows(f.tag_ids, f.source_ids, f.story_anchors, frozenset(now))


@router.post("/accounts/ClientLogin")
async def client_login(request: Request) -> Response:
    form = await _form(request)
    username = _one(form, "Email")
    password = _one(form, "Passwd")
    ip = request.client.host if request.client else "?"
    limiter = request.app.state.login_limiter
    limiter.check(ip, username)
    try:
        user = accounts.authenticate(request.app.state.db, username, password)
    except (AuthError, ForbiddenError):
        limiter.failed(ip, username)
        return PlainTextResponse("Error=BadAuthentication\n", status_code=401)
    limiter.succeeded(ip, username)
    token = accounts.new_api_token(request.app.state.db, user.username, "Google Reader app")
    if _one(form, "output") == "json":
        return _json({"SID": token, "LSID": token, "Auth": token})
    return PlainTextResponse(f"SID={token}\nLSID={token}\nAuth={token}\n")


_API = "/reader/api/0"


@router.get(_API + "/token")
def token(request: Request) -> Response:
    user = _user(request)
    # Clients echo it back as T on writes; it proves nothing the header does not.
    digest = hashlib.sha256(f"{user.id}:{request.headers.get('authorization')}".encode())
    return PlainTextResponse(digest.hexdigest()[:57])


@router.get(_API + "/user-info")
def user_info(request: Request) -> Response:
    user = _user(request)
    return _json(
        {
            "userId": str(user.id),
            "userName": user.username,
            "userProfileId": str(user.id),
            "userEmail": user.email or "",
        }
    )


@router.get(_API + "/preference/list")
def preferences(request: Request) -> Response:
    _user(request)
    return _json({"prefs": []})


@router.get(_API + "/preference/stream/list")
def stream_preferences(request: Request) -> Response:
    _user(request)
    return _json({"streamprefs": {}})


@router.get(_API + "/tag/list")
def tag_list(request: Request) -> Response:
    user = _user(request)
    with request.app.state.db.read() as conn:
        folders = store.folders_of(conn, user.id)
    tags = [{"id": STARRED}]
    for name in sorted({f for f in folders.values() if f}):
        tags.append({"id": _LABEL + name, "type": "folder"})
    return _json({"tags": tags})


def _subscriptions(request: Request, user: UserRow) -> list[dict[str, Any]]:
    base = str(request.base_url).rstrip("/")
    with request.app.state.db.read() as conn:
        r = reading.reader(conn, user)
        folders = store.folders_of(conn, user.id)
        out = []
        for kind, ids in (
            ("source", r.follows.source_ids),
            ("tag", r.follows.tag_ids),
            ("story", r.follows.story_ids),
        ):
            for i, name, path in store.named(conn, kind, ids):
                if kind == "source":
                    src = source_store.get_source(conn, i)
                    url, home = src.feed_url or base + path, src.homepage
                    folder = folders.get(("source", i))
                elif kind == "tag":
                    url, home = f"{base}{path}/feed.atom", None
                    folder = folders.get(("tag", i))
                else:
                    url, home = f"{base}{path}/feed.atom", None
                    anchors = store.story_article_ids(conn, i)
                    folder = next(
                        (folders[("story", a)] for a in anchors if folders.get(("story", a))),
                        None,
                    )
                out.append(
                    {
                        "id": feed_id(kind, i),
                        "title": name,
                        "categories": [{"id": _LABEL + folder, "label": folder}] if folder else [],
                        "url": url,
                        "htmlUrl": home or base + path,
                        "iconUrl": "",
                    }
                )
    return out


@router.get(_API + "/subscription/list")
def subscription_list(request: Request) -> Response:
    return _json({"subscriptions": _subscriptions(request, _user(request))})


def _target(conn: Any, stream_id: str, user: UserRow) -> tuple[str, int]:
    """(kind, id) of the follow a subscription stream id names; a URL finds its source."""
    ref = _feed_ref(stream_id)
    if ref is not None:
        return ref
    stream_id = stream_id.removeprefix("feed/")  # `feed/<feed address>`, as Google Reader had
    found = source_store.source_by_url(conn, stream_id)
    if found is None:
        raise NotFoundError(
            f"no source has the feed {stream_id[:200]!r}: the site's operator adds sources, "
            "readers follow them"
        )
    return "source", found


def _follow_key(conn: Any, user: UserRow, kind: str, target: int) -> tuple[str, int]:
    """The follows row of a subscription (a story's is its anchor article)."""
    if kind != "story":
        return kind, target
    folders = store.folders_of(conn, user.id)
    for aid in store.story_article_ids(conn, target):
        if ("story", aid) in folders:
            return "story", aid
    raise NotFoundError(f"you do not follow story {target}")


@router.post(_API + "/subscription/edit")
async def subscription_edit(request: Request) -> Response:
    user = _user(request)
    form = await _form(request)
    action = _one(form, "ac", "edit")
    db = request.app.state.db
    for stream_id in form.get("s", []):
        with db.read() as conn:
            kind, target = _target(conn, stream_id, user)
        if action == "subscribe":
            reading.follow(db, user, kind, target)  # type: ignore[arg-type]
        elif action == "unsubscribe":
            reading.unfollow(db, user, kind, target)  # type: ignore[arg-type]
            continue
        with db.begin() as conn:
            key = _follow_key(conn, user, kind, target)
            for label in form.get("a", []):
                if label.startswith("user/") and "/label/" in label:
                    store.set_folder(conn, user.id, *key, label.split("/label/", 1)[1][:100])
            for label in form.get("r", []):
                if label.startswith("user/") and "/label/" in label:
                    store.set_folder(conn, user.id, *key, None)
    return _done(request, user, PlainTextResponse("OK"))


@router.post(_API + "/subscription/quickadd")
async def quickadd(request: Request) -> Response:
    user = _user(request)
    form = await _form(request)
    url = _one(form, "quickadd").removeprefix("feed/")
    db = request.app.state.db
    with db.read() as conn:
        kind, target = _target(conn, url, user)
    reading.follow(db, user, kind, target)  # type: ignore[arg-type]
    sid = feed_id(kind, target)
    return _done(request, user, _json({"numResults": 1, "query": url, "streamId": sid}))


@router.post(_API + "/rename-tag")
async def rename_tag(request: Request) -> Response:
    user = _user(request)
    form = await _form(request)
    old = _one(form, "s").split("/label/", 1)[-1]
    new = _one(form, "dest").split("/label/", 1)[-1][:100]
    if not old or not new:
        raise InvalidInputError("rename-tag needs s and dest (user/-/label/NAME)")
    with request.app.state.db.begin() as conn:
        store.rename_folder(conn, user.id, old, new)
    return _done(request, user, PlainTextResponse("OK"))


@router.post(_API + "/disable-tag")
async def disable_tag(request: Request) -> Response:
    user = _user(request)
    form = await _form(request)
    name = _one(form, "s").split("/label/", 1)[-1]
    with request.app.state.db.begin() as conn:
        store.rename_folder(conn, user.id, name, None)
    return _done(request, user, PlainTextResponse("OK"))


def _query(
    request: Request, form: dict[str, list[str]], stream_id: str, user: UserRow
) -> tuple[list[ArticleCard], str | None]:
    """The items of a stream with the client's filters, and the continuation."""
    n = _one(form, "n", "20")
    if not n.isdigit():
        raise InvalidInputError("n is a number of items")
    limit = max(1, min(int(n), MAX_ITEMS))
    oldest_first = _one(form, "r") == "o"
    after = None
    cont = _one(form, "c")
    if cont:
        at, _, last = cont.partition(".")
        if not (at.isdigit() and last.isdigit() and len(at) <= 18 and len(last) <= 12):
            raise InvalidInputError("c is a continuation this server gave")
        after = (_EPOCH + timedelta(microseconds=int(at)), int(last))
    since = _from_seconds(_one(form, "ot"), "ot")
    until = _from_seconds(_one(form, "nt"), "nt")
    with request.app.state.db.read() as conn:
        r = reading.reader(conn, user)
        s = _stream(stream_id, r, store.folders_of(conn, user.id))
        follows = _resolve_story_anchors(conn, s.follows)
        read = s.read
        starred = s.starred
        for x in form.get("xt", []):
            if x.endswith("/state/com.google/read"):
                read = False
        for x in form.get("it", []):
            if x.endswith("/state/com.google/starred"):
                starred = True
            elif x.endswith("/state/com.google/read"):
                read = True
        found = store.stream(
            conn,
            follows,
            r.mutes,
            starred_by=user.id if starred else None,
            read=(user.id, r.read_until, read) if read is not None else None,
            since=since,
            until=until,
            after=after,
            oldest_first=oldest_first,
            limit=limit + 1,
        )
    more = len(found) > limit
    found = found[:limit]
    nxt = f"{_micros(found[-1].at)}.{found[-1].id}" if more and found else None
    return found, nxt


@router.get(_API + "/stream/items/ids")
async def stream_item_ids(request: Request) -> Response:
    user = _user(request)
    form = await _form(request)
    found, nxt = _query(request, form, _one(form, "s", READING_LIST), user)
    payload: dict[str, Any] = {"itemRefs": [{"id": str(c.id)} for c in found]}
    if nxt:
        payload["continuation"] = nxt
    return _json(payload)


def _items(request: Request, user: UserRow, cards: Sequence[ArticleCard]) -> list[dict[str, Any]]:
    base = str(request.base_url).rstrip("/")
    with request.app.state.db.read() as conn:
        r = reading.reader(conn, user)
        read, kept = store.marks(conn, user.id, r.read_until, cards)
        texts = store.texts(conn, [c.id for c in cards])
        folders = store.folders_of(conn, user.id)
    out = []
    for c in cards:
        text, byline = texts.get(c.id, ("", None))
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
        more = (
            f'<p><a href="{base}/articles/{c.id}">On newsweave: the story, related coverage</a></p>'
        )
        categories = [READING_LIST]
        if c.id in read:
            categories.append(READ)
        if c.id in kept:
            categories.append(STARRED)
        folder = folders.get(("source", c.source_id))
        if folder:
            categories.append(_LABEL + folder)
        seconds = int(c.at.timestamp())
        out.append(
            {
                "id": f"{_ITEM}{c.id:016x}",
                "crawlTimeMsec": str(_micros(c.first_seen_at) // 1000),
                "timestampUsec": str(_micros(c.at)),
                "published": seconds,
                "updated": seconds,
                "title": c.title or "(untitled)",
                "canonical": [{"href": c.url or f"{base}/articles/{c.id}"}],
                "alternate": [{"href": c.url or f"{base}/articles/{c.id}", "type": "text/html"}],
                "summary": {"direction": "ltr", "content": (paragraphs or "") + more},
                "author": byline or c.source,
                "categories": categories,
                "origin": {
                    "streamId": feed_id("source", c.source_id),
                    "title": c.source,
                    "htmlUrl": f"{base}/sources/{c.source_id}",
                },
            }
        )
    return out


@router.api_route(_API + "/stream/items/contents", methods=["GET", "POST"])
async def stream_item_contents(request: Request) -> Response:
    user = _user(request)
    form = await _form(request)
    ids = [item_id(i) for i in form.get("i", [])][:MAX_ITEMS]
    with request.app.state.db.read() as conn:
        by_id = {c.id: c for c in store.cards_by_id(conn, ids)}
    cards = [by_id[i] for i in ids if i in by_id]
    return _json(
        {
            "id": READING_LIST,
            "updated": int(datetime.now(UTC).timestamp()),
            "items": _items(request, user, cards),
        }
    )


@router.get(_API + "/stream/contents/{stream_id:path}")
async def stream_contents(request: Request, stream_id: str) -> Response:
    user = _user(request)
    form = await _form(request)
    found, nxt = _query(request, form, stream_id or READING_LIST, user)
    payload: dict[str, Any] = {
        "id": stream_id,
        "updated": int(datetime.now(UTC).timestamp()),
        "items": _items(request, user, found),
    }
    if nxt:
        payload["continuation"] = nxt
    return _json(payload)


@router.post(_API + "/edit-tag")
async def edit_tag(request: Request) -> Response:
    user = _user(request)
    form = await _form(request)
    ids = [item_id(i) for i in form.get("i", [])][:MAX_ITEMS]
    db = request.app.state.db
    now = datetime.now(UTC)
    with db.begin() as conn:
        known = [c.id for c in store.cards_by_id(conn, ids)]
        for tag in form.get("a", []):
            if tag.endswith("/state/com.google/read"):
                store.set_read(conn, user.id, known, True, now)
            elif tag.endswith("/state/com.google/kept-unread"):
                store.set_read(conn, user.id, known, False, now)
            elif tag.endswith("/state/com.google/starred"):
                for aid in known:
                    store.save(conn, user.id, aid, now)
        for tag in form.get("r", []):
            if tag.endswith("/state/com.google/read"):
                store.set_read(conn, user.id, known, False, now)
            elif tag.endswith("/state/com.google/starred"):
                for aid in known:
                    store.unsave(conn, user.id, aid)
    return _done(request, user, PlainTextResponse("OK"))


@router.post(_API + "/mark-all-as-read")
async def mark_all_as_read(request: Request) -> Response:
    """Everything in the stream up to `ts` (microseconds; now without it) is read."""
    user = _user(request)
    form = await _form(request)
    ts = _one(form, "ts")
    until = datetime.now(UTC)
    if ts:
        if not ts.isdigit() or len(ts) > 18:
            raise InvalidInputError("ts is microseconds since 1970")
        until = min(until, _EPOCH + timedelta(microseconds=int(ts)))
    stream_id = _one(form, "s", READING_LIST)
    db = request.app.state.db
    if stream_id.endswith("/state/com.google/reading-list"):
        reading.mark_all_read(db, user, until)
        return _done(request, user, PlainTextResponse("OK"))
    with db.read() as conn:
        r = reading.reader(conn, user)
        s = _stream(stream_id, r, store.folders_of(conn, user.id))
        found = store.stream(
            conn,
            _resolve_story_anchors(conn, s.follows),
            r.mutes,
            starred_by=user.id if s.starred else None,
            read=(user.id, r.read_until, False),
            until=until + timedelta(microseconds=1),
            limit=MAX_ITEMS,
        )
    with db.begin() as conn:
        store.set_read(conn, user.id, [c.id for c in found], True, datetime.now(UTC))
    return _done(request, user, PlainTextResponse("OK"))


@router.get(_API + "/unread-count")
def unread_count(request: Request) -> Response:
    """Polled by every reader app every few minutes: kept while nothing of the reader's changes
    (web.parts.own; their writes here move their epoch), as For You's count is, where counting
    each follow and the total cost 10-16 ms on SQLite and ~21 ms on PostgreSQL at 100,000
    articles (bench/archive.py's reader of a wide tag, a source and a story)."""
    user = _user(request)

    def counted() -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], str | None], int]:
        with request.app.state.db.read() as conn:
            r = reading.reader(conn, user)
            return (
                store.unread_count(conn, user.id, r.read_until, r.follows, r.mutes),
                store.folders_of(conn, user.id),
                store.unread_total(conn, user.id, r.read_until, r.follows, r.mutes),
            )

    counts, folders, total = parts.own(request, user, "greader-unread", counted)
    now = str(_micros(datetime.now(UTC)))
    out = []
    by_label: dict[str, int] = {}
    for (kind, ident), n in counts.items():
        sid = feed_id(kind, ident)
        out.append({"id": sid, "count": n, "newestItemTimestampUsec": now})
        folder = folders.get((kind, ident))
        if folder:
            by_label[folder] = by_label.get(folder, 0) + n
    for name, n in sorted(by_label.items()):
        out.append({"id": _LABEL + name, "count": n, "newestItemTimestampUsec": now})
    out.append({"id": READING_LIST, "count": total, "newestItemTimestampUsec": now})
    return _json({"max": 1000, "unreadcounts": out})
