"""Where an async page runs a small database read: on the event loop, or in a worker thread.

A read of a few indexed rows from SQLite takes ~0.1 ms, which is less than handing it to a
worker thread and back (~0.4 ms a request, measured with bench/web.py), so it runs inline. So
does an API list's page (~1 ms): under 16 connections at fresh addresses the hop cost far more
than alone, the loop and the handler threads handing the GIL back and forth (226-300 requests/s
in a thread, 478-651 inline; bench/archive.py, 100,000 articles). A PostgreSQL round trip may
wait on the network, and the event loop must not, so it goes to a thread. Anything heavier
(many queries, a big template) goes to a thread on either database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

__all__ = ["own_read", "quick_read"]

T = TypeVar("T")


async def quick_read(request: Request, fn: Callable[..., T], *args: Any) -> T:
    if request.app.state.db.is_sqlite:
        return fn(*args)
    return await run_in_threadpool(fn, *args)


def own_read(app: FastAPI, fn: Callable[[Connection], T]) -> Callable[[], T]:
    """What reads `fn`'s value on a connection of its own, for a value kept and made again
    in a thread (TTLCache's refresh_ahead and warm) after the request that asked has gone:
    never on that request's connection, returned to the pool by then."""

    def make() -> T:
        with app.state.db.read() as conn:
            return fn(conn)

    return make
