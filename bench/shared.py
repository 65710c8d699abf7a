"""What the state web processes share costs a request (web/shared.py).

    python bench/shared.py [--seconds 2]

Every signed-in request reads the revocation epoch and the reader's (and the discussions')
epoch at once (`epochs`), to key what it keeps; a login attempt reads and writes the failed-
login window. Measured for each home of that state: this process's memory (one process), the
host's mapped file (processes of one host) and Redis on 127.0.0.1:6379 (several hosts; left
out, with the reason, where none answers). Prints operations per second and microseconds per
operation, one thread.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsweave.web.shared import HostState, LocalState, RedisState, SharedState

REDIS = "redis://127.0.0.1:6379/0"


def rate(op: Callable[[int], object], seconds: float) -> float:
    """Operations per second of `op(i)`, over about `seconds`."""
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for i in range(n, n + 200):
            op(i)
        n += 200
    return n / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        homes: list[tuple[str, SharedState]] = [
            ("memory (one process)", LocalState()),
            ("host file (one host)", HostState(Path(tmp) / "web-state.bin")),
        ]
        try:
            homes.append(("Redis (any hosts)", RedisState(REDIS, f"nwbench-{uuid.uuid4().hex}:")))
        except Exception as exc:  # any reason Redis is not there is said
            print(f"Redis at {REDIS} left out: {exc}")
        print(
            f"{'':22s} {'epochs(user, 0)':>22s} {'reader_changed':>22s} {'login fail+check':>22s}"
        )
        for name, shared in homes:
            ops = [
                lambda i, s=shared: s.epochs(i % 5000, 0),
                lambda i, s=shared: s.reader_changed(i % 5000),
                lambda i, s=shared: (
                    s.fail(f"ip:{i % 300}", 900),
                    s.failures(f"ip:{i % 300}", 900),
                ),
            ]
            cells = []
            for op in ops:
                r = rate(op, args.seconds)
                cells.append(f"{r:>10,.0f}/s {1e6 / r:>7.1f} us")
            print(f"{name:22s} " + " ".join(f"{c:>22s}" for c in cells))


if __name__ == "__main__":
    main()
