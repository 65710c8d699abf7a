"""Articles per second through the whole pipeline: one SQLite process beside 1, 2 and 3 workers
on PostgreSQL, collecting the same site in one run (issue 13).

The site is the team's newsroom (tests/newsroom.py) served by one real HTTP server per outlet on
127.0.0.1: `--rounds` × 64 articles of ~280 words over 8 hosts, with syndicated copies. Each
configuration starts from an empty database with the 8 feeds added and runs until every article
is enriched:

- sqlite: `newsweave fetch` (one process: poll, fetch, extract, enrich, as `run` does);
- postgres ×N: N `newsweave worker --burst` processes at once (the job queue in PostgreSQL).

It prints wall-clock articles/s (pages fetched and extracted, analysed, understood: all of it)
and the CPU seconds per article of the newsweave processes (user + system, from the kernel's
accounting of the children), so the figure per core is honest on a small machine: on 2 cores,
3 workers cannot run 3× faster, and CPU/article says whether they waste work. PostgreSQL's own
CPU is not in it (it is another process tree); each worker loads the models once (~5-10 s),
which a longer run amortises: say `--rounds` to see it.

    python bench/scale.py [--rounds 5] [--workers 1,2,3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.newsroom import newsroom
from tests.newsroom_site import newsroom_site

from newsweave.store.schema import articles

PG = os.environ.get("NEWSWEAVE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _env(data: Path, url: str) -> dict[str, str]:
    return dict(
        os.environ,
        NEWSWEAVE_DATA_DIR=str(data),
        NEWSWEAVE_DATABASE_URL=url,
        NEWSWEAVE_PER_HOST_DELAY="0",
        NEWSWEAVE_PER_HOST_CONCURRENCY="2",
        NEWSWEAVE_WORKERS="1",
        NEWSWEAVE_LOAD_DEFAULT_SOURCES="0",
    )


def _nw(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsweave", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _run(name: str, url: str, feeds: list[tuple[str, str]], workers: int, n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp), url)
        for feed, outlet in feeds:
            if _nw(env, "sources", "add", feed, "--name", outlet).wait() != 0:
                raise SystemExit(f"{name}: could not add {feed}")
        cpu0, t0 = _children_cpu(), time.perf_counter()
        if workers == 0:
            procs = [_nw(env, "fetch")]
        else:
            procs = [_nw(env, "worker", "--burst") for _ in range(workers)]
        codes = [p.wait() for p in procs]
        wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    engine = create_engine(url)
    with engine.connect() as conn:
        done = conn.execute(select(func.count()).where(articles.c.state == "enriched")).scalar_one()
    engine.dispose()
    if any(codes) or done != n:
        raise SystemExit(f"{name}: exit codes {codes}, {done} of {n} articles enriched")
    return {
        "config": name,
        "processes": max(workers, 1),
        "articles": n,
        "seconds": round(wall, 2),
        "articles_per_s": round(n / wall, 2),
        "cpu_s_per_article": round(cpu / n, 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="64 articles per round (default 5)")
    ap.add_argument("--workers", default="1,2,3", help="worker counts to run on PostgreSQL")
    ap.add_argument("--json", type=Path, help="also write one JSON object a line here")
    args = ap.parse_args()
    pieces = newsroom(rounds=args.rounds)
    results = []
    with newsroom_site(pieces, delay=0.0) as outlets:
        feeds = [(o.base + "/feed.xml", o.name) for o in outlets]
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            results.append(_run("sqlite, 1 process (fetch)", url, feeds, 0, len(pieces)))
        admin = create_engine(PG)
        for n in (int(x) for x in args.workers.split(",")):
            schema = f"nwbench_{uuid.uuid4().hex[:10]}"
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                url = f"{PG}?options=-csearch_path%3D{schema}"
                results.append(_run(f"postgres, {n} worker(s)", url, feeds, n, len(pieces)))
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    cores = os.cpu_count()
    print(f"{len(pieces)} articles of ~280 words over {len(feeds)} local hosts, {cores} cores")
    print(f"{'configuration':<28}{'articles/s':>12}{'seconds':>10}{'CPU s/article':>16}")
    base = results[0]["articles_per_s"]
    for r in results:
        print(
            f"{r['config']:<28}{r['articles_per_s']:>12.2f}{r['seconds']:>10.1f}"
            f"{r['cpu_s_per_article']:>16.3f}   ({r['articles_per_s'] / base:.2f}× sqlite)"
        )
    if args.json:
        with args.json.open("w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
