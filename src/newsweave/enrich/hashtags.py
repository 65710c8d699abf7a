"""Hashtags: the names and topics (up to ten) a reader would tag an article with.

Candidates are the article's merged entities (enrich.entities) and its noun phrases, found from
part-of-speech tags: "Alaska summit", "oil spill", "death penalty". A candidate scores by how
often and how early it is mentioned, how rare its words are in English (wordfreq, rarity.py:
"tornado" says more than "fire") and how many words it has; generic nouns ("year", "people")
and vague heads ("Russian side") never make a tag. Tags are canonical: one slug per concept
(the entity merging makes "Putin" and "President Putin" "Vladimir Putin"), and the store folds a
bare surname seen in one article into the full name seen in another (store.tags).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from itertools import dropwhile, takewhile
from typing import TYPE_CHECKING

import numpy as np

from newsweave.enrich import embed
from newsweave.enrich.entities import (
    TITLE_ABBREVIATIONS,
    TITLES,
    Entities,
    canonical,
    without_middle_initial,
)
from newsweave.enrich.given_names import is_first_name
from newsweave.enrich.language import base as base_language
from newsweave.enrich.language import function_words
from newsweave.enrich.places import place_names
from newsweave.enrich.plurals import singular
from newsweave.enrich.rarity import rarity, zipf
from newsweave.enrich.verbs import verb_forms
from newsweave.words import APOSTROPHE, STYLES, family_name, slugify

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from spacy.tokens import Doc

__all__ = [
    "MAX_TAGS",
    "Hashtag",
    "display",
    "from_entities",
    "from_names",
    "marked",
    "slugify",
    "suggest",
    "typed",
]

MAX_TAGS = 10
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
# A common noun alone is a tag only where it is this rare (rarity.py: 7 less its Zipf
# frequency): "inflation" 2.9, "immigration" 2.5 and "earthquake" 3.4 are subjects; "person" 1.5,
# "water" 1.5, "industry" 1.8, "figure" 1.9 are words every article has. DUC-2001-dev F1@5 /
# F1@10 22.75 / 22.90 -> 23.40 / 23.73 (by halves F1@5 0.209 / 0.247 -> 0.224 / 0.244, F1@10
# 0.223 / 0.235 -> 0.240 / 0.235); 3.0 gave 24.1 / 24.1 but would lose
# "inflation", "abortion", "unemployment", which readers follow. Events ("election", "war")
# are exempt: _EVENT_HEADS.
_SINGLE_RARITY = 2.5
# A word this frequent in English (wordfreq's Zipf scale) is a common word whose capital, where
# only an opening sentence gives it one, says nothing: "Figures", "Applications", "Actress"
# (zipf 4.5-4.7) were allsides-dev tags from a lead's first word; "Axios" (2.0), "BioNTech"
# and other names the model did not find are rarer.
_COMMON_WORD = 3.0
# A phrase ending in a title names a role, not a subject: "US president" was a tag of the seed
# page's Lukyanov article beside Donald Trump, and "Energy Secretary", "Assistant Speaker" and
# "Democratic Caucus Chairman" of allsides-dev's (an award's "Best Director" stays). Not
# "chief" ("police chief" is one of DUC-2001's keyphrases), "justice" ("criminal justice"),
# "general" ("attorney general" stays one name of an office readers search for).
_ROLE_HEADS = TITLES - {"chief", "justice", "general", "leader", "lord", "lady", "sir", "dame"}
# Nor a description that stands for a person: "the GOP nominee", "the billionaire
# businessman", "the real estate mogul", "his campaign manager" (PolNeAR's texts: tags of 10,
# 9, 7 and 13 of them, about a person each already tags by name).
_PERSON_HEADS = frozenset(
    """
    nominee candidate businessman businesswoman billionaire mogul manager founder opponent
    rival frontrunner front-runner challenger aide adviser advisor executive
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_DESCRIBING_HEADS = _ROLE_HEADS | _PERSON_HEADS
# Nor, in the singular, what the article calls one of its people: "Manchester United
# midfielder", "Spurs boss", "Nevada woman", "teenage girl", "bus driver" (goyal-dm tags; the
# person has a tag by name). In the plural a group can be the subject: "Uber drivers",
# "pregnant women", "Liverpool fans". Not "officer" or "victim": DUC-2001's keys hold
# "police officer" and "crash victims".
_ONE_PERSON_HEADS = frozenset(
    """
    striker midfielder winger defender goalkeeper keeper player captain coach boss star
    presenter host commentator anchor pilot driver worker assistant conductor councillor
    spokesman spokeswoman spokesperson man woman girl boy mother father daughter son wife
    husband sister brother caretaker student teenager expert owner fan
    """.split()  # noqa: SIM905 - a word list reads better as words
)
# A title and a name the model did not read as a person: "Speaker Pelosi" was a topic of two
# allsides-dev articles. Not a style ("Pope Francis" is how readers know him; words.STYLES).
_TITLED = _ROLE_HEADS - STYLES
# A phrase in capitals that no acronym is: a word of six letters or more, or several words one
# of which has four or more ("CAR BOMB ATTACK"; not "NAFTA", "BIG LIE").
_SHOUTED = re.compile(r"[A-Z’'-]{6,}|(?=.*[A-Z]{4})[A-Z’'-]{2,}(?:[ -][A-Z’'-]{2,})+")
# Words before a name: a phrase that ends in one and a first name is that name cut short.
_CUT_AFTER = TITLES | {
    "director", "speaker", "chair", "chairman", "chairwoman", "administrator", "commissioner",
    "attorney", "adviser", "advisor", "spokesperson", "ceo", "founder", "actress", "actor",
}  # fmt: skip
# How news reaches the news, never its subject: "the UN's press service reported".
_NEWSROOM_WORDS = frozenset(
    tuple(p.split())
    for p in (
        "press service", "press office", "press officer", "press release", "press conference",
        "news conference", "news agency", "news release", "press briefing", "news briefing",
        "fact sheet", "status update", "pool report", "news report", "press report",
        "witness report",
    )
)  # fmt: skip
# What a body publishes, after the body's name: "Labor Department data", "Bloomberg survey",
# "Quinnipiac University poll", "Breitbart News report" (allsides-dev and PolNeAR tags) are the
# body's word on a subject, neither the subject nor the body, whose own tag it is.
_DOCUMENT_HEADS = frozenset({"data", "survey", "report", "statement", "poll", "figures"})
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
    voters voter delegates delegate supporters supporter researchers researcher donors donor
    economists economist protesters protester lawmakers lawmaker reporters reporter journalists
    journalist aides aide scientists scientist advisers adviser advisors advisor allies ally
    residents resident rivals rival critics critic prosecutors prosecutor candidates candidate
    teens teenagers passengers passenger anyone everyone someone nobody anybody everybody
    somebody
    attention response evidence claim claims allegation allegations analyst analysts expert
    experts monday tuesday wednesday thursday friday saturday sunday january february march
    april june july august september october november december
    """.split()  # noqa: SIM905 - a word list reads better as words
)

# Adjectives that say which one, how big or how good, never what about: a phrase that opens
# with one ("young girls", "other passengers", "own daughter", "fellow protesters", "wrong
# man", "successful start") names no subject, and its tail ("girls") stands for itself.
# Written lower case only: "Great Depression", "Real Madrid" and "New Deal" are names. 159
# tags of 940 public texts (allsides-dev, goyal-dm) went, 154 came ("Clothing label",
# "Racial stereotype", "Kansas law"). DUC-2001-dev F1@5 / F1@10 26.22 / 28.30 -> 26.06 /
# 28.19: "new loans" is one text's key ("new" alone costs it; the other words cost nothing).
_EMPTY_ADJECTIVES = frozenset(
    """
    new old young older little big bigger biggest large larger largest huge great good better
    best bad worse worst top main other own fellow former same such certain various several
    many few more most only sole whole entire unique real right wrong complete absolute simple
    successful potential latest last nearby serious different exact similar particular specific
    """.split()  # noqa: SIM905 - a word list reads better as words
)


@dataclass(frozen=True, slots=True)
class Hashtag:
    slug: str  # "alaska-summit": the canonical key and the URL
    label: str  # "Alaska summit"
    display: str  # "#AlaskaSummit"
    kind: str  # person, org, place, event, topic
    score: float
    # The acronym the article spells this name out with ("RSF" of "Rapid Support Forces"),
    # which the site then sends to this tag (store.tags); "" for none.
    short: str = ""
    # The article shows the kind itself (Entities.sure: "Pfizer Inc", "Twitter CEO"), which
    # outweighs the articles whose kind is only the model's reading (store.tagforms).
    sure: bool = False

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "tag": self.display,
            "label": self.label,
            "slug": self.slug,
            "kind": self.kind,
            "score": round(self.score, 3),
        }
        if self.short:
            out["short"] = self.short
        if self.sure:
            out["sure"] = True
        return out


def display(label: str) -> str:
    """'Alaska summit' -> '#AlaskaSummit'; acronyms keep their case ('#UNSecurityCouncil'); an
    apostrophe joins ("Mother's Day" -> '#MothersDay', not '#MotherSDay')."""
    parts = re.findall(r"\w+", APOSTROPHE.sub("", label))
    return "#" + "".join(p if p.isupper() else p[:1].upper() + p[1:] for p in parts)


_PROPER = frozenset({"NNP", "NNPS"})
_COMMON = frozenset({"NN", "NNS"})


def _tags(doc: Doc) -> tuple[list[str], list[bool], list[int], list[int], list[int], list[bool]]:
    """Per token: the fine-grained Penn tag, whether it is alphabetic, its lower-case form's
    string id, its character offset, its place in a named entity (IOB: 3 begins one, 1 is
    inside one, 2 and 0 outside) and whether it opens a sentence, read as one array.

    The pipeline has no attribute ruler to map tags to coarse parts of speech (it cost ~15 ms
    an article), and walking Token objects cost another ~15 ms, against ~1 ms here.
    """
    strings = doc.vocab.strings
    rows = doc.to_array(["TAG", "IS_ALPHA", "LOWER", "IDX", "ENT_IOB", "SENT_START"]).tolist()
    return (
        [strings[int(r[0])] for r in rows],
        [bool(r[1]) for r in rows],
        [int(r[2]) for r in rows],
        [int(r[3]) for r in rows],
        [int(r[4]) for r in rows],
        [r[5] == 1 for r in rows],
    )


# Adjectives before a noun; not participles, which made "alleged Kharkov region provocation"
# and "stalled transition" (and cost 0.3 F1@5 on DUC-2001-dev when kept).
_ADJ = frozenset({"JJ", "JJR", "JJS"})
_NOUNS = _PROPER | _COMMON


# Words of time end a noun phrase, never make part of one: the tagger reads "the effort Tuesday"
# and "President George Bush yesterday" as one run of nouns. So do the pronouns the tagger
# reads as nouns: "Something" and "Influence everything" (of "you may not realize influence
# everything from your cell phone") were allsides-dev tags.
_PRONOUNS = frozenset(
    """
    everything something anything nothing everyone someone anyone everybody somebody anybody
    nobody
    """.split()  # noqa: SIM905 - a list to read
)
_SPANS = frozenset(
    """
    moment moments second seconds minute minutes hour hours day days week weeks month months
    year years decade decades
    """.split()  # noqa: SIM905 - a list to read
)
_TIME_WORDS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday yesterday today tonight tomorrow
    morning afternoon evening night january february april june july august september october
    november december
    """.split()  # noqa: SIM905 - not "march" or "may", which are other words too
)


@dataclass(slots=True)
class _Phrase:
    label: str  # as the article first writes it
    count: int
    first: int
    adj: bool  # starts with an adjective
    # The slug, from the words with the head in the singular where the tagger read it as a
    # common plural ("Polls" -> "poll"), so that one subject is one tag in either number.
    slug: str
    # Whether every time the article writes it with a capital, the capital is its place's: it
    # opens a sentence or a quotation ("Figures released Thursday by the Labor Department").
    incidental: bool = True


@cache
def _verb_ids() -> frozenset[int]:
    """The string ids (spaCy's hashes, the same in every vocabulary) of verbs.verb_forms.
    Imported here, from the parse's own spaCy: spaCy imported first elsewhere takes torch
    with it (enrich/nlp.py)."""
    from spacy.strings import get_string_id

    return frozenset(get_string_id(w) for w in verb_forms())


def _noun_phrases(
    doc: Doc,
    text: str,
    tags: list[str],
    alpha: list[bool],
    lower: list[int],
    idx: list[int],
    iob: list[int],
    opens: list[bool],
) -> dict[tuple[str, ...], _Phrase]:
    """Noun phrases (adjectives, then nouns) and each of their tails of up to four words, keyed
    by their lower-cased words with the head in the singular: "crude oil", "oil spill",
    "Alaska talks", "major environmental catastrophe", "catastrophe". A tail counts each time
    the longer phrase does, so "cancers", "cancer" and "second cancer" all count for "cancer".
    A phrase wholly inside a named entity ("Food" of "Food and Drug Administration"), or one
    that starts in the middle of one ("Disease Control panel"), is a piece of the entity.
    """
    strings = doc.vocab.strings
    # never part of a phrase; nor "thanks", which news writes as "thanks to" or a verb
    # ("Darren Soto thanks to ...", "Stacey thanks her fans": 7 tags of 1,883 public texts)
    stops = {strings[w] for w in _TIME_WORDS | _PRONOUNS | {"thanks"}}
    verbs = _verb_ids()
    since = {strings[w] for w in ("ago", "later", "earlier")}
    spans = {strings[w] for w in _SPANS}

    def glued(t: int) -> bool:
        """Whether token `t` follows the one before it with no space ("point" of "six-point")."""
        return t > 0 and idx[t] > 0 and not text[idx[t] - 1].isspace()

    found: dict[tuple[str, ...], _Phrase] = {}
    n, i = len(tags), 0
    while i < n:
        if not alpha[i] or (tags[i] not in _ADJ and tags[i] not in _NOUNS) or lower[i] in stops:
            i += 1
            continue
        if glued(i) and text[idx[i] - 1].isdigit():
            i += 1  # a unit: "m" of "60m vaccine doses" made "M doses" a tag
            continue
        j = i
        while j < n and alpha[j] and tags[j] in _ADJ:
            j += 1
        k = j
        while (
            k < n
            and alpha[k]
            and tags[k] in _NOUNS
            and lower[k] not in stops
            and not (tags[k] in _COMMON and lower[k] in verbs)
        ):
            if lower[k] in spans and k + 1 < n and lower[k + 1] in since:
                break  # "moments later", "years ago" measure time: "first lady moments later"
            k += 1
        if k > j and k + 1 < n and tags[k] == "HYPH" and glued(k) and glued(k + 1):
            i = k  # "cease" of "cease-fire": the compound is read from its last part
            continue
        if k > j:
            head = strings[lower[k - 1]]
            if tags[k - 1] in ("NNS", "NNPS"):  # a word tagged singular is left alone
                head = singular(head)
            if head in TITLE_ABBREVIATIONS or (k < n and iob[k] == 1):
                i = k  # "Coast Guard Lt", "Police Chief Kenneth" of "... Kenneth Jones"
                continue
            for a in range(max(i, k - 4), k):
                if iob[a] == 1 or all(v in (1, 3) for v in iob[a:k]):
                    continue
                start = a
                key = (*(strings[lower[t]] for t in range(a, k - 1)), head)
                if a > 1 and tags[a - 1] == "HYPH" and glued(a) and glued(a - 1):
                    # "point safety plan" of "six-point safety plan": the phrase is the whole
                    # compound's (+0.5 / +0.8 points of F1@5 / F1@10 on DUC-2001-dev against
                    # leaving such phrases out), not where it is a name's ("San Mateo-Santa")
                    # or longer than two parts ("old man" of "a two-year-old man")
                    if iob[a - 2] == 1 or (a > 2 and tags[a - 3] == "HYPH" and glued(a - 2)):
                        continue
                    start = a - 2
                    key = (strings[lower[a - 2]] + "-" + key[0], *key[1:])
                elif a and tags[a - 1] == "HYPH" and glued(a):
                    continue  # a compound's tail, its head not a word
                entry = found.get(key)
                if entry is None:
                    end = idx[k - 1] + len(strings[lower[k - 1]])
                    label = text[idx[start] : end]
                    slug = slugify(" ".join(key) if tags[k - 1] == "NNS" else label)
                    entry = found[key] = _Phrase(label, 0, idx[start], tags[a] in _ADJ, slug)
                entry.count += 1
                if text[idx[start]].isupper() and not (
                    opens[start] or (start and tags[start - 1] == "``")
                ):
                    entry.incidental = False
        i = max(k, i + 1)
    return found


# A US legislator's party and state, as news writes it after the name ("Bernie Sanders
# (I-Vt.)", "R-Texas", "D-MN"): 22 tags of 1,883 public texts were such labels.
_PARTY_STATE = re.compile(r"[DRI]-([A-Za-z.]{2,14})")
_US_STATES = frozenset(
    """
    al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj
    nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc ala ariz ark calif colo conn
    del fla ill ind kan kans md mass mich minn miss mont neb nev okla ore penn tenn wash wis
    wisc wyo alaska hawaii idaho iowa maine ohio texas utah
    """.split()  # noqa: SIM905 - postal codes and AP's abbreviations, lower case, no dots
)


def _usable(label: str) -> bool:
    if not 2 <= len(label) <= 50 or label.lower() in _STOP_LABELS:
        return False
    state = _PARTY_STATE.fullmatch(label)
    if state and state.group(1).replace(".", "").lower() in _US_STATES:
        return False
    if not any(c.isalpha() for c in label) or label.isdigit():
        return False
    return not label.islower()


def _rare(words: Sequence[str]) -> float:
    return sum(rarity(w) for w in words) / max(len(words), 1)


# The best candidates by the counts are scored again by meaning, half and half: EmbedRank's
# idea (Bennani-Smires et al. 2018: the phrases nearest the document's embedding), on top of
# the counts rather than in their place. The article's meaning is its MiniLM vector (headline
# and lead) plus the candidates' own vectors weighed by their counts, so that what the article
# goes on to (the seed page's Putin, in its fifth paragraph) is not judged by the lead alone.
# DUC-2001-dev F1@5 / F1@10, 23.67 / 24.17 without it (session 48): with the best 20, 25.90 /
# 28.61, and 25.78 / 28.28 with people compared among themselves (_by_meaning), which keeps a
# story's people (person tags a text, by the counts -> by meaning: 105 PolNeAR texts 2.84 ->
# 2.67, AllSides' 440 1.22 -> 1.23); 30, 25.52 / 28.84; 40, 25.56 / 29.02 (people not
# compared apart). The lead's vector alone, 26.53 / 28.93 at 30, but the lead decided alone
# (the seed page lost Putin for "Ukraine talks", a cut phrase); the candidates' alone 24.60 /
# 26.87; topics alone judged, names kept at their counts, 24.76 / 28.22; meaning weighed 0.3,
# 24.60 / 27.73 (the lead's vector, 30).
BY_MEANING = 20
_MEANING_WEIGHT = 0.5


def suggest(
    title: str,
    doc: Doc,
    entities: Entities,
    text: str | None = None,
    vector: NDArray[np.float32] | None = None,
) -> list[Hashtag]:
    """Up to 10 hashtags, best first; fewer when the article names fewer things (never filler).

    Candidates are the article's merged entities and its noun phrases; a candidate scores by
    how often it is mentioned (damped), how rare its words are, how early it first comes, how
    many words it has (a phrase says more than its head) and whether the headline names it.
    With the article's embedding (`vector`), the best BY_MEANING of them score again, half by
    that score and half by how close each is to the article's meaning (a candidate on the
    article's subject rises over one it only mentions often). `text` is the string `doc` was
    parsed from, when the caller has it.
    Tuned on ../shared/eval DUC-2001-dev, macro F1@5 / F1@10 against the readers' keyphrases:
    12.3 / 10.8 for the names-first tagger before this, YAKE 12.8 / 15.4, this 22.4 / 21.4
    (2 points of F1@10 are given up to keep one-off phrases such as "unwavering commitment" out).
    Session 39: no time word in a phrase ("effort Tuesday"), no phrase ending in a title's
    abbreviation or in the middle of a name ("Police Chief Kenneth"), hyphenated compounds
    whole ("Six-point safety plan", not "Point safety plan"): 21.9 / 21.1 -> 22.8 / 22.9; a
    common noun alone only where it is rare enough to be a subject (_SINGLE_RARITY): 23.4 / 23.7.
    """
    # Not len(doc.text): that rebuilds the text from a Token object per token (~11 ms).
    length = max(doc[-1].idx + len(doc[-1]) if len(doc) else 0, 1)
    title_l = title.lower()
    scores: dict[str, float] = {}
    kinds: dict[str, str] = {}
    labels: dict[str, str] = {}
    headline_people: set[str] = set()

    def add(
        label: str, kind: str, count: int, first: int, words: int, rare: float, slug: str = ""
    ) -> None:
        if not _usable(label):
            return
        slug = slug or slugify(label)
        if not slug:
            return
        early = 1.0 - min(first / length, 1.0)  # 1 at the top, 0 at the end
        in_title = label.lower() in title_l or (
            kind == "person"
            and " " in label
            and re.search(rf"\b{re.escape(family_name(label).lower())}\b", title_l) is not None
        )  # "Putin-Trump meeting" names Vladimir Putin and Donald Trump
        score = (count**0.7) * rare**0.5 * (1 + 3 * early) * words * (1.5 if in_title else 1)
        if score > scores.get(slug, 0.0):
            scores[slug], kinds[slug], labels[slug] = score, kind, label
        if in_title and kind == "person":
            headline_people.add(slug)

    known = {e.text.lower() for e in entities.items}
    bodies = {e.text.lower() for e in entities.items if e.type == "org"}
    named = known | set(entities.aliases)  # full names and the short forms that stand for them
    for e in entities.items:
        rare = max(_rare(e.text.lower().split()), 0.5)
        add(e.text, e.type, e.count, e.first, 1, rare, _slug(e.text, e.type))
    raw = text if text is not None else doc.text
    phrases = _noun_phrases(doc, raw, *_tags(doc))
    heads: dict[str, int] = {}
    for key, ph in phrases.items():
        if len(key) > 1 and not ph.adj:
            heads[key[-1]] = max(heads.get(key[-1], 0), ph.count)
    # "Meeting", ten times in an article on the Alaska meeting, is that meeting: a single event
    # noun becomes its compound whose first word is one of the article's leading names.
    named_event = _named_events(phrases, entities)
    # "Guatemalan President Alejandro Giammattei", "Treasury Secretary Janet Yellen": a title
    # and the name of someone the model did not find. The tag is the person, as an entity's.
    # Its surname alone is the person too ("Giammattei said"), and counts for it.
    titled: set[str] = set()
    for ph in phrases.values():
        person = _titled_name(ph.label)
        if person is not None and person.lower() not in named:
            surname = person.rsplit(" ", 1)[-1]
            titled.update((person, surname))
            alone = phrases.get((surname.lower(),))
            count = max(ph.count, alone.count if alone else 0)
            rare = max(_rare(person.lower().split()), 0.5)
            add(person, "person", count, ph.first, 1, rare, _slug(person, "person"))
    for key, ph in phrases.items():
        if key in named_event:
            key, ph = named_event[key]
        surface = " ".join(key)
        if surface in known or entities.resolve(ph.label).lower() in known:
            continue  # the entity stands for it, under its full name ("President Putin")
        head = key[-1]
        if head in _VAGUE_HEADS or (len(key) == 1 and head in _GENERIC_NOUNS) or len(head) < 3:
            continue
        if _SHOUTED.fullmatch(ph.label):
            continue  # a section's header or a headline in capitals ("LETTERS", "LARGEST
            # MARINE PROTECTED AREA"), not an acronym ("NAFTA") nor a name the model found
        # A common word capitalised only where a sentence opens is written lower case.
        lowered = ph.label.islower() or (
            ph.incidental and len(key) == 1 and zipf(head, "en") >= _COMMON_WORD
        )
        if len(key) == 1 and lowered and ph.count < 3 and head not in title_l:
            continue  # a common noun on its own is a subject only when the article dwells on it
        common = len(key) == 1 and lowered and head not in _EVENT_HEADS
        if len(key) == 1 and lowered and head in _EVENT_HEADS:
            continue  # "Conflict", "Talks": every conflict's; the one named has its name
        if common and _rare(key) < _SINGLE_RARITY:
            continue  # "Person", "Face", "Water", "Industry": words, not subjects
        if ph.label in titled or _titled_name(ph.label) is not None:
            continue  # the person's, added before this loop
        last = ph.label.rsplit(" ", 1)[-1]
        if (
            not ph.adj
            and ph.label[:1].islower()
            and last[:1].isupper()
            and last.lower() == head
            and not last.isupper()
        ):
            continue  # "computing services provider Fastly", "brand name Aduhelm": what the
            # article calls a name before it; the name is a candidate of its own. Not an
            # adjective's ("radical Islam"), a group's ("establishment Republicans") or an
            # acronym's ("core CPI")
        if (
            all(w in TITLES or singular(w) in _PERSON_HEADS for w in key)
            or (
                len(key) > 1
                and (
                    (
                        singular(ph.label.rsplit(" ", 1)[-1].lower()) in _DESCRIBING_HEADS
                        and key[0] != "best"
                    )
                    or last in _ONE_PERSON_HEADS
                    or key[-2:] in _NEWSROOM_WORDS
                    or (
                        key[-1] in _DOCUMENT_HEADS
                        and last.islower()  # not a name: "Drudge Report", "Labor Turnover Survey"
                        and ph.label.rsplit(" ", 1)[0].lower() in bodies
                    )
                    or (key[-2] in _CUT_AFTER and is_first_name(ph.label.split()[-1], "en"))
                    or (len(key) == 2 and key[0] in _TITLED and ph.label.split()[-1][:1].isupper())
                )
            )
        ):
            # "US president", "Vice President", "Sens." (of "Sens. Joe Manchin and ..."): a
            # title; its holder has a tag. "President Donald", "CDC Director Rochelle": a name
            # cut short ("former President Donald..." ends a roundup's lead).
            continue
        if any(surface.endswith(" " + name) for name in named):
            continue  # "Ukrainian leader Vladimir Zelensky", "President Putin": the person's tag
        if any(name.endswith(" " + surface) for name in known):
            continue  # "Council" is the tail of "UN Security Council", which is tagged
        if ph.adj and ph.count < 2:
            continue  # "unwavering commitment" once is style; "crude oil" twice is a subject
        if ph.adj and key[0] in _EMPTY_ADJECTIVES:
            continue
        if len(key) == 1 and heads.get(head, 0) >= 2:
            continue  # "talks" beside "Alaska talks", twice or more, says nothing more

        rare = _rare(key)
        if rare < 1.0:
            continue  # "last week", "good thing": every article has them
        label = ph.label  # its first word capitalised where the article writes it lower case:
        if label.split(" ", 1)[0].islower():  # "Oil spill", "Four-time Boston Marathon winner"
            label = label[0].upper() + label[1:]
        kind = "event" if head in _EVENT_HEADS else "topic"
        if len(key) == 1 and label[:1].isupper():
            day = re.search(rf"\b{re.escape(label)}['’]s Day\b", raw)
            if day is not None:  # "Mother's Day": the noun phrase stopped at the possessive
                add(f"{label}'s Day", "event", ph.count, ph.first, 2, rare)
                continue
        if len(key) == 1 and head in _ONE_PERSON_HEADS:
            continue  # "Midfielder" of "Manchester United midfielder" (its day stays, above)
        known_as = canonical(label)  # "coronavirus" or "Covid" the model did not name
        if known_as is not None:
            add(known_as[0], known_as[1], ph.count, ph.first, len(key), rare)
            continue
        add(label, kind, ph.count, ph.first, len(key), rare, ph.slug)

    if vector is not None and scores:
        scores = _by_meaning(scores, labels, kinds, vector, headline_people)
    chosen: list[str] = []
    for slug in sorted(scores, key=lambda s: -scores[s]):
        words = _words(labels[slug])
        # "Alaska" adds nothing beside "Alaska summit" unless it is far more prominent, nor
        # "Washington" beside "Washington, D.C.".
        if any(words < _words(labels[c]) and scores[slug] < 2 * scores[c] for c in chosen):
            continue
        chosen.append(slug)
        if len(chosen) == MAX_TAGS:
            break
    # A person the headline names is a tag, whatever the body's counts ("Putin-Trump meeting
    # seeks ...": Donald Trump, twice in 5,700 characters, ranked below "Principles").
    for slug in sorted(headline_people, key=lambda s: -scores[s]):
        if slug in chosen:
            continue
        if len(chosen) == MAX_TAGS:
            drop = next((c for c in reversed(chosen) if c not in headline_people), None)
            if drop is None:
                break
            chosen.remove(drop)
        chosen.append(slug)
    chosen.sort(key=lambda s: -scores[s])
    return [
        Hashtag(s, labels[s], display(labels[s]), kinds[s], scores[s] / scores[chosen[0]])
        for s in chosen
    ]


def _by_meaning(
    scores: dict[str, float],
    labels: dict[str, str],
    kinds: dict[str, str],
    vector: NDArray[np.float32],
    keep: set[str],
) -> dict[str, float]:
    """The best BY_MEANING candidates and those to `keep` (the headline's people), each scored
    half by its share of the best score and half by its cosine to the article's meaning (below
    0 taken as 0; people's shifted, below); the rest are dropped."""
    ranked = sorted(scores, key=lambda s: -scores[s])
    best = ranked[:BY_MEANING] + [s for s in ranked[BY_MEANING:] if s in keep]
    share = np.array([scores[s] / scores[best[0]] for s in best], dtype=np.float32)
    vecs = embed.embed_short([labels[s] for s in best])
    centroid = share @ vecs
    meaning = vector + centroid / max(float(np.linalg.norm(centroid)), 1e-12)
    meaning /= max(float(np.linalg.norm(meaning)), 1e-12)
    w = _MEANING_WEIGHT
    near = np.maximum(vecs @ meaning, 0.0)
    # A bare name sits further from any text than a phrase of its subject does, so people
    # fell out for topics ("Roman Protasevich" from the report of his arrest on a diverted
    # Ryanair flight): they are compared with each other, their mean set to the others'.
    person = np.array([kinds[s] == "person" for s in best])
    if person.any() and not person.all():
        near[person] += near[~person].mean() - near[person].mean()
    return {s: float((1 - w) * a + w * c) for s, a, c in zip(best, share, near, strict=True)}


def _titled_name(label: str) -> str | None:
    """The full name after a title in a phrase ("Alejandro Giammattei" of "Guatemalan
    President Alejandro Giammattei"): a first name and the capitalised words after it."""
    words = label.split()
    for i, word in enumerate(words):
        if word.lower() in _CUT_AFTER:
            rest = list(dropwhile(lambda w: w.lower() in _CUT_AFTER, words[i:]))
            if not rest or not is_first_name(rest[0], "en"):
                return None  # "Attorney General Letitia James", not "General Letitia James"
            name = list(takewhile(lambda w: w[:1].isupper(), rest))
            return " ".join(name) if len(name) > 1 else None
    return None


def _named_events(
    phrases: dict[tuple[str, ...], _Phrase], entities: Entities
) -> dict[tuple[str, ...], tuple[tuple[str, ...], _Phrase]]:
    """Single event nouns ("meeting") to stand as their compound with a leading name
    ("Alaska meeting"; its key and phrase), counted as often as the noun: only a name the
    article gives at least three times, the most often named where several qualify."""
    counts = {e.text.lower(): e.count for e in entities.items if e.count >= 3}
    out: dict[tuple[str, ...], tuple[tuple[str, ...], _Phrase]] = {}
    for key, ph in phrases.items():
        if len(key) != 2 or ph.adj or key[0] not in counts or key[1] not in _EVENT_HEADS:
            continue
        single = phrases.get((key[1],))
        if single is None or single.count < 2:
            continue
        held = out.get((key[1],))
        if held is not None and counts[held[0][0]] >= counts[key[0]]:
            continue
        out[(key[1],)] = (key, _Phrase(ph.label, single.count, single.first, False, ph.slug))
    return out


def _slug(label: str, kind: str) -> str:
    """A name's slug: a person's without a middle initial ("Donald J. Trump" and "Donald
    Trump" are one tag; its label is the one most of its articles write, store.tagforms)."""
    return slugify(without_middle_initial(label) if kind == "person" else label)


def _words(label: str) -> set[str]:
    return {singular(w) for w in label.lower().replace(",", " ").split()}


# Names in languages the English model cannot read: capitalised words. A word that opens a
# sentence is capitalised anyway, so it counts only where it is also capitalised elsewhere.
_CAP_WORD = re.compile(r"(?<![\w’'-])[^\W\d_a-zà-ÿα-ωа-яё][\w’'-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?»“\"]\s+|\n\s*)$")


def _stem(word: str) -> str:
    """Enough of a name to match its inflections ("Путин", "Путина", "Путину")."""
    return word.lower()[: max(4, len(word) - 2)]


# Languages that write every noun with a capital ("Sitzung", "Jahr"): there a capitalised word
# is a name only where it is not one of the language's common words. A name is either rare in
# the language (Lagarde 2.9, Netanjahu 3.1: Zipf frequency), about as frequent in English
# (Berlin, Trump, Scholz, Bundestag, Söder: within 2.5 of it), an acronym (EZB, SPD), or a
# country or big city (Deutschland, München: CLDR's and GeoNames' names); a common noun is
# none of these (Jahr 5.8 in German against 2.0 in English, Regierung 5.2 against 1.1,
# Sitzung 4.4 against 0). Of 81 common German news nouns the team listed, 13 pass (shared with
# English: Minister, Bank, Plan, Euro...; "Welt", CLDR's world); of 35 names, Grünen alone is lost.
_NOUNS_CAPITALISED = frozenset({"de", "lb"})
_COMMON_FROM = 3.5
_SHARED_WITHIN = 2.5


@cache
def _countries(language: str) -> frozenset[str]:
    """Country names in `language` (CLDR's, from Babel, which trafilatura's courlan installs)."""
    try:
        from babel import Locale

        return frozenset(Locale.parse(language).territories.values())
    except Exception:  # no such locale: the other tests still tell names
        return frozenset()


def _common_noun(word: str, language: str) -> bool:
    """Whether a capitalised `word` of a noun-capitalising language is a common noun."""
    if word.isupper() or word in _countries(language) or word in place_names():
        return False
    own = zipf(word, language)
    return own >= _COMMON_FROM and zipf(word, "en") < own - _SHARED_WITHIN


def from_names(title: str, text: str, language: str) -> list[Hashtag]:
    """Up to MAX_TAGS names of an article in a cased language without a model here (German,
    Italian, Portuguese, Dutch, ...): the capitalised names it repeats or its headline carries,
    ranked by mentions, earliness and rarity as `suggest` ranks. A first name and surname
    written together make the full name, which the surname's other mentions (in any of its
    inflected forms) count for.

    A capital that opens a sentence says nothing by itself, so such a word counts as a mention
    only where the name is also written mid-sentence, and opens a full name only where it is a
    first name (enrich.given_names): "Friedrich Merz sagte" is Friedrich Merz, "Laut Merz" is
    not a name. Before, no opening word counted, and a German report whose paragraphs open
    with "Söder forderte", "Scholz reagierte" lost the people it was about.

    Kind "person" where the full name opens with a first name, "place" for a country or big
    city, else "name": no model here tells the rest apart."""
    body = f"{title}\n{text[:20_000]}"
    length = max(len(body), 1)
    base = base_language(language)
    nouns_capitalised = base in _NOUNS_CAPITALISED
    singles: dict[str, list[tuple[str, int]]] = {}  # stem -> (form, offset) of each mention
    openers: list[tuple[str, int]] = []  # words that open a sentence: names if named elsewhere
    pairs: dict[str, int] = {}
    pair_first: dict[str, int] = {}
    prev_end, prev_word = -10, ""
    for m in _CAP_WORD.finditer(body):
        word = m.group(0)
        opening = bool(_SENTENCE_START.search(body[max(0, m.start() - 3) : m.start()]))
        long_enough = len(word) >= (2 if word.isupper() else 3)  # "UN", "ЕС"; not "Le"
        noun = nouns_capitalised and long_enough and _common_noun(word, base)
        # Not "Sitzung" (a German noun) nor "Les" (a French word that opens sentences and
        # "Les Républicains"): each a name's part at most.
        plain = noun or (not word.isupper() and word.lower() in function_words(base))
        if long_enough and not plain:
            (openers if opening else singles.setdefault(_stem(word), [])).append((word, m.start()))
        if prev_word and body[prev_end : m.start()].strip() == "" and m.start() - prev_end <= 2:
            pair = f"{prev_word} {word}"
            pairs[pair] = pairs.get(pair, 0) + 1
            pair_first.setdefault(pair, m.start() - len(prev_word) - 1)
        named = not opening or is_first_name(word, base) or _named_elsewhere(word, body)
        prev_end, prev_word = m.end(), (word if named and not noun else "")
    for word, at in openers:
        if _stem(word) in singles:
            singles[_stem(word)].append((word, at))
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    kinds: dict[str, str] = {}
    for stem, mentions in singles.items():
        mentions.sort(key=lambda m: m[1])
        forms = [f for f, _ in mentions]
        name = min(set(forms), key=lambda f: (-forms.count(f), len(f)))
        full = [p for p in pairs if _stem(p.split()[-1]) == stem]
        if len(full) == 1:
            name = full[0]
        counts[name] = counts.get(name, 0) + len(mentions)
        first[name] = min(first.get(name, length), mentions[0][1], pair_first.get(name, length))
        if " " in name and is_first_name(name.split()[0], base):
            kinds[name] = "person"
        elif name in place_names() or name in _countries(base):
            kinds[name] = "place"
    return _ranked(title, counts, first, kinds, language, length)


def from_entities(title: str, text: str, ents: Entities, language: str) -> list[Hashtag]:
    """Up to MAX_TAGS hashtags of an article in a language whose entity model gives its names
    as a list writes them (Russian, Chinese, Japanese: enrich.steps.NAME_MODELS), ranked as
    `from_names` ranks names: the names it repeats or its headline carries, by mentions,
    earliness and rarity."""
    length = max(len(title) + 1 + min(len(text), 20_000), 1)
    counts = {e.text: e.count for e in ents.items}
    first = {e.text: len(title) + 1 + e.first for e in ents.items}
    kinds = {e.text: e.type for e in ents.items}
    return _ranked(title, counts, first, kinds, language, length)


def _ranked(
    title: str,
    counts: dict[str, int],
    first: dict[str, int],
    kinds: dict[str, str],
    language: str,
    length: int,
) -> list[Hashtag]:
    title_l = title.lower()
    scored = []
    for name, n in counts.items():
        in_title = _stem(name.split()[-1]) in title_l
        if n < 2 and not in_title:
            continue
        words = name.split()
        rare = max(sum(rarity(w.lower(), language) for w in words) / len(words), 0.5)
        early = 1.0 - min(first[name] / length, 1.0)
        score = n**0.7 * rare**0.5 * (1 + 3 * early) * (1.5 if in_title else 1)
        scored.append((score, name))
    scored.sort(reverse=True)
    top = scored[:MAX_TAGS]
    return [
        Hashtag(_slug(n, kinds.get(n, "")), n, display(n), kinds.get(n, "name"), s / top[0][0])
        for s, n in top
    ]


def typed(tags: list[Hashtag], ents: Entities) -> list[Hashtag]:
    """Name hashtags (from_names) given the kind an entity model found for the same name (a
    person, an organisation, a place), where the language has one (nlp.NER_LANGUAGES).

    A person's surname is the tag of their full name once the model has it ("Leyen" is Ursula
    von der Leyen, whose particles break the run of capitals from_names pairs), and a word
    inside a full name is not a tag of its own (the "Olaf" of Olaf Scholz, the "Von" of a
    headline's "Von der Leyen")."""
    people = {e.text for e in ents.items if e.type == "person" and len(e.text.split()) > 1}
    inner = {w.lower() for p in people for w in p.split()[:-1]}
    by_surname: dict[str, set[str]] = {}
    for p in people:
        by_surname.setdefault(p.split()[-1], set()).add(p)
    out: list[Hashtag] = []
    seen: set[str] = set()
    for t in tags:
        if t.label.lower() in inner:
            continue
        full = by_surname.get(t.label, set())
        if len(full) == 1:
            name = next(iter(full))
            t = Hashtag(_slug(name, "person"), name, display(name), "person", t.score)
        else:
            kind = ents.kind_of(ents.resolve(t.label)) or ents.kind_of(t.label)
            if kind is None:  # "Macron" where the model named "Emmanuel Macron"
                last = t.label.split()[-1]
                kinds = {e.type for e in ents.items if e.text.split()[-1] == last}
                kind = kinds.pop() if len(kinds) == 1 else None
            kind = kind or t.kind
            t = Hashtag(_slug(t.label, kind), t.label, t.display, kind, t.score)
        if t.slug not in seen:
            seen.add(t.slug)
            out.append(t)
    return out


def marked(tags: list[Hashtag], ents: Entities) -> list[Hashtag]:
    """The tags, each with the acronym the article spells it out with (Entities.defined) and
    whether the article shows its kind beyond the model's reading (Entities.sure)."""
    return [
        replace(
            t,
            short=ents.defined.get(t.label, ""),
            sure=t.kind == "org" and t.label in ents.sure,
        )
        for t in tags
    ]


def _named_elsewhere(word: str, body: str) -> bool:
    """Whether `word` is also capitalised in the middle of a sentence somewhere."""
    for m in re.finditer(rf"(?<![\w’'-]){re.escape(word)}(?![\w’'-])", body):
        if not _SENTENCE_START.search(body[max(0, m.start() - 3) : m.start()]):
            return True
    return False
