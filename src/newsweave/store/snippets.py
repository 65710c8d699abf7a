"""Search snippets: the stretch of an article's text where the query's words gather, with
each hit marked \\x02 ... \\x03, made in Python from the texts of the page shown.

The databases made them by tokenizing every hit's whole text (FTS5's snippet(), stemming each
token; PostgreSQL's ts_headline, parsing it): 2.3-3.8 ms for a page of 20 at a million
articles on SQLite, more than search's ranking once it ranked in a window (store/search.py),
and ~5 ms of PostgreSQL's ~14 at 100,000 (bench/README.md). Here a regular expression finds
in C the words that could be forms of a query word, the few found are stemmed as the database
stems them (snowballstemmer: Porter's original algorithm for SQLite's porter tokenizer, the
Snowball English one for PostgreSQL's 'english' configuration), and only the stretch shown is
split into words: 1.1-1.3 ms for the same pages, the words marked exactly those FTS5's
highlight() marks (tests/test_snippets.py).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import islice

import snowballstemmer

__all__ = ["HIT_END", "HIT_START", "Snippets", "for_index", "for_query", "snippet"]

HIT_START, HIT_END = "\x02", "\x03"
ELLIPSIS = "…"
TOKENS = 24  # words a snippet shows (FTS5's snippet() was asked for 24)
_WORD = re.compile(r"\w+")
_SPAN = re.Match.span
_CANDIDATES = 200  # forms looked at an article: a short word's prefix may start many words
_REACH = 120  # characters after a hit that count as the same stretch (~20 words of news)


def _fold_table() -> dict[int, str]:
    """Latin letters with diacritics to their base letter (unicode61's remove_diacritics, which
    SQLite's index applies, matches "cafe" to "café")."""
    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(code))
        letter = len(base) > 1 and base[0].isascii() and base[0].isalpha()
        if letter and all(unicodedata.combining(c) for c in base[1:]):
            table[code] = base[0]
    return table


_FOLD = _fold_table()
_ACCENTED = re.compile("[" + "".join(map(chr, _FOLD)) + "]")


def _folded(match: re.Match[str]) -> str:
    return _FOLD[ord(match.group())]


class Snippets:
    """Makes the snippets of one query: its words as a database matches them (`stem`), and the
    expression that finds their possible forms in a text.

    The expression is the words' common prefixes with their stems ("govern" for "government",
    "happ" for "happy", whose stem is "happi"), literal and first, so that the regular
    expression engine skips to them (a word-boundary test in front of them made it try every
    position: 60 us a text of 4,000 characters, against 10), matched in the lower-cased text,
    and in its diacritics folded where it has any.
    """

    def __init__(self, words: Sequence[str], stem: Callable[[str], str], fold: bool) -> None:
        self._stem = stem
        self._fold = fold
        folded = [(w.translate(_FOLD) if fold else w).lower() for w in words if w]
        self._stems = {stem(w): i for i, w in enumerate(dict.fromkeys(folded))}
        prefixes = set()
        for w in folded:
            s = stem(w)
            n = 0
            while n < min(len(w), len(s)) and w[n] == s[n]:
                n += 1
            prefixes.add(w[: max(n, 1)])
        alternatives = "|".join(map(re.escape, sorted(prefixes, key=len, reverse=True)))
        self._find = re.compile(f"(?:{alternatives})\\w*") if prefixes else None

    def hits(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, which query word) of each form of the query's words in `text`."""
        if self._find is None:
            return []
        low = text.lower()
        if len(low) != len(text):  # a letter whose lower case is longer (İ): offsets would move
            low = "".join(c.lower()[:1] for c in text)
        if self._fold and not low.isascii() and _ACCENTED.search(low):
            # Only the accented letters replaced (each by one letter: offsets hold): 12 us a
            # news text of ~3,400 characters, where str.translate looked up every one: 330 us.
            low = _ACCENTED.sub(_folded, low)
        out = []
        for n, m in enumerate(self._find.finditer(low)):
            if n == _CANDIDATES:
                break
            start = m.start()
            if start and (low[start - 1].isalnum() or low[start - 1] == "_"):
                continue  # inside a word
            which = self._stems.get(self._stem(m.group()))
            if which is not None:
                out.append((start, m.end(), which))
        return out

    def __call__(self, text: str | None) -> str:
        return snippet(text or "", self.hits(text or ""))


def snippet(text: str, hits: list[tuple[int, int, int]], tokens: int = TOKENS) -> str:
    """The `tokens` words of `text` around the stretch that holds the most different query
    words (then the most hits; the first such), hits marked, "…" where the text goes on."""
    if not text:
        return ""
    if not hits:
        at = 0
    else:
        best, at, j = (-1, -1), hits[0][0], 0
        for i in range(min(len(hits), 50)):  # each hit as the stretch's first (in order)
            start = hits[i][0]
            while j < len(hits) and hits[j][0] < start + _REACH:
                j += 1
            score = (len({h[2] for h in hits[i:j]}), j - i)
            if score > best:
                best, at = score, start
    # Only the words shown are split out: up to `tokens` from the stretch's start on, then as
    # many before it as centre the stretch's hits (or fill the snippet where the text ends).
    # Splitting the ~100 words of a fixed region around it was 40 of a snippet's ~100 us.
    after = list(islice(map(_SPAN, _WORD.finditer(text, at, at + 16 * tokens)), tokens))
    if not after:
        return ""
    inside = [h[0] for h in hits if at <= h[0] < at + _REACH]
    last = bisect_right([s for s, _e in after], inside[-1]) - 1 if inside else 0
    want = max(0, tokens - (last + 1)) // 2 if hits else 0
    if len(after) < tokens - want:
        want = tokens - len(after)
    shown = _before(text, at, want, tokens) + after
    start, stop = shown[0][0], shown[min(len(shown), tokens) - 1][1]
    # The text's own first and last characters where the words shown begin or end it.
    more_before, more_after = _WORD.search(text, 0, start), _WORD.search(text, stop)
    start, stop = start if more_before else 0, stop if more_after else len(text)
    out = [ELLIPSIS] if more_before else []
    pos = start
    for s, e, _w in hits:
        if s >= start and e <= stop:
            out += [text[pos:s], HIT_START, text[s:e], HIT_END]
            pos = e
    out.append(text[pos:stop])
    if more_after:
        out.append(ELLIPSIS)
    return "".join(out)


def _before(text: str, at: int, want: int, tokens: int) -> list[tuple[int, int]]:
    """The spans of the last `want` words before `at`, within 10 x `tokens` characters of it
    (a word cut by that bound left out). Looked for in 10 characters a word first (news
    words and their spaces average ~6.5), then in the whole reach."""
    if want <= 0 or at <= 0:
        return []
    reach = max(0, at - 10 * tokens)
    for lo in (max(reach, at - 10 * want), reach):
        words = list(map(_SPAN, _WORD.finditer(text, lo, at)))
        if lo > 0 and words and words[0][0] == lo and text[lo - 1 : lo].isalnum():
            words = words[1:]  # the bound cut a word in two
        if len(words) >= want or lo == reach:
            return words[-want:]
    return []  # not reached: the second bound is the reach


@lru_cache(maxsize=4)
def _stemmer(algorithm: str) -> Callable[[str], str]:
    """One stemmer per algorithm, its words remembered. A snowballstemmer stemmer keeps the
    word it is working on in itself, and the web's handler threads share it: one at a time."""
    stemmer = snowballstemmer.stemmer(algorithm)
    lock = threading.Lock()

    def stem(word: str) -> str:
        with lock:
            return str(stemmer.stemWord(word))

    return lru_cache(maxsize=65536)(stem)


def for_query(words: Sequence[str], sqlite: bool) -> Snippets:
    """The snippets of a query on SQLite (porter, diacritics folded) or PostgreSQL (Snowball
    English; its configurations keep diacritics)."""
    return Snippets(words, _stemmer("porter" if sqlite else "english"), fold=sqlite)


def for_index(words: Sequence[str]) -> Snippets:
    """The snippets of a query the search index ranked (store/searchindex.py: Snowball
    English, diacritics folded), on either database."""
    return Snippets(words, _stemmer("english"), fold=True)
