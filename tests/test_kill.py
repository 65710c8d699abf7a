"""`kill -9` in the middle of `import`, `fetch` and `run`, then the same command again: every
article is stored once and enriched, and no worker process outlives the killed command.

Each run has enough articles (60) for the enricher to start its pool of worker processes, and
the kill lands while they are analysing (after the first batch is stored, before the last).
"""

from __future__ import annotations

import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixture_server import FixtureServer, generated_page
from tests.test_cli import env_for, nw

pytestmark = pytest.mark.slow
N = 60


def _env(tmp_path: Path) -> dict[str, str]:
    env = env_for(tmp_path)
    env.update(NEWSWEAVE_WORKERS="2", NEWSWEAVE_LOAD_DEFAULT_SOURCES="0")
    return env


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:  # gone meanwhile
            continue
        m = re.search(r"^PPid:\s+(\d+)", text, re.M)
        if m and int(m.group(1)) == pid:
            found.add(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in text  # a zombie has exited


def _wait(cond: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g}s waiting for {what}")
        time.sleep(0.1)


def _counts(db_file: Path) -> tuple[int, int, int]:
    """(articles, enriched, distinct identities)."""
    if not db_file.exists():
        return 0, 0, 0
    with sqlite3.connect(db_file, timeout=30) as conn:
        try:
            row = conn.execute(
                "SELECT count(*), sum(state = 'enriched'), count(DISTINCT ident) FROM articles"
            ).fetchone()
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0, 0, 0
    return int(row[0]), int(row[1] or 0), int(row[2])


def _kill_mid_run(tmp_path: Path, args: list[str]) -> None:
    """Start the command, SIGKILL it once its workers run and a first batch is enriched, and
    check that every process it started is gone soon after."""
    db_file = tmp_path / "data" / "newsweave.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsweave", *args],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(lambda: len(_children(proc.pid)) >= 2, 120, "the worker processes to start")
        _wait(lambda: _counts(db_file)[1] >= 8, 180, "a first batch to be enriched")
        started = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    enriched = _counts(db_file)[1]
    assert enriched < N, "the kill must land mid-run for this test to mean anything"
    _wait(lambda: not any(_alive(p) for p in started), 15, f"workers {started} to exit")


def _all_stored_once_and_enriched(tmp_path: Path) -> None:
    assert _counts(tmp_path / "data" / "newsweave.db") == (N, N, N)


def test_import_killed_then_run_again(tmp_path: Path) -> None:
    lines = tmp_path / "articles.jsonl"
    with lines.open("w", encoding="utf-8") as f:
        for i in range(N):
            html = generated_page(i).decode()
            title = re.search(r"<h1>(.*?)</h1>", html)
            text = "\n\n".join(re.findall(r"<p>(.*?)</p>", html))
            row = {"url": f"https://gen.example/{i}", "title": title and title.group(1)}
            f.write(json.dumps({**row, "text": text, "source": "Generated"}) + "\n")
    _kill_mid_run(tmp_path, ["import", str(lines)])
    nw(tmp_path, "import", str(lines))
    _all_stored_once_and_enriched(tmp_path)


def test_fetch_killed_then_run_again(tmp_path: Path, server: FixtureServer) -> None:
    nw(tmp_path, "sources", "add", server.url(f"gen/feed/{N}?delay=0.02"), "--name", "Gen")
    _kill_mid_run(tmp_path, ["fetch"])
    nw(tmp_path, "fetch")
    _all_stored_once_and_enriched(tmp_path)


def test_run_killed_then_run_again(tmp_path: Path, server: FixtureServer) -> None:
    nw(tmp_path, "sources", "add", server.url(f"gen/feed/{N}?delay=0.02"), "--name", "Gen")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    _kill_mid_run(tmp_path, ["run", "--port", port])
    again = subprocess.Popen(
        [sys.executable, "-m", "newsweave", "run", "--port", port],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kids: set[int] = set()
    try:
        db_file = tmp_path / "data" / "newsweave.db"
        _wait(lambda: _counts(db_file)[1] >= N, 240, "the second run to finish the articles")
        kids = _children(again.pid)
    finally:
        again.send_signal(signal.SIGINT)
        try:
            again.wait(timeout=30)
        except subprocess.TimeoutExpired:
            again.kill()
    _all_stored_once_and_enriched(tmp_path)
    _wait(lambda: not any(_alive(p) for p in kids), 15, "a stopped run's workers to exit")
