"""Whether a capitalised word is a person's first name, in languages no entity model reads.

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
"""

from __future__ import annotations

from functools import cache

from newsweave.enrich.language import function_words
from newsweave.enrich.places import place_names

__all__ = ["is_first_name"]


@cache
def _names() -> frozenset[str]:
    from importlib import resources

    data = resources.files("gender_guesser").joinpath("data/nam_dict.txt")
    text = data.read_text(encoding="utf-8")
    out: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in "#=":  # comments; "=" lines equate two spellings
            continue
        fields = line.split()
        if len(fields) < 2:
            continue
        # "+" joins a compound's parts ("Abdel+Aziz"): one word either joined or hyphenated.
        out.update(fields[1].replace("+", sep) for sep in ("", "-"))
    return frozenset(out)


def is_first_name(word: str, language: str) -> bool:
    """Whether `word`, as written, is a first name, not a word of `language` or a place."""
    if word not in _names() or word in place_names():
        return False
    return word.lower() not in function_words(language)
