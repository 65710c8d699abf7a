"""Scraped text dumps of aggregator pages, like shared/seed-page.txt.

Such a dump is the visible text of one article page: the headline, the body, then the site's
chrome ("Hashtags", "Try Our AI Features", "Comments", "Related Articles") and a list of related
articles, each as a block of source name, relative time ("an hour ago"), "- Source", title and
text. The main article and every related article come out as articles of their own; chrome is
never article text. Relative times are resolved against the time the page was fetched.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from newsweave.errors import ParseError
from newsweave.model import ArticleIn

__all__ = ["parse_dump", "parse_relative_time"]

#: Lines that are the aggregator's furniture, not article text (compared case-insensitively).
_CHROME = {
    "hashtags",
    "try our ai features",
    "comments",
    "no comments yet...",
    "no comments yet",
    "related articles",
    "share",
    "advertisement",
}
_CHROME_PREFIXES = ("explore what ", "read more", "sign in", "log in to comment")
_RELATED_HEADER = "related articles"
_BODY_END = {"hashtags", "try our ai features", "comments", _RELATED_HEADER}

_UNITS = {
    "second": 1,
    "sec": 1,
    "minute": 60,
    "min": 60,
    "hour": 3600,
    "hr": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}
_RELATIVE = re.compile(
    r"^(?:about\s+)?(?P<n>an?|one|\d+)\s+(?P<unit>second|sec|minute|min|hour|hr|day|week|month|year)s?"
    r"\s+ago$",
    re.I,
)


def parse_relative_time(text: str, now: datetime) -> datetime | None:
    """`now` minus the age in "an hour ago", "3 hours ago", "yesterday", "just now"; else None."""
    t = text.strip().lower()
    if t in {"just now", "now", "moments ago", "a moment ago"}:
        return now
    if t == "yesterday":
        return now - timedelta(days=1)
    m = _RELATIVE.match(t)
    if not m:
        return None
    n = 1 if m["n"] in {"a", "an", "one"} else int(m["n"])
    return now - timedelta(seconds=n * _UNITS[m["unit"]])


def _is_chrome(line: str) -> bool:
    low = line.strip().lower()
    return low in _CHROME or low.startswith(_CHROME_PREFIXES)


def parse_dump(text: str, fetched_at: datetime, source_name: str | None = None) -> list[ArticleIn]:
    """The articles of one scraped page: the main article first, then each related article."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        raise ParseError("the dump is empty")
    first = nonblank[0]
    title = lines[first].strip()
    body: list[str] = []
    i = first + 1
    while i < len(lines) and lines[i].strip().lower() not in _BODY_END:
        if lines[i].strip():
            body.append(lines[i].strip())
        i += 1
    if not body:
        raise ParseError("no article body after the headline")
    articles = [
        ArticleIn(
            url=None,
            title=title,
            text="\n\n".join(body),
            source_name=source_name,
            fetched_at=fetched_at,
        )
    ]
    while i < len(lines) and lines[i].strip().lower() != _RELATED_HEADER:
        i += 1
    articles += _related(lines[i + 1 :], fetched_at)
    return articles


def _related(lines: list[str], fetched_at: datetime) -> list[ArticleIn]:
    """Blocks of: source, relative time, '- source', title, text (blank lines between blocks)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    out: list[ArticleIn] = []
    for block in blocks:
        content = [b for b in block if not _is_chrome(b)]
        if len(content) < 3:
            continue
        source = content[0]
        published = parse_relative_time(content[1], fetched_at)
        rest = content[2:] if published is not None else content[1:]
        if rest and rest[0].startswith("- "):
            rest = rest[1:]
        if len(rest) < 2:
            continue
        out.append(
            ArticleIn(
                url=None,
                title=rest[0],
                text="\n\n".join(rest[1:]),
                source_name=source,
                published=published,
                fetched_at=fetched_at,
            )
        )
    return out
