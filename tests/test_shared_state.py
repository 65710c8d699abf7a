"""What web processes share (issue 13): failed logins, session revocations, the signing key.

The limiter is held to the same rules in memory, in the host's mapped file and on the real
Redis; then two real `newsweave serve` processes on one PostgreSQL and one Redis, and `serve
--processes 2` on one host with and without Redis, must act as one site: a form made by one is
accepted by the other, a guesser meets one limit across both, and a session ended on one is
refused by the other at once (not after its few seconds of cache).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newsweave.errors import ConfigError, RateLimitedError
from newsweave.web.security import SESSION_COOKIE, LoginLimiter
from newsweave.web.shared import (
    STATE_FILE,
    HostState,
    LocalState,
    RedisState,
    SharedState,
    shared_state,
)
from tests.conftest import REDIS_URL
from tests.test_cli import env_for

PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["memory", "host", "redis"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> SharedState:
    if request.param == "memory":
        return LocalState()
    if request.param == "host":
        return HostState(tmp_path / "web-state.bin")
    return RedisState(REDIS_URL, request.getfixturevalue("redis_prefix"))


def test_the_limiter_stops_the_guesser_on_either_store(shared: SharedState) -> None:
    limiter = LoginLimiter(shared, attempts=3, window=900, per_address=5)
    for _ in range(3):
        limiter.check("203.0.113.9", "alice")
        limiter.failed("203.0.113.9", "alice")
    with pytest.raises(RateLimitedError) as caught:
        limiter.check("203.0.113.9", "alice")
    assert 890 <= caught.value.retry_after <= 901
    limiter.check("198.51.100.7", "alice")  # alice's own address is not stopped
    limiter.succeeded("198.51.100.7", "alice")
    limiter.check("203.0.113.9", "bob")  # 3 of 5 for the address
    limiter.failed("203.0.113.9", "bob")
    limiter.failed("203.0.113.9", "carol")
    with pytest.raises(RateLimitedError):
        limiter.check("203.0.113.9", "dave")  # the address's limit, across accounts


def test_failures_leave_the_window_and_revocations_count(shared: SharedState) -> None:
    shared.fail("k", 0.4)
    shared.fail("k", 0.4)
    count, left = shared.failures("k", 0.4)
    assert count == 2
    assert 0 < left <= 0.4
    time.sleep(0.5)
    assert shared.failures("k", 0.4) == (0, 0.0)
    before = shared.epoch()
    shared.revoke()
    assert shared.epoch() == before + 1
    shared.fail("k", 60)
    shared.clear("k")
    assert shared.failures("k", 60)[0] == 0


def test_epochs_read_at_once_are_the_ones_read_apiece(shared: SharedState) -> None:
    """What a kept page or reader part is keyed by: one round trip, the same answer."""
    apiece = lambda: (shared.epoch(), shared.reader_epoch(7), shared.reader_epoch(8))  # noqa: E731
    assert shared.epochs(7, 8) == apiece()
    shared.reader_changed(7)
    shared.reader_changed(7)
    shared.revoke()
    assert shared.epochs(7, 8) == apiece()
    assert shared.epochs(7)[1] == shared.epochs(8, 7)[2] != shared.epochs(8)[1]


def test_processes_that_map_one_file_share_it_and_keys_keep_apart(tmp_path: Path) -> None:
    """Two HostStates on one file stand for two processes of a host (lockf and the mapping
    behave across processes as across these two: each holds its own descriptor and map)."""
    one, two = HostState(tmp_path / "s.bin"), HostState(tmp_path / "s.bin")
    one.revoke()
    one.reader_changed(7)
    assert two.epochs(7, 8) == (1, 1, 0)
    # readers in one slot (id modulo READERS) only rebuild each other's pages
    two.reader_changed(7 + HostState.READERS)
    assert one.reader_epoch(7) == 2
    limiter_a, limiter_b = LoginLimiter(one, attempts=3), LoginLimiter(two, attempts=3)
    for limiter in (limiter_a, limiter_b, limiter_a):
        limiter.failed("203.0.113.9", "alice")
    with pytest.raises(RateLimitedError):
        limiter_b.check("203.0.113.9", "alice")
    # Many keys onto few slots: each counts only its own failures, the ones that find no
    # free slot push out the longest-quiet, and the newest keys are always counted.
    for n in range(3 * HostState.FAILURE_SLOTS):
        one.fail(f"ip:198.51.{n // 256}.{n % 256}", 60)
    assert two.failures(f"ip:198.51.{(3 * HostState.FAILURE_SLOTS - 1) // 256}.255", 60)[0] == 1
    for _ in range(HostState.STAMPS + 5):
        two.fail("ip:192.0.2.1", 60)
    assert one.failures("ip:192.0.2.1", 60)[0] == HostState.STAMPS
    with pytest.raises(ValueError, match="never met"):
        LoginLimiter(one, attempts=HostState.STAMPS + 1)
    # A file of another layout (an older newsweave's) is made again, not misread.
    (tmp_path / "old.bin").write_bytes(b"\1" * 4096)
    assert HostState(tmp_path / "old.bin").epochs(1) == (0, 0)
    # A data folder that cannot hold it says so.
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ConfigError, match="cannot keep what web processes share"):
        shared_state(None, folder=tmp_path / "a-file")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_web_processes(tmp_path: Path, pg_url: str, redis_prefix: str) -> Iterator[tuple[str, str]]:
    """Two `newsweave serve` on one database and one Redis: their base URLs."""
    env = env_for(tmp_path) | {
        "NEWSWEAVE_DATABASE_URL": pg_url,
        "NEWSWEAVE_REDIS_URL": REDIS_URL,
        "NEWSWEAVE_REDIS_PREFIX": redis_prefix,
        "NEWSWEAVE_LOAD_DEFAULT_SOURCES": "0",
    }
    ports = [_free_port(), _free_port()]
    procs = [_serve(env, p, "--processes", "1") for p in ports]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        deadline = time.monotonic() + 90
        for url, proc in zip(urls, procs, strict=True):
            while True:
                assert proc.poll() is None, proc.communicate()[1]
                try:
                    httpx.get(url + "/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, f"{url} did not start"
                    time.sleep(0.2)
        yield urls[0], urls[1]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.communicate(timeout=20)


def _csrf(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert m, "no form on the page"
    return m.group(1)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_web_processes_act_as_one_site(two_web_processes: tuple[str, str]) -> None:
    a, b = two_web_processes
    with (
        httpx.Client(timeout=10) as alice,
        httpx.Client(timeout=10) as stale,
        httpx.Client(timeout=10) as guesser,
    ):
        _act_as_one_site(a, b, alice, stale, guesser)


def _act_as_one_site(
    a: str, b: str, alice: httpx.Client, stale: httpx.Client, guesser: httpx.Client
) -> None:
    # A form made by one process is accepted by the other: one signing key, in the database.
    token = _csrf(alice.get(a + "/register").text)
    r = alice.post(
        b + "/register",
        data={
            "username": "alice",
            "email": "a@e.example",
            "password": PASSWORD,
            "csrf_token": token,
        },
    )
    assert r.status_code == 303, r.text
    session = alice.cookies[SESSION_COOKIE]
    for site in (a, b, b):  # the second view on b comes from its session cache
        assert '<span class="who">alice</span>' in alice.get(site + "/").text

    # Logging out on a ends the session on b at once, within b's cache time.
    alice.post(a + "/logout", data={"csrf_token": _csrf(alice.get(a + "/").text)})
    stale.cookies.set(SESSION_COOKIE, session)
    assert '<span class="who">' not in stale.get(b + "/").text

    # A guesser meets one limit whichever process answers.
    codes = []
    for n in range(7):
        site = (a, b)[n % 2]
        token = _csrf(guesser.get(site + "/login").text)
        r = guesser.post(
            site + "/login", data={"username": "alice", "password": "wrong", "csrf_token": token}
        )
        codes.append(r.status_code)
    assert 429 not in codes[:5], codes
    assert codes[5:] == [429, 429], codes


@pytest.mark.parametrize("where", ["host", "redis"])
def test_a_role_changed_from_the_command_line_reaches_every_web_process(
    tmp_path: Path, where: str, request: pytest.FixtureRequest
) -> None:
    """Cached sessions carry the role; the CLI bumps the shared epoch so no process keeps it:
    those of this host (the data folder's file) without Redis, every one with it."""
    from tests.test_cli import nw_env

    env = env_for(tmp_path)
    shared: SharedState
    if where == "host":
        shared = HostState(Path(env["NEWSWEAVE_DATA_DIR"]) / STATE_FILE)
    else:
        prefix = request.getfixturevalue("redis_prefix")
        shared = RedisState(REDIS_URL, prefix)
        env |= {"NEWSWEAVE_REDIS_URL": REDIS_URL, "NEWSWEAVE_REDIS_PREFIX": prefix}
    nw_env(env, "user", "create", "mod", "--role", "moderator", stdin=PASSWORD + "\n")
    before = shared.epoch()
    nw_env(env, "user", "role", "mod", "reader")
    assert shared.epoch() == before + 1


@pytest.mark.slow
@pytest.mark.parametrize("where", ["host", "redis"])
def test_serve_answers_in_several_processes_that_act_as_one_site(
    tmp_path: Path, where: str, request: pytest.FixtureRequest
) -> None:
    """`serve --processes 2` on the SQLite default: two processes behind one port, one site,
    sharing their state in the data folder's mapped file (no Redis), or in Redis."""
    from tests.test_cli import nw_env

    env = env_for(tmp_path) | {"NEWSWEAVE_LOAD_DEFAULT_SOURCES": "0"}
    if where == "redis":
        prefix = request.getfixturevalue("redis_prefix")
        env |= {"NEWSWEAVE_REDIS_URL": REDIS_URL, "NEWSWEAVE_REDIS_PREFIX": prefix}
    port = _free_port()
    proc = _serve(env, port, "--processes", "2")
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        children: list[str] = []
        while len(children) < 2 or not _answers(url):
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "serve --processes 2 did not start"
            time.sleep(0.2)
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        # Connections opened together (a browser's, a load balancer's pool) are spread over the
        # processes (each accepts on its own socket: web.workers), not taken whole by the first
        # one awake, as when they shared one socket.
        for _ in range(100):  # both listening (shared, one socket listens: on to the burst)
            if len(_sockets_on(port, "0A")) == 2:
                break
            time.sleep(0.1)
        burst = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        try:
            for _ in range(50):
                held = _connections_of(port, [int(c) for c in children])
                if sum(held.values()) == len(burst):
                    break
                time.sleep(0.1)
            assert len([n for n in held.values() if n]) == 2, held
        finally:
            for sock in burst:
                sock.close()
        # A new connection for every request, which either process may accept: every step
        # below must hold whichever answers.
        once = httpx.Limits(max_keepalive_connections=0)
        with (
            httpx.Client(timeout=10, limits=once) as alice,
            httpx.Client(timeout=10, limits=once) as stale,
            httpx.Client(timeout=10, limits=once) as guesser,
        ):
            _act_as_one_site(url, url, alice, stale, guesser)
        # A second `serve` on the port is refused, not let into the group of sockets.
        second = nw_env(env, "serve", "--port", str(port), "--processes", "2", ok=False)
        assert second.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
        # A process that dies is started again; the site answers meanwhile from the other.
        web = [pid for pid, n in _connections_of(port, _children(proc.pid), "0A").items() if n]
        assert len(web) == 2, web
        os.kill(web[0], signal.SIGKILL)
        # Until the kernel has closed the killed process's socket (as it tears the process
        # down: slower under load), a new connection may still be given to it and reset.
        deadline = time.monotonic() + 20
        while _listens(web[0], port):
            assert time.monotonic() < deadline, "the killed process kept its socket"
            time.sleep(0.05)
        deadline = time.monotonic() + 60
        while web[0] in _children(proc.pid) or len(_sockets_on(port, "0A")) < 2:
            assert _answers(url)
            assert time.monotonic() < deadline, "the killed web process was not started again"
            time.sleep(0.2)
        assert proc.poll() is None
        assert _answers(url)
        # The watcher killed outright: its processes stop too, or they would answer on the
        # port under PID 1 for ever, and no `serve` could take it again.
        web = _children(proc.pid)
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 40
        while _sockets_on(port, "0A") or any(_running(pid) for pid in web):
            assert time.monotonic() < deadline, "web processes outlived the serve that ran them"
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    # One that never serves (here: no Redis to be had) stops them all, with the reason; a
    # database that cannot be reached is said in a line, before any process starts.
    failed = nw_env(
        env | {"NEWSWEAVE_REDIS_URL": "redis://127.0.0.1:1/0"},
        *("serve", "--port", str(port), "--processes", "2"),
        ok=False,
    )
    assert failed.returncode == 1
    assert "a web process stopped before it served" in failed.stderr
    env["NEWSWEAVE_DATABASE_URL"] = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"
    failed = nw_env(env, "serve", "--port", str(port), "--processes", "2", ok=False)
    assert failed.returncode == 1
    assert "error: cannot open the database postgresql+psycopg://nobody:***@" in failed.stderr


def _sockets_on(port: int, state: str) -> set[str]:
    """The inodes of this machine's TCP sockets on local `port` in `state` (01 established,
    0A listening), from Linux's /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == state:
                inodes.add(cols[9])
    return inodes


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _connections_of(port: int, pids: list[int], state: str = "01") -> dict[int, int]:
    """How many sockets on `port` in `state` (established by default) each process holds."""
    inodes = _sockets_on(port, state)
    held = {}
    for pid in pids:
        links = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                links.append(str(fd.readlink()))
            except OSError:
                continue  # closed meanwhile
        held[pid] = sum(1 for link in links if link[8:-1] in inodes and link.startswith("socket:"))
    return held


def _listens(pid: int, port: int) -> bool:
    """Whether process `pid` still holds a socket listening on `port`."""
    try:
        return bool(_connections_of(port, [pid], "0A")[pid])
    except OSError:  # gone
        return False


def _serve(
    env: dict[str, str], port: int, *args: str, command: str = "serve"
) -> subprocess.Popen[str]:
    """`newsweave serve` (or `command`) on `port` with `args`, its errors kept to be read."""
    return subprocess.Popen(
        [sys.executable, "-m", "newsweave", command, "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _running(pid: int) -> bool:
    """Whether process `pid` is alive (a zombie left unreaped is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("command", ["serve", "run"])
def test_serve_answers_in_one_process_per_core_by_default(tmp_path: Path, command: str) -> None:
    """`serve` with no --processes (nor NEWSWEAVE_WEB_PROCESSES) uses every core of the
    machine, up to MAX_AUTO_PROCESSES: one process per core, as each serves Python on one;
    `run` too, collecting in the process that starts them."""
    from newsweave import config

    expected = min(config.cores(), config.MAX_AUTO_PROCESSES)
    env = env_for(tmp_path) | {"NEWSWEAVE_LOAD_DEFAULT_SOURCES": "0"}
    env.pop("NEWSWEAVE_WEB_PROCESSES", None)
    assert config.web_processes(config.load(env)) == expected
    port = _free_port()
    proc = _serve(env, port, command=command)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _answers(url) or len(_sockets_on(port, "0A")) < expected:
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, f"{command} did not start {expected} processes"
            time.sleep(0.2)
        time.sleep(0.5)  # none more than that
        assert len(_sockets_on(port, "0A")) == expected
        mine = [proc.pid, *_children(proc.pid)]  # beside them multiprocessing's tracker
        listening = [pid for pid, n in _connections_of(port, mine, "0A").items() if n]
        assert len(listening) == expected
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
