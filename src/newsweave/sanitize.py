"""The only place untrusted HTML is cleaned.

Feed content and comments are untrusted. nh3 (Ammonia) keeps a small allow-list of tags and
drops everything else, attributes included; to_text() turns HTML into plain text for analysis.
"""

from __future__ import annotations

import html
import re

import nh3

_ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "b", "i", "ul", "ol", "li", "blockquote", "q"}
_BLOCK = re.compile(r"</?(p|br|div|li|h[1-6]|blockquote|tr|section|article)\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_NEWLINES = re.compile(r"\n\s*\n+")


def clean_html(fragment: str, link_rel: str = "noopener noreferrer") -> str:
    """HTML safe to embed in a page: allow-listed tags, http(s) and mailto links with `link_rel`."""
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=link_rel,
    )


def to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, paragraphs kept as blank-line breaks."""
    marked = _BLOCK.sub("\n\n", fragment)
    stripped = nh3.clean(marked, tags=set())
    text = html.unescape(stripped)
    text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return _NEWLINES.sub("\n\n", "\n".join(lines)).strip()
