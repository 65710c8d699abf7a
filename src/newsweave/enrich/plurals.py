"""An English plural noun's singular, so that "Polls" and "Poll" are one tag.

Outlets write a subject in either number ("polls show", "a poll shows"), and a tag keyed by the
words as written splits it: on 1,883 public texts (AllSides, PolNeAR, goyal-dm, DUC-2001) 234
tag pairs differed only by a plural, 338 articles on the smaller side (Poll / Polls 22 / 25,
Attack / Attacks, Vaccine / Vaccines, Iowa caucus / Iowa caucuses).

Suffix rules alone make non-words ("taxe", "caucuse", "movy", "crise") and false singulars
("series" -> "serie", "species" -> "specie", "politics" -> "politic"). Here each rule offers
candidates in order and the first that wordfreq (already loaded for the rarity of words) knows
about as often as the plural, give or take a Zipf point, is the singular; where none is, the
plural stays. Words the tagger reads as plural but that are one thing in their own
right ("news", "means", "-ics") are never cut.
"""

from __future__ import annotations

from functools import lru_cache

from newsweave.enrich.rarity import zipf

__all__ = ["singular"]

# Plural in form, singular in use: cutting them names another thing ("new", "mean", "arm";
# "Ukraine talks" are negotiations, a "Ukraine talk" a lecture).
_INVARIANT = frozenset(
    """
    news means series species headquarters whereabouts arms thanks odds goods lens
    jeans pants scissors clothes premises outskirts remains savings belongings rights affairs
    customs glasses barracks hustings talks
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "ics", "os", "as")
_FLOOR = 1.0  # how much rarer (Zipf) than the plural its singular may be


@lru_cache(maxsize=20_000)
def singular(word: str) -> str:
    """'polls' -> 'poll', 'policies' -> 'policy', 'taxes' -> 'tax', 'crises' -> 'crisis',
    'wolves' -> 'wolf'; 'series', 'news', 'politics' and a word not ending in s unchanged.
    `word` is lower case and read as a plural by the caller (the tagger's NNS)."""
    if len(word) < 4 or not word.endswith("s") or word.endswith(_NOT_PLURAL_ENDINGS):
        return word
    if word in _INVARIANT:
        return word
    if word.endswith("ies"):
        candidates: tuple[str, ...] = (word[:-3] + "y", word[:-1])  # policies; movies
    elif word.endswith("ves"):
        candidates = (word[:-3] + "f", word[:-3] + "fe", word[:-1])  # leaves, lives; waves
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        candidates = (word[:-2], word[:-1])  # masses, taxes, marches, dishes; niches
    elif word.endswith("ses"):
        # crises, bases (the commoner of "-sis" and "-se"); uses; buses
        pair = sorted((word[:-2] + "is", word[:-1]), key=lambda c: -zipf(c, "en"))
        candidates = (*pair, word[:-2])
    elif word.endswith("es"):
        candidates = (word[:-1], word[:-2])  # vaccines; heroes, potatoes
    else:
        candidates = (word[:-1],)
    floor = max(zipf(word, "en") - _FLOOR, 0.0)
    return next((c for c in candidates if zipf(c, "en") > floor), word)
