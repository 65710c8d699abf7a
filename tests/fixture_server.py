"""A real HTTP server on 127.0.0.1 for the tests: serves tests/fixtures and misbehaves on purpose.

Static files come from fixtures/ with ETag and Last-Modified (and 304 on a matching conditional
GET); `{base}` in a file becomes the server's own URL, so feeds can link to its pages. The other
routes each show one way the web goes wrong:

    /slow/<seconds>/<path>     waits, then serves <path>
    /drip                      sends a byte every 0.2 s, forever (a total deadline must stop it)
    /status/<code>             answers <code>; ?retry_after=N adds Retry-After
    /flaky/<key>/<n>/<path>    503 for the first <n> requests of <key>, then serves <path>
    /redirect/<code>/<n>/<path>  a chain of <n> redirects with status <code>, then <path>
    /loop                      redirects to itself
    /bomb                      10 MB of zeros gzip-compressed to ~10 KB (a decompression bomb)
    /huge                      an endless body with no Content-Length
    /declared-huge             declares a 200 MB Content-Length
    /garbage                   random bytes as text/html
    /empty                     200 with an empty body
    /robots.txt                disallows /pages/private/ for every agent
    /gen/feed/<n>              an RSS teaser feed of <n> generated articles (?delay=S per page,
                               ?chrome=1 for the full-furniture pages)
    /gen/page/<i>              generated article <i>: about 600 words, unique text (?delay=S;
                               ?chrome=1 wraps it in a news site's ~100 KB of page furniture)
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import hashlib
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).with_name("fixtures")
_TYPES = {
    ".xml": "application/rss+xml",
    ".rdf": "application/rdf+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain",
    ".opml": "text/x-opml",
}
_LAST_MODIFIED = email.utils.formatdate(1_700_000_000, usegmt=True)
_BOMB = gzip.compress(b"\0" * 10_000_000, compresslevel=9)


_WORDS = [
    "government",
    "minister",
    "council",
    "election",
    "talks",
    "summit",
    "border",
    "economy",
    "inflation",
    "market",
    "police",
    "court",
    "ruling",
    "parliament",
    "vote",
    "budget",
    "health",
    "hospital",
    "school",
    "energy",
    "climate",
    "storm",
    "flood",
    "aid",
    "ceasefire",
    "army",
    "rebels",
    "refugees",
    "trade",
    "tariff",
    "bank",
    "growth",
    "jobs",
    "strike",
    "union",
    "protest",
    "city",
    "region",
    "village",
    "farmers",
    "water",
    "prices",
    "report",
    "official",
    "spokesman",
    "statement",
    "agreement",
    "plan",
    "week",
    "month",
    "year",
    "morning",
    "evening",
    "capital",
    "province",
    "coast",
    "river",
    "bridge",
    "road",
    "railway",
    "airport",
]


@functools.lru_cache(maxsize=2048)  # served fast, like a real site's cached pages
def generated_page(i: int, chrome: bool = False) -> bytes:
    """Article <i>: about 600 words in 8 paragraphs, different for every <i>.

    With `chrome`, the same article inside what a news site wraps around it (~100 KB: meta
    tags, inline styles and scripts, JSON-LD, a menu of sections, share buttons, related
    boxes, a "most read" sidebar, teaser cards, a comment form, a footer of links), so that
    extraction costs what it costs on real pages rather than on a bare document.
    """
    rng = random.Random(i)
    paras = []
    for _ in range(8):
        sentences = []
        for _ in range(5):
            words = [rng.choice(_WORDS) for _ in range(14)]
            sentences.append(" ".join(words).capitalize() + ".")
        paras.append("<p>" + " ".join(sentences) + "</p>")
    title = f"Report {i}: " + " ".join(rng.choice(_WORDS) for _ in range(6))
    if chrome:
        return _with_chrome(rng, i, title, paras)
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>"
        f"<meta name='author' content='Reporter {i % 7}'>"
        f"<meta property='article:published_time' content='2025-08-{1 + i % 28:02d}T10:00:00Z'>"
        f"</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
        f"<h1>{title}</h1>{''.join(paras)}</article>"
        "<footer>Generated fixture</footer></body></html>"
    ).encode()


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize()


def _with_chrome(rng: random.Random, i: int, title: str, paras: list[str]) -> bytes:
    date = f"2025-08-{1 + i % 28:02d}T10:00:00Z"
    sections = [f"section-{k}" for k in range(60)]
    css = "".join(
        f".c{k}{{margin:{k % 9}px;padding:{k % 7}px;color:#{k * 4111 % 0xFFFFFF:06x}}}"
        for k in range(300)
    )
    js = "".join(f"window.dl=window.dl||[];dl.push({{e:'v{k}',t:{k}}});" for k in range(250))
    standfirst = _phrase(rng, 20) + "."
    meta = "".join(
        f"<meta property='og:{k}' content='{v}'><meta name='twitter:{k}' content='{v}'>"
        for k, v in (
            ("title", title),
            ("description", standfirst),
            ("site_name", "The Daily Fixture"),
            ("image", f"/img/lead-{i}.jpg"),
            ("type", "article"),
            ("url", f"/gen/page/{i}"),
            ("locale", "en_GB"),
        )
    )
    menu = "".join(
        f"<li class='menu-item'><a href='/{s}'>{s.title()}</a><ul class='sub'>"
        + "".join(f"<li><a href='/{s}/{k}'>{_phrase(rng, 2)}</a></li>" for k in range(5))
        + "</ul></li>"
        for s in sections
    )
    share = "".join(
        f"<li><a class='share' href='https://{n}.example/share?u=/a/{i}'>{n}</a></li>"
        for n in ("facebook", "x", "linkedin", "whatsapp", "email", "reddit")
    )
    body = []
    for k, p in enumerate(paras):
        body.append(p)
        if k in (2, 5):
            links = "".join(
                f"<li><a href='/a/{i + j + 1000}'>{_phrase(rng, 8)}</a></li>" for j in range(3)
            )
            body.append(f"<aside class='related-inline'><h4>Read more</h4><ul>{links}</ul></aside>")
        if k in (1, 4, 6):
            body.append(f"<div class='ad-slot' id='ad-{k}' data-size='300x250'></div>")
    most_read = "".join(
        f"<li><a href='/a/{i + j + 2000}'><span class='rank'>{j + 1}</span>{_phrase(rng, 9)}"
        f"</a><p>{_phrase(rng, 18)}.</p></li>"
        for j in range(10)
    )
    cards = "".join(
        f"<div class='card'><a href='/a/{i + j + 3000}'><img src='/img/{j}.jpg' alt=''>"
        f"<h3>{_phrase(rng, 8)}</h3></a><p>{_phrase(rng, 22)}.</p>"
        f"<time>{1 + j} hours ago</time></div>"
        for j in range(12)
    )
    footer = "".join(
        f"<div class='col'><h5>{_phrase(rng, 1)}</h5><ul>"
        + "".join(f"<li><a href='/f/{c}/{k}'>{_phrase(rng, 2)}</a></li>" for k in range(12))
        + "</ul></div>"
        for c in range(5)
    )
    ld = (
        '{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"headline":"{title}","datePublished":"{date}",'
        f'"author":{{"@type":"Person","name":"Reporter {i % 7}"}}}}'
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title} | "
        f"The Daily Fixture</title>{meta}"
        f"<meta name='author' content='Reporter {i % 7}'>"
        f"<meta property='article:published_time' content='{date}'>"
        f"<link rel='canonical' href='/gen/page/{i}'><style>{css}</style>"
        f"<script type='application/ld+json'>{ld}</script><script>{js}</script></head>"
        f"<body><header><a class='logo' href='/'>The Daily Fixture</a>"
        f"<form class='search' action='/search'><input name='q'><button>Search</button></form>"
        f"<a href='/login'>Sign in</a><nav><ul class='menu'>{menu}</ul></nav></header>"
        f"<ol class='breadcrumbs'><li><a href='/'>Home</a></li><li><a href='/world'>World</a>"
        f"</li></ol><main><article><h1>{title}</h1><p class='standfirst'>{standfirst}</p>"
        f"<div class='byline'>By <a href='/authors/{i % 7}'>Reporter {i % 7}</a> "
        f"<time datetime='{date}'>{date}</time></div><ul class='share-bar'>{share}</ul>"
        f"<figure><img src='/img/lead-{i}.jpg' alt='{_phrase(rng, 5)}'>"
        f"<figcaption>{_phrase(rng, 12)}. Photo: Agency</figcaption></figure>"
        f"<div class='article-body'>{''.join(body)}</div><ul class='share-bar'>{share}</ul>"
        f"</article><section class='comments'><h2>Comments</h2><form action='/comment'>"
        f"<textarea name='body'></textarea><button>Post</button></form></section>"
        f"<section class='more'><h2>More from World</h2>{cards}</section></main>"
        f"<aside class='sidebar'><h2>Most read</h2><ol>{most_read}</ol>"
        f"<div class='newsletter'><h3>Get the morning briefing</h3><form><input name='email'>"
        f"<button>Sign up</button></form></div></aside>"
        f"<footer>{footer}<p class='legal'>{_phrase(rng, 40)}.</p></footer>"
        f"<script>{js}</script></body></html>"
    ).encode()


def generated_feed(base: str, n: int, delay: str, chrome: str = "0") -> bytes:
    items = "".join(
        f"<item><title>Report {i}</title>"
        f"<link>{base}/gen/page/{i}?delay={delay}&amp;chrome={chrome}</link>"
        f"<guid>gen-{i}</guid><description>Teaser {i}.</description></item>"
        for i in range(n)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Generated</title>"
        f"<link>{base}/</link><description>generated</description>{items}</channel></rss>"
    ).encode()


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.extra: dict[str, tuple[int, str, bytes]] = {}  # path -> (status, type, body)
        self.llm_requests: list[dict[str, object]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def count(self, path: str) -> int:
        with self.lock:
            return self.hits[path]

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up on purpose (timeouts under test) is not an error to print."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def start(self) -> FixtureServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _Handler(BaseHTTPRequestHandler):
    server: FixtureServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        """A stand-in OpenAI-compatible chat endpoint: /llm/<behaviour>/v1/chat/completions.

        ok: a JSON summary naming the article's first line; prose: text, not JSON;
        error: 500; slow: answers after 3 s. Each request body is kept for the tests.
        """
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        segments = urlsplit(self.path).path.strip("/").split("/")
        behaviour = segments[1] if len(segments) > 1 and segments[0] == "llm" else "missing"
        with self.server.lock:
            self.server.llm_requests.append(
                {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
            )
        if behaviour == "error":
            self._send(500, b"upstream exploded", "text/plain")
            return
        if behaviour == "slow":
            time.sleep(3)
        first = body.get("messages", [{}])[-1].get("content", "").split("\n", 1)[0]
        if behaviour == "prose":
            content = "Sure! Here is a summary of the article you sent me."
        else:
            content = json.dumps(
                {
                    "summary": f"LLM summary of: {first}.",
                    "key_points": ["First point.", "Second point.", "Third point."],
                }
            )
        answer = {"choices": [{"message": {"role": "assistant", "content": content}}]}
        self._send(
            200 if behaviour != "missing" else 404, json.dumps(answer).encode(), "application/json"
        )

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        query = parse_qs(parts.query)
        with self.server.lock:
            self.server.hits[path] += 1
            hits = self.server.hits
        segments = path.strip("/").split("/")
        head = segments[0]
        try:
            if path in self.server.extra:
                status, ctype, body = self.server.extra[path]
                self._send(status, body, ctype)
            elif path == "/robots.txt":
                self._send(200, b"User-agent: *\nDisallow: /pages/private/\n", "text/plain")
            elif head == "slow":
                time.sleep(float(segments[1]))
                self._static("/".join(segments[2:]))
            elif head == "drip":
                self._drip()
            elif head == "status":
                extra = {}
                if "retry_after" in query:
                    extra["Retry-After"] = query["retry_after"][0]
                self._send(int(segments[1]), b"error page", "text/html", extra)
            elif head == "flaky":
                key, n = segments[1], int(segments[2])
                with self.server.lock:
                    hits["flaky:" + key] += 1
                    seen = hits["flaky:" + key]
                if seen <= n:
                    self._send(503, b"try later", "text/plain")
                else:
                    self._static("/".join(segments[3:]))
            elif head == "redirect":
                code, n = int(segments[1]), int(segments[2])
                rest = "/".join(segments[3:])
                target = f"/redirect/{code}/{n - 1}/{rest}" if n > 1 else f"/{rest}"
                self._send(code, b"", "text/plain", {"Location": target})
            elif head == "loop":
                self._send(302, b"", "text/plain", {"Location": "/loop"})
            elif head == "bomb":
                self._send(200, _BOMB, "text/html", {"Content-Encoding": "gzip"})
            elif head == "huge":
                self._endless()
            elif head == "declared-huge":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(200_000_000))
                self.end_headers()
                self.wfile.write(b"<html>" * 1000)
            elif head == "garbage":
                self._send(200, os.urandom(20_000), "text/html")
            elif head == "gen" and segments[1] == "feed":
                delay = query.get("delay", ["0"])[0]
                self._send(
                    200,
                    generated_feed(
                        self.server.base,
                        int(segments[2]),
                        delay,
                        query.get("chrome", ["0"])[0],
                    ),
                    _TYPES[".xml"],
                )
            elif head == "gen" and segments[1] == "page":
                time.sleep(float(query.get("delay", ["0"])[0]))
                chrome = query.get("chrome", ["0"])[0] == "1"
                self._send(200, generated_page(int(segments[2]), chrome), _TYPES[".html"])
            elif head == "empty":
                self._send(200, b"", "application/rss+xml")
            else:
                self._static(path.lstrip("/"))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _static(self, rel: str) -> None:
        file = (FIXTURES / rel).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_relative_to(FIXTURES.resolve()) or not file.is_file():
            self._send(404, b"not found", "text/plain")
            return
        body = file.read_bytes().replace(b"{base}", self.server.base.encode())
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-Modified-Since") == _LAST_MODIFIED
            and not self.headers.get("If-None-Match")
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype = _TYPES.get(file.suffix, "application/octet-stream")
        if "latin1" in file.name:
            ctype = "application/rss+xml"  # on purpose: no charset, the XML prolog says it
        self._send(200, body, ctype, {"ETag": etag, "Last-Modified": _LAST_MODIFIED})

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        for _ in range(10_000):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.2)

    def _endless(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<p>" + b"a" * 65_000 + b"</p>"
        for _ in range(10_000):  # about 650 MB if nobody stops reading
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")
