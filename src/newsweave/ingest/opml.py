"""OPML in and out: the format feed readers use to move subscriptions.

Outlines may nest (folders); every outline with an xmlUrl is a source. newsweave's labels travel
as extra outline attributes (country, ownership, kind, language, pollInterval), which OPML 2.0
allows and other readers ignore.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime

from lxml import etree

from newsweave.errors import ParseError
from newsweave.model import SourceInfo

__all__ = ["read_opml", "write_opml"]

# No entities, no network: OPML files come from anywhere (billion-laughs, XXE).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def read_opml(data: bytes) -> list[SourceInfo]:
    """Every feed outline in an OPML document. Raises ParseError for a document that is not OPML."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not an OPML document: {exc}") from None
    if root.tag != "opml":
        raise ParseError(f"not an OPML document: root element is <{root.tag}>")
    sources: list[SourceInfo] = []
    for outline in root.iter("outline"):
        feed_url = (outline.get("xmlUrl") or "").strip()
        if not feed_url:
            continue
        interval = outline.get("pollInterval", "")
        sources.append(
            SourceInfo(
                name=(outline.get("title") or outline.get("text") or feed_url).strip(),
                feed_url=feed_url,
                homepage=(outline.get("htmlUrl") or "").strip() or None,
                language=outline.get("language") or None,
                country=outline.get("country") or None,
                ownership=outline.get("ownership") or None,
                kind=outline.get("kind") or None,
                lean=outline.get("lean") or None,
                poll_interval=int(interval) if interval.isdigit() else 1800,
            )
        )
    return sources


def write_opml(sources: Iterable[SourceInfo], title: str = "newsweave sources") -> bytes:
    """An OPML 2.0 document listing the sources with their labels."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = etree.SubElement(root, "body")
    for src in sources:
        if not src.feed_url:
            continue
        attrs = {
            "type": "rss",
            "text": src.name,
            "title": src.name,
            "xmlUrl": src.feed_url,
            "htmlUrl": src.homepage,
            "language": src.language,
            "country": src.country,
            "ownership": src.ownership,
            "kind": src.kind,
            "lean": src.lean,
            "pollInterval": str(src.poll_interval),
        }
        etree.SubElement(body, "outline", {k: v for k, v in attrs.items() if v})
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
