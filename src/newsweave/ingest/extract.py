"""Clean text and metadata of one article page, by trafilatura.

trafilatura is the field's reference for main-text extraction (it leads the ScrapingHub
article-extraction benchmark among open tools); this module only adapts its output to
`Extracted` and turns "no article here" into ExtractionError.
"""

from __future__ import annotations

import re
from datetime import datetime

import trafilatura
from trafilatura.settings import Document

from newsweave.errors import ExtractionError
from newsweave.ingest.feeds import parse_date
from newsweave.model import ArticleIn, Extracted
from newsweave.words import word_count

__all__ = ["MIN_WORDS", "as_article", "extract"]

#: Fewer words than this is not an article (a page of navigation links, a paywall stub).
MIN_WORDS = 25
_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
_SCHEMA_GENRE = re.compile(
    rb'"@type"\s*:\s*\[?\s*"((?:Opinion|Analysis|Background|Reportage|Review|AskPublic)NewsArticle'
    rb'|SatiricalArticle)"'
)
_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True}


def extract(page: bytes | str, url: str | None = None) -> Extracted:
    """Extract the article of an HTML page. Raises ExtractionError if it holds none."""
    if isinstance(page, str):
        page = page.encode("utf-8")
    if not page.strip():
        raise ExtractionError("the page is empty")
    try:
        doc = trafilatura.bare_extraction(
            page,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, TypeError, AttributeError) as exc:  # trafilatura on very broken input
        raise ExtractionError(f"the page could not be parsed: {exc}") from None
    if not isinstance(doc, Document):
        raise ExtractionError("no article found on the page")
    text = (doc.text or "").strip()
    if word_count(text) < MIN_WORDS:
        raise ExtractionError(f"no article text found (fewer than {MIN_WORDS} words)")
    lang = _HTML_LANG.search(page[:4096])
    published: datetime | None = parse_date(doc.date) if doc.date else None
    return Extracted(
        title=doc.title or None,
        text=text,
        byline=doc.author or None,
        published=published,
        language=lang.group(1).decode().lower() if lang else None,
        url=doc.url or url,
        site=doc.sitename or doc.hostname or None,
        image=doc.image or None,
        description=doc.description or None,
        section=_section(page, doc.categories),
    )


def _section(page: bytes, categories: list[str] | None) -> str | None:
    """The schema.org article type where the page declares a genre by it (trafilatura keeps only
    page types), else the categories trafilatura found (articleSection, article:section)."""
    found = _SCHEMA_GENRE.search(page[:300_000])
    if found:
        return found.group(1).decode()
    return ", ".join(c for c in categories or () if c)[:200] or None


def as_article(
    ex: Extracted, page_url: str | None, fetched_at: datetime, source_name: str | None = None
) -> ArticleIn:
    """The article an extraction describes: its declared canonical URL when that is an absolute
    http(s) URL, else the URL the page was fetched from."""
    url = ex.url if ex.url and ex.url.startswith(("http://", "https://")) else page_url
    return ArticleIn(
        url=url,
        title=ex.title,
        text=ex.text,
        source_name=source_name or ex.site,
        byline=ex.byline,
        published=ex.published,
        language=ex.language,
        image=ex.image,
        description=ex.description,
        section=ex.section,
        fetched_at=fetched_at,
    )
