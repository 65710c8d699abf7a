"""Chinese names: people, places and organisations, from jieba's part-of-speech tags.

No NER for Chinese ships its weights on PyPI (`zh-core-web-sm` there is a stub against
dependency confusion; HanLP, LTP and stanza download theirs at run time). jieba's wheel ships
its dictionary and the HMM it tags unknown words with, and its tags name proper nouns: nr
(a person), ns (a place), nt (an organisation). It is a segmenter, not an NER: it splits some
transliterated foreign names ("布林肯" is tagged 布 + 林肯, Lincoln), so adjacent person parts
are joined, and a one-character name alone is dropped. ~5 ms for 1,000 characters here; the
dictionary costs ~0.5 s once a process, on its first Chinese article, and a worker then holds
~140-150 MB more (session 37, enrich.LANGUAGE_MB).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from typing import Any

__all__ = ["available", "mentions"]

_KINDS = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nt": "org"}
_MAX_CHARS = 100_000  # as nlp.MAX_CHARS


def available() -> bool:
    return importlib.util.find_spec("jieba") is not None


@cache
def _tokenizer() -> Any:
    import logging
    import warnings

    with warnings.catch_warnings():
        # jieba 0.42.1 (the newest) imports setuptools' deprecated pkg_resources at import.
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # it logs the dictionary's loading at INFO
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())


# A name followed by one of these is an organisation's: "阿里巴巴" (tagged a transliterated
# person's name) + "集团" is the Alibaba Group.
_ORG_SUFFIX = frozenset(
    "集团 公司 集团公司 银行 大学 学院 协会 委员会 基金会 研究所 研究院 医院 法院 政府 党".split()  # noqa: SIM905 - a word list reads better as words
)


# What jieba tags a place or a body and news does not mean as one: a pair of countries'
# one-character names ("中美" relations, "中俄" talks), "two / all / our / foreign countries",
# and "X relations" ("中美关系", tagged an organisation).
_ABBREVIATED = frozenset("中美俄日韩英法德欧印朝台港澳越菲澳加意")
_GENERIC_COUNTRY = frozenset("两各全本我外该他贵多诸邻")


def _not_a_name(word: str) -> bool:
    return word.endswith("关系") or (
        len(word) == 2
        and (
            all(c in _ABBREVIATED for c in word)
            or (word[1] == "国" and word[0] in _GENERIC_COUNTRY)
        )
    )


def mentions(text: str) -> list[tuple[str, str, int]]:
    """(name, kind, character offset) of each person, place and organisation jieba tags in
    `text`, in order."""
    out: list[tuple[str, str, int]] = []
    at = 0
    run: list[str] = []  # the parts of a person's name, as jieba split it, ending at `at`
    run_start = 0
    pairs = [(p.word, p.flag) for p in _tokenizer().cut(text[:_MAX_CHARS])]
    for i, (word, flag) in enumerate(pairs):
        kind = _KINDS.get(flag)
        if kind is not None and i + 1 < len(pairs) and pairs[i + 1][0] in _ORG_SUFFIX:
            kind, word = "org", word + pairs[i + 1][0]
            pairs[i + 1] = ("", "x")  # taken
        if kind == "person" and run:
            run.append(word)
        else:
            _close(run, run_start, out)
            run = [word] if kind == "person" else []
            run_start = at
            if kind is not None and kind != "person" and len(word) >= 2 and not _not_a_name(word):
                out.append((word, kind, at))
        at += len(word)
    _close(run, run_start, out)
    return out  # in order: a run is closed before what follows it is added


def _close(run: list[str], start: int, out: list[tuple[str, str, int]]) -> None:
    name = "".join(run)
    if len(name) >= 2:
        out.append((name, "person", start))
