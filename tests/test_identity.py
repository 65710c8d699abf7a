"""Canonical URLs and identity keys: one article, one key, however its URL is dressed."""

from __future__ import annotations

import pytest

from newsweave.ingest.identity import canonical_url, content_hash, text_key, url_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM:443/a/b/?utm_source=x&id=3#top", "https://example.com/a/b?id=3"),
        ("http://example.com:80/", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/a?b=2&a=1&fbclid=zz&gclid=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com//a//b/", "https://example.com/a/b"),
        ("https://example.com/%7Euser", "https://example.com/~user"),
    ],
)
def test_canonical_url_removes_noise(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize("bad", ["", "ftp://example.com/x", "/relative/path", "mailto:a@b.c"])
def test_canonical_url_rejects_non_http(bad: str) -> None:
    with pytest.raises(ValueError):
        canonical_url(bad)


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.example.com/news/story-1",
        "http://example.com/news/story-1/",
        "https://amp.example.com/news/story-1",
        "https://m.example.com/news/story-1?utm_medium=social",
        "https://example.com/news/story-1/amp",
        "https://example.com/amp/news/story-1",
        "https://example.com/news/story-1.amp",
        "https://example.com/news/story-1?amp=1",
        "https://example.com/news/story-1#comments",
    ],
)
def test_url_key_folds_amp_mobile_www_and_scheme(variant: str) -> None:
    assert url_key(variant) == "example.com/news/story-1"


def test_url_key_keeps_meaningful_query() -> None:
    assert url_key("https://example.com/article?id=7") != url_key(
        "https://example.com/article?id=8"
    )


def test_content_hash_ignores_formatting_not_words() -> None:
    a = content_hash("The  Council met.\n\nIt voted.")
    assert a == content_hash("the council met it voted")
    assert a != content_hash("The council met. It did not vote.")
    assert text_key("  Putin–Trump: Talks!  ") == "putin trump talks"


def test_text_is_cleaned_once_at_the_edge_without_gluing_words() -> None:
    from newsweave.sanitize import clean_text

    assert clean_text("NUL\x00in title") == "NUL in title"
    assert clean_text("Controls \x07\x1b[31mred\x1b[0m\x7f") == "Controls red"
    assert clean_text("bell\x07") == "bell"
    assert clean_text("tabs\tand\nlines stay") == "tabs\tand\nlines stay"
    assert clean_text("plain") == "plain"
