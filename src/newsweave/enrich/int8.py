"""Matrix products in int8 on ONNX Runtime: what MiniLM (embed.py) and spaCy's token vectors
(tok2vec.py) share.

A weight matrix is quantised once, at load, per output (symmetric: scale = the largest
magnitude / 127); ORT's DynamicQuantizeMatMul quantises each call's activations to 8 bits and
multiplies in integers. The integers are exact on every CPU, so the vectors are the same bits
on every machine: where the CPU has VNNI (or AMX) the weights go in as int8, as ORT multiplies
them fastest there; elsewhere they go in as uint8 with a zero point of 128, because ORT's u8 x
s8 kernel on AVX2 or AVX-512 without VNNI (vpmaddubsw) saturates a pair of products at
32,767: on an AMD EPYC without VNNI 99 % of a random 700x288x288 product's outputs came out
wrong (by up to 3.3), MiniLM's vectors fell to cosine 0.979 of float32 and the sentence
recogniser's token vectors to 0.992 of thinc's (0.9998 exact), where u8 x u8 gives the exact
integers (a 700x288x288 product 1.22-1.42 against 1.16-1.22 ms saturating). Every
session runs on one thread: a product's bits depend on how it is split between threads, and a
worker's results must equal a one-process replay's.
"""

from __future__ import annotations

import functools
import struct
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
    named for it; `serialized` writes the ModelProto's protobuf bytes itself.

    Why not onnx.helper: importing onnx costs every analysing process 1.7 s (1.0 s of it
    ml_dtypes' extension starting, imported by onnx on an AMD EPYC; a worker's first
    analysis 4.7 -> 3 s), for a few dozen messages of a format fixed by onnx.proto. The
    tests hold the bytes to what onnx.helper builds for the same graphs."""

    def __init__(self) -> None:
        self.constants: list[bytes] = []
        self.nodes: list[bytes] = []

    def constant(self, name: str, value: Any) -> str:
        array = np.asarray(value)
        little = array.dtype.newbyteorder("<")  # ONNX's raw data is little-endian
        self.constants.append(
            b"".join(_field(1, d) for d in array.shape)
            + _field(2, _TENSOR_TYPES[little.str])
            + _field(8, name)
            + _field(9, np.ascontiguousarray(array, dtype=little).tobytes())
        )
        return name

    def node(self, kind: str, *inputs: str, domain: str | None = None, **attrs: Any) -> str:
        out = f"n{len(self.nodes)}"
        self.nodes.append(_node(kind, list(inputs), [out], domain, attrs))
        return out

    def split(self, x: str, sizes: str, parts: list[str], *, axis: int) -> None:
        """ONNX's Split of `x` by the constant `sizes`, its outputs named `parts`."""
        self.nodes.append(_node("Split", [x, sizes], parts, None, {"axis": axis}))

    def serialized(
        self, name: str, inputs: dict[str, list[Any]], result: str, output: tuple[str, list[Any]]
    ) -> bytes:
        """The model whose float32 `inputs` (name: shape) give `result` as `output`."""
        nodes = [*self.nodes, _node("Identity", [result], [output[0]], None, {})]
        graph = (
            b"".join(_field(1, n) for n in nodes)
            + _field(2, name)
            + b"".join(_field(5, c) for c in self.constants)
            + b"".join(_field(11, _value_info(n, shape)) for n, shape in inputs.items())
            + _field(12, _value_info(*output))
        )
        opsets = [("", 17), ("com.microsoft", 1)]
        return (
            _field(1, 8)  # the IR version ONNX Runtime 1.16 and later read
            + _field(7, graph)
            + b"".join(_field(8, _field(1, d) + _field(2, v)) for d, v in opsets)
        )


# onnx.proto's numbers: TensorProto.DataType by numpy's dtype, AttributeProto.AttributeType
_TENSOR_TYPES = {"<f4": 1, "|u1": 2, "|i1": 3, "<i8": 7}
_FLOAT, _INT, _INTS = 1, 2, 7


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # a negative int64 as protobuf writes it: ten bytes
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, value: int | str | bytes) -> bytes:
    """One protobuf field: an int as a varint, text and messages length-delimited."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _node(
    kind: str, inputs: list[str], outputs: list[str], domain: str | None, attrs: dict[str, Any]
) -> bytes:
    out = b"".join(_field(1, i) for i in inputs) + b"".join(_field(2, o) for o in outputs)
    out += _field(4, kind)
    for key in sorted(attrs):  # onnx.helper's order
        value = attrs[key]
        if isinstance(value, float):
            body = _field(1, key) + _varint(2 << 3 | 5) + struct.pack("<f", value)
            body += _field(20, _FLOAT)
        elif isinstance(value, int):
            body = _field(1, key) + _field(3, value) + _field(20, _INT)
        else:
            body = _field(1, key) + b"".join(_field(8, int(v)) for v in value)
            body += _field(20, _INTS)
        out += _field(5, body)
    return out + (_field(7, domain) if domain else b"")


def _value_info(name: str, shape: list[Any]) -> bytes:
    """A float32 tensor's name and shape (a dimension a number or a name)."""
    dims = b"".join(_field(1, _field(2, d) if isinstance(d, str) else _field(1, d)) for d in shape)
    tensor = _field(1, 1) + _field(2, dims)
    return _field(1, name) + _field(2, _field(1, tensor))


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
    """x @ weight.T + bias, the weight (out x in, as `linear` and thinc's layers keep it) in
    int8 per output."""

    def __init__(self, weight: NDArray[np.float32], bias: NDArray[np.float32]) -> None:
        n_out, n_in = weight.shape
        g = Graph()
        out = linear(g, "w", "x", np.array(weight, dtype=np.float32), np.asarray(bias))
        self.session = session(
            g.serialized("product", {"x": ["n", n_in]}, out, ("y", ["n", n_out]))
        )

    def __call__(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        out: NDArray[np.float32] = self.session.run(None, {"x": x})[0]
        return out
