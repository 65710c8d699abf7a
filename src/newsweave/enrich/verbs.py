"""Words that are verbs and never nouns: where the tagger reads one as a noun, it is wrong.

spaCy's small English tagger reads a verb after a name as a noun now and then, most often a
present tense after a subject it took for a modifier ("Hamas and the Taliban foments prejudice
and undermines progress", "Twitter suspends"); the noun phrase then runs on through the verb and
its object, and "Taliban foments prejudice" and "Undermines progress" were allsides-dev tags.
A word that can only be a verb ends a noun phrase (hashtags._noun_phrases).

"Only a verb" is where two lexicons agree, because each alone is wrong too often to trust:
Brill's tagger lexicon (Brown corpus and Penn Treebank, as TextBlob ships it) gives a word's
most frequent tag, which is a verb for nouns as common as "calls", "hopes" and "needs";
lemminflect's lexicon (the NLM SPECIALIST lexicon) lists every part of speech a word has, but
misses the noun of "acts", "bars" and "lectures". A present or past tense (VBZ, VB, VBP, VBD)
that lemminflect knows only as a verb, less four nouns of news both miss: ~4,100 words ("abandons",
"undermines", "zapped"). Not participles ("-ing" is a noun as often: "infrastructure
spending", "hiring freeze"; "-ed" an adjective).

Read from the list shipped with newsweave (data/verbs.txt, 36 KB); `python bench/lists_write.py`
writes it from the two packages, which only the tests need (tests/test_enrich.py checks that
the list is what they give).
"""

from __future__ import annotations

from functools import cache

__all__ = ["VERBS_FILE", "verb_forms", "verbs_from_lexicons"]

VERBS_FILE = "data/verbs.txt"

# Brill's tags of a verb's finite forms: the base form, the present and the past tense.
_FINITE = frozenset({"VB", "VBP", "VBZ", "VBD"})
# Nouns of today's news both lexicons miss: "the partisan divide" (4 PolNeAR texts' tags),
# "woke" politics, "the hustle", a "zoom call".
_NOUNS_TOO = frozenset({"divide", "woke", "hustle", "zoom"})


@cache
def verb_forms() -> frozenset[str]:
    """The lower-case words that are only ever verbs, as data/verbs.txt holds them."""
    from importlib import resources

    text = resources.files("newsweave").joinpath(VERBS_FILE).read_text(encoding="utf-8")
    return frozenset(text.splitlines())


def verbs_from_lexicons() -> frozenset[str]:
    """The words Brill's lexicon tags a finite verb first and lemminflect knows only as a verb:
    what `python bench/lists_write.py` writes into VERBS_FILE."""
    from importlib import resources

    from lemminflect import getAllLemmas

    lexicon = resources.files("textblob").joinpath("en", "en-lexicon.txt")
    out: set[str] = set()
    for line in lexicon.read_text(encoding="utf-8").splitlines():
        word, _, tag = line.partition(" ")
        if tag.strip() not in _FINITE or not word.isalpha() or not word.islower():
            continue
        lemmas = getAllLemmas(word)
        if (
            not word.endswith("ing")
            and set(lemmas) == {"VERB"}
            and not _NOUNS_TOO.intersection(lemmas["VERB"])  # "divides" too
        ):
            out.add(word)
    return frozenset(out)
