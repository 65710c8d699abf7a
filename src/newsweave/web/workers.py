"""Several web processes behind one port, each accepting on its own socket (`serve --processes`).

uvicorn's own workers share one listening socket that the parent binds, and asyncio accepts
every connection waiting at each wake-up: the first process awake takes a burst of keep-alive
connections whole. bench/archive.py's 16 connections all went to one of two processes (`ss`
showed it), and two processes served For You no faster than one. Here each process binds its
own socket to the port with SO_REUSEPORT, and Linux spreads new connections over them by their
addresses: two processes on 100,000 SQLite articles, at a fresh URL each request, served For
You 126-134 -> 332-353 requests/s, the API list 301-304 -> 1,006-1,023 and search 195 ->
261-273 (this machine's two cores, both busy at last). Where the kernel does not spread
connections so (not Linux), or on port 0 (each process would get a port of its own),
uvicorn's workers serve as before.

This process only watches: a process that dies is started again, unless it died before it
ever served (a setting or the database is wrong), when all stop and say so. Each process
watches it in turn and stops when it is gone: a watcher killed with SIGKILL left its
processes answering on the port under PID 1, where a new `serve` could not bind it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from typing import Any

from newsweave.errors import ConfigError

__all__ = ["serve"]

log = logging.getLogger(__name__)

_APP = "newsweave.web.app:from_environment"


def serve(host: str, port: int, processes: int) -> None:
    """Serve the site (web.app.from_environment) in `processes` processes on host:port until
    SIGINT or SIGTERM."""
    import uvicorn

    if not sys.platform.startswith("linux") or port == 0:
        uvicorn.run(
            _APP, factory=True, workers=processes, host=host, port=port, log_level="warning"
        )
        return
    # The port must be free: bound alone first, since any process of this user could join a
    # SO_REUSEPORT group (a second `serve` on the same port would share its connections).
    _listener(host, port, shared=False).close()
    spawn = multiprocessing.get_context("spawn")
    stopping: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda number, _frame: stopping.append(number))

    def start() -> tuple[Any, Any]:
        served = spawn.Event()
        proc = spawn.Process(target=_one, args=(host, port, served))
        proc.start()
        return proc, served

    running = [start() for _ in range(processes)]
    try:
        while not stopping:
            time.sleep(0.2)
            for i, (proc, served) in enumerate(running):
                if proc.is_alive() or stopping:
                    continue
                if not served.is_set():
                    raise ConfigError(
                        f"a web process stopped before it served (exit code {proc.exitcode}): "
                        "its error is above"
                    )
                log.warning("web process %s stopped (exit code %s): starting another",
                            proc.pid, proc.exitcode)  # fmt: skip
                running[i] = start()
    finally:
        for proc, _ in running:
            if proc.is_alive():
                proc.terminate()  # uvicorn finishes the requests it has, then stops
        for proc, _ in running:
            proc.join(30)
            if proc.is_alive():
                proc.kill()


def _listener(host: str, port: int, shared: bool = True) -> socket.socket:
    """A TCP socket bound to host:port that the other web processes bind too (SO_REUSEPORT,
    where `shared`). TCP by protocol, so that asyncio sets TCP_NODELAY on what it accepts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


def _one(host: str, port: int, served: Any) -> None:
    """One web process: its own socket on the shared port, the site built from the
    environment the command was started with; `served` is set once it answers."""
    import threading

    import uvicorn

    sock = _listener(host, port)  # asyncio listens on it with uvicorn's backlog
    config = uvicorn.Config(_APP, factory=True, log_level="warning")
    server = uvicorn.Server(config)

    def started() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            served.set()

    threading.Thread(target=started, daemon=True).start()
    threading.Thread(target=_stop_without, args=(os.getppid(), server), daemon=True).start()
    try:
        server.run(sockets=[sock])
    except Exception as exc:  # the site could not be built: a setting, Redis, the database
        print(f"error: a web process could not start: {exc}", file=sys.stderr)
        sys.exit(1)


def _stop_without(parent: int, server: Any, every: float = 0.5, grace: float = 10.0) -> None:
    """Stop this web process once the process that watches it is gone (re-parented, as
    `getppid` shows): the requests in flight are finished first, for up to `grace` seconds."""
    while os.getppid() == parent:
        time.sleep(every)
    log.warning("the serve process %s is gone: this web process stops", parent)
    server.should_exit = True
    time.sleep(grace)
    os._exit(1)
