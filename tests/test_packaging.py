"""What the package declares is what it imports: a fresh `pip install .` with an old pip must
give a working install (issue 12: pip 23.2 brought lxml 6 without its HTML cleaner, and every
command failed to import trafilatura)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_html_cleaner_trafilatura_needs_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {
        d.split(">")[0].split("=")[0].split("[")[0].strip().lower() for d in project["dependencies"]
    }
    assert "lxml_html_clean" in names or "lxml-html-clean" in names
    import lxml_html_clean  # noqa: F401  # the module trafilatura imports
    import trafilatura  # noqa: F401
