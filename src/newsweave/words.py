"""How many words a text holds, in any script, and the one slug of a name.

Counting by spaces says a Chinese or Japanese article has a handful of "words" (a sentence is
one run of characters), so a real page was refused as "fewer than 25 words" and its sentences
were too short to summarise. Here a run of CJK characters counts a word for every two
characters (the average length of a Chinese word is ~1.5-2 characters; Japanese mixes kana in
between), and everything else is counted by whitespace as before.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CJK", "slugify", "word_count"]

#: Han, kana and hangul: the scripts written without spaces between words.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")


def word_count(text: str) -> int:
    """Words in `text`: whitespace-separated tokens, with CJK runs counted by characters."""
    if not CJK.search(text):
        return len(text.split())
    cjk_chars = sum(len(run) for run in CJK.findall(text))
    rest = CJK.sub(" ", text)
    return len(rest.split()) + (cjk_chars + 1) // 2


def slugify(label: str) -> str:
    """'Alaska summit' -> 'alaska-summit', 'Müller' -> 'muller': a tag's key and URL. Here, at
    the bottom, so that the hashtags that make tags and the store that folds them agree."""
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug or re.sub(r"\W+", "-", label.lower()).strip("-")
