"""Hashtags: the 3-8 names and topics an editor would tag an article with.

Candidates are the article's merged entities (enrich.entities) and its proper-noun phrases that
name a thing ("Alaska summit", "Security Council"): runs of proper nouns that end in a common
noun, found from part-of-speech tags. A candidate scores by how often and how early it is
mentioned, with a bonus when the headline names it; places and generic words score lower
because they tag everything. Tags are canonical: one slug per concept (the entity merging makes
"Putin" and "President Putin" "Vladimir Putin"), and the store folds a bare surname seen in one
article into the full name seen in another (store.tags).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsweave.enrich.entities import Entities, clean_name

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["Hashtag", "display", "slugify", "suggest"]

MIN_TAGS = 3
MAX_TAGS = 8
_WEIGHT = {"person": 1.3, "org": 1.2, "event": 1.4, "topic": 1.0, "place": 0.8, "subject": 0.9}
MAX_SUBJECTS = 3  # common-noun subjects ("Death penalty") never crowd out the names
# A phrase whose head is one of these names an event; other phrases are topics.
_EVENT_HEADS = frozenset(
    [
        "summit",
        "talks",
        "election",
        "elections",
        "referendum",
        "war",
        "conflict",
        "crisis",
        "attack",
        "attacks",
        "strike",
        "strikes",
        "ceasefire",
        "truce",
        "deal",
        "agreement",
        "treaty",
        "negotiations",
        "meeting",
        "conference",
        "protest",
        "protests",
        "games",
        "cup",
        "championship",
        "olympics",
        "earthquake",
        "flood",
        "floods",
        "hurricane",
        "storm",
        "wildfire",
        "wildfires",
        "trial",
        "scandal",
        "shooting",
        "invasion",
        "offensive",
        "coup",
        "visit",
        "sanctions",
    ]
)
# Heads too vague to make a tag on their own behalf ("Russian side", "EU countries").
_VAGUE_HEADS = frozenset(
    [
        "side",
        "sides",
        "people",
        "time",
        "times",
        "way",
        "thing",
        "things",
        "year",
        "years",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "part",
        "country",
        "countries",
        "region",
        "regions",
        "leader",
        "leaders",
        "state",
        "states",
        "official",
        "officials",
        "government",
        "governments",
        "interest",
        "interests",
        "point",
        "terms",
        "number",
        "lot",
    ]
)
_STOP_LABELS = frozenset(
    [
        "hashtags",
        "comments",
        "related",
        "articles",
        "advertisement",
        "subscribe",
        "newsletter",
        "share",
    ]
)


# Common nouns that every kind of article repeats: never a subject tag on their own.
_GENERIC_NOUNS = frozenset(
    """
    percent per cent year years month months week weeks day days time times today yesterday
    people person man men woman women child children family thing things way ways lot part
    number numbers group groups company companies firm firms business government official
    officials statement statements report reports news story stories article articles source
    sources spokesman spokeswoman spokesperson comment comments interview question questions
    issue issues case cases point points fact facts end side sides place places area areas home
    world country countries state states city cities region nation nations member members leader
    leaders president minister director chief head manager staff worker workers employee
    employees customer customers user users team teams player players information data result
    results decision plan plans move moves deal change changes level levels rate rates amount
    money price prices cost costs market markets share shares stock stocks sale sales period
    quarter season game games match show video photo photos picture pictures image images click
    site website page email phone call calls life lives death deaths work job jobs process
    system program programme service services use support effort efforts action actions law laws
    rule rules order right rights power problem problems reason reasons kind sort type types fan
    fans event events matter percentage total average record records history future past
    attention response evidence claim claims allegation allegations analyst analysts expert
    experts
    """.split()  # noqa: SIM905 - a word list reads better as words
)


@dataclass(frozen=True, slots=True)
class Hashtag:
    slug: str  # "alaska-summit": the canonical key and the URL
    label: str  # "Alaska summit"
    display: str  # "#AlaskaSummit"
    kind: str  # person, org, place, event, topic
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "tag": self.display,
            "label": self.label,
            "slug": self.slug,
            "kind": self.kind,
            "score": round(self.score, 3),
        }


def slugify(label: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug or re.sub(r"\W+", "-", label.lower()).strip("-")


def display(label: str) -> str:
    """'Alaska summit' -> '#AlaskaSummit'; acronyms keep their case ('#UNSecurityCouncil')."""
    parts = re.findall(r"\w+", label)
    return "#" + "".join(p if p.isupper() else p[:1].upper() + p[1:] for p in parts)


_PROPER = frozenset({"NNP", "NNPS"})
_COMMON = frozenset({"NN", "NNS"})


def _tags(doc: Doc) -> tuple[list[str], list[bool], list[int], list[int]]:
    """Per token: the fine-grained Penn tag, whether it is alphabetic, its lower-case form's
    string id and its character offset, read as one array.

    The pipeline has no attribute ruler to map tags to coarse parts of speech (it cost ~15 ms
    an article), and walking Token objects cost another ~15 ms, against ~1 ms here.
    """
    strings = doc.vocab.strings
    rows = doc.to_array(["TAG", "IS_ALPHA", "LOWER", "IDX"]).tolist()
    return (
        [strings[int(r[0])] for r in rows],
        [bool(r[1]) for r in rows],
        [int(r[2]) for r in rows],
        [int(r[3]) for r in rows],
    )


def _phrases(doc: Doc, tags: list[str], alpha: list[bool]) -> list[tuple[str, int]]:
    """Proper-noun phrases ending in a common noun: (text, offset)."""
    out: list[tuple[str, int]] = []
    n = len(tags)
    i = 0
    while i < n:
        if tags[i] not in _PROPER:
            i += 1
            continue
        j = i
        while j < n and tags[j] in _PROPER:
            j += 1
        k = j
        while k < n and tags[k] in _COMMON and alpha[k]:
            k += 1
        if k > j and k - i <= 5:
            span = doc[i:k]
            if doc[k - 1].lower_ not in _VAGUE_HEADS:
                out.append((span.text, span.start_char))
        i = max(k, i + 1)
    return out


def _singular(word: str, plural: bool = True) -> str:
    """'cancers' -> 'cancer', 'policies' -> 'policy'; a word tagged singular is left alone."""
    if not plural or len(word) < 4 or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


def _subjects(
    doc: Doc, tags: list[str], alpha: list[bool], lower: list[int], idx: list[int]
) -> dict[str, tuple[int, int]]:
    """Common-noun subjects ("death penalty", "radiation therapy", "lace"): key -> (count, first).

    Runs of up to three common nouns count as the whole run and as their head noun, plural
    heads folded into the singular, so "cancers", "cancer" and "second cancer" all count for
    "cancer". Generic nouns ("year", "company") are never a subject's head.
    """
    strings = doc.vocab.strings
    found: dict[str, list[int]] = {}
    n, i = len(tags), 0
    while i < n:
        if tags[i] not in _COMMON or not alpha[i]:
            i += 1
            continue
        j = i
        while j < n and tags[j] in _COMMON and alpha[j]:
            j += 1
        first = max(i, j - 3)
        words = [strings[lower[k]] for k in range(first, j)]
        words[-1] = _singular(words[-1], tags[j - 1] == "NNS")
        if words[-1] not in _GENERIC_NOUNS and len(words[-1]) > 2:
            # The compound before its head, in this order every run: on a tie the compound
            # ranks first and the bare head, a subset of it, is dropped.
            for key in dict.fromkeys((" ".join(words), words[-1])):
                entry = found.setdefault(key, [0, idx[first]])
                entry[0] += 1
        i = j
    return {k: (c, f) for k, (c, f) in found.items()}


def _usable(label: str) -> bool:
    if not 2 <= len(label) <= 50 or label.lower() in _STOP_LABELS:
        return False
    if not any(c.isalpha() for c in label) or label.isdigit():
        return False
    return not label.islower()


def suggest(title: str, doc: Doc, entities: Entities) -> list[Hashtag]:
    """3-8 hashtags, best first; fewer when the article names fewer things (never filler)."""
    # Not len(doc.text): that rebuilds the text from a Token object per token (~11 ms).
    length = max(doc[-1].idx + len(doc[-1]) if len(doc) else 0, 1)
    title_l = title.lower()
    scores: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    labels: dict[str, str] = {}

    def add(label: str, kind: str, count: int, first: int) -> None:
        if not _usable(label):
            return
        slug = slugify(label)
        if not slug:
            return
        early = 1.0 - min(first / length, 1.0)  # 1 at the top, 0 at the end
        in_title = label.lower() in title_l or label.split()[-1].lower() in title_l.split()
        score = (count**0.7) * _WEIGHT.get(kind, 1.0) * (1 + 0.5 * early) * (2 if in_title else 1)
        if score > scores[slug]:
            scores[slug] = score
            kinds[slug] = kind
            labels[slug] = label

    for e in entities.items:
        add(e.text, e.type, e.count, e.first)
    phrase_counts: Counter[str] = Counter()
    phrase_first: dict[str, int] = {}
    tags, alpha, lower, idx = _tags(doc)
    for text, pos in _phrases(doc, tags, alpha):
        label = entities.resolve(clean_name(text))
        label = label[:1].upper() + label[1:]
        phrase_counts[label] += 1
        phrase_first.setdefault(label, pos)
    for label, n in phrase_counts.items():
        if n < 2 and label.lower() not in title_l:
            continue  # a phrase mentioned once is rarely what the article is about
        head = label.split()[-1].lower()
        add(label, "event" if head in _EVENT_HEADS else "topic", n, phrase_first[label])
    title_words = {_singular(w) for w in re.findall(r"[a-z]+", title_l)}
    # Words of the named phrases ("Alaska talks"): a bare "talks" beside them says nothing more.
    phrase_words = {
        _singular(w)
        for slug, kind in kinds.items()
        if kind in ("event", "topic")
        for w in labels[slug].lower().split()
    }
    subjects = sorted(_subjects(doc, tags, alpha, lower, idx).items(), key=lambda kv: -kv[1][0])
    for key, (n, first) in subjects[: MAX_SUBJECTS * 3]:
        # A compound the headline names or the article keeps coming back to; a single noun
        # only when the headline names it too ("Cancer" yes, "Risk" of a risk story, alas).
        named = all(w in title_words for w in key.split())
        if " " not in key and key in phrase_words:
            continue
        if (" " in key and n >= 2 and (named or n >= 3)) or (named and n >= 3):
            # Damped: a noun repeated forty times is the subject, not five times a name.
            add(key[:1].upper() + key[1:], "subject", min(n, 6), first)

    ranked = sorted(scores, key=lambda s: -scores[s])
    chosen: list[str] = []
    for slug in ranked:
        words = set(labels[slug].lower().split())
        # "Alaska" adds nothing beside "Alaska summit" unless it is far more prominent.
        if any(
            words < set(labels[c].lower().split()) and scores[slug] < 2 * scores[c] for c in chosen
        ):
            continue
        if kinds[slug] == "subject" and sum(kinds[c] == "subject" for c in chosen) >= MAX_SUBJECTS:
            continue
        chosen.append(slug)
        if len(chosen) == MAX_TAGS:
            break
    if len(chosen) > MIN_TAGS:
        # Past the first three, keep only tags with a real share of the leader's weight.
        names = [scores[c] for c in chosen if kinds[c] != "subject"]
        top = max(names) if names else scores[chosen[0]]
        chosen = chosen[:MIN_TAGS] + [s for s in chosen[MIN_TAGS:] if scores[s] >= 0.25 * top]
    return [
        Hashtag(
            s,
            labels[s],
            display(labels[s]),
            "topic" if kinds[s] == "subject" else kinds[s],
            scores[s] / scores[chosen[0]],
        )
        for s in chosen
    ]
