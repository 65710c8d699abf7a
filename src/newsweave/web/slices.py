"""A story's coverage split by one source label, as the bar the story page draws: the slices
in the label's natural order (left to right for lean), each with its share and colour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from newsweave.perspective import ORDER, side

__all__ = ["Slice", "slices"]

_SIDE_COLOUR = {"left": "#2b6cb0", "center": "#6b7280", "right": "#c53030"}
_LEAN_COLOUR = {"lean left": "#4a90d9", "left-center": "#4a90d9", "lean right": "#e05252",
                "right-center": "#e05252"}  # fmt: skip
_PALETTE = ("#2f855a", "#b7791f", "#6b46c1", "#2c7a7b", "#c05621", "#97266d", "#4a5568")
_UNLABELLED = "#a0aec0"


@dataclass(frozen=True, slots=True)
class Slice:
    value: str
    count: int
    percent: float
    colour: str


def slices(label: str, counts: Mapping[str, int]) -> list[Slice]:
    total = sum(counts.values()) or 1
    if label == "lean":
        rank = {v: i for i, v in enumerate(ORDER)}
        order = sorted(counts, key=lambda v: (v == "unlabelled", rank.get(v.lower(), 99), v))
    else:
        order = sorted(counts, key=lambda v: (v == "unlabelled", -counts[v], v))
    out = []
    for i, value in enumerate(order):
        if value == "unlabelled":
            colour = _UNLABELLED
        elif label == "lean":
            lowered = value.lower()
            colour = _LEAN_COLOUR.get(lowered) or _SIDE_COLOUR.get(
                side(value) or "", _PALETTE[i % 7]
            )
        else:
            colour = _PALETTE[i % len(_PALETTE)]
        out.append(Slice(value, counts[value], round(100 * counts[value] / total, 1), colour))
    return out
