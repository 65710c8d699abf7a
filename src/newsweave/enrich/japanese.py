"""Japanese names: people, places and organisations, from MeCab's UniDic tags.

No NER for Japanese ships its weights on PyPI (`ja-core-news-sm` there is a stub against
dependency confusion). MeCab with UniDic does (fugashi, unidic-lite: a 250 MB dictionary,
memory-mapped): its morphemes carry 固有名詞 (proper noun) with a subtype, 人名 (person:
姓 surname, 名 given name), 地名 (place) or 一般 (other: in news mostly companies and bodies,
トヨタ, 国連). Japanese writes a full name without a space and then the surname alone
("岸田文雄" ... "岸田首相"): the surname is counted for the one full name the article gives it.
Under 1 ms for 1,000 characters here.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from typing import Any

__all__ = ["available", "mentions"]

_MAX_CHARS = 100_000  # as nlp.MAX_CHARS
# A company's or body's name followed by one of these is its full name ("トヨタ自動車").
_ORG_SUFFIX = frozenset(
    "自動車 グループ 銀行 大学 電機 製作所 工業 商事 証券 新聞 放送 協会 財団 党".split()  # noqa: SIM905 - a word list reads better as words
)


def available() -> bool:
    return bool(importlib.util.find_spec("fugashi") and importlib.util.find_spec("unidic_lite"))


@cache
def _tagger() -> Any:
    import fugashi

    return fugashi.Tagger()  # finds unidic-lite's dictionary by itself


def mentions(text: str) -> list[tuple[str, str, int]]:
    """(name, kind, character offset) of each person, place and organisation in `text`."""
    words = [(w.surface, w.white_space, w.feature) for w in _tagger()(text[:_MAX_CHARS])]
    found: list[tuple[str, str, int]] = []
    at = 0
    i = 0
    while i < len(words):
        surface, space, f = words[i]
        at += len(space)
        start = at
        at += len(surface)
        i += 1
        if f.pos2 != "固有名詞":
            continue
        if f.pos3 == "人名":
            name = surface
            # A surname and a given name together are one person's full name.
            if f.pos4 == "姓" and i < len(words) and not words[i][1]:
                nxt = words[i][2]
                if nxt.pos2 == "固有名詞" and nxt.pos3 == "人名" and nxt.pos4 == "名":
                    name += words[i][0]
                    at += len(words[i][0])
                    i += 1
            found.append((name, "person", start))
        else:
            suffix, taken = _suffix(words, i)
            kind = "place" if f.pos3 == "地名" and not taken else "org"  # 日本 + 銀行
            found.append((surface + suffix, kind, start))
            at += len(suffix)
            i += taken
    return _full_names(found)


def _suffix(words: list[tuple[str, str, Any]], i: int) -> tuple[str, int]:
    """The organisation's word that follows a name at `i` ("自動" + "車"), and how many
    morphemes it is; ("", 0) where none does."""
    for n in (1, 2):
        part = words[i : i + n]
        if len(part) == n and not any(space for _, space, _ in part):
            text = "".join(w for w, _, _ in part)
            if text in _ORG_SUFFIX:
                return text, n
    return "", 0


def _full_names(found: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """A surname alone is the one person of that surname the article names in full."""
    full: dict[str, set[str]] = {}
    for name, kind, _ in found:
        if kind == "person" and len(name) > 2:
            for cut in range(1, len(name) - 1):
                full.setdefault(name[:cut], set()).add(name)
    out = []
    for name, kind, start in found:
        whole = full.get(name) if kind == "person" else None
        out.append((next(iter(whole)) if whole and len(whole) == 1 else name, kind, start))
    return out
