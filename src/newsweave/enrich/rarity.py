"""How much a word says: the rarer it is in its language, the more.

wordfreq ships word frequencies for ~40 languages inside its wheel (nothing downloaded), so a
rarity needs no corpus statistics of our own: "Newsom" outweighs "said" in the first article a
fresh site sees, the same in every process. The story clusterer and the summary weigh words by it.

The frequencies are read from wordfreq's files into a table of our own (`_Table`): wordfreq
keeps each list twice, as lists of words and as a dict (English 45 MB a process, German 84,
Russian 159, in every worker that meets the language); the table holds a 64-bit hash and a
frequency step per word (English 3.2 MB, Russian 7.1) and gives the same Zipf frequencies as
`wordfreq.zipf_frequency`, tokenising a word with wordfreq's own functions (tests/test_enrich.py
compares them on every word of the team's texts in five languages).
"""

from __future__ import annotations

import gzip
import logging
import math
from array import array
from bisect import bisect_left
from functools import cache, lru_cache

import numpy as np

__all__ = ["CEILING", "rarity", "zipf"]

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
_MINIMUM = 1e-9  # zipf_frequency's floor (Zipf 0): the frequency of a word not in the list


@lru_cache(maxsize=50_000)
def rarity(word: str, language: str = "en") -> float:
    """CEILING minus the word's Zipf frequency, at least 0; 1.0 where wordfreq cannot say."""
    if language in _SEGMENTED:
        return 1.0
    try:
        z = zipf(word, language)
    except (LookupError, ImportError):
        # A language wordfreq does not know, or Chinese and Japanese, which it would segment
        # with jieba or MeCab (not installed): every word counts the same.
        return 1.0
    return max(0.0, CEILING - z)


def zipf(word: str, language: str) -> float:
    """`wordfreq.zipf_frequency(word, language)`, read from our table: a word of several
    tokens is as frequent as wordfreq combines them (1/f = 1/f1 + 1/f2...), a number as its
    digits' shape and wordfreq's digit distribution say, a word not in the list 0."""
    from wordfreq.numbers import digit_freq, smash_numbers
    from wordfreq.tokens import lossy_tokenize

    tokens = lossy_tokenize(word, language)
    table = _table(language)
    one_over = 0.0
    for token in tokens:
        smashed = smash_numbers(token)
        freq = table.get(smashed)
        if freq is None:
            one_over = 0.0
            break
        if smashed != token:
            freq *= digit_freq(token)
        one_over += 1.0 / freq
    freq = max(1.0 / one_over, _MINIMUM) if one_over else _MINIMUM
    # As wordfreq: three significant digits, then the Zipf scale to two decimals.
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


class _Table:
    """A language's word frequencies: the words' hashes, sorted, and each one's frequency step
    (wordfreq's centibels below 1). Hashes are Python's own: the table lives and is asked in
    one process; two of its words sharing one would take 2^-64 for any pair. Typed arrays and
    `bisect`: a lookup ~1 us, numpy's searchsorted on a scalar ~3."""

    def __init__(self, keys: np.ndarray, steps: np.ndarray) -> None:
        self.keys = array("q", keys.astype(np.int64).tobytes())
        self.steps = array("H", steps.astype(np.uint16).tobytes())
        self.freqs = [10 ** (-step / 100) for step in range(max(self.steps, default=0) + 1)]

    def get(self, word: str) -> float | None:
        h = hash(word)
        i = bisect_left(self.keys, h)
        if i == len(self.keys) or self.keys[i] != h:
            return None
        return self.freqs[self.steps[i]]

    @classmethod
    def read(cls, path: str) -> _Table:
        """Stream wordfreq's file (gzipped msgpack: a header, then one list of words per
        centibel step) one step at a time, so its words never all live at once."""
        import msgpack

        keys: list[np.ndarray] = []
        steps: list[np.ndarray] = []
        with gzip.open(path, "rb") as f:
            unpacker = msgpack.Unpacker(f, raw=False)
            n = unpacker.read_array_header()
            header = unpacker.unpack()
            if not isinstance(header, dict) or header.get("format") != "cB":
                raise LookupError(f"not a wordfreq frequency list: {path}")
            for step in range(n - 1):
                words = unpacker.unpack()
                if words:
                    keys.append(np.fromiter(map(hash, words), np.int64, len(words)))
                    steps.append(np.full(len(words), step, np.uint16))
        key = np.concatenate(keys)
        step_of = np.concatenate(steps)
        # A word listed twice keeps its last (rarest) step, as wordfreq's dict does.
        order = np.lexsort((step_of, key))
        key, step_of = key[order], step_of[order]
        last = np.append(key[1:] != key[:-1], True)
        return cls(key[last], step_of[last])


@cache
def _table(language: str) -> _Table:
    """The table of the list wordfreq itself would read for `language` ('best': its large
    list where there is one, matched by langcodes as wordfreq matches it)."""
    import langcodes
    import wordfreq

    available = wordfreq.available_languages("best")
    best, _distance = langcodes.closest_match(language, list(available), max_distance=60)
    if best == "und":
        raise LookupError(f"no word frequencies for {language!r}")
    return _Table.read(available[best])
