"""Register, log in, log out, change password; the moderation queue and bans."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from newsweave import accounts
from newsweave.errors import AuthError, ForbiddenError, InvalidInputError
from newsweave.store import comments as comment_store
from newsweave.web.security import check_csrf, current_user, set_session_cookie

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=300)]
Password = Annotated[str, Form(max_length=accounts.MAX_PASSWORD)]
Csrf = Annotated[str, Form(max_length=200)]


def _safe_next(target: str | None) -> str:
    """Only a local path: a login link cannot send the user to another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return parts.path + query + fragment


def _form(request: Request, name: str, title: str, **extra: object) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        name,
        {"title": title, "next": _safe_next(request.query_params.get("next")), **extra},
    )


# The forms a failed POST shows again: path -> (template, title).
FORMS = {
    "/register": ("register.html", "Create an account"),
    "/login": ("login.html", "Log in"),
    "/account/password": ("password.html", "Change password"),
}
_KEPT = {"username": 32, "email": 320}  # what a form keeps of what was typed, and how much


def form_again(
    request: Request,
    path: str,
    error: str,
    typed: dict[str, str],
    status: int = 400,
    field: str | None = None,
) -> HTMLResponse:
    """The form at `path` with the error beside the `field` it is about (above the form when it
    is about none, as a wrong password is) and what the reader typed kept (within each field's
    length; never a password), instead of a dead-end error page."""
    template, title = FORMS[path]
    values = {k: str(v)[: _KEPT[k]] for k, v in typed.items() if k in _KEPT}
    response = _form(request, template, title, error=error, error_field=field, values=values)
    response.status_code = status
    return response


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request) -> HTMLResponse:
    return _form(request, "register.html", "Create an account")


@router.post("/register")
def register(
    request: Request,
    username: Field,
    password: Password,
    csrf_token: Csrf,
    email: Annotated[str, Form(max_length=320)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    db = request.app.state.db
    try:
        user_id = accounts.create_user(db, username, password, email)
    except InvalidInputError as exc:  # the form again, what was typed kept (the password not)
        typed = {"username": username, "email": email}
        return form_again(request, "/register", str(exc), typed, field=exc.field)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, accounts.start_session(db, user_id))
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _form(request, "login.html", "Log in")


@router.post("/login")
def login(
    request: Request,
    username: Field,
    password: Password,
    csrf_token: Csrf,
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    ip = request.client.host if request.client else "-"
    limiter = request.app.state.login_limiter
    limiter.check(ip, username)
    try:
        user = accounts.authenticate(request.app.state.db, username, password)
    except (AuthError, ForbiddenError) as exc:
        limiter.failed(ip, username)
        status = 403 if isinstance(exc, ForbiddenError) else 401  # banned / wrong password
        return form_again(request, "/login", str(exc), {"username": username}, status=status)
    limiter.succeeded(ip, username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, accounts.start_session(request.app.state.db, user.id))
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Csrf) -> Response:
    check_csrf(request, csrf_token)
    from newsweave.web.security import SESSION_COOKIE

    accounts.end_session(request.app.state.db, request.cookies.get(SESSION_COOKIE))
    request.app.state.shared.revoke()
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, None)
    return response


def _need_user(request: Request) -> accounts.UserRow:
    user = current_user(request)
    if user is None:
        raise AuthError("log in first")
    return user


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request) -> HTMLResponse:
    _need_user(request)
    return _form(request, "password.html", "Change password")


@router.post("/account/password")
def change_password(request: Request, old: Password, new: Password, csrf_token: Csrf) -> Response:
    check_csrf(request, csrf_token)
    user = _need_user(request)
    db = request.app.state.db
    try:
        accounts.change_password(db, user, old, new)
    except InvalidInputError as exc:
        return form_again(request, "/account/password", str(exc), {}, field=exc.field)
    request.app.state.shared.revoke()  # the other sessions just ended
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, accounts.start_session(db, user.id))
    return response


@router.get("/moderation", response_class=HTMLResponse)
def moderation(request: Request) -> HTMLResponse:
    user = _need_user(request)
    if not user.is_moderator:
        raise ForbiddenError("moderators only")
    with request.app.state.db.read() as conn:
        reports = comment_store.open_reports(conn)
    return _form(request, "moderation.html", "Moderation", reports=reports)


@router.post("/users/{username}/ban")
def ban(request: Request, username: str, csrf_token: Csrf, action: Field = "ban") -> Response:
    check_csrf(request, csrf_token)
    accounts.set_banned(request.app.state.db, _need_user(request), username, action == "ban")
    request.app.state.shared.revoke()
    return RedirectResponse("/moderation", status_code=303)
