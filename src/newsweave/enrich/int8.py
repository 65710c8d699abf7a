"""Matrix products in int8 on ONNX Runtime: what MiniLM (embed.py) and spaCy's token vectors
(tok2vec.py) share.

A weight matrix is quantised once, at load, per output (symmetric: scale = the largest
magnitude / 127); ORT's DynamicQuantizeMatMul quantises each call's activations to 8 bits and
multiplies in integers (VNNI where the CPU has it; on an x86 CPU without it ORT's u8 x s8
products can saturate, which the tests' closeness checks would catch). Every session runs on
one thread: a product's bits depend on how it is split between threads, and a worker's
results must equal a one-process replay's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Graph", "Product", "linear", "rows", "session"]


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
    """x @ weight.T + bias in int8 (weight as torch keeps it: out x in; spent, as by `rows`)."""
    q, scale = rows(weight)
    return g.node(
        "DynamicQuantizeMatMul",
        x,
        g.constant(name, np.ascontiguousarray(q.T)),
        g.constant(name + ".scale", scale[:, 0]),
        "",  # symmetric: no zero point
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
