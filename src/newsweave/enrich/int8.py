"""Matrix products in int8 on ONNX Runtime: what MiniLM (embed.py) and spaCy's token vectors
(tok2vec.py) share.

A weight matrix is quantised once, at load, per output (symmetric: scale = the largest
magnitude / 127); ORT's DynamicQuantizeMatMul quantises each call's activations to 8 bits and
multiplies in integers. The integers are exact on every CPU, so the vectors are the same bits
on every machine: where the CPU has VNNI (or AMX) the weights go in as int8, as ORT multiplies
them fastest there; elsewhere they go in as uint8 with a zero point of 128, because ORT's u8 x
s8 kernel on AVX2 or AVX-512 without VNNI (vpmaddubsw) saturates a pair of products at
32,767: on an AMD EPYC without VNNI 99 % of a random 700x288x288 product's outputs came out
wrong (by up to 3.3), MiniLM's vectors fell to cosine 0.979 of float32 and the token vectors
below 0.99, where u8 x u8 gives the exact integers (one product 1.55 against 1.23 ms). Every
session runs on one thread: a product's bits depend on how it is split between threads, and a
worker's results must equal a one-process replay's.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Graph", "Product", "linear", "rows", "session", "signed_exact"]


def rows(weight: NDArray[np.float32]) -> tuple[NDArray[np.int8], NDArray[np.float32]]:
    """Each row in int8, symmetric, and its scale (the row's largest magnitude / 127), as a
    column: row i is q[i] * scale[i]. `weight` is spent (scaled in place: no float32 copies
    of MiniLM's 47 MB word-piece table)."""
    top = np.maximum(weight.max(axis=1), -weight.min(axis=1))
    scale = (top / np.float32(127)).astype(np.float32)[:, None]
    scale[scale == 0] = 1
    weight /= scale
    np.rint(weight, out=weight)
    return weight.astype(np.int8), scale


@functools.cache
def signed_exact() -> bool:
    """Whether ORT's u8 x s8 products are exact here: the CPU has VNNI or AMX (Linux's flags;
    where they cannot be read, no: u8 x u8 is exact everywhere, only slower)."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    flags = next((line.split() for line in info.splitlines() if line.startswith("flags")), [])
    return bool({"avx512_vnni", "avx_vnni", "amx_int8"} & set(flags))


def session(model: bytes) -> Any:
    """An ONNX Runtime session of `model` on one thread, reporting errors only."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


class Graph:
    """An ONNX graph under construction: named constants and nodes, each node's one output
    named for it."""

    def __init__(self) -> None:
        from onnx import TensorProto, helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.float32 = TensorProto.FLOAT
        self.constants: list[Any] = []
        self.nodes: list[Any] = []

    def constant(self, name: str, value: Any) -> str:
        self.constants.append(self.numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, kind: str, *inputs: str, domain: str | None = None, **attrs: Any) -> str:
        out = f"n{len(self.nodes)}"
        self.nodes.append(self.helper.make_node(kind, list(inputs), [out], domain=domain, **attrs))
        return out

    def serialized(
        self, name: str, inputs: dict[str, list[Any]], result: str, output: tuple[str, list[Any]]
    ) -> bytes:
        """The model whose float32 `inputs` (name: shape) give `result` as `output`."""
        h = self.helper
        self.nodes.append(h.make_node("Identity", [result], [output[0]]))
        graph = h.make_graph(
            self.nodes,
            name,
            [h.make_tensor_value_info(n, self.float32, shape) for n, shape in inputs.items()],
            [h.make_tensor_value_info(output[0], self.float32, output[1])],
            self.constants,
        )
        opsets = [h.make_opsetid("", 17), h.make_opsetid("com.microsoft", 1)]
        model = h.make_model(graph, opset_imports=opsets)
        model.ir_version = 8  # what ONNX Runtime 1.16 and later read
        data: bytes = model.SerializeToString()
        return data


def linear(
    g: Graph, name: str, x: str, weight: NDArray[np.float32], bias: NDArray[np.float32]
) -> str:
    """x @ weight.T + bias in int8 (weight as torch keeps it: out x in; spent, as by `rows`);
    the weights stored unsigned, 128 up, where signed ones could saturate (`signed_exact`)."""
    q, scale = rows(weight)
    if signed_exact():
        stored, zero = np.ascontiguousarray(q.T), ""  # symmetric: no zero point
    else:
        stored = np.ascontiguousarray((q.T.astype(np.int16) + 128).astype(np.uint8))
        zero = g.constant(name + ".zero", np.full(q.shape[0], 128, dtype=np.uint8))
    return g.node(
        "DynamicQuantizeMatMul",
        x,
        g.constant(name, stored),
        g.constant(name + ".scale", scale[:, 0]),
        zero,
        g.constant(name + ".bias", bias),
        domain="com.microsoft",
    )


class Product:
    """x @ weight + bias, the weight (in x out) in int8 per output column."""

    def __init__(self, weight: NDArray[np.float32], bias: NDArray[np.float32]) -> None:
        n_in, n_out = weight.shape
        g = Graph()
        out = linear(g, "w", "x", np.array(weight.T, dtype=np.float32), np.asarray(bias))
        self.session = session(
            g.serialized("product", {"x": ["n", n_in]}, out, ("y", ["n", n_out]))
        )

    def __call__(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        out: NDArray[np.float32] = self.session.run(None, {"x": x})[0]
        return out
