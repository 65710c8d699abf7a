"""Outlet perspective: which side an outlet's lean label is on, and which stories are a
blindspot (covered mostly by one side), as Ground News shows them.

Leans are the operator's labels (`sources label --lean`, OPML `lean=`, an archive's `stance`);
any value that is not on the left-right scale below is shown as it is but is on no side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ORDER", "Blindspot", "blindspot", "side"]

# The scale, left to right, in the spellings outlets and raters use (AllSides, Ad Fontes).
ORDER = ("far left", "left", "lean left", "left-center", "center", "centre", "right-center",
         "lean right", "right", "far right")  # fmt: skip
_LEFT = {"far left", "left", "lean left", "left-center", "left-centre", "centre-left"}
_RIGHT = {"far right", "right", "lean right", "right-center", "right-centre", "centre-right"}
_CENTER = {"center", "centre", "least biased", "neutral"}

# A story is a blindspot when one side has at least this share of the articles on either
# side, and at least MIN_SIDED articles have a side (two outlets agreeing is no pattern).
SHARE = 0.8
MIN_SIDED = 3


def side(lean: str | None) -> str | None:
    """left, right, center, or None (unlabelled, or a label off the scale)."""
    value = " ".join((lean or "").lower().replace("_", " ").split())
    if value in _LEFT:
        return "left"
    if value in _RIGHT:
        return "right"
    if value in _CENTER:
        return "center"
    return None


@dataclass(frozen=True, slots=True)
class Blindspot:
    """A story covered mostly by one side: `covered_by` has `share` of its sided articles."""

    covered_by: str
    missing: str
    share: float
    sided: int


def blindspot(counts: Mapping[str, int] | Mapping[str | None, int]) -> Blindspot | None:
    """Whether a story whose articles have these lean labels (label -> articles) is a
    blindspot of the other side. The centre counts toward neither side."""
    left = sum(n for lean, n in counts.items() if side(lean) == "left")
    right = sum(n for lean, n in counts.items() if side(lean) == "right")
    sided = left + right
    if sided < MIN_SIDED:
        return None
    for covered, missing, n in (("left", "right", left), ("right", "left", right)):
        if n / sided >= SHARE:
            return Blindspot(covered, missing, n / sided, sided)
    return None
