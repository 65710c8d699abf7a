"""How much a word says: the rarer it is in its language, the more.

wordfreq ships word frequencies for ~40 languages inside its wheel (nothing downloaded), so a
rarity needs no corpus statistics of our own: "Newsom" outweighs "said" in the first article a
fresh site sees, the same in every process. The story clusterer and the summary weigh words by it.
"""

from __future__ import annotations

import logging
from functools import lru_cache

__all__ = ["CEILING", "rarity"]

# wordfreq warns, on every call, when it answers for a language by its nearest match ("pcm",
# Nigerian Pidgin, by English): that is what we want, and not news for the operator's log.
logging.getLogger("wordfreq").setLevel(logging.ERROR)

#: A word's weight is how far its Zipf frequency (log10 per billion words) falls below this:
#: "the" (7.7) and "said" (6.5) weigh nothing or little, "recall" (4.4) 2.6, "Newsom" (2.6) 4.4.
CEILING = 7.0


# Chinese and Japanese words: wordfreq would segment them with jieba (installed for the Chinese
# names, enrich/chinese.py) or MeCab, loading a second ~100 MB dictionary per process to weigh
# the story clusterer's character pairs, which it was never measured with: they count the same.
_SEGMENTED = frozenset({"zh", "ja", "ko"})


@lru_cache(maxsize=50_000)
def rarity(word: str, language: str = "en") -> float:
    """CEILING minus the word's Zipf frequency, at least 0; 1.0 where wordfreq cannot say."""
    from wordfreq import zipf_frequency

    if language in _SEGMENTED:
        return 1.0
    try:
        z = zipf_frequency(word, language)
    except (LookupError, ImportError):
        # A language wordfreq does not know, or Chinese and Japanese, which it would segment
        # with jieba or MeCab (not installed): every word counts the same.
        return 1.0
    return max(0.0, CEILING - z)
