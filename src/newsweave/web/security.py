"""Who is asking, and is the form theirs: sessions, CSRF tokens, login rate limits, body caps.

CSRF: each browser gets a random `nw_csrf` cookie (HttpOnly, SameSite=Lax); every form carries
HMAC(secret, that cookie) in `csrf_token`, checked in constant time. A page from another site
can neither read the cookie nor compute the token. Session cookies are HttpOnly, SameSite=Lax
and Secure when the site is served over TLS.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsweave import accounts
from newsweave.errors import ForbiddenError, RateLimitedError
from newsweave.store.accounts import UserRow
from newsweave.web.cache import READER_EPOCHS, reader_epochs
from newsweave.web.shared import LocalState, SharedState

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "LoginLimiter",
    "SessionMiddleware",
    "check_csrf",
    "csrf_token",
    "current_user",
    "set_session_cookie",
]

SESSION_COOKIE = "nw_session"
CSRF_COOKIE = "nw_csrf"
MAX_BODY_BYTES = 64 * 1024  # a form or JSON body; comments are at most 5,000 characters


def csrf_token(request: Request) -> str:
    """The token every form carries: HMAC of the browser's CSRF cookie (once a request: a page
    with a form per comment asks for it a dozen times)."""
    token: str | None = getattr(request.state, "csrf_token", None)
    if token is None:
        seed: str = request.state.csrf_seed
        secret: bytes = request.app.state.secret
        token = request.state.csrf_token = hmac.new(
            secret, seed.encode(), hashlib.sha256
        ).hexdigest()
    return token


def check_csrf(request: Request, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, csrf_token(request)):
        raise ForbiddenError("the form's security token is missing or stale; reload the page")


def current_user(request: Request) -> UserRow | None:
    user: UserRow | None = request.state.user
    return user


def set_session_cookie(request: Request, response: Response, token: str | None) -> None:
    if token is None:
        response.delete_cookie(SESSION_COOKIE, path="/")
        return
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=accounts.SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


# How long a GET may trust who a session cookie belonged to. Logging out, a password change or a
# ban forget it at once in every web process that shares the revocation epoch (web.shared: one
# process, or all of them through Redis); done elsewhere (the CLI without Redis) it takes at
# most this long. Every POST asks the database.
SESSION_CACHE_SECONDS = 5.0


def _session_user(scope: Scope, token: str) -> UserRow | None:
    app_state = scope["app"].state
    if scope["method"] not in ("GET", "HEAD"):
        return accounts.user_for_session(app_state.db, token)
    hit = app_state.sessions.get(token)
    if hit is not None and hit[0] is not None:
        # The session epoch that checks the kept reader, and in the same round trip the epochs
        # their kept pages are keyed by (web.cache.reader_epochs), for ReaderPageCache.
        epochs = reader_epochs(app_state.shared, hit[0].id)
        epoch = epochs[0]
        if hit[1] == epoch:
            scope["state"][READER_EPOCHS] = epochs
            return hit[0]  # type: ignore[no-any-return]
    else:
        epoch = app_state.shared.epoch()
        if hit is not None and hit[1] == epoch:
            return None  # a session kept as no one's (ended, or never was)
    user = accounts.user_for_session(app_state.db, token)
    app_state.sessions.put(token, (user, epoch))
    return user


# Every page is the site's own: scripts and styles from here only (styles may be inline: the
# stylesheet is in base.html), no framing (clickjacking of the login and comment forms),
# forms post only here. Images may come from the articles' own sites. The API's docs page loads
# Swagger UI from its CDN, so it gets the browser's default policy until those are served here.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
_NO_CSP = ("/api/docs", "/api/redoc")


def _adding_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    """`send`, with `extra` headers added to the response's start (those it lacks)."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            have = {k.lower() for k, _ in message.get("headers", [])}
            added = [(k, v) for k, v in extra if k not in have or k == b"set-cookie"]
            message = {**message, "headers": [*message.get("headers", []), *added]}
        await send(message)

    return send_with_headers


class SecurityHeaders:
    """Adds the security headers to every response (plain ASGI, like SessionMiddleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(_SECURITY_HEADERS)
        if not scope["path"].startswith(_NO_CSP):
            extra.append((b"content-security-policy", CSP.encode()))
        await self.app(scope, receive, _adding_headers(send, extra))


class SessionMiddleware:
    """Puts the reader (`request.state.user`) and the CSRF seed on every request; caps bodies.

    Plain ASGI rather than Starlette's BaseHTTPMiddleware: that one costs a task and a stream
    per request, which bench/web.py showed on the uncached article page.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await PlainTextResponse("request body too large", status_code=413)(scope, receive, send)
            return
        cookies = cookie_parser(headers.get("cookie", ""))
        seed = cookies.get(CSRF_COOKIE) or ""
        fresh = not (16 <= len(seed) <= 100)
        if fresh:
            seed = secrets.token_urlsafe(24)
        state = scope.setdefault("state", {})
        state["csrf_seed"] = seed
        state["user"] = None
        token = cookies.get(SESSION_COOKIE)
        if token:
            state["user"] = _session_user(scope, token)
        if not fresh:
            await self.app(scope, receive, send)
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = f"{CSRF_COOKIE}={seed}; HttpOnly; Path=/; SameSite=lax{secure}".encode()

        await self.app(scope, receive, _adding_headers(send, [(b"set-cookie", cookie)]))


class LoginLimiter:
    """Failed logins slow down whoever fails, never the account's owner elsewhere.

    At most `attempts` failures per (account, address) and `per_address` per address, in
    `window` seconds (as Discourse and django-axes' combination mode do). A limit per account
    alone let anyone lock anyone out: six wrong passwords for "alice" from one address locked
    alice out from every address, admin included. Now the guesser is stopped after five tries at
    one account and twenty across accounts, and alice logs in from her own address as usual.

    The counts live in `shared` (web.shared): this process's memory, a file every process of
    the host maps, or Redis for several hosts, so the limit is the same whichever answers.
    """

    def __init__(
        self,
        shared: SharedState | None = None,
        *,
        attempts: int = 5,
        window: float = 900.0,
        per_address: int = 20,
    ) -> None:
        self.shared = shared or LocalState()
        most = getattr(self.shared, "STAMPS", None)  # HostState counts each key's last STAMPS
        if most is not None and max(attempts, per_address) > most:
            raise ValueError(f"a login limit above {most} is never met on {self.shared!r}")
        self.attempts = attempts
        self.window = window
        self.per_address = per_address

    def _keys(self, ip: str, username: str) -> list[tuple[str, int]]:
        return [(f"pair:{username.lower()}@{ip}", self.attempts), (f"ip:{ip}", self.per_address)]

    def check(self, ip: str, username: str) -> None:
        for key, limit in self._keys(ip, username):
            count, left = self.shared.failures(key, self.window)
            if count >= limit:
                raise RateLimitedError("too many failed logins; try again later", int(left) + 1)

    def failed(self, ip: str, username: str) -> None:
        for key, _limit in self._keys(ip, username):
            self.shared.fail(key, self.window)

    def succeeded(self, ip: str, username: str) -> None:
        self.shared.clear(self._keys(ip, username)[0][0])
