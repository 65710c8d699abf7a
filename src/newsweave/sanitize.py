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


# Characters no text of ours may hold: NUL (PostgreSQL refuses it in text columns), the other
# C0 controls but tab, newline and carriage return, the C1 controls, lone surrogates and the
# two non-characters XML forbids (an Atom feed with one is not XML).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,200}(?:\x07|\x1b\\)?")
_BETWEEN_WORDS = re.compile(r"(?<=\w)[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+(?=\w)")


def clean_text(text: str) -> str:
    """Text with the characters no database or XML document accepts removed: every text that
    comes in goes through here once, at the edge, so both databases store the same. Terminal
    colour codes go whole ("\\x1b[31m", not a stray "[31m"), and a control between two words
    leaves a space ("NUL\\x00in" is "NUL in")."""
    if not _CONTROL.search(text):
        return text
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return _CONTROL.sub("", _BETWEEN_WORDS.sub(" ", text))


def clean_optional(text: str | None) -> str | None:
    return clean_text(text) if text is not None else None


def looks_binary(data: bytes) -> bool:
    """Bytes that are no text: a NUL in the first 8 KB, or invalid UTF-8 past 1% of them."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    decoded = head.decode("utf-8", "replace")
    return decoded.count("\ufffd") > max(8, len(decoded) // 100)


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
