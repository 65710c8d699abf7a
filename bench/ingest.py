"""bench/ingest: what the whole collect path costs on top of trafilatura's extraction.

Measures, in one run, on the same N generated ~600-word article pages:
  1. trafilatura's own extraction rate (bare_extraction with the options newsweave uses), in memory;
  2. newsweave's whole collect rate: poll a teaser feed on a local HTTP server on 127.0.0.1,
     fetch every page (robots.txt checked), extract, store in a fresh SQLite file (the pages,
     the articles and their state; enrichment is a separate stage, bench/enrich.py);
and prints both in articles/s and their ratio. The target: the rest of the path costs no more
than 25% on top of extraction (ratio >= 0.8).

Two kinds of page: news-site pages (the article inside ~75 KB of a news site's furniture:
menus, inline scripts and styles, related boxes, teaser cards, footer), which extract in
~12 ms here like real ones, and bare pages (the article alone), which extract in ~1.3 ms and
so show the fixed cost of the rest of the path.

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

from newsweave import collecting, jobs
from newsweave.enrich.language import detect
from newsweave.ingest.extract import _DATE_PARAMS
from newsweave.ingest.fetch import FetchPolicy
from newsweave.model import SourceInfo
from newsweave.store import sources
from newsweave.store.db import open_database


def extraction_rate(n: int, chrome: bool) -> float:
    pages = [generated_page(i, chrome) for i in range(n)]
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


def collect_rate(
    n: int, server: FixtureServer, chrome: bool, enricher: collecting.Enricher
) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        with db.begin() as conn:
            sources.add_source(
                conn,
                SourceInfo(name="gen", feed_url=server.url(f"gen/feed/{n}?chrome={int(chrome)}")),
            )
        policy = FetchPolicy(per_host_delay=0, per_host_concurrency=8, max_retries=0)
        start = time.perf_counter()
        collector = collecting.Collector(db, policy, enricher=enricher)
        report = asyncio.run(collector.collect(enrich=False))
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
        extraction_rate(20, True)  # warm up lxml, trafilatura and htmldate caches
        detect("A warm-up sentence so the language model is loaded before timing starts.")
        results = []
        # The worker processes `newsweave fetch` uses (one per core), started before timing as
        # they are in `newsweave run`, which keeps them.
        with collecting.Enricher(jobs.workers_for(0)) as enricher:
            enricher.map(abs, range(enricher.workers * 4))
            for chrome in (True, False):
                extract = extraction_rate(n, chrome)
                collect, stored = collect_rate(n, server, chrome, enricher)
                results.append((chrome, extract, collect, stored))
    finally:
        proc.terminate()
        proc.join()
    print(f"bench/ingest: {n} generated ~600-word pages, one process, SQLite")
    for chrome, extract, collect, stored in results:
        kind = "news-site pages (~75 KB)" if chrome else "bare pages (article only)"
        print(f"  {kind}")
        print(f"    trafilatura extraction alone : {extract:8.1f} articles/s")
        print(f"    newsweave collect (fetch from 127.0.0.1 + extract + store, {stored} stored)"
              f": {collect:8.1f} articles/s")  # fmt: skip
        print(f"    ratio collect/extraction     : {collect / extract:8.2f} "
              f"(overhead {extract / collect - 1:+.0%}; target <= +25%)")  # fmt: skip


if __name__ == "__main__":
    main()
