"""The URL map of the site, in one readable place (STYLE habit 11).

Pages are server-rendered and work without JavaScript; they read what the pipeline stored and
never run a model.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates

from newsweave.errors import NotFoundError
from newsweave.store.db import Database
from newsweave.web import api, feeds
from newsweave.web.pages import article, home, topics
from newsweave.web.timefmt import relative_time

__all__ = ["create_app"]

_TEMPLATES = Path(__file__).with_name("templates")


def create_app(db: Database) -> FastAPI:
    app = FastAPI(title="newsweave", docs_url="/api/docs", openapi_url="/api/openapi.json")
    templates = Jinja2Templates(directory=_TEMPLATES)
    templates.env.filters["ago"] = relative_time
    app.state.db = db
    app.state.templates = templates

    app.add_api_route("/", home.page, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route(
        "/articles/{article_id}", article.page, methods=["GET"], response_class=HTMLResponse
    )

    app.add_api_route("/tags/{slug}", topics.tag, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route(
        "/sources/{source_id}", topics.source, methods=["GET"], response_class=HTMLResponse
    )
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.add_api_route(
        "/stories/{story_id}", topics.story, methods=["GET"], response_class=HTMLResponse
    )

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=404)
        return templates.TemplateResponse(
            request, "error.html", {"title": "Not found", "message": str(exc)}, status_code=404
        )

    @app.exception_handler(api.ApiError)
    async def api_error(request: Request, exc: api.ApiError) -> Response:
        return JSONResponse({"error": exc.message}, status_code=exc.status)

    return app
