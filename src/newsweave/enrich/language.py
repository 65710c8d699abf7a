"""Language of an article, by py3langid (langid.py's model, shipped in the package: offline).

py3langid classifies a 600-word article in well under a millisecond and covers 97 languages.
A declared language (`<html lang>`, the feed's language) is kept when the text is too short to
judge or the model is unsure.
"""

from __future__ import annotations

import math

import py3langid

__all__ = ["VERSION", "detect"]

VERSION = "py3langid-1"
_MIN_CHARS = 40
_MIN_CONFIDENCE = 0.6
_SAMPLE_CHARS = 5000  # the first few paragraphs are enough and keep long articles cheap


def detect(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of the text's language, or `declared`, or None when it cannot be told."""
    hint = declared.split("-")[0].lower() if declared else None
    sample = text[:_SAMPLE_CHARS].strip()
    if len(sample) < _MIN_CHARS:
        return hint
    lang, score = py3langid.classify(sample)
    # classify() returns a log-probability; normalise over the languages for a confidence.
    ranked = py3langid.rank(sample)[:5]
    top = max(s for _, s in ranked)
    total = sum(math.exp(s - top) for _, s in ranked)
    confidence = math.exp(score - top) / total
    if confidence < _MIN_CONFIDENCE and hint:
        return hint
    return str(lang)
