"""The team's event fixtures (tests/fixtures/understand/events.jsonl, languages.jsonl) and the
one way to load them.

Four events covered by several outlets, one wire story republished by another outlet (b1copy),
and one outlet that only ever writes "Putin" (c4); the same events in five other languages.
Each line: id, event, title, text, published, source, url.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from newsweave import pipeline
from newsweave.model import ArticleIn
from newsweave.store.db import Database

_HERE = Path(__file__).parent / "fixtures" / "understand"
EVENTS: list[dict[str, str]] = [
    json.loads(line) for line in (_HERE / "events.jsonl").read_text().splitlines()
]
# The same events told in French, German, Spanish, Russian and Chinese, and two reports of
# other events (in Russian and Chinese) among them: written by the team, as the English ones.
LANGUAGES: list[dict[str, str]] = [
    json.loads(line) for line in (_HERE / "languages.jsonl").read_text().splitlines()
]
# More Russian reports, team-written, for related articles in Russian: a second report of two
# events (Alaska, the floods), one of the ECB's cut, and four of unrelated things (football, a
# launch, oil, grain).
RUSSIAN_MORE: list[dict[str, str]] = [
    json.loads(line) for line in (_HERE / "related-ru.jsonl").read_text().splitlines()
]


def language_of(item: dict[str, str]) -> str:
    """The language a fixture is written in: LANGUAGES' say so in their id (x-fr-sudan is
    French), RUSSIAN_MORE's (r-...) are Russian, EVENTS' English."""
    if item["id"].startswith("x-"):
        return item["id"].split("-")[1]
    return "ru" if item["id"].startswith("r-") else "en"


def in_time_order(items: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(items, key=lambda e: e["published"])


def load_events(
    db: Database, items: list[dict[str, str]] = EVENTS, *, enrich_now: bool = True
) -> dict[str, int]:
    """Ingest (and so enrich, unless not `enrich_now`) the items in order; id -> article id."""
    ids = {}
    for e in items:
        art = ArticleIn(
            url=e["url"],
            title=e["title"],
            text=e["text"],
            source_name=e["source"],
            published=datetime.fromisoformat(e["published"].replace("Z", "+00:00")),
        )
        ids[e["id"]], _ = pipeline.ingest(db, art, enrich_now=enrich_now)
    return ids
