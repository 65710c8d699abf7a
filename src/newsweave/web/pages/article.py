"""The article page: the article, hashtags, the AI panel, other coverage, related articles.

Everything but the comments and the header is the same for every reader, so it is rendered once
and kept for the page-cache time (`page_cache_seconds`); a signed-in reader's page then costs
the session, one read of the comment thread and a small template. The endpoint is async: on
SQLite that read (~0.1 ms) is cheaper on the event loop than the hop to a worker thread
(~0.4 ms); a PostgreSQL round trip still goes to a thread (web/reads.py). bench/web.py: the
signed-in page went from 368 to ~1,080 requests/s, 0.6 of a bare endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from newsweave import comments, reading
from newsweave.errors import NotFoundError
from newsweave.model import VISIBLE_STATES
from newsweave.store.articles import ArticleRow, get_article
from newsweave.store.views import article_insights
from newsweave.web.cache import DISCUSSIONS, TTLCache
from newsweave.web.reads import quick_read


@dataclass(frozen=True, slots=True)
class Parts:
    """The reader-independent HTML of one article page, and the row its header needs."""

    article: ArticleRow
    top: Markup
    related: Markup

    def size(self) -> int:
        """Roughly what it holds, in characters: the article's text twice (in its row and in
        the rendered top) and the rest of the HTML. Bounds app.state.article_parts."""
        return len(self.top) + len(self.related) + len(self.article.text or "")


def _parts(request: Request, article_id: int, r: reading.Reader | None = None) -> Parts:
    """The page's reader-independent parts; with a reader who mutes things, theirs alone
    (related articles and other coverage without what they muted)."""
    muted = reading.hidden(r)
    with request.app.state.db.read() as conn:
        art = get_article(conn, article_id)
        if art.state not in VISIBLE_STATES:
            raise NotFoundError(f"article {article_id} is not available")
        insights = article_insights(conn, article_id, art.story_id, muted)
    env = request.app.state.templates.env
    context = {
        "a": art,
        "i": insights,
        "paragraphs": [p for p in art.text.split("\n") if p.strip()],
    }
    return Parts(
        art,
        Markup(env.get_template("_article_top.html").render(context)),  # noqa: S704 - rendered by autoescaping Jinja
        Markup(env.get_template("_article_related.html").render(context)),  # noqa: S704
    )


async def _anonymous_thread(request: Request, article_id: int) -> list[comments.Node]:
    """The thread as anyone not signed in sees it, kept per article until a comment is written
    or moderated anywhere (the DISCUSSIONS epoch, which signed-in readers' kept pages follow
    too): reading it was a fifth of an anonymous article page at a fresh address (py-spy)."""
    key = (article_id, request.app.state.shared.reader_epoch(DISCUSSIONS))
    kept = request.app.state.article_threads.get(key)
    if kept is None:
        kept = await quick_read(request, comments.thread, request.app.state.db, article_id, None)
        request.app.state.article_threads.put(key, kept)
    return kept  # type: ignore[no-any-return]


async def page(request: Request, article_id: int) -> HTMLResponse:
    """A signed-in reader who opens an article has read it (unless they just marked it
    unread: `?unread=1`); they get Save and Mark unread, and their mutes apply."""
    user = request.state.user
    r: reading.Reader | None = None
    state = None
    if user is not None:
        r, state = await quick_read(
            request, reading.article_state, request.app.state.db, user, article_id
        )
        # Marking it read is a write, once per article and reader: in a thread, where waiting
        # on SQLite's write lock does not stall every other request.
        mark = not (state.read and state.opened) and request.query_params.get("unread") != "1"
        if mark:
            db = request.app.state.db
            if await run_in_threadpool(reading.opened, db, user, article_id):
                state = reading.ArticleState(state.saved, True, True)
                request.app.state.shared.reader_changed(user.id)  # their lists show it read
    # A few queries and the big template: worth a thread, and built once at a time (kept).
    parts: Parts
    if r is None or not r.mutes:
        kept: TTLCache = request.app.state.article_parts
        parts = await kept.get_or_make_in_thread(article_id, partial(_parts, request, article_id))
    else:  # theirs alone, not kept
        parts = await run_in_threadpool(_parts, request, article_id, r)
    if user is None:
        thread = await _anonymous_thread(request, article_id)
    else:
        thread = await quick_read(request, comments.thread, request.app.state.db, article_id, user)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "article.html",
        {
            "title": parts.article.title,
            "a": parts.article,
            "parts": parts,
            "thread": thread,
            "comment_count": comments.visible_count(thread),
            "comments_url": f"/articles/{article_id}/comments",
            "state": state,
            "following_story": r is not None
            and parts.article.story_id is not None
            and parts.article.story_id in r.follows.story_ids,
        },
    )
