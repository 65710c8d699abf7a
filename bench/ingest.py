"""bench/ingest: what the whole collect path costs on top of trafilatura's extraction.

Measures, in one run, on the same N generated ~600-word article pages:
  1. trafilatura's own extraction rate (bare_extraction with the options newsweave uses), in memory;
  2. newsweave's whole collect rate: poll a teaser feed on a local HTTP server on 127.0.0.1,
     fetch every page (robots.txt checked), extract, enrich, store in a fresh SQLite file;
and prints both in articles/s and their ratio. The target: the rest of the path costs no more
than 25% on top of extraction (ratio >= 0.8).

Usage: python bench/ingest.py [N]
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixture_server import FixtureServer, generated_page

from newsweave import jobs
from newsweave.enrich.language import detect
from newsweave.ingest.extract import _DATE_PARAMS
from newsweave.ingest.fetch import FetchPolicy
from newsweave.model import SourceInfo
from newsweave.store import sources
from newsweave.store.db import open_database


def extraction_rate(n: int) -> float:
    pages = [generated_page(i) for i in range(n)]
    start = time.perf_counter()
    for i, page in enumerate(pages):
        doc = trafilatura.bare_extraction(
            page,
            url=f"http://127.0.0.1/gen/page/{i}",
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=_DATE_PARAMS,
        )
        assert doc is not None
    return n / (time.perf_counter() - start)


def collect_rate(n: int, server: FixtureServer) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        with db.begin() as conn:
            sources.add_source(conn, SourceInfo(name="gen", feed_url=server.url(f"gen/feed/{n}")))
        policy = FetchPolicy(per_host_delay=0, per_host_concurrency=8, max_retries=0)
        start = time.perf_counter()
        report = asyncio.run(jobs.Collector(db, policy).collect())
        elapsed = time.perf_counter() - start
        db.dispose()
    return report.inserted / elapsed, report.inserted


def _serve(port_out: multiprocessing.connection.Connection) -> None:
    server = FixtureServer()
    port_out.send(server.server_address[1])
    server.serve_forever()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    # The server runs in its own process, as a real site would: in-process it would compete
    # with the collector for the GIL and the figure would measure that instead.
    receiver, sender = multiprocessing.Pipe(duplex=False)
    proc = multiprocessing.Process(target=_serve, args=(sender,), daemon=True)
    proc.start()
    server = FixtureServer.__new__(FixtureServer)
    server.server_address = ("127.0.0.1", receiver.recv())
    try:
        extraction_rate(20)  # warm up lxml, trafilatura and htmldate caches
        detect("A warm-up sentence so the language model is loaded before timing starts.")
        extract = extraction_rate(n)
        collect, stored = collect_rate(n, server)
    finally:
        proc.terminate()
        proc.join()
    print(f"bench/ingest: {n} generated ~600-word pages, one process, SQLite")
    print(f"  trafilatura extraction alone : {extract:8.1f} articles/s")
    print(f"  newsweave collect (fetch from 127.0.0.1 + extract + enrich + store, {stored} stored)"
          f": {collect:8.1f} articles/s")  # fmt: skip
    print(f"  ratio collect/extraction     : {collect / extract:8.2f} "
          f"(overhead {extract / collect - 1:+.0%}; target <= +25%)")  # fmt: skip


if __name__ == "__main__":
    main()
