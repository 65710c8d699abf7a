"""Related articles: nearest neighbours by meaning, re-ranked with shared names and recency.

Two vector indexes behind one small interface (add, get, search, len). Up to EXACT_UPTO
vectors, exact search over a float32 matrix: one matrix product, the same answer in every
process (issue 13's replay equality rests on it). Past it the matrix costs too much: at a
million articles 1.5 GB and ~60 ms a query (bench/archive.py), so an inverted-file index over
half-precision vectors (faiss IndexIVFScalarQuantizer, fp16) takes over: ~0.5 GB and ~1 ms.
Measured on 200,000 archive-like vectors (templates' MiniLM embeddings with story and article
noise): recall@8 against exact search 1.000 at nprobe 8-64, built in 2.3 s; an HNSW graph
(usearch, f16, M=16) reached 0.963-0.989 and took 26 s to build, which every worker pays
at start-up. bench/archive.py measures recall@8 on each archive it builds.

The lists' centres are learned once (k-means over 40 vectors a list: ~35 s for a million
articles' 2,000 lists) and kept in the database by the process that learned them
(understanding.Memory); every later process starts from them and only assigns its vectors to
lists (~28 s a million, in batches), and all of them partition the archive alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "EXACT_UPTO",
    "ApproximateIndex",
    "Candidate",
    "VectorIndex",
    "admit",
    "make_index",
    "rank",
    "score",
]

# Above this many vectors the approximate index is used (see the module docstring).
EXACT_UPTO = 100_000

VERSION = "blend-1"
K = 8
MIN_SIMILARITY = 0.35  # below this MiniLM pairs are about different things
_W_MEANING, _W_NAMES, _W_RECENCY = 0.7, 0.2, 0.1
_RECENCY_DAYS = 7.0


class VectorIndex:
    """Exact cosine search over unit vectors, grown by appending.

    The matrix keeps spare rows and doubles when full: appending one article used to copy the
    whole matrix (150 MB at 100,000 articles), now it copies one row.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._ids: list[int] = []
        self._pos: dict[int, int] = {}
        self._mat = np.zeros((64, dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._pos

    def add(self, item_id: int, vec: NDArray[np.float32]) -> None:
        pos = self._pos.get(item_id)
        if pos is None:
            pos = self._pos[item_id] = len(self._ids)
            self._ids.append(item_id)
            if pos == len(self._mat):
                grown = np.zeros((2 * len(self._mat), self.dim), dtype=np.float32)
                grown[:pos] = self._mat
                self._mat = grown
        self._mat[pos] = vec

    def get(self, item_id: int) -> NDArray[np.float32] | None:
        pos = self._pos.get(item_id)
        if pos is None:
            return None
        row: NDArray[np.float32] = self._mat[pos]
        return row

    def discard(self, item_id: int) -> None:
        """Forget a vector (its row takes the last one's place)."""
        pos = self._pos.pop(item_id, None)
        if pos is None:
            return
        last = self._ids.pop()
        if last != item_id:
            self._ids[pos] = last
            self._pos[last] = pos
            self._mat[pos] = self._mat[len(self._ids)]
        self._mat[len(self._ids)] = 0.0

    def search(self, vec: NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        n = len(self._ids)
        if not n:
            return []
        sims = self._mat[:n] @ vec
        k = min(k, n)
        top = np.argpartition(-sims, k - 1)[:k]
        # The hits' similarities again, one dot product each: a row's product inside the
        # matrix-vector one depends on where the row sits (the kernel's blocking), and the
        # same two articles must score alike in every process, whatever its index's order.
        exact = [(self._ids[i], float(np.dot(self._mat[i], vec))) for i in top]
        return sorted(exact, key=lambda hit: -hit[1])


class ApproximateIndex:
    """Inverted lists of half-precision vectors (faiss): a query scans the `nprobe` lists
    whose centres are nearest, not the whole archive.

    The lists' centres are learned from the first `train_size` vectors added (k-means, a few
    seconds); until then, and for vectors added since the last batch, search is exact over the
    waiting ones. Hits are scored again by their own dot product with the query (from the
    stored fp16 vector), so a pair scores alike whatever else the index holds. What it does
    not give is the exact index's equality across processes: two processes that trained on
    different vectors may, rarely, miss different neighbours.
    """

    BATCH = 1024

    def __init__(
        self,
        dim: int,
        expected: int,
        nprobe: int = 32,
        centres: NDArray[np.float32] | None = None,
    ) -> None:
        import faiss  # an optional cost: only a site past EXACT_UPTO loads it

        faiss.omp_set_num_threads(1)  # one query at a time; the cores analyse articles
        self._faiss = faiss
        self.dim = dim
        self.nlist = max(16, int(2 * math.sqrt(max(expected, 1))))  # 1M: 2,000 lists
        self.train_size = 40 * self.nlist
        self.nprobe = nprobe
        self._index: Any = None
        self._count = 0
        self._waiting: dict[int, NDArray[np.float32]] = {}
        self.trained_here = False  # whether this process learned the centres (to keep them)
        if centres is not None:
            self.nlist = len(centres)
            self._build(np.ascontiguousarray(centres, dtype=np.float32))

    def _build(self, centres: NDArray[np.float32] | None, sample: Any = None) -> None:
        """The empty index over given centres, or over centres learned from `sample`."""
        f = self._faiss
        quantizer = f.IndexFlatIP(self.dim)
        index = f.IndexIVFScalarQuantizer(
            quantizer, self.dim, self.nlist, f.ScalarQuantizer.QT_fp16, f.METRIC_INNER_PRODUCT
        )
        if centres is None:
            index.train(sample)
            self.trained_here = True
        else:
            quantizer.add(centres)
            index.train(centres[:1])  # fp16 learns nothing; the centres are set
        index.set_direct_map_type(f.DirectMap.Hashtable)
        index.nprobe = self.nprobe
        self._index = index

    def centres(self) -> NDArray[np.float32] | None:
        """The lists' centres (nlist x dim), once learned: what another process may start from
        instead of learning them again (k-means: ~35 s for a million articles' 2,000 lists)."""
        if self._index is None:
            return None
        quantizer = self._faiss.downcast_index(self._index.quantizer)
        out: NDArray[np.float32] = quantizer.reconstruct_n(0, quantizer.ntotal)
        return out

    def add_many(self, ids: Sequence[int], mat: NDArray[np.float32]) -> None:
        """Many new vectors at once (loading an archive): one call into faiss for the lot."""
        if self._index is None or self._waiting:
            for i, v in zip(ids, mat, strict=True):
                self.add(i, v)
            return
        self._index.add_with_ids(
            np.ascontiguousarray(mat, dtype=np.float32), np.asarray(ids, dtype=np.int64)
        )
        self._count += len(ids)

    def __len__(self) -> int:
        return self._count + len(self._waiting)

    def add(self, item_id: int, vec: NDArray[np.float32]) -> None:
        if item_id not in self._waiting and self._index is not None and self._remove(item_id):
            self._count -= 1  # enriched again: the new vector replaces the indexed one
        self._waiting[item_id] = np.asarray(vec, dtype=np.float32)
        limit = self.train_size if self._index is None else self.BATCH
        if len(self._waiting) >= limit:
            self._flush()

    def _remove(self, item_id: int) -> bool:
        return bool(self._index.remove_ids(np.asarray([item_id], dtype=np.int64)))

    def _flush(self) -> None:
        ids = np.fromiter(self._waiting, dtype=np.int64, count=len(self._waiting))
        mat = np.stack(list(self._waiting.values())).astype(np.float32)
        if self._index is None:
            self._build(None, mat)
        self._index.add_with_ids(mat, ids)
        self._count += len(ids)
        self._waiting.clear()

    def write(self, path: str) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Write the lists to `path` in faiss's own format (streamed, no copy in memory), and
        return what waits outside them (ids, vectors) for the caller to keep beside it."""
        if self._index is None:
            raise ValueError("an index with no lists yet has nothing to write")
        self._faiss.write_index(self._index, path)
        ids = np.fromiter(self._waiting, dtype=np.int64, count=len(self._waiting))
        vecs = np.stack(list(self._waiting.values())) if self._waiting else np.zeros((0, self.dim))
        return ids, vecs.astype(np.float32)

    def read(self, path: str, ids: NDArray[np.int64], vecs: NDArray[np.float32]) -> None:
        """Take the lists written by `write` (over the same centres) and the vectors that
        waited outside them, in place of what this index holds."""
        f: Any = self._faiss
        index: Any = f.read_index(path)
        if index.d != self.dim:
            raise ValueError(f"the index at {path} is of {index.d} dimensions, not {self.dim}")
        waiting = {int(i): np.asarray(v, dtype=np.float32) for i, v in zip(ids, vecs, strict=True)}
        index.set_direct_map_type(f.DirectMap.Hashtable)
        index.nprobe = self.nprobe
        # all or nothing: a file that fails to read leaves this index as it was
        self._index, self.nlist, self._count = index, int(index.nlist), int(index.ntotal)
        self._waiting = waiting

    def get(self, item_id: int) -> NDArray[np.float32] | None:
        vec = self._waiting.get(item_id)
        if vec is not None or self._index is None:
            return vec
        try:
            got: NDArray[np.float32] = self._index.reconstruct(int(item_id))
        except RuntimeError:  # not in the index
            return None
        return got

    def search(self, vec: NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        found: set[int] = set()
        if self._index is not None and self._count:
            _, ids = self._index.search(np.asarray(vec, dtype=np.float32)[None, :], k)
            found.update(int(i) for i in ids[0] if i >= 0)
        if self._waiting:
            ids = list(self._waiting)
            sims = np.stack([self._waiting[i] for i in ids]) @ vec
            top = np.argsort(-sims)[:k]
            found.update(ids[i] for i in top)
        exact = []
        for i in found:
            stored = self.get(i)
            if stored is not None:
                exact.append((i, float(np.dot(stored, vec))))
        return sorted(exact, key=lambda hit: -hit[1])[:k]


def make_index(
    dim: int, expected: int, centres: NDArray[np.float32] | None = None
) -> VectorIndex | ApproximateIndex:
    """The index for an archive of `expected` vectors. Centres learned before (by any process)
    are used while the archive has not outgrown them (their lists at least half as many as it
    would now get); past that they are learned again from what it holds."""
    if expected >= EXACT_UPTO:
        wanted = max(16, int(2 * math.sqrt(expected)))
        fits = centres is not None and centres.shape[1] == dim and 2 * len(centres) >= wanted
        return ApproximateIndex(dim, expected, centres=centres if fits else None)
    return VectorIndex(dim)


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    similarity: float
    names: frozenset[str]  # entity names and tag slugs
    published: datetime | None
    group: int  # the id of its duplicate group's original (itself when an original)
    order: int = 0  # when it was first understood: ties go to the earlier


def score(my_names: frozenset[str], my_time: datetime | None, c: Candidate) -> float:
    """How related a candidate is: meaning first, then shared names, then closeness in time."""
    shared = len(my_names & c.names) / len(my_names | c.names) if my_names and c.names else 0.0
    recency = 0.0
    if my_time and c.published:
        days = abs((my_time - c.published).total_seconds()) / 86400
        recency = math.exp(-days / _RECENCY_DAYS)
    return _W_MEANING * c.similarity + _W_NAMES * shared + _W_RECENCY * recency


def rank(
    me: int,
    my_group: int,
    my_names: Iterable[str],
    my_time: datetime | None,
    candidates: Sequence[Candidate],
    k: int = K,
) -> list[tuple[int, float]]:
    """The top k (id, score): never the article itself, a copy of it, or two copies of one."""
    names = frozenset(my_names)
    seen_groups = {my_group}
    scored = [
        (score(names, my_time, c), c)
        for c in candidates
        if c.id != me and c.similarity >= MIN_SIMILARITY
    ]
    scored.sort(key=lambda x: (-x[0], x[1].order))
    out: list[tuple[int, float]] = []
    for value, c in scored:
        if c.group in seen_groups:
            continue
        seen_groups.add(c.group)
        out.append((c.id, round(value, 4)))
        if len(out) == k:
            break
    return out


def admit(
    me: int,
    my_group: int,
    my_names: frozenset[str],
    my_time: datetime | None,
    current: Sequence[tuple[int, float]],
    newcomer: Candidate,
    k: int = K,
) -> list[tuple[int, float]] | None:
    """An article's related list with a newly arrived original article in it, or None if the
    newcomer does not make the top k. The same list `rank` would give over the old candidates
    plus the newcomer, without searching and scoring all of them again: the newcomer is an
    original (its group is itself), so it cannot collide with a group already listed.
    """
    if newcomer.id == me or newcomer.group == my_group or newcomer.similarity < MIN_SIMILARITY:
        return None
    value = round(score(my_names, my_time, newcomer), 4)
    others = [(i, v) for i, v in current if i != newcomer.id]
    if len(others) >= k and value <= min(v for _, v in others):
        return None
    merged = sorted([*others, (newcomer.id, value)], key=lambda x: -x[1])[:k]
    return None if merged == list(current) else merged
