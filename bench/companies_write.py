"""Write the company names enrich/companies.py reads (src/newsweave/data/companies.txt)
from pytickersymbols.

    python bench/companies_write.py

Run it after upgrading pytickersymbols: tests/test_enrich.py fails while the shipped list and
the package's data disagree. One name a line, sorted.
"""

from __future__ import annotations

from pathlib import Path

from newsweave.enrich import companies

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    names = sorted(companies.companies_from_pytickersymbols())
    path = ROOT / "src" / "newsweave" / companies.COMPANIES_FILE
    path.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    print(f"{len(names)} company names written to {path.relative_to(ROOT)}")
