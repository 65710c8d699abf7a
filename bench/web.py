"""The site under load: requests/s and p50/p99 latency per page, beside a bare endpoint.

    python bench/web.py [SECONDS]      (make bench; needs wrk, which make bench installs)

Each server runs alone in its own process (uvicorn, one worker, as `newsweave serve` runs it)
and wrk drives it from 127.0.0.1 with 1 thread and 16 connections. First a bare FastAPI app
answering "ok" (the framework's ceiling on this machine), then newsweave on a SQLite file holding
the 13 fixture articles, enriched: the front page, an article page (as anonymous readers get it,
from the page cache, and as a signed-in reader with three comments on it gets it), a search, and
the API's article; then the signed-in reader's own pages (front page, For You, Following, Saved,
digest; the reader follows a source and a hashtag, mutes a word and saved an article) and the
Google Reader API's unread ids and contents as an app polls them. Issue 14's target: every
signed-in page at half the bare endpoint's rate or more.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_bare(port: int) -> None:
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.get("/", response_class=PlainTextResponse)
    def bare() -> str:
        return "ok"

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def serve_site(port: int, url: str) -> None:
    import uvicorn

    from newsweave.store.db import open_database
    from newsweave.web.app import create_app

    uvicorn.run(
        create_app(open_database(url), "bench"), host="127.0.0.1", port=port, log_level="warning"
    )


def _seed(url: str) -> tuple[int, str, str]:
    """Import the fixture articles the way `newsweave import` does, and sign a reader in, who
    comments on the Sudan article, follows a source and a hashtag, mutes a word and saves an
    article: its id, the reader's session token and a Google Reader API token."""
    from sqlalchemy import select

    from newsweave import accounts, comments, pipeline, reading
    from newsweave.ingest.archives import read_archive
    from newsweave.model import ArticleIn
    from newsweave.store.db import open_database
    from newsweave.store.schema import sources, tags

    db = open_database(url)
    sudan = 0
    for item in read_archive(ROOT / "tests/fixtures/understand/events.jsonl"):
        if isinstance(item, ArticleIn):
            article_id, _ = pipeline.ingest(db, item)
            if item.title == "UN rejects parallel government in Sudan":
                sudan = article_id
    reader = accounts.create_user(db, "bench-reader", "a long enough password")
    token = accounts.start_session(db, reader)
    user = accounts.user_for_session(db, token)
    assert user is not None
    for n in range(3):
        comments.post(
            db, user, f"Comment {n} with a link https://example.org/{n}", article_id=sudan
        )
    with db.connect() as conn:
        wire = conn.execute(select(sources.c.id).where(sources.c.name == "Wire One")).scalar()
        tag = conn.execute(select(tags.c.id).where(tags.c.slug == "sudan")).scalar()
    reading.follow(db, user, "source", int(wire or 0))
    reading.follow(db, user, "tag", int(tag or 0))
    reading.mute(db, user, "keyword", keyword="lagarde")
    reading.save(db, user, sudan)
    app_token = accounts.new_api_token(db, "bench-reader", "Google Reader app")
    db.dispose()
    return sudan, token, app_token


def _wait(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start")


def _wrk(
    url: str, seconds: int, *headers: str, script: Path | None = None
) -> tuple[float, str, str]:
    """requests/s, p50 and p99 of wrk against `url` (1 thread, 16 connections); `script` is a
    wrk Lua script that shapes each request."""
    extra = [arg for h in headers for arg in ("-H", h)]
    if script is not None:
        extra += ["-s", str(script)]
    out = subprocess.run(
        [shutil.which("wrk") or "wrk", "-t1", "-c16", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    if "Non-2xx" in out:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    return rps, p50, p99


def main(seconds: int) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk; make bench does it)")
    rows: list[tuple[str, float, str, str]] = []
    port = _port()
    bare = subprocess.Popen([sys.executable, __file__, "serve-bare", str(port)])
    try:
        _wait(port)
        rows.append(("bare FastAPI endpoint", *_wrk(f"http://127.0.0.1:{port}/", seconds)))
    finally:
        bare.terminate()
        bare.wait()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        article, token, app_token = _seed(url)
        port = _port()
        site = subprocess.Popen([sys.executable, __file__, "serve-site", str(port), url])
        try:
            _wait(port)
            base = f"http://127.0.0.1:{port}"
            # A signed-in reader (a real session, and the CSRF cookie a browser would have)
            # gets a page built for them: their name, the comment forms, the thread with their
            # own comments' buttons, around the article's part that everyone shares.
            signed_in = f"Cookie: nw_session={token}; nw_csrf=bench-browser-csrf-seed-0123456789"
            app = f"Authorization: GoogleLogin auth={app_token}"
            for name, path, headers in (
                ("front page", "/", ()),
                ("article page", f"/articles/{article}", ()),
                ("article page, signed in", f"/articles/{article}", (signed_in,)),
                ("search page", "/search?q=council", ()),
                ("API article", f"/api/articles/{article}", ()),
                ("front page, signed in", "/", (signed_in,)),
                ("For You", "/foryou", (signed_in,)),
                ("Following", "/following", (signed_in,)),
                ("Saved", "/saved", (signed_in,)),
                ("digest", "/digest", (signed_in,)),
                (
                    "GReader unread ids",
                    "/reader/api/0/stream/items/ids?s=user/-/state/com.google/reading-list"
                    "&xt=user/-/state/com.google/read&n=1000",
                    (app,),
                ),
                (
                    "GReader contents",
                    "/reader/api/0/stream/contents/user/-/state/com.google/reading-list?n=20",
                    (app,),
                ),
            ):
                rows.append((name, *_wrk(base + path, seconds, *headers)))
        finally:
            site.terminate()
            site.wait()
    print(f"wrk, 1 thread, 16 connections, {seconds} s each, one uvicorn worker, 127.0.0.1")
    for name, rps, p50, p99 in rows:
        print(f"  {name:24s} {rps:9.0f} requests/s   p50 {p50:>8s}   p99 {p99:>8s}   "
              f"{rps / rows[0][1]:.2f} x bare")  # fmt: skip
    bare = rows[0][1]
    print(f"  article page / bare endpoint: {rows[2][1] / bare:.2f} anonymous (page cache), "
          f"{rows[3][1] / bare:.2f} signed in (target: 0.50 or more)")  # fmt: skip
    # The reader's pages are kept per reader until something of theirs changes
    # (web.cache.ReaderPageCache), as anonymous pages are kept for everyone: wrk's reloads
    # measure that path. A reader app's API calls are not pages and are not kept.
    own = [(n, r) for n, r, *_ in rows[3:4] + rows[6:11]]
    worst = min(own, key=lambda x: x[1])
    api = min(r for _, r, *_ in rows[11:])
    print(
        f"  a signed-in reader's slowest page: {worst[0]} at {worst[1] / bare:.2f} x bare "
        f"(target: 0.50 or more); the Google Reader API (not kept): {api / bare:.2f} x bare"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "serve-bare":
        serve_bare(int(sys.argv[2]))
    elif len(sys.argv) > 3 and sys.argv[1] == "serve-site":
        serve_site(int(sys.argv[2]), sys.argv[3])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
