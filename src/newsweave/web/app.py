"""The URL map of the site, in one readable place (STYLE habit 11).

Pages are server-rendered and work without JavaScript; they read what the pipeline stored and
never run a model.
"""

from __future__ import annotations

import gc
import logging
import re
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError, DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from newsweave.errors import (
    AuthError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
)
from newsweave.store import searchindex
from newsweave.store import tags as tag_store
from newsweave.store.db import Database
from newsweave.web import api, feeds, fever, greader, security
from newsweave.web.cache import PARTS_BYTES, PageCache, ReaderPageCache, TTLCache
from newsweave.web.pages import article, auth, discuss, home, reader, topics
from newsweave.web.pages import search as search_page
from newsweave.web.shared import LocalState, SharedState
from newsweave.web.slices import slices
from newsweave.web.timefmt import relative_time

__all__ = ["create_app", "from_environment"]

log = logging.getLogger(__name__)

_TEMPLATES = Path(__file__).with_name("templates")


# Threads that run the sync handlers at once. anyio's default is 40; handlers are Python and
# database work that holds the GIL, and past a few they only wait on each other: measured with
# bench/archive.py's distinct URLs at 16 connections (5,000 articles), 4 threads served the API
# article, the API list and search 25 %, 27 % and 50 % faster than 40, with a lower p99.
# Two, since session 33. On SQLite, whose queries run in the handler's own thread, threads in
# it at once cost each other CPU (For You's walk of the time index: 0.43 ms alone, 2.1 ms each
# with two threads at it, 7.1 with four, in process). Served at 100,000 articles, one process,
# four interleaved runs each: For You at fresh URLs 194-199 -> 296-300 requests/s, p99
# 156-171 -> 85-92 ms, CPU a request 6.5 -> 4.0 ms; a new query every request 265-339 ->
# 306-347, p99 65-90 -> 65-73; the article page at fresh URLs the same requests/s, p99 41-44
# -> 56-58 (one slow build waits on fewer threads; one thread: 91). On PostgreSQL, two
# processes (serve's default here), two runs each: For You 370-371 -> 367-411 requests/s, p99
# 148-173 -> 89-107 ms; a new query 379-392 -> 409-434, p99 79-80 -> 66-71. (Before the
# article page's stampede was fixed, 1 or 2 threads cost it a p99 of 0.6-1.5 s, and 4 were
# kept: bench/README.md.)
HANDLER_THREADS = 2


def from_environment() -> FastAPI:
    """The site as `newsweave serve --processes N` starts it in each of its processes: every
    setting from the environment (config), as the command that started them read it."""
    from newsweave import accounts, config
    from newsweave.store.db import open_database
    from newsweave.web.shared import shared_state

    settings = config.load()
    db = open_database(settings.database, local_dir=settings.data_dir)
    secret = settings.secret_key or accounts.signing_key(db)
    shared = shared_state(settings.redis_url or None, settings.redis_prefix, settings.data_dir)
    return create_app(
        db,
        secret,
        settings.page_cache_seconds,
        shared,
        freeze_start_up=True,
        search_index=settings.search_index,
    )


def _keep_search_index(app: FastAPI, db: Database) -> Callable[[], None] | None:
    """Open this machine's search index and keep it in a thread; returns what stops it.
    None where the database has no place for one (in memory; PostgreSQL without a data
    folder) or it cannot be opened: the database answers every search then."""
    path = searchindex.index_path(db)
    if path is None:
        return None
    try:
        index = searchindex.SearchIndex(path)
    except (OSError, ValueError):
        log.exception("search index %s cannot be opened: searches ask the database", path)
        return None
    stop = threading.Event()
    thread = threading.Thread(
        target=searchindex.keep, args=(db, index, stop), name="search-index", daemon=True
    )
    thread.start()
    app.state.search_index = index

    def stopped() -> None:
        app.state.search_index = None
        stop.set()
        index.wake.set()
        thread.join(timeout=60)

    return stopped


# A tag's kind as a reader says it: the stored codes are the API's ("org"), not the page's.
_KIND_NAMES = {"org": "organisation"}


def _kind_name(kind: str) -> str:
    return _KIND_NAMES.get(kind, kind)


def create_app(
    db: Database,
    secret_key: str | None = None,
    page_cache_seconds: float = 10.0,
    shared: SharedState | None = None,
    freeze_start_up: bool = False,
    search_index: bool = False,
) -> FastAPI:
    """The site. `secret_key` signs CSRF tokens (a random one lasts as long as the process);
    anonymous readers' pages are kept `page_cache_seconds` (0: never); `shared` holds what
    every web process must agree on (web.shared; this process's memory by default);
    `freeze_start_up`: the process serves this site alone (`newsweave serve`);
    `search_index`: keep the search engine beside the database (store/searchindex.py) while
    the site runs, and rank searches with it once it is built."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = HANDLER_THREADS
        keeper = _keep_search_index(app, db) if search_index else None
        # What start-up made (modules, templates, the engine, caches' shells) lives as long as
        # the process: out of the collector's sight, a full collection no longer walks it.
        # Measured under wrk at 100,000 articles: each gen2 collection 80-113 ms -> 6-15 ms,
        # pauses every request in flight waited out (the article page's p99 at fresh URLs).
        # Only where the process serves the site alone (not in tests' processes, where every
        # app frozen in turn would keep the last one's garbage).
        if freeze_start_up:
            gc.collect()
            gc.freeze()
            topics.warm(app)  # the indexes' counts made in threads, before any reader asks
            home.warm(app)  # and the front page's filter values
        try:
            yield
        finally:
            if keeper is not None:
                keeper()

    # The API docs are served from the swagger-ui-bundle package: FastAPI's own page loads
    # Swagger UI from a CDN, a blank page offline.
    app = FastAPI(
        title="newsweave",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.mount(
        "/api/docs/assets",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="api-docs-assets",
    )

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="newsweave API",
            swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/assets/swagger-ui.css",
            swagger_favicon_url="/api/docs/assets/favicon-32x32.png",
        )

    templates = Jinja2Templates(directory=_TEMPLATES)
    # The templates ship with the package and do not change while it runs: no stat() of each
    # template file on every render (six a page).
    templates.env.auto_reload = False
    templates.env.filters["ago"] = relative_time
    templates.env.filters["kind_name"] = _kind_name
    templates.env.globals["csrf_token"] = security.csrf_token
    templates.env.globals["current_user"] = security.current_user
    templates.env.globals["slices"] = slices
    app.state.db = db
    app.state.search_index = None  # set by the lifespan where it keeps one
    app.state.templates = templates
    app.state.secret = (secret_key or secrets.token_hex(32)).encode()
    app.state.shared = shared or LocalState()
    app.state.login_limiter = security.LoginLimiter(app.state.shared)
    app.add_middleware(ReaderPageCache, ttl=page_cache_seconds)  # inside: it needs the reader
    app.add_middleware(security.SessionMiddleware)
    app.add_middleware(PageCache, ttl=page_cache_seconds)
    app.add_middleware(security.SecurityHeaders)  # outermost: cached pages get them too
    # An article's parts or API answer hold its whole text (~37 KB together for a news text of
    # ~3,700 characters; a long read's many times that): by count alone 5,000 of each could
    # be gigabytes, reached by a crawler at fresh addresses within the grace of two ttl.
    app.state.article_parts = TTLCache(  # web/pages/article.py
        page_cache_seconds, max_bytes=PARTS_BYTES, size=article.Parts.size
    )
    app.state.article_threads = TTLCache(page_cache_seconds)  # web/pages/article.py
    app.state.api_articles = TTLCache(  # web/api.py
        page_cache_seconds, max_bytes=PARTS_BYTES, size=api.Encoded.size
    )
    app.state.search_hits = TTLCache(page_cache_seconds, max_entries=2000)  # web/searches.py
    app.state.reader_parts = TTLCache(page_cache_seconds, max_entries=20_000)  # pages/reader.py
    app.state.card_html = TTLCache(page_cache_seconds, max_entries=20_000)  # web/parts.py
    # Kept a minute each and made again ahead of their time (a quarter of it), so that no
    # reader waits for one once made: the index counts take ~0.3 s at a million articles.
    ahead = home.VALUES_SECONDS / 4
    app.state.label_values = TTLCache(home.VALUES_SECONDS, max_entries=1, refresh_ahead=ahead)
    app.state.source_options = TTLCache(  # pages/search.py
        home.VALUES_SECONDS, max_entries=64, refresh_ahead=ahead
    )
    # pages/topics.py: kept a minute, or never where the operator keeps no page (0).
    counts_seconds = home.VALUES_SECONDS if page_cache_seconds > 0 else 0
    app.state.index_counts = TTLCache(counts_seconds, max_entries=64, refresh_ahead=ahead)
    app.state.sessions = TTLCache(security.SESSION_CACHE_SECONDS, max_entries=20_000)
    pages: dict[str, Callable[..., Any]] = {
        "/": home.page,
        "/articles/{article_id}": article.page,
        "/stories/{story_id}": topics.story,
        "/tags/{slug}": topics.tag,
        "/sources/{source_id}": topics.source,
        "/search": search_page.page,
        "/stories": topics.stories,
        "/tags": topics.tags,
        "/sources": topics.sources,
        "/blindspots": topics.blindspots,
        "/foryou": reader.for_you,
        "/saved": reader.saved_page,
        "/following": reader.following_page,
        "/digest": reader.digest_page,
        "/account/apps": reader.apps_page,
        "/digest/{user_id}/{token}": reader.digest_feed,
    }
    for path, page in pages.items():  # pages, not API: out of the OpenAPI schema
        app.add_api_route(
            path, page, methods=["GET"], response_class=HTMLResponse, include_in_schema=False
        )

    @app.get("/assets/local-time.js", include_in_schema=False)
    def local_time_js() -> Response:
        return Response(
            _LOCAL_TIME_JS,
            media_type="text/javascript",
            headers={"cache-control": "public, max-age=86400"},
        )

    @app.get("/assets/keys.js", include_in_schema=False)
    def keys_js() -> Response:
        return Response(
            _KEYS_JS,
            media_type="text/javascript",
            headers={"cache-control": "public, max-age=3600"},
        )

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"

    # The pages and the routes above first, then the routers: a request is matched against
    # the routes in the order they were added, and each route of an included router costs
    # FastAPI a few microseconds to try (its scope keys set and restored). With six routers
    # ahead of them, matching /search took 88 us, /articles/5 77, /healthz 112; now 8, 5 and
    # 18 (/api/articles/5: 100 -> 28). No two routes share a path and a method, so the order
    # decides nothing else (a POST to a page's path still finds its route further down).
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(auth.router)
    app.include_router(discuss.router)
    app.include_router(discuss.api_router)
    app.include_router(reader.router)
    app.include_router(greader.router)
    app.include_router(fever.router)

    @app.exception_handler(greader.GReaderAuthError)
    async def greader_auth(request: Request, exc: greader.GReaderAuthError) -> Response:
        return PlainTextResponse("Unauthorized", status_code=401)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        moved = _moved_tag(request)
        if moved is not None:
            return RedirectResponse(moved, status_code=301)
        if _is_api(request.url.path):
            return JSONResponse({"error": str(exc)}, status_code=404)
        return templates.TemplateResponse(
            request, "error.html", {"title": "Not found", "message": str(exc)}, status_code=404
        )

    # An id past the database's integer range (/api/articles/99999999999999999999) names
    # nothing: SQLite's driver raises OverflowError, PostgreSQL numeric_value_out_of_range.
    @app.exception_handler(OverflowError)
    async def overflow(request: Request, exc: OverflowError) -> Response:
        return await not_found(request, NotFoundError("nothing has that id (out of range)"))

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        if getattr(exc.orig, "sqlstate", None) != OUT_OF_RANGE:
            raise exc
        return await not_found(request, NotFoundError("nothing has that id (out of range)"))

    # The database went away under a request (PostgreSQL restarting, a connection closed
    # while in use: the pool tests one only after it sat idle, store/db.py): the reader is
    # told to try again, which will be answered on a new connection, not shown a 500.
    @app.exception_handler(DBAPIError)
    async def database_away(request: Request, exc: DBAPIError) -> Response:
        if not exc.connection_invalidated:  # a statement's own error stays a server error
            raise exc
        log.warning("the database was unreachable for %s: %s", request.url.path, exc.orig)
        response = _problem(
            request, 503, "Try again", "the database could not be reached; try again in a moment"
        )
        response.headers["Retry-After"] = "1"
        return response

    def _problem(request: Request, status: int, title: str, message: str) -> Response:
        if _is_api(request.url.path):
            return JSONResponse({"error": message}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html", {"title": title, "message": message}, status_code=status
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request.url.path) or request.method != "POST":
            return await request_validation_exception_handler(request, exc)
        # A web form: the page again with what was wrong, never raw JSON echoing the input.
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        if "csrf_token" in fields:
            message = "the form's security token is missing or stale; reload the page"
        else:
            message = f"please check: {', '.join(fields) or 'the form'} (missing or too long)"
        if request.url.path in auth.FORMS:
            form = await request.form()
            typed = {k: v for k, v in form.items() if isinstance(v, str)}
            beside = fields[0] if len(fields) == 1 and fields[0] != "csrf_token" else None
            return auth.form_again(
                request, request.url.path, message, typed, status=422, field=beside
            )
        return templates.TemplateResponse(
            request, "error.html", {"title": "That did not work", "message": message}, 422
        )

    @app.exception_handler(InvalidInputError)
    async def invalid(request: Request, exc: InvalidInputError) -> Response:
        return _problem(request, 400, "That did not work", str(exc))

    @app.exception_handler(AuthError)
    async def unauthorised(request: Request, exc: AuthError) -> Response:
        if _is_api(request.url.path):
            return _problem(request, 401, "Log in", str(exc))
        return templates.TemplateResponse(
            request,
            "login.html",
            {"title": "Log in", "error": str(exc), "next": request.url.path},
            status_code=401,
        )

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, exc: ForbiddenError) -> Response:
        return _problem(request, 403, "Not allowed", str(exc))

    @app.exception_handler(RateLimitedError)
    async def limited(request: Request, exc: RateLimitedError) -> Response:
        response = _problem(request, 429, "Slow down", str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:  # Allow: every method of the path, not one route's
            allowed = {
                method
                for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
                if any(
                    route.matches({**request.scope, "method": method})[0] == Match.FULL
                    for route in request.app.routes
                )
            }
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(sorted(allowed))}
        if _is_api(request.url.path) or exc.status_code not in (404, 405):
            return await http_exception_handler(request, exc)
        # A reader who types or follows a wrong address gets a page, not {"detail": ...}.
        title, message = {
            404: ("Not found", "There is no page at this address."),
            405: ("Not here", "This address takes a form's button, not a link."),
        }[exc.status_code]
        response = _problem(request, exc.status_code, title, message)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(api.ApiError)
    async def api_error(request: Request, exc: api.ApiError) -> Response:
        return JSONResponse({"error": exc.message}, status_code=exc.status)

    return app


# Enhancement only: the exact time on hover in the reader's own time zone (pages show UTC
# without it). A file of its own, so that the pages' Content-Security-Policy allows no inline
# script.
_LOCAL_TIME_JS = """for (const t of document.querySelectorAll("time[datetime]")) {
  const d = new Date(t.getAttribute("datetime"));
  if (!isNaN(d)) t.title = d.toLocaleString(undefined, {dateStyle: "full", timeStyle: "short"});
}
"""

# Machine clients: errors answer JSON (or the protocol's own form), never an HTML page.
_API_PREFIXES = ("/api/", "/reader/api/", "/accounts/ClientLogin", "/fever")


def _is_api(path: str) -> bool:
    return path.startswith(_API_PREFIXES)


_KEYS_JS = (Path(__file__).parent / "static" / "keys.js").read_bytes()

OUT_OF_RANGE = "22003"  # SQLSTATE numeric_value_out_of_range

_TAG_PATH = re.compile(r"^(/api)?/tags/([^/]+)(/.*)?$")


def _moved_tag(request: Request) -> str | None:
    """Where a merged, folded or renamed tag's old URL (page, API or feed) now lives."""
    m = _TAG_PATH.match(request.url.path)
    if m is None:
        return None
    with request.app.state.db.read() as conn:
        slug = tag_store.moved_to(conn, m.group(2))
    if slug is None:
        return None
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{m.group(1) or ''}/tags/{slug}{m.group(3) or ''}{query}"
