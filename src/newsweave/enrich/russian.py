"""Russian entities: slovnet's news NER, with each name put back in the nominative.

No spaCy pipeline for Russian ships its weights on PyPI (the `ru-core-news-sm` there is a stub
against dependency confusion). Natasha's wheel does ship them: slovnet's NER trained on Russian
news (PER, LOC, ORG; its authors evaluate it in slovnet's README, not measured here)
over navec's quantised word embeddings, 31 MB in all. It runs on numpy alone: ~14 ms for 300
words here, ~0.9 s to load (with pymorphy3's dictionary), once a process, on its first
Russian article; a worker then holds ~110-130 MB more (session 37, enrich.LANGUAGE_MB).

The model marks mentions as written, and Russian inflects names: "Путину", "Эльвирой
Набиуллиной", "в Москве", "Центрального банка". A tag or an entity list wants "Путин",
"Эльвира Набиуллина", "Москва", "Центральный банк", so each mention is put in the nominative
with pymorphy3's dictionary (natasha's own normaliser builds pymorphy2's analyser, which fails
to start on Python 3.11: inspect.getargspec is gone): a person's every word in the person's
gender, and a place's or organisation's words up to its first noun ("Банк России" keeps its
genitive complement).
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["available", "mentions", "nominative"]

_KINDS = {"PER": "person", "LOC": "place", "ORG": "org"}
_MAX_CHARS = 100_000  # as nlp.MAX_CHARS: a dump's first 100,000 characters are read
_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


def _data() -> Path | None:
    """natasha's data folder, found without importing natasha (its package imports more than
    the two files read here)."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data"
    return path if path.is_dir() else None


@cache
def _ner() -> Callable[[str], Any] | None:
    data = _data()
    if data is None:
        return None
    try:
        from navec import Navec
        from slovnet import NER
    except ImportError:
        return None
    navec = Navec.load(str(data / "emb" / "navec_news_v1_1B_250K_300d_100q.tar"))
    ner = NER.load(str(data / "model" / "slovnet_ner_news_v1.tar"))
    ner.navec(navec)
    return ner  # type: ignore[no-any-return]


@cache
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def available() -> bool:
    """Whether the model is installed (it is a dependency; a trimmed install may lack it)."""
    return _ner() is not None


def mentions(text: str) -> list[tuple[str, str, int]]:
    """(name in the nominative, kind, character offset) of each person, place and organisation
    named in `text`, in order."""
    ner = _ner()
    if ner is None:
        raise LookupError("no Russian entity model installed (natasha, slovnet, navec)")
    text = text[:_MAX_CHARS]
    spans = [
        (text[s.start : s.stop], _KINDS[s.type], s.start)
        for s in ner(text).spans
        if s.type in _KINDS
    ]
    # A surname alone ("Путина") reads as a man's in the genitive or a woman's in the
    # nominative: the article's full mentions of the person ("Владимир Путин") say which.
    genders: dict[str, str] = {}
    for name, kind, _ in spans:
        if kind == "person" and " " in name:
            gender = _gender(_readings(name.split()))
            if gender:
                genders.setdefault(_surname_key(name.split()[-1]), gender)
    return [
        (nominative(name, kind, genders.get(_surname_key(name.split()[-1]))), kind, start)
        for name, kind, start in spans
    ]


def nominative(name: str, kind: str, gender: str | None = None) -> str:
    """`name` as a list or a headline writes it: "Эльвирой Набиуллиной" -> "Эльвира Набиуллина",
    "Центрального банка" -> "Центральный банк"; "Банк России" stays. `gender` is the person's,
    where the article says it elsewhere."""
    words = list(_WORD.finditer(name))
    if not words:
        return name
    options = _readings([m.group(0) for m in words])
    if kind == "person":
        gender = _gender(options) or gender
        options = [_person(o, gender) for o in options]
        scope = len(options)
    else:
        nouns = [i for i, o in enumerate(options) if o and o[0].tag.POS == "NOUN"]
        scope = nouns[0] + 1 if nouns else len(options)
        # A place or body in the plural is rarer than one in an oblique case: "Министерства"
        # is the ministry's genitive before it is ministries.
        options = [sorted(o, key=lambda p: p.tag.number == "plur") for o in options]
    case = _case(options[:scope], prefer_nominative=kind == "person")
    chosen = [next((p for p in o if p.tag.case == case), None) for o in options[:scope]]
    head = next((p for p in reversed(chosen) if p is not None and p.tag.POS == "NOUN"), None)
    out, last = [], 0
    for m, parse in zip(words, chosen, strict=False):
        out.append(name[last : m.start()])
        last = m.end()
        wanted = {"nomn"}
        if kind == "person" and gender and parse is not None and parse.tag.gender:
            wanted.add(gender)
        elif head is not None and parse is not None and parse.tag.POS != "NOUN":
            wanted.add(head.tag.number or "sing")  # an adjective agrees with its noun
            if head.tag.number != "plur" and head.tag.gender in ("masc", "femn", "neut"):
                wanted.add(head.tag.gender)
        form = parse.inflect(wanted) if parse is not None else None
        if form is not None:
            out.append(_cased(form.word, m.group(0)))
        elif kind == "person":
            out.append(_surname(m.group(0), gender))
        else:
            out.append(m.group(0))
    out.append(name[last:])
    return "".join(out).strip()


# The endings of Russian surnames the dictionary does not know ("Силуановым", "Песковым"):
# -ов/-ев/-ин/-ын declined as a man's or a woman's, and -ский/-цкий, whose endings say which.
_MASC = re.compile(r"(?<=[оеё]в|[иы]н)(?:а|у|ым|е)$")
_FEMN = re.compile(r"(?<=[оеё]в|[иы]н)(?:ой|у)$")
_SKY_MASC = re.compile(r"(?<=[сц]к)(?:ого|ому|им|ом)$")
_SKY_FEMN = re.compile(r"(?<=[сц]к)(?:ой|ую)$")
_ENDING = re.compile(r"(?:ого|ому|ым|ой|ую|ая|ий|ый|им|ом|а|у|е)$")


def _surname(word: str, gender: str | None) -> str:
    """A surname the dictionary does not know, in the nominative by its ending; as written
    where the ending does not say ("Силуанова" is a woman, or a man in the genitive)."""
    if _SKY_MASC.search(word):
        return _SKY_MASC.sub("ий", word)
    if _SKY_FEMN.search(word):
        return _SKY_FEMN.sub("ая", word)
    if gender == "masc":
        return _MASC.sub("", word)
    if gender == "femn":
        return _FEMN.sub("а", word)
    return word


def _surname_key(word: str) -> str:
    """A surname's forms share this ("Путин", "Путина", "Путину"; "Набиуллиной")."""
    return _ENDING.sub("", word.lower())


_POS = frozenset({"NOUN", "ADJF", "PRTF"})
_PROPER = frozenset({"Name", "Surn", "Patr"})


def _readings(words: list[str]) -> list[list[Any]]:
    """pymorphy3's readings of each word that a name could use, most likely first."""
    return [list(_word_readings(w.lower())) for w in words]


@lru_cache(maxsize=20_000)
def _word_readings(word: str) -> tuple[Any, ...]:
    """A word's readings, parsed once: a name recurs through an article (and its full form is
    read twice, for the person's gender and for the nominative)."""
    return tuple(p for p in _morph().parse(word) if p.tag.POS in _POS)


def _gender(options: list[list[Any]]) -> str | None:
    """A person's gender as their first name tells it."""
    for readings in options:
        for p in readings:
            if "Name" in p.tag.grammemes and p.tag.gender in ("masc", "femn"):
                return str(p.tag.gender)
    return None


def _person(readings: list[Any], gender: str | None) -> list[Any]:
    """A person's word's readings as a first name, patronymic or surname the dictionary knows,
    singular, in their gender; none for a word it knows only as something else ("Силуанов"
    as an adjective)."""
    proper = [p for p in readings if p.tag.grammemes & _PROPER and p.tag.number != "plur"]
    if gender:
        proper = [p for p in proper if p.tag.gender is None or p.tag.gender == gender] or proper
    return proper


def _case(options: list[list[Any]], *, prefer_nominative: bool) -> str | None:
    """The one grammatical case the words of a name share: the one most of them can be in;
    where cases tie, the nominative if `prefer_nominative` (a surname alone), else the most
    likely reading's."""
    counts: dict[str, int] = {}
    for readings in options:
        for case in {p.tag.case for p in readings if p.tag.case}:
            counts[case] = counts.get(case, 0) + 1
    if not counts:
        return None
    best = max(counts.values())
    if prefer_nominative and counts.get("nomn") == best:
        return "nomn"
    first = [p.tag.case for o in options for p in o if counts.get(p.tag.case) == best]
    return first[0] if first else None


def _cased(form: str, written: str) -> str:
    """`form` (lower case) in the case pattern of `written`: "санкт-петербург" for
    "Санкт-Петербурге" is "Санкт-Петербург"; "ООН" stays upper case."""
    if written.isupper() and len(written) > 1:
        return form.upper()
    parts, shape = form.split("-"), written.split("-")
    if len(parts) != len(shape):
        return form[:1].upper() + form[1:] if written[:1].isupper() else form
    return "-".join(
        p[:1].upper() + p[1:] if s[:1].isupper() else p for p, s in zip(parts, shape, strict=True)
    )
