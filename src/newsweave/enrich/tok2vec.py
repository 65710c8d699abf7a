"""spaCy's token-to-vector networks run here: fewer steps than thinc's layers, and their
products in int8 where the analyses allow it.

Why: the small pipelines' CNN (spaCy's Tok2Vec.v2: hash embeddings, then a window-3 maxout
CNN with layer norms) is most of a parse. en_core_web_sm runs it three times an article (the
shared one for the tagger, the NER's own and the sentence recogniser's), and thinc's layers
spend as much time between the products as in them: lists to ragged arrays and back, padding,
a maxout in a per-element loop, a layer norm's moments each its own pass. Here each network is
a few calls on one document: a maxout's pieces compared as strided views (two element-wise
calls), the windows taken from one padded buffer, and each layer's product in int8 on ONNX
Runtime (int8.py; on one thread 0.40 against numpy's 1.36 ms for a 700-token document's 288 x
288 product on an Intel Xeon with VNNI, 1.2-1.4 against 2.0 on an AMD EPYC without it) but in
the entity recogniser's network (`_FLOAT32_COMPONENTS`).

In float32 every vector is bit for bit thinc's: the same products (OpenBLAS's, through
numpy's dot on thinc's own weight arrays, as nlp.py's ops choose) in the same order; so the
entities are thinc's on every CPU (pieces as column blocks were thinc's bits on an Intel
Xeon, not on an AMD EPYC, whose OpenBLAS kernel sums in another order). In
int8 every token's vector stays within cosine 0.999 of thinc's; the tags of 100 texts of the
fixtures and shared/eval 99.94 % the same, 99 of them the same sentences; the public sets'
figures are in bench/README.md (session 49). The whole parse of a 600-word article, one
thread, interleaved in one process: see nlp.py and bench/README.md.
A network of another shape (a model built with other architectures) is left to thinc.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from newsweave.enrich import int8

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from spacy.language import Language
    from spacy.tokens import Doc
    from thinc.api import Model

__all__ = ["Tok2Vec", "use_own_tok2vec"]


class Tok2Vec:
    """One Tok2Vec.v2 network's weights, in the layout its forward pass reads them."""

    def __init__(self, model: Model[Any, Any], *, quantized: bool = True) -> None:
        order = list(model.walk(order="dfs_pre"))
        nodes = {name: [n for n in order if n.name == name] for name in _KNOWN}
        self.columns: list[Any] = nodes["extract_features"][0].attrs["columns"]
        self.ops: Any = model.ops  # thinc's MurmurHash and gather, typed for its own arrays
        self.embeds: list[tuple[Any, int, int]] = [
            (e.get_param("E"), int(e.attrs["seed"]), int(e.attrs["column"]))
            for e in nodes["hashembed"]
        ]
        self.pad = max(n.attrs.get("pad", 0) for n in order if n.name.startswith("with_"))
        self.layers = [
            _layer(m, n, quantized)
            for m, n in zip(nodes["maxout"], nodes["layernorm"], strict=True)
        ]
        self.width = self.layers[-1].n_out

    def __call__(self, doc: Doc) -> NDArray[np.float32]:
        if not len(doc):
            return np.zeros((0, self.width), dtype=np.float32)
        ids = doc.to_array(self.columns).astype("uint64").reshape(len(doc), -1)
        # HashEmbed: each id hashed four ways (thinc's MurmurHash), the four rows summed
        embedded = [
            self.ops.gather_add(
                table, self.ops.hash(np.ascontiguousarray(ids[:, c]), s) % len(table)
            )
            for table, s, c in self.embeds
        ]
        x = _maxout_norm(np.concatenate(embedded, axis=1), self.layers[0])
        # The encoder reads the document between `pad` zero rows on either side, as thinc's
        # with_array pads each document of a batch; a window's edges are zero rows too.
        n, pad = len(x), self.pad
        rows = n + 2 * pad
        buf = np.zeros((rows + 2, self.width), dtype=np.float32)
        buf[1 + pad : 1 + pad + n] = x
        for layer in self.layers[1:]:
            window = np.concatenate([buf[:rows], buf[1 : rows + 1], buf[2:]], axis=1)
            buf[1 : rows + 1] += _maxout_norm(window, layer)
        return buf[1 + pad : 1 + pad + n].copy()


@dataclass(frozen=True, slots=True)
class _Layer:
    """A maxout layer as thinc keeps it (a row per output and piece, output-major: x @
    weight.T gives every output's pieces side by side), and the layer norm after it."""

    weight: NDArray[np.float32]  # (out x pieces, in), thinc's own array
    bias: NDArray[np.float32]
    n_out: int
    pieces: int
    gain: NDArray[np.float32]
    shift: NDArray[np.float32]
    product: int8.Product | None  # the same product in int8, where asked

    def affine(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        if self.product is not None:
            return self.product(x)
        # thinc's very call: OpenBLAS sums in another order for the weights transposed or
        # their rows permuted on some CPUs (an AMD EPYC's AVX2 kernel), not on others.
        y: NDArray[np.float32] = np.dot(x, self.weight.T)
        y += self.bias
        return y


def _layer(maxout: Model[Any, Any], norm: Model[Any, Any], quantized: bool) -> _Layer:
    n_out, pieces, n_in = (maxout.get_dim(d) for d in ("nO", "nP", "nI"))
    weight = np.asarray(maxout.get_param("W")).reshape(n_out * pieces, n_in)
    bias = np.asarray(maxout.get_param("b")).reshape(-1)
    product = int8.Product(weight, bias) if quantized else None
    gain, shift = (np.asarray(norm.get_param(p)) for p in ("G", "b"))
    return _Layer(weight, bias, n_out, pieces, gain, shift, product)


def _maxout_norm(x: NDArray[np.float32], layer: _Layer) -> NDArray[np.float32]:
    """thinc's Maxout then LayerNorm, in its order of operations (1e-8 added to the
    variance, the inverse root multiplied)."""
    y = layer.affine(x)
    p = layer.pieces
    best: NDArray[np.float32] = np.maximum(y[:, 0::p], y[:, 1::p]) if p > 1 else y.copy()
    for k in range(2, p):
        np.maximum(best, y[:, k::p], out=best)
    mean = best.mean(axis=1, keepdims=True)
    var = best.var(axis=1, keepdims=True) + np.float32(1e-8)
    best -= mean
    best *= var ** np.float32(-0.5)
    best *= layer.gain
    best += layer.shift
    return best


def _model(net: Tok2Vec) -> Model[Any, Any]:
    from thinc.api import Model

    def forward(
        model: Model[Any, Any], docs: Sequence[Doc], is_train: bool
    ) -> tuple[Any, Callable[..., Any]]:
        if is_train:
            raise NotImplementedError("newsweave's token vectors are for prediction only")
        return [net(doc) for doc in docs], _no_backprop

    return Model("tok2vec-own", forward, dims={"nO": net.width})


def _no_backprop(_: Any) -> Any:
    raise NotImplementedError("newsweave's token vectors are for prediction only")


def _is_tok2vec(model: Model[Any, Any]) -> bool:
    """Whether `model` is a Tok2Vec.v2 of MultiHashEmbed and MaxoutWindowEncoder (window 1),
    the shape Tok2Vec reads: spaCy names a chain after its layers, and its embedding half
    alone (no encoder layer) is not one."""
    if not model.name.startswith("extract_features>>list2ragged>>with_array(ints-getitem>>hash"):
        return False  # most nodes: no walk
    nodes = list(model.walk())
    names = [n.name for n in nodes]
    windows = [n for n in nodes if n.name == "expand_window"]
    return (
        "static_vectors" not in model.name
        and len(windows) >= 1
        and names.count("maxout") == names.count("layernorm") == len(windows) + 1
        and model.name.count("residual(") == len(windows)
        and all(n.attrs.get("window_size") == 1 for n in windows)
        and {n.name for n in nodes if not n.layers} <= _KNOWN
    )


_KNOWN = {
    "extract_features",
    "list2ragged",
    "ragged2list",
    "ints-getitem",
    "hashembed",
    "maxout",
    "layernorm",
    "dropout",
    "expand_window",
}


# The entity recogniser's own network keeps its products in float32: in int8 entity spans on
# a border moved ("Ronna Romney McDaniel" read as "Ronna Romney" and "McDaniel"; 5 of 100
# texts of the fixtures and shared/eval changed an entity), while the shared network's (tags)
# and the sentence recogniser's in int8 kept 99.94 % of the tags and 99 of 100 texts'
# sentences. Against thinc's layers all three in int8 parsed a 600-word article 16.6 ms
# faster, these two 8.1 (bench/README.md, session 49).
_FLOAT32_COMPONENTS = frozenset({"ner"})


def use_own_tok2vec(nlp: Language, *, quantized: bool = True) -> int:
    """Run every Tok2Vec network of the pipeline's components here, their products in int8
    where `quantized` (but the entity recogniser's); how many."""
    done = 0
    for name, pipe in nlp.pipeline:
        top = getattr(pipe, "model", None)
        if top is None:
            continue
        small = quantized and name not in _FLOAT32_COMPONENTS
        for node in [n for n in top.walk() if _is_tok2vec(n)]:
            new = _model(Tok2Vec(node, quantized=small))
            if node is top:
                cast(Any, pipe).model = new
            else:
                top.replace_node(node, new)
            done += 1
    return done
