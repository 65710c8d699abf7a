"""The newsroom (tests/newsroom.py) on the web: one real HTTP server per outlet on 127.0.0.1.

Each outlet serves `/feed.xml` (RSS 2.0 teasers of its pieces) and each piece's page at
`/<event>/<n>`. Every server counts the requests it has in flight and keeps the most it ever
had, so a test can hold a cluster of workers to one request at a time per host; each answer
takes `delay` seconds so that two requests to one host would overlap if they were allowed.

A request is in flight from its arrival until its answer is handed to the socket, and only
while its client still waits: counting it until the handler's thread got the interpreter back
after the last byte went out saw a polite client's next request overlap the answer it had
already read, and a worker killed (SIGKILL, in the chaos test) abandons its request, which
the server still works on while another worker rightly takes the host over.
"""

from __future__ import annotations

import email.utils
import html
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.newsroom import Piece

__all__ = ["Outlet", "newsroom_site"]


class Outlet(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, name: str, pieces: list[Piece], delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.name = name
        self.delay = delay
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.pages = {f"/{p.event}/{p.url.rsplit('/', 1)[1]}": p for p in pieces}
        self.in_flight: set[socket.socket] = set()
        self.most_in_flight = 0
        self.requests = 0
        self._count = threading.Lock()

    def url_of(self, piece: Piece) -> str:
        return self.base + f"/{piece.event}/{piece.url.rsplit('/', 1)[1]}"

    def feed(self) -> bytes:
        items = "".join(
            f"<item><title>{html.escape(p.title)}</title><link>{self.base}{path}</link>"
            f"<guid>{self.base}{path}</guid>"
            f"<pubDate>{email.utils.format_datetime(p.published)}</pubDate>"
            f"<description>{html.escape(p.text[:200])}</description></item>"
            for path, p in self.pages.items()
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{html.escape(self.name)}</title><link>{self.base}/</link>{items}"
            "</channel></rss>"
        ).encode()

    def page(self, p: Piece) -> bytes:
        paras = "".join(f"<p>{html.escape(x)}</p>" for x in p.text.split("\n\n"))
        return (
            f"<!doctype html><html lang='en'><head><title>{html.escape(p.title)}</title>"
            f"<meta property='article:published_time' content='{p.published.isoformat()}'>"
            f"</head><body><article><h1>{html.escape(p.title)}</h1>{paras}</article>"
            "</body></html>"
        ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: Outlet

    def log_message(self, *_args: Any) -> None:
        pass

    def do_GET(self) -> None:
        srv = self.server
        with srv._count:
            srv.requests += 1
            srv.in_flight = {s for s in srv.in_flight if not _client_gone(s)}
            srv.in_flight.add(self.connection)
            srv.most_in_flight = max(srv.most_in_flight, len(srv.in_flight))
        try:
            time.sleep(srv.delay)
            path = self.path.split("?", 1)[0]
            if path == "/feed.xml":
                self._send(200, "application/rss+xml", srv.feed())
            elif path in srv.pages:
                self._send(200, "text/html; charset=utf-8", srv.page(srv.pages[path]))
            elif path == "/robots.txt":
                self._send(200, "text/plain", b"User-agent: *\nAllow: /\n")
            else:
                self._send(404, "text/plain", b"not found")
        finally:
            self._done()

    def _done(self) -> None:
        with self.server._count:
            self.server.in_flight.discard(self.connection)

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self._done()  # the answer is ready: what follows is the client's to read
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _client_gone(sock: socket.socket) -> bool:
    """Whether the client of a request has closed its end (a killed process's kernel does)."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


@contextmanager
def newsroom_site(pieces: list[Piece], delay: float = 0.03) -> Iterator[list[Outlet]]:
    """One running server per outlet of `pieces`, shut down afterwards."""
    by_outlet: dict[str, list[Piece]] = {}
    for p in pieces:
        by_outlet.setdefault(p.outlet, []).append(p)
    outlets = [Outlet(name, ps, delay) for name, ps in by_outlet.items()]
    threads = [threading.Thread(target=o.serve_forever, daemon=True) for o in outlets]
    for t in threads:
        t.start()
    try:
        yield outlets
    finally:
        for o in outlets:
            o.shutdown()
            o.server_close()
