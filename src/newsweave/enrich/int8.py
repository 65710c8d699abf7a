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

__all__ = ["Product", "rows", "session"]


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


class Product:
    """x @ weight + bias, the weight (in x out) in int8 per output column."""

    def __init__(self, weight: NDArray[np.float32], bias: NDArray[np.float32]) -> None:
        from onnx import TensorProto, helper, numpy_helper

        q, scale = rows(np.array(weight.T, dtype=np.float32))  # a row an output
        n_in, n_out = weight.shape
        node = helper.make_node(
            "DynamicQuantizeMatMul", ["x", "w", "scale", "", "bias"], ["y"], domain="com.microsoft"
        )
        constants = [
            numpy_helper.from_array(np.ascontiguousarray(q.T), "w"),
            numpy_helper.from_array(scale[:, 0], "scale"),
            numpy_helper.from_array(np.asarray(bias, dtype=np.float32), "bias"),
        ]
        graph = helper.make_graph(
            [node],
            "product",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", n_in])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", n_out])],
            constants,
        )
        opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
        model = helper.make_model(graph, opset_imports=opsets)
        model.ir_version = 8  # what ONNX Runtime 1.16 and later read
        self.session = session(model.SerializeToString())

    def __call__(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        out: NDArray[np.float32] = self.session.run(None, {"x": x})[0]
        return out
