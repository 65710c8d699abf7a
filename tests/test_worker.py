"""The worker role (issue 13): workers on one PostgreSQL share a site's collecting through the job
queue, politely, and understand as one process would.

A newsroom of 8 outlets (one real HTTP server each, on 127.0.0.1) is collected by three
`newsweave worker --burst` processes at once. Every article must be stored and understood once,
no host may ever see two requests at a time, no worker may meet a unique key, and the stories,
copies and related lists must be those of one process replaying the articles in the order the
cluster understood them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsweave.store.db import open_database
from tests.newsroom import newsroom
from tests.newsroom_site import newsroom_site
from tests.test_cli import env_for
from tests.test_scale import _RACE_SIGNS, _understanding, replay_alone

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _nw(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsweave", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_three_workers_collect_a_site_once_politely_and_as_one(tmp_path: Path, pg_url: str) -> None:
    pieces = newsroom()
    env = env_for(tmp_path) | {
        "NEWSWEAVE_DATABASE_URL": pg_url,
        "NEWSWEAVE_PER_HOST_CONCURRENCY": "1",
        "NEWSWEAVE_PER_HOST_DELAY": "0",
        "NEWSWEAVE_WORKERS": "1",
    }
    with newsroom_site(pieces) as outlets:
        for o in outlets:
            add = _nw(env, "sources", "add", o.base + "/feed.xml", "--name", o.name)
            assert add.wait(timeout=120) == 0, add.communicate()[1]
            add.communicate()
        workers = [_nw(env, "worker", "--burst") for _ in range(3)]
        logs = [w.communicate(timeout=900) for w in workers]
        for w, (_out, err) in zip(workers, logs, strict=True):
            assert w.returncode == 0, err
            assert not any(sign in err for sign in _RACE_SIGNS), err
        busy = [err.count("Starting job newsweave.") for _out, err in logs]
        assert sum(n > 0 for n in busy) >= 2, f"the work was not shared: {busy}"
        assert all(o.requests > len(o.pages) for o in outlets), "every feed and page was asked"
        assert max(o.most_in_flight for o in outlets) == 1, "two requests at once to one host"

    db = open_database(pg_url)
    try:
        cluster = _understanding(db)
        alone = replay_alone(db, tmp_path)
    finally:
        db.dispose()
    rows = cluster["rows"]
    assert len(rows) == len(pieces)
    assert len({r.url for r in rows}) == len(pieces)
    assert {r.state for r in rows} == {"enriched"}
    assert sorted(r.understood_seq for r in rows) == list(range(1, len(pieces) + 1))
    assert len(cluster["copies"]) == sum(1 for p in pieces if p.copy_of)

    # One process, the articles as stored, in the order the cluster understood them.
    assert cluster["stories"] == alone["stories"]
    assert cluster["copies"] == alone["copies"]
    assert cluster["related"] == alone["related"]
