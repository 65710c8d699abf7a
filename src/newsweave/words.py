"""How many words a text holds, in any script, and the one slug of a name.

Counting by spaces says a Chinese or Japanese article has a handful of "words" (a sentence is
one run of characters), so a real page was refused as "fewer than 25 words" and its sentences
were too short to summarise. Here a run of CJK characters counts a word for every two
characters (the average length of a Chinese word is ~1.5-2 characters; Japanese mixes kana in
between); a run of Thai, Lao, Khmer or Myanmar (also written without spaces, ~4-5 characters a
word with their combining vowels and tones) a word for every four; everything else is counted
by whitespace.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["APOSTROPHES", "CJK", "slugify", "word_count"]

#: Han, kana and hangul: the scripts written without spaces between words.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")


#: Thai, Lao, Myanmar and Khmer: other scripts written without spaces between words.
SPACELESS = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+")


def word_count(text: str) -> int:
    """Words in `text`: whitespace-separated tokens, with runs of the scripts written without
    spaces counted by characters."""
    n = 0
    if CJK.search(text):
        n += (sum(len(run) for run in CJK.findall(text)) + 1) // 2
        text = CJK.sub(" ", text)
    if SPACELESS.search(text):
        n += (sum(len(run) for run in SPACELESS.findall(text)) + 3) // 4
        text = SPACELESS.sub(" ", text)
    return n + len(text.split())


#: The apostrophes news writes, for a regex character class: straight, curly, a left quotation
#: mark standing for one ("Donald Trump‘s" in PolNeAR), the modifier letter. In a slug they are
#: no break: "O'Malley" and "O’Malley" were "o-malley" and "omalley", two tags of one man
#: (migration 0027).
APOSTROPHES = "'’‘ʼ"
_APOSTROPHE = re.compile(f"[{APOSTROPHES}]")


def slugify(label: str) -> str:
    """'Alaska summit' -> 'alaska-summit', 'Müller' -> 'muller': a tag's key and URL. Here, at
    the bottom, so that the hashtags that make tags and the store that folds them agree."""
    label = _APOSTROPHE.sub("", label)
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug or re.sub(r"\W+", "-", label.lower()).strip("-")
