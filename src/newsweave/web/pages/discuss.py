"""Comment forms (post, reply, edit, delete, report, hide, restore) and the comments API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from newsweave import accounts, comments
from newsweave.errors import AuthError
from newsweave.store import comments as comment_store
from newsweave.web.api import ERRORS, Problem, respond
from newsweave.web.cache import DISCUSSIONS
from newsweave.web.security import check_csrf, current_user

router = APIRouter(include_in_schema=False)
api_router = APIRouter(
    prefix="/api",
    tags=["api"],
    responses={
        **ERRORS,
        401: {"model": Problem, "description": "No credentials: send a Bearer API token."},
        403: {"model": Problem, "description": "Not allowed (a banned account, a bad token)."},
        429: {"model": Problem, "description": "Too many comments: see Retry-After."},
    },
)
Body = Annotated[str, Form(max_length=comments.MAX_BODY + 500)]
Csrf = Annotated[str, Form(max_length=200)]


def _user(request: Request) -> accounts.UserRow:
    user = current_user(request)
    if user is None:
        raise AuthError("log in to comment")
    return user


def _back(request: Request, comment_id: int, query: str = "") -> Response:
    """Back to the comment on its page; `query` ("reported=1") lets the page say what happened."""
    with request.app.state.db.read() as conn:
        c = comment_store.get_comment(conn, comment_id)
    target = "/"
    if c and c.article_id:
        target = f"/articles/{c.article_id}"
    elif c and c.story_id:
        target = f"/stories/{c.story_id}"
    if query:
        target += "?" + query
    if c:
        target += f"#comment-{comment_id}"
    return RedirectResponse(target, status_code=303)


@router.post("/articles/{article_id}/comments")
def post_comment(
    request: Request,
    article_id: int,
    body: Body,
    csrf_token: Csrf,
    parent_id: Annotated[int | None, Form(ge=1, le=2**31)] = None,
) -> Response:
    check_csrf(request, csrf_token)
    cid = comments.post(
        request.app.state.db, _user(request), body, article_id=article_id, parent_id=parent_id
    )
    return RedirectResponse(f"/articles/{article_id}#comment-{cid}", status_code=303)


@router.post("/stories/{story_id}/comments")
def post_story_comment(
    request: Request,
    story_id: int,
    body: Body,
    csrf_token: Csrf,
    parent_id: Annotated[int | None, Form(ge=1, le=2**31)] = None,
) -> Response:
    check_csrf(request, csrf_token)
    cid = comments.post(
        request.app.state.db, _user(request), body, story_id=story_id, parent_id=parent_id
    )
    return RedirectResponse(f"/stories/{story_id}#comment-{cid}", status_code=303)


@router.post("/comments/{comment_id}/edit")
def edit_comment(request: Request, comment_id: int, body: Body, csrf_token: Csrf) -> Response:
    check_csrf(request, csrf_token)
    comments.edit(request.app.state.db, _user(request), comment_id, body)
    return _back(request, comment_id)


@router.post("/comments/{comment_id}/delete")
def delete_comment(request: Request, comment_id: int, csrf_token: Csrf) -> Response:
    check_csrf(request, csrf_token)
    comments.delete(request.app.state.db, _user(request), comment_id)
    return _back(request, comment_id)


@router.post("/comments/{comment_id}/report")
def report_comment(
    request: Request,
    comment_id: int,
    csrf_token: Csrf,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    comments.report(request.app.state.db, _user(request), comment_id, reason)
    return _back(request, comment_id, f"reported={comment_id}")


@router.post("/comments/{comment_id}/{action}")
def moderate_comment(
    request: Request,
    comment_id: int,
    action: str,
    csrf_token: Csrf,
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    if action not in ("hide", "restore", "dismiss"):
        return Response("unknown action", status_code=404)
    if action == "dismiss":
        comments.dismiss_reports(request.app.state.db, _user(request), comment_id)
    else:
        comments.set_hidden(request.app.state.db, _user(request), comment_id, action == "hide")
    if next == "/moderation":
        return RedirectResponse(next, status_code=303)
    return _back(request, comment_id)


def _public(node: comments.Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "author": node.username if node.state != "deleted" else None,
        "html": node.html,
        "state": node.state,
        "created_at": node.created_at,
        "edited_at": node.edited_at,
        "replies": [_public(r) for r in node.replies],
    }


@api_router.get("/articles/{article_id}/comments", summary="An article's comments, threaded")
def list_comments(request: Request, article_id: int) -> Response:
    tree = comments.thread(request.app.state.db, article_id, current_user(request))
    return respond(request, {"items": [_public(n) for n in tree], "next": None})


@api_router.get("/stories/{story_id}/comments", summary="A story's comments, threaded")
def list_story_comments(request: Request, story_id: int) -> Response:
    tree = comments.thread(request.app.state.db, None, current_user(request), story_id=story_id)
    return respond(request, {"items": [_public(n) for n in tree], "next": None})


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=comments.MAX_BODY)
    parent_id: int | None = Field(default=None, ge=1, le=2**31)


@api_router.post("/articles/{article_id}/comments", status_code=201, summary="Post a comment")
def create_comment(request: Request, article_id: int, payload: CommentIn) -> Response:
    """With `Authorization: Bearer <API token>`, or a session cookie plus `X-CSRF-Token`."""
    db = request.app.state.db
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = accounts.user_for_token(db, auth[7:].strip())
        if user is None:
            raise AuthError("unknown API token")
    elif current_user(request) is None:
        # No credentials at all: say which ones work, not that a form's token is missing.
        raise AuthError("send Authorization: Bearer <API token> (newsweave user token NAME)")
    else:
        check_csrf(request, request.headers.get("x-csrf-token"))
        user = _user(request)
    cid = comments.post(db, user, payload.body, article_id=article_id, parent_id=payload.parent_id)
    request.app.state.shared.reader_changed(user.id)  # their cached pages show it at once
    request.app.state.shared.reader_changed(DISCUSSIONS)
    response = respond(request, {"id": cid, "article_id": article_id})
    response.status_code = 201
    return response
