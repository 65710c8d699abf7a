"""Names of listed companies: what tells a bare "Moderna" the NER calls a person from one.

spaCy's small model reads a company's name alone as a person more often than not: "Pfizer" in
16 of its 19 AllSides articles, "Moderna" in all 6. Where an article gives a legal form, a
ticker or a chief executive, entities already knows better (Entities.sure); elsewhere a
single-word name the model calls a person, that no person in the article is called by, and
that is a listed company's whole name, is the company. On AllSides' and PolNeAR's 1,280 texts
that changed 39 readings: Pfizer 21, Moderna 9, Fox 5 (the network), the "Brady bill" twice,
Navient, Altria; the articles that name Jim, Sarah or Kevin Brady keep "Brady" a person.
Twitter, private since 2022, is on no index, nor is a company that never listed.

The list is the members of twenty stock indices (S&P 500 and 600, NASDAQ 100, Dow Jones, FTSE
100, DAX, CAC 40, Nikkei 225, EURO STOXX 50...) as pytickersymbols ships them, less their legal
forms ("Tesla, Inc." is Tesla), written to data/companies.txt (~1,800 names, 25 KB) by
`python bench/lists_write.py`: the package's own module holds every company's metadata
too and costs a worker ~8 MB (the list: under 1 MB).
"""

from __future__ import annotations

import re
from functools import cache

__all__ = [
    "COMPANIES_FILE",
    "companies_from_pytickersymbols",
    "is_listed",
    "listed_companies",
]

COMPANIES_FILE = "data/companies.txt"

_LEGAL_FORM = re.compile(
    r",?\s+(?:Inc|Corp|Corporation|Co|Ltd|Limited|plc|PLC|AG|SE|SA|S\.A|N\.V|NV|Holdings?|"
    r"Group|Company|& Co|KGaA|ASA|AB|Oyj)\.?$"
)


@cache
def listed_companies() -> frozenset[str]:
    """The listed companies' names, as data/companies.txt holds them."""
    from importlib import resources

    text = resources.files("newsweave").joinpath(COMPANIES_FILE).read_text(encoding="utf-8")
    return frozenset(text.splitlines())


@cache
def _folded() -> frozenset[str]:
    return frozenset(n.casefold() for n in listed_companies() if len(n) >= 4)


def is_listed(name: str) -> bool:
    """Whether `name` is a listed company's, in any case of four letters or more: outlets
    write "Paypal" for PayPal."""
    return name in listed_companies() or (len(name) >= 4 and name.casefold() in _folded())


def companies_from_pytickersymbols() -> frozenset[str]:
    """The names as pytickersymbols gives them, less their legal forms: what
    `python bench/lists_write.py` writes into COMPANIES_FILE (a test checks they agree)."""
    from pytickersymbols import PyTickerSymbols

    names: set[str] = set()
    for stock in PyTickerSymbols().get_all_stocks():
        name = " ".join(str(stock["name"]).split())
        while (shorter := _LEGAL_FORM.sub("", name).strip()) != name:
            name = shorter
        if name:
            names.add(name)
    return frozenset(names)
