"""What every web process must agree on: failed logins and which sessions still stand.

One process (the embedded default) keeps both in memory. Several web processes, on one host
or many, share them through Redis (NEWSWEAVE_REDIS_URL): a guesser meets one limit whichever
process answers, and a logout, a ban or a password change is refused by every process at once.

Sessions themselves live in the database; each process keeps a few seconds' cache of who a
session cookie belongs to, so that a page view costs no query. What must be shared is when
that cache is no longer true: a counter (the revocation epoch) that every revocation bumps and
every cached answer carries. A cached answer of another epoch is asked of the database again.
Reading the counter costs one Redis GET per signed-in request (~0.1 ms on loopback).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Protocol

__all__ = ["LocalState", "RedisState", "SharedState", "shared_state"]


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


def shared_state(redis_url: str | None, prefix: str = "newsweave:") -> SharedState:
    """Redis when a URL is given, else this process's memory."""
    return RedisState(redis_url, prefix) if redis_url else LocalState()
