"""A signed-in reader's own pages and buttons: For You, saved, following (with mutes), and the
forms that follow, mute, save and mark read. Every button is a plain form (POST, CSRF token,
then back to where it was pressed), so all of it works without JavaScript; keys.js only adds
keyboard shortcuts on top."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from lxml import etree
from sqlalchemy import Connection

from newsweave import digest, reading
from newsweave.errors import AuthError, InvalidInputError, NotFoundError
from newsweave.store import reading as reading_store
from newsweave.store.accounts import UserRow, get_user, new_feed_generation
from newsweave.store.reading import saved_articles
from newsweave.web import cursors, parts
from newsweave.web import fever as fever_api
from newsweave.web.security import check_csrf, current_user

__all__ = ["apps_page", "digest_feed", "digest_page", "reader_of", "router"]

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form(max_length=200)]
Next = Annotated[str, Form(max_length=500)]
FollowKind = Literal["tag", "source", "story"]
MuteKind = Literal["tag", "source"]
PER_PAGE = 50


def _user(request: Request) -> UserRow:
    user = current_user(request)
    if user is None:
        raise AuthError("log in to keep your own news")
    return user


def reader_of(request: Request) -> reading.Reader | None:
    """The signed-in reader's follows, mutes and read mark, read once a request and kept
    between requests while nothing of theirs changes (web.parts.own)."""
    user = current_user(request)
    if user is None:
        return None
    found: reading.Reader | None = getattr(request.state, "reader", None)
    if found is None:

        def read() -> reading.Reader:
            with request.app.state.db.read() as conn:
                return reading.reader(conn, user)

        kept = parts.own(request, user, "reader", read)
        found = request.state.reader = replace(kept, user=user)  # this request's account row
    return found


def _back(next_path: str, default: str = "/foryou") -> RedirectResponse:
    """Back to the page the button was on: a path of this site only (never `//host`)."""
    ok = next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path
    return RedirectResponse(next_path if ok else default, status_code=303)


def for_you(request: Request) -> HTMLResponse:
    user = _user(request)
    before = cursors.decode(request.query_params.get("before"))
    unread_only = request.query_params.get("unread") == "1"
    r = reader_of(request)
    assert r is not None
    with request.app.state.db.read() as conn:
        reach = parts.own(request, r.user, "reach", lambda: reading.reach(conn, r, PER_PAGE + 1))
        found = reading.for_you(
            conn, r, before=before, limit=PER_PAGE + 1, unread_only=unread_only, kept=reach
        )
        unread = _unread_total(request, conn, r) if before is None else 0
    shown = found[:PER_PAGE]
    older = cursors.encode(shown[-1].card.at, shown[-1].card.id) if len(found) > PER_PAGE else None
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "foryou.html",
        {
            "title": "For You",
            "items": shown,
            "cards": parts.cards(request, shown),
            "older": older,
            "unread_only": unread_only,
            "unread_total": unread,
            "has_follows": bool(r.follows),
            "newest": shown[0].card.at if shown and before is None else None,
            "user": user,
        },
    )


def _unread_total(request: Request, conn: Connection, r: reading.Reader) -> int:
    """How many of what the reader follows they have not read, kept as their follows are
    (web.parts.own): 10 of the 23 ms of building For You at 100,000 articles (bench/archive.py)."""
    return parts.own(
        request,
        r.user,
        "unread",
        lambda: reading_store.unread_total(conn, r.user.id, r.read_until, r.follows, r.mutes),
    )


def saved_page(request: Request) -> HTMLResponse:
    user = _user(request)
    r = reader_of(request)
    assert r is not None
    with request.app.state.db.read() as conn:
        listed = reading.items(conn, r, saved_articles(conn, user.id))
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "saved.html",
        {"title": "Saved for later", "items": listed, "cards": parts.cards(request, listed)},
    )


def following_page(request: Request) -> HTMLResponse:
    _user(request)
    r = reader_of(request)
    assert r is not None
    with request.app.state.db.read() as conn:
        follows, muted, keywords = reading.following(conn, r)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "following.html",
        {"title": "Following", "follows": follows, "muted": muted, "keywords": keywords},
    )


@router.post("/follow/{kind}/{target_id}")
def follow(
    request: Request, kind: FollowKind, target_id: int, csrf_token: Csrf, next: Next = ""
) -> Response:
    check_csrf(request, csrf_token)
    reading.follow(request.app.state.db, _user(request), kind, target_id)
    return _back(next)


@router.post("/unfollow/{kind}/{target_id}")
def unfollow(
    request: Request, kind: FollowKind, target_id: int, csrf_token: Csrf, next: Next = ""
) -> Response:
    check_csrf(request, csrf_token)
    reading.unfollow(request.app.state.db, _user(request), kind, target_id)
    return _back(next, "/following")


@router.post("/mute/keyword")
def mute_keyword(
    request: Request,
    csrf_token: Csrf,
    keyword: Annotated[str, Form(max_length=500)],
    next: Next = "",
) -> Response:
    check_csrf(request, csrf_token)
    reading.mute(request.app.state.db, _user(request), "keyword", keyword=keyword)
    return _back(next, "/following")


@router.post("/unmute/keyword")
def unmute_keyword(
    request: Request,
    csrf_token: Csrf,
    keyword: Annotated[str, Form(max_length=500)],
    next: Next = "",
) -> Response:
    check_csrf(request, csrf_token)
    reading.unmute(request.app.state.db, _user(request), "keyword", keyword=keyword)
    return _back(next, "/following")


@router.post("/mute/{kind}/{target_id}")
def mute(
    request: Request, kind: MuteKind, target_id: int, csrf_token: Csrf, next: Next = ""
) -> Response:
    check_csrf(request, csrf_token)
    reading.mute(request.app.state.db, _user(request), kind, target_id)
    return _back(next, "/following")


@router.post("/unmute/{kind}/{target_id}")
def unmute(
    request: Request, kind: MuteKind, target_id: int, csrf_token: Csrf, next: Next = ""
) -> Response:
    check_csrf(request, csrf_token)
    reading.unmute(request.app.state.db, _user(request), kind, target_id)
    return _back(next, "/following")


@router.post("/save/{article_id}")
def save(request: Request, article_id: int, csrf_token: Csrf, next: Next = "") -> Response:
    check_csrf(request, csrf_token)
    reading.save(request.app.state.db, _user(request), article_id)
    return _back(next, "/saved")


@router.post("/unsave/{article_id}")
def unsave(request: Request, article_id: int, csrf_token: Csrf, next: Next = "") -> Response:
    check_csrf(request, csrf_token)
    reading.save(request.app.state.db, _user(request), article_id, saved=False)
    return _back(next, "/saved")


@router.post("/read/story/{story_id}")
def read_story(request: Request, story_id: int, csrf_token: Csrf, next: Next = "") -> Response:
    check_csrf(request, csrf_token)
    reading.mark_story_read(request.app.state.db, _user(request), story_id)
    return _back(next)


@router.post("/read/all")
def read_all(
    request: Request,
    csrf_token: Csrf,
    until: Annotated[str, Form(max_length=40)] = "",
    next: Next = "",
) -> Response:
    """Mark everything up to `until` (an ISO time: the newest item the reader saw) as read:
    an article that came in while the page was open stays unread."""
    check_csrf(request, csrf_token)
    when = None
    if until:
        try:
            when = datetime.fromisoformat(until)
        except ValueError:
            raise InvalidInputError("until must be a time like 2026-12-01T10:00:00+00:00") from None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    reading.mark_all_read(request.app.state.db, _user(request), when)
    return _back(next)


@router.post("/read/{article_id}")
def read_one(
    request: Request,
    article_id: int,
    csrf_token: Csrf,
    read: Annotated[str, Form(max_length=1)] = "1",
    next: Next = "",
) -> Response:
    check_csrf(request, csrf_token)
    reading.mark_read(request.app.state.db, _user(request), [article_id], read == "1")
    return _back(next)


def apps_page(request: Request, fever_password: str | None = None) -> HTMLResponse:
    """How to connect a reader app: Google Reader API (the account's own name and password)
    or Fever (an app password made here, shown once)."""
    user = _user(request)
    base = str(request.base_url).rstrip("/")
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "apps.html",
        {
            "title": "Reader apps",
            "base": base,
            "user": user,
            "fever_password": fever_password,
        },
    )


@router.post("/account/apps/fever")
def make_fever_password(request: Request, csrf_token: Csrf) -> Response:
    check_csrf(request, csrf_token)
    user = _user(request)
    password = fever_api.make_app_password(request.app.state.db, user)
    return apps_page(request, password)


@router.post("/digest/address")
def new_digest_address(request: Request, csrf_token: Csrf) -> Response:
    """A new private address for the reader's digest feed; the old one stops working."""
    check_csrf(request, csrf_token)
    user = _user(request)
    with request.app.state.db.begin() as conn:
        new_feed_generation(conn, user.id)
    return RedirectResponse("/digest", status_code=303)


def _day(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInputError("date must be a day like 2026-11-24") from None


def digest_page(request: Request) -> HTMLResponse:
    """Today's digest so far (the last 24 hours), or a past day's (`?date=2026-11-24`)."""
    user = _user(request)
    r = reader_of(request)
    assert r is not None
    day = _day(request.query_params.get("date"))
    if day is None:
        until = datetime.now(UTC)
        since = until - timedelta(days=1)
    else:
        since, until = digest.day_window(day)
    with request.app.state.db.read() as conn:
        d = digest.build(conn, r, since, until)
    with request.app.state.db.read() as conn:  # the generation as stored, not as cached
        current = get_user(conn, user.id)
    generation = current.feed_generation if current is not None else 0
    token = digest.feed_token(request.app.state.secret, user.id, generation)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "digest.html",
        {
            "title": "Your digest",
            "digest": d,
            "day": day,
            "previous": (since - timedelta(days=1)).date().isoformat(),
            "feed_url": f"/digest/{user.id}/{token}.atom",
            "has_follows": bool(r.follows),
        },
    )


FEED_DAYS = 7
_ATOM = "http://www.w3.org/2005/Atom"


def digest_feed(request: Request, user_id: int, token: str) -> Response:
    """A reader's digests of the last week as Atom, one entry a day: the address carries a
    token made from the site's key, since feed readers send no cookie."""
    base = str(request.base_url).rstrip("/")
    now = datetime.now(UTC)
    with request.app.state.db.read() as conn:
        user = get_user(conn, user_id)
        secret = request.app.state.secret
        if (
            user is None
            or user.banned_at is not None
            or not digest.check_feed_token(
                secret, user_id, user.feed_generation, token.removesuffix(".atom")
            )
        ):
            raise NotFoundError("no such digest feed")
        r = reading.reader(conn, user)
        days = []
        for back in range(FEED_DAYS):
            since, until = digest.day_window(now - timedelta(days=back))
            days.append(digest.build(conn, r, since, min(until, now)))
    feed = etree.Element(f"{{{_ATOM}}}feed", nsmap={None: _ATOM})
    etree.SubElement(feed, f"{{{_ATOM}}}title").text = f"newsweave: {user.username}'s digest"
    etree.SubElement(feed, f"{{{_ATOM}}}id").text = f"{base}/digest/{user_id}"
    etree.SubElement(feed, f"{{{_ATOM}}}link", rel="self", href=base + request.url.path)
    etree.SubElement(feed, f"{{{_ATOM}}}link", rel="alternate", href=f"{base}/digest")
    etree.SubElement(feed, f"{{{_ATOM}}}updated").text = now.isoformat()
    for d in days:
        if not d.stories:
            continue
        day = d.since.date().isoformat()
        entry = etree.SubElement(feed, f"{{{_ATOM}}}entry")
        etree.SubElement(entry, f"{{{_ATOM}}}title").text = f"Your digest for {day}"
        etree.SubElement(entry, f"{{{_ATOM}}}id").text = f"{base}/digest/{user_id}/{day}"
        etree.SubElement(
            entry, f"{{{_ATOM}}}link", rel="alternate", href=f"{base}/digest?date={day}"
        )
        etree.SubElement(entry, f"{{{_ATOM}}}updated").text = d.until.isoformat()
        content = etree.SubElement(entry, f"{{{_ATOM}}}content", type="html")
        content.text = digest.html_of(d, base)
    body = etree.tostring(feed, xml_declaration=True, encoding="utf-8")
    return Response(body, media_type="application/atom+xml")
