"""Whether a capitalised word is a person's first name, in languages no entity model reads,
and the gender a first name says (quotes: whom "she said" stands for).

hashtags.from_names finds names in German, Italian, Portuguese, Dutch, Polish... by their
capitals alone, and a capital at a sentence's start says nothing: "Friedrich Merz sagte ..."
and "Laut Merz ..." look alike. Without knowing that "Friedrich" is a first name the pair was
dropped and the article tagged "Merz", a second tag beside the site's "Friedrich Merz"; and a
name found so had no kind, so the site could not fold a later bare "Merz" into the person.

The list is Jörg Michael's first-name dictionary as the gender-guesser package ships it
(nam_dict.txt: ~48,800 entries, ~61,000 spellings with the compounds' spaced, joined and
hyphenated forms; GNU FDL), read at first use: ~50 ms and ~5 MB in a worker. It is broad, so
it holds words too ("Mais", "Pero", "Secondo", "Ma"): a word that is one of the language's
function words (enrich.language.function_words) or a place is no first name here.
Of 29 sentence openers the team listed in seven languages ("Laut", "Selon", "Según",
"Secondo", "Volgens", "Według", "Gestern", "Mais", "Pero"...) none passes; of 30 politicians'
first names, 27 do (Luiz, Rishi and Wolodymyr are missing: the dictionary dates from 2008).
Its gender codes are per country; a name is one gender here only where every country's agrees
("Hillary", "Donald"; not "Jamie", "Andrea"). Some unisex names it gives one ("Courtney",
"Eden" female): quotes then passes over such a man for "he" (2 of 20 changes on the Daily Mail
texts, against 12 mended).
"""

from __future__ import annotations

from functools import cache

from newsweave.enrich.language import function_words
from newsweave.enrich.places import place_names

__all__ = ["gender", "is_first_name"]


# The dictionary's codes: male, mostly male, male more often; female likewise; "?" unisex.
_MALE = frozenset({"M", "1M", "?M"})
_FEMALE = frozenset({"F", "1F", "?F"})


@cache
def _names() -> dict[str, frozenset[str]]:
    """Each spelling -> the dictionary's gender codes for it (one line a country group)."""
    from importlib import resources

    data = resources.files("gender_guesser").joinpath("data/nam_dict.txt")
    text = data.read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line or line[0] in "#=":  # comments; "=" lines equate two spellings
            continue
        fields = line.split()
        if len(fields) < 2:
            continue
        # "+" joins a compound's parts ("Abdel+Aziz"): one word either joined or hyphenated.
        for sep in ("", "-"):
            out.setdefault(fields[1].replace("+", sep), set()).add(fields[0])
    shared: dict[frozenset[str], frozenset[str]] = {}  # a few dozen sets, each held once
    return {
        name: shared.setdefault(codes, codes) for name, c in out.items() for codes in [frozenset(c)]
    }


def gender(first: str) -> str | None:
    """ "male" or "female" where the dictionary gives the first name one gender in every
    country it lists ("Donald", "Hillary"), else None ("Jamie", "Andrea", "Devon", a word)."""
    codes = _names().get(first)
    if not codes:
        return None
    if codes <= _MALE:
        return "male"
    if codes <= _FEMALE:
        return "female"
    return None


# A title that says its bearer's gender: "Mr. Clinton" is Bill, "Mrs. Clinton" Hillary.
GENDER_TITLES = {
    "mr": "male", "sir": "male", "lord": "male", "king": "male", "prince": "male",
    "mrs": "female", "ms": "female", "miss": "female", "lady": "female", "dame": "female",
    "queen": "female", "princess": "female",
}  # fmt: skip


def name_gender(person: str) -> str | None:
    """A person's gender as their name says it: a title ("Mrs Cameron") or a first name the
    dictionary gives one gender (`gender`); None where it does not ("Trump")."""
    first, _, rest = person.partition(" ")
    if not rest:
        return None
    return GENDER_TITLES.get(first.lower().rstrip(".")) or gender(first)


def is_first_name(word: str, language: str) -> bool:
    """Whether `word`, as written, is a first name, not a word of `language` or a place."""
    if word not in _names() or word in place_names():
        return False
    return word.lower() not in function_words(language)
