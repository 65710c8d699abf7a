"""The domain's plain values, shared by every layer.

Frozen dataclasses: they carry data between ingest, enrich, pipeline and store, and hold no
behaviour that needs a database or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ArticleState(StrEnum):
    """Where an article is on its one road. Stored; the database is the truth."""

    DISCOVERED = "discovered"  # URL known (from a feed), page not fetched yet
    FETCHED = "fetched"  # raw page stored, not extracted yet
    EXTRACTED = "extracted"  # clean text stored, analyses pending
    ENRICHED = "enriched"  # every analysis ran (or recorded its failure): published
    FAILED = "failed"  # gave up after repeated errors; last_error says why
    GONE = "gone"  # deleted by the operator: a tombstone, so it is never imported again


#: States in which an article is readable on the site.
VISIBLE_STATES = (ArticleState.EXTRACTED, ArticleState.ENRICHED)


class SourceStatus(StrEnum):
    ACTIVE = "active"
    GONE = "gone"  # the feed answered 410 (or 404 repeatedly): polling stopped
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What the operator says about an outlet (OPML, `sources add`)."""

    name: str
    feed_url: str | None = None
    homepage: str | None = None
    language: str | None = None
    country: str | None = None
    ownership: str | None = None  # public broadcaster, private, state-controlled, non-profit, ...
    kind: str | None = None  # wire, newspaper, broadcaster, magazine, blog, ...
    lean: str | None = None  # left, center, right, or the operator's own scale
    poll_interval: int = 1800  # seconds


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed, as the feed tells it."""

    url: str | None
    title: str | None
    summary: str | None  # plain text
    content_html: str | None
    published: datetime | None
    author: str | None
    guid: str | None
    section: str | None = None  # the entry's categories, where the feed gives them


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction made of one page."""

    title: str | None
    text: str
    byline: str | None
    published: datetime | None
    language: str | None
    url: str | None  # canonical URL the page declares, if any
    site: str | None
    image: str | None
    description: str | None
    section: str | None = None  # schema.org article type, or the page's section / categories


@dataclass(frozen=True, slots=True)
class ArticleIn:
    """An article as ingest hands it to the pipeline: everything needed to store it once."""

    url: str | None
    title: str | None
    text: str
    source_name: str | None = None
    source_homepage: str | None = None
    byline: str | None = None
    published: datetime | None = None
    language: str | None = None
    image: str | None = None
    description: str | None = None
    section: str | None = None  # the publisher's section or article type: a genre signal
    fetched_at: datetime | None = None
    # Labels an archive gives the outlet (an AllSides `stance`): set on a source that has none.
    source_labels: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
