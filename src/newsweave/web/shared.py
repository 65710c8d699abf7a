"""What every web process must agree on: failed logins and which sessions still stand.

Three homes, by how far the processes are apart:

- **One process** (tests, an app made in code): this process's memory (LocalState).
- **Processes on one host** (`serve`, `serve --processes N`, and the command line's `user
  role` beside them): a small file in the data folder, mapped into every process's memory
  (HostState). A read is a load from memory; a write takes the file's lock. Without it, more
  than one web process needed Redis, and one web process (GIL-bound: ~4 ms of Python a search)
  could not use the second core of a small machine (issue 15: new searches at a million
  articles, p99 138 ms on one process, 86 on two).
- **Processes on several hosts**: Redis (NEWSWEAVE_REDIS_URL), which also serves one host.

Sessions themselves live in the database; each process keeps a few seconds' cache of who a
session cookie belongs to, so that a page view costs no query. What must be shared is when
that cache is no longer true: a counter (the revocation epoch) that every revocation bumps and
every cached answer carries. A cached answer of another epoch is asked of the database again.
Reading the counter costs one Redis GET per signed-in request (~0.1 ms on loopback), a memory
load on one host.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import mmap
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from newsweave.errors import ConfigError

__all__ = ["STATE_FILE", "HostState", "LocalState", "RedisState", "SharedState", "shared_state"]

log = logging.getLogger(__name__)


class SharedState(Protocol):
    def epoch(self) -> int:
        """The revocation epoch: changes whenever a session may have ended."""
        ...

    def revoke(self) -> None:
        """Some session ended: every process forgets what it cached about sessions."""
        ...

    def reader_epoch(self, user_id: int) -> int:
        """Changes whenever what this reader keeps (follows, mutes, read, saved) or says
        (comments) changes: their cached pages are stale from then on."""
        ...

    def reader_changed(self, user_id: int) -> None: ...

    def epochs(self, *user_ids: int) -> tuple[int, ...]:
        """The revocation epoch, then each reader's, read at once: what a kept page or part is
        keyed by (one round trip on Redis, where asking each took one apiece)."""
        ...

    def failures(self, key: str, window: float) -> tuple[int, float]:
        """How many failures `key` had in the last `window` seconds, and seconds until the
        oldest of them leaves it."""
        ...

    def fail(self, key: str, window: float) -> None:
        """Count one failure against `key` for `window` seconds."""
        ...

    def clear(self, key: str) -> None:
        """Forget the failures of `key`."""
        ...


class LocalState:
    """Both in this process's memory: right for one web process."""

    def __init__(self) -> None:
        self._epoch = 0
        self._readers: dict[int, int] = {}
        self._fails: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def epoch(self) -> int:
        return self._epoch

    def revoke(self) -> None:
        with self._lock:
            self._epoch += 1

    def reader_epoch(self, user_id: int) -> int:
        return self._readers.get(user_id, 0)

    def reader_changed(self, user_id: int) -> None:
        with self._lock:
            self._readers[user_id] = self._readers.get(user_id, 0) + 1

    def epochs(self, *user_ids: int) -> tuple[int, ...]:
        return (self._epoch, *(self._readers.get(u, 0) for u in user_ids))

    def failures(self, key: str, window: float) -> tuple[int, float]:
        now = time.monotonic()
        with self._lock:
            q = self._fails[key]
            while q and now - q[0] > window:
                q.popleft()
            return len(q), (window - (now - q[0])) if q else 0.0

    def fail(self, key: str, window: float) -> None:
        with self._lock:
            self._fails[key].append(time.monotonic())

    def clear(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)


class RedisState:
    """Both in Redis, under `prefix`: right for any number of web processes.

    Failures are a sorted set per key scored by time (a sliding window, as the in-memory
    deque is), trimmed and counted in one round trip.
    """

    def __init__(self, url: str, prefix: str = "newsweave:") -> None:
        import redis  # only a deployment with Redis needs it loaded

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix
        self._redis.ping()  # a wrong URL fails at start, not at the first login

    def epoch(self) -> int:
        value = self._redis.get(self._prefix + "sessions:epoch")
        return int(value) if value is not None else 0

    def revoke(self) -> None:
        self._redis.incr(self._prefix + "sessions:epoch")

    def reader_epoch(self, user_id: int) -> int:
        value = self._redis.get(f"{self._prefix}reader:{user_id}")
        return int(value) if value is not None else 0

    def reader_changed(self, user_id: int) -> None:
        name = f"{self._prefix}reader:{user_id}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, 86_400)  # a cached page lives seconds; the count need not outlive a day
        pipe.execute()

    def epochs(self, *user_ids: int) -> tuple[int, ...]:
        names = [self._prefix + "sessions:epoch", *(f"{self._prefix}reader:{u}" for u in user_ids)]
        return tuple(int(v) if v is not None else 0 for v in self._redis.mget(names))

    def failures(self, key: str, window: float) -> tuple[int, float]:
        now = time.time()
        name = self._prefix + "fails:" + key
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(name, 0, now - window)
        pipe.zcard(name)
        pipe.zrange(name, 0, 0, withscores=True)
        _, count, oldest = pipe.execute()
        left = window - (now - float(oldest[0][1])) if oldest else 0.0
        return int(count), left

    def fail(self, key: str, window: float) -> None:
        now = time.time()
        name = self._prefix + "fails:" + key
        pipe = self._redis.pipeline()
        pipe.zadd(name, {f"{now:.6f}:{threading.get_ident()}": now})
        pipe.expire(name, int(window) + 1)
        pipe.execute()

    def clear(self, key: str) -> None:
        self._redis.delete(self._prefix + "fails:" + key)


class HostState:
    """Both in a file mapped into the memory of every process of one host that opens it.

    The file holds 64-bit integers: a header (a magic word, the salt of the key hashes, the
    revocation epoch), one epoch per reader, and a table of failed-login slots. A reader's
    epoch is the slot of their id modulo READERS: two readers in one slot only make each
    other's kept pages be built again, never show one a page of the other's (it is a key of
    what is kept, not what is shown). A failure key is hashed with the file's salt (so no one
    can choose keys that collide) onto PROBES slots from its hash; each slot keeps the key's
    last STAMPS failure times, a sliding window as the in-memory deque's, exact for any limit
    up to STAMPS (LoginLimiter's are 5 and 20). Where every probed slot is taken by a key with
    failures in its window, the one whose last failure is oldest gives way.

    Writers hold the file's lock (lockf, between processes) and a thread lock (lockf is the
    process's, not the thread's); failure slots are read under them too, being several words.
    Epochs are read without them: one aligned 8-byte load, and they only grow.
    """

    MAGIC = int.from_bytes(b"NWSTATE1", "little", signed=True)
    READERS = 1 << 16
    FAILURE_SLOTS = 4096
    PROBES = 8
    STAMPS = 32
    _EPOCH = 3  # word 0 the magic, 1-2 the salt
    _FIRST_READER = 8
    _SLOT_WORDS = 3 + STAMPS  # key hash, window (us), failures written so far, the stamps
    _FIRST_SLOT = _FIRST_READER + READERS
    WORDS = _FIRST_SLOT + FAILURE_SLOTS * _SLOT_WORDS

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._lock = threading.Lock()
        size = self.WORDS * 8
        with self._locked():
            fresh = os.fstat(self._fd).st_size != size
            if not fresh:
                head = os.pread(self._fd, 8, 0)
                fresh = int.from_bytes(head, "little", signed=True) != self.MAGIC
            if fresh:  # new, or of another layout: made again (its epochs start over)
                os.ftruncate(self._fd, 0)
                os.ftruncate(self._fd, size)
                os.pwrite(self._fd, self.MAGIC.to_bytes(8, "little", signed=True), 0)
                os.pwrite(self._fd, secrets.token_bytes(16), 8)
            self._map = mmap.mmap(self._fd, size)
        self._words = memoryview(self._map).cast("q")
        self._salt = bytes(self._map[8:24])

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)

    def epoch(self) -> int:
        return self._words[self._EPOCH]

    def revoke(self) -> None:
        with self._locked():
            self._words[self._EPOCH] += 1

    def _reader(self, user_id: int) -> int:
        return self._FIRST_READER + user_id % self.READERS

    def reader_epoch(self, user_id: int) -> int:
        return self._words[self._reader(user_id)]

    def reader_changed(self, user_id: int) -> None:
        with self._locked():
            self._words[self._reader(user_id)] += 1

    def epochs(self, *user_ids: int) -> tuple[int, ...]:
        w = self._words
        return (w[self._EPOCH], *(w[self._reader(u)] for u in user_ids))

    # --- failed logins -----------------------------------------------------------------

    def _hash(self, key: str) -> int:
        digest = hashlib.blake2b(key.encode(), digest_size=8, key=self._salt).digest()
        return int.from_bytes(digest, "little", signed=True) or 1  # 0 marks an empty slot

    def _slots(self, h: int) -> list[int]:
        first = h % self.FAILURE_SLOTS
        return [
            self._FIRST_SLOT + ((first + i) % self.FAILURE_SLOTS) * self._SLOT_WORDS
            for i in range(self.PROBES)
        ]

    def _stamps(self, at: int) -> list[int]:
        """A slot's failure times (us), oldest first."""
        w = self._words
        written = w[at + 2]
        kept = min(written, self.STAMPS)
        return [w[at + 3 + (written - kept + i) % self.STAMPS] for i in range(kept)]

    def _last(self, at: int) -> int:
        """A slot's latest failure time (us); the slot has had one."""
        w = self._words
        return w[at + 3 + (w[at + 2] - 1) % self.STAMPS]

    def _live(self, at: int, now: int) -> bool:
        """Whether a slot holds a key with a failure still in its window."""
        w = self._words
        return w[at] != 0 and w[at + 2] > 0 and now - self._last(at) <= w[at + 1]

    def _find(self, h: int) -> int | None:
        return next((at for at in self._slots(h) if self._words[at] == h), None)

    def failures(self, key: str, window: float) -> tuple[int, float]:
        now = _micros()
        span = int(window * 1e6)
        with self._locked():
            at = self._find(self._hash(key))
            inside = [t for t in self._stamps(at) if now - t <= span] if at is not None else []
        if not inside:
            return 0, 0.0
        return len(inside), (span - (now - inside[0])) / 1e6

    def fail(self, key: str, window: float) -> None:
        now, h = _micros(), self._hash(key)
        w = self._words
        with self._locked():
            at = self._find(h)
            if at is None:
                slots = self._slots(h)
                free = [s for s in slots if not self._live(s, now)]
                # where every slot is live, the one whose last failure is oldest gives way
                at = free[0] if free else min(slots, key=self._last)
                w[at], w[at + 2] = h, 0
            w[at + 1] = int(window * 1e6)
            w[at + 3 + w[at + 2] % self.STAMPS] = now
            w[at + 2] += 1

    def clear(self, key: str) -> None:
        with self._locked():
            at = self._find(self._hash(key))
            if at is not None:
                self._words[at] = 0


def _micros() -> int:
    return int(time.time() * 1e6)


STATE_FILE = "web-state.bin"


def shared_state(
    redis_url: str | None, prefix: str = "newsweave:", folder: str | Path | None = None
) -> SharedState:
    """Redis when a URL is given; else the host's file in `folder` (the data folder) when one is
    given and can be made; else this process's memory."""
    if redis_url:
        return RedisState(redis_url, prefix)
    if folder is not None:
        try:
            return HostState(Path(folder) / STATE_FILE)
        except OSError as exc:
            raise ConfigError(
                f"cannot keep what web processes share in {Path(folder) / STATE_FILE}: {exc}"
            ) from exc
    return LocalState()
