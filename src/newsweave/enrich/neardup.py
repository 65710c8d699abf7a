"""Near-duplicates: syndicated copies and re-published versions of one text.

MinHash over word 4-gram shingles estimates the Jaccard similarity of two texts;
banding the 64-value signature into 21 bands of 3 makes candidates of any pair sharing a band,
which finds pairs above ~0.4 similarity with high probability (the S-curve's threshold is
(1/21)^(1/3) = 0.36; a pair at 0.5 shares a band with probability 0.94). The store indexes the
band keys, so the lookup is one indexed query however many articles there are; candidates are
then confirmed on the full signature. Measured in bench/quality.py on 30 public articles and
four syndicated copies of each: 4-grams at 0.5 pair 111 of 112 copies, including copies with a
dateline, a footer, the last fifth cut and one word in 25 changed all at once, where 5-grams at
0.6 paired 9 of 28 of those; no two different articles scored above 0.22 either way.

The signature is datasketch 2.0's (scheme "affine32", seed 7), computed here: 20 lines of
numpy, where importing datasketch cost every worker ~40 MB and ~1 s (it imports scipy's
integrate and optimize), and its scheme depends on its version (1.x's "legacy" gives other
signatures, so an upgrade across 2.0 would have stopped new articles matching stored ones).
tests/test_enrich.py compares the two on the team's texts.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["THRESHOLD", "VERSION", "bands", "signature", "similarity"]

VERSION = "minhash-64x4-2"
NUM_PERM, BANDS, ROWS = 64, 21, 3
SHINGLE = 4
THRESHOLD = 0.5  # estimated Jaccard at or above which two texts are one story's copies
MIN_WORDS = 40  # below this, shared boilerplate would make unrelated teasers "duplicates"
_WORD = re.compile(r"\w+")


def signature(text: str) -> NDArray[np.uint64] | None:
    """The text's MinHash signature, or None when it is too short to compare fairly."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}
    return minhash(shingles)


def minhash(items: set[bytes]) -> NDArray[np.uint64]:
    """The minimum over `items` of each of NUM_PERM hash permutations: SHA-1's first four
    bytes, mixed by MurmurHash3's 32-bit finalizer, then a * h + b modulo 2^32 with `a` odd
    (a bijection), as datasketch's MinHash(num_perm=64, seed=7) computes it."""
    a, b = _permutations()
    hv = np.fromiter(
        (
            int.from_bytes(hashlib.sha1(x, usedforsecurity=False).digest()[:4], "little")
            for x in items
        ),
        dtype=np.uint32,
        count=len(items),
    )
    hv ^= hv >> np.uint32(16)
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    permuted = hv[:, None] * a + b  # uint32: the wraparound is the modulo
    out = permuted.min(axis=0) if len(hv) else np.full(NUM_PERM, 0xFFFFFFFF, np.uint32)
    return out.astype(np.uint64)


@cache
def _permutations() -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    gen = np.random.RandomState(7)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def bands(sig: NDArray[np.uint64]) -> list[int]:
    """One signed 64-bit key per band (fits an SQL BIGINT)."""
    out = []
    for b in range(BANDS):
        chunk = sig[b * ROWS : (b + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([b]) + chunk, digest_size=8).digest()
        out.append(int.from_bytes(digest, "little", signed=True))
    return out


def similarity(a: NDArray[np.uint64], b: NDArray[np.uint64]) -> float:
    return float(np.count_nonzero(a == b)) / len(a)
