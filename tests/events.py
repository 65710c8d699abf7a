"""The team's event fixtures (tests/fixtures/understand/events.jsonl) and the one way to load them.

Four events covered by several outlets, one wire story republished by another outlet (b1copy),
and one outlet that only ever writes "Putin" (c4). Each line: id, event, title, text,
published, source, url.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from newsweave import pipeline
from newsweave.model import ArticleIn
from newsweave.store.db import Database

EVENTS: list[dict[str, str]] = [
    json.loads(line)
    for line in (Path(__file__).parent / "fixtures" / "understand" / "events.jsonl")
    .read_text()
    .splitlines()
]


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
