"""Who says what: the article's attributed statements, each with speaker, cue and content.

Rules over sentences, in the way quotation extractors for news work (cf. the Guardian's and
the Financial Times' open quote extractors): a quotation next to a speaker and a reporting verb
("'...,' the UN's press service reported"), a speaker with a reporting verb and a clause
("the Russian Ministry of Defence (MoD) alleged that ..."), "according to X", and a stated point
of view ("In Moscow's interpretation, ..."). A speaker is resolved through the article's
entities: titles dropped, a later surname to the full name, an acronym to its long form,
"he"/"she" to the last person named before. English only; other languages get an empty list.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from newsweave.enrich.entities import Entities, clean_name
from newsweave.enrich.nlp import Sentence

__all__ = ["Attribution", "extract"]

_VERBS = [
    "say",
    "says",
    "said",
    "saying",
    "tell",
    "tells",
    "told",
    "allege",
    "alleges",
    "alleged",
    "claim",
    "claims",
    "claimed",
    "report",
    "reports",
    "reported",
    "state",
    "states",
    "stated",
    "warn",
    "warns",
    "warned",
    "add",
    "adds",
    "added",
    "note",
    "notes",
    "noted",
    "argue",
    "argues",
    "argued",
    "insist",
    "insists",
    "insisted",
    "deny",
    "denies",
    "denied",
    "accuse",
    "accuses",
    "accused",
    "announce",
    "announces",
    "announced",
    "confirm",
    "confirms",
    "confirmed",
    "believe",
    "believes",
    "believed",
    "assert",
    "asserts",
    "asserted",
    "declare",
    "declares",
    "declared",
    "explain",
    "explains",
    "explained",
    "stress",
    "stresses",
    "stressed",
    "suggest",
    "suggests",
    "suggested",
    "acknowledge",
    "acknowledges",
    "acknowledged",
    "admit",
    "admits",
    "admitted",
    "maintain",
    "maintains",
    "maintained",
    "contend",
    "contends",
    "contended",
    "write",
    "writes",
    "wrote",
    "predict",
    "predicts",
    "predicted",
    "conclude",
    "concludes",
    "concluded",
    "reiterate",
    "reiterates",
    "reiterated",
    "vow",
    "vows",
    "vowed",
    "pledge",
    "pledges",
    "pledged",
    "promise",
    "promises",
    "promised",
    "threaten",
    "threatens",
    "threatened",
    "demand",
    "demands",
    "demanded",
    "condemn",
    "condemns",
    "condemned",
    "denounce",
    "denounces",
    "denounced",
    "emphasise",
    "emphasised",
    "emphasize",
    "emphasized",
    "estimate",
    "estimates",
    "estimated",
    "posted",
    "tweeted",
    "recalled",
    "observed",
    "remarked",
]
_CUE = r"(?:" + "|".join(sorted(_VERBS, key=len, reverse=True)) + r"|call(?:s|ed)?\s+(?:on|for))"
_CAP = r"[A-Z][\w.’'-]*"
_CONN = r"(?:of|the|and|for|on|de|del|al|bin|von|van|der|da)"
_NAME = rf"{_CAP}(?:\s+(?:{_CONN}\s+)*{_CAP})*"
_ROLE = (
    r"(?:press\s+service|press\s+office|spokes(?:man|woman|person)|ministry|office|officials?"
    r"|government|authorities|statement|minister|secretary|leader|chief|president|envoy"
    r"|ambassador|embassy|police|army|military|forces|council|committee|agency|court"
    r"|newspaper|report|analysts?|sources?|experts?|diplomats?|witnesses|residents|critics"
    r"|observers|investigators|prosecutors|lawyers?|doctors|scientists|researchers|aides?)"
)
_NP = (
    rf"(?:(?:[Tt]he|[Aa]n?)\s+)?(?:{_NAME}(?:\s*\([A-Z]\w*\))?(?:\s+{_ROLE}){{0,2}}"
    rf"|(?:[a-z]+\s+){{0,2}}{_ROLE}|[Hh]e|[Ss]he)"
)
_AUX = r"(?:(?:has|have|had|also|later|again|then|further|previously|repeatedly)\s+){0,2}"
_OPEN, _CLOSE = "\"“‘'«", "\"”’'»"

# "the African Union, Arab League, and Saudi Arabia also condemned ...": several speakers.
_LIST = rf"(?:(?:(?:[Tt]he\s+)?{_NAME}\s*,\s*)*(?:[Tt]he\s+)?{_NAME},?\s+and\s+)?"
_SPEAKER_BEFORE = re.compile(rf"({_LIST}{_NP})\s+{_AUX}$")
_CUE_RE = re.compile(rf"\b({_CUE})\b")
_QUOTE = re.compile(
    rf"(?:^|(?<=[\s(\[—–-]))([{_OPEN}])(?P<q>[^{_OPEN}{_CLOSE}]*?\w[^\"“”]*?)[,.!?]?"
    rf"[{_CLOSE}](?=\s|$|[.,;:)])"
)
_AFTER_QUOTE = re.compile(
    rf"\s*,?\s*(?:(?P<sp>{_NP})\s+{_AUX}(?P<cue>{_CUE})\b|(?P<cue2>{_CUE})\s+(?P<sp2>{_NP}))"
)
_BEFORE_QUOTE = re.compile(rf"(?P<sp>{_NP})\s+{_AUX}(?P<cue>{_CUE})\s*[,:]?\s*$")
_ACCORDING = re.compile(r"\b[Aa]ccording\s+to\s+(?P<sp>[^,.;:]{2,80}?)\s*(?:,|;|\.|$)")
_VIEW = re.compile(
    rf"\b(?:In|From|By|To)\s+(?P<sp>{_NP}?)['’]s?\s+(?:own\s+)?"
    r"(?P<cue>interpretation|view|reading|eyes|calculus|perspective|point\s+of\s+view"
    r"|assessment|words|telling|opinion|account|estimate|estimation|analysis|mind)\s*,\s*"
)
_LEADING_JUNK = re.compile(
    r"^(?:But|And|Yet|So|However|Meanwhile|Then|Now|Also|In|On|At|Still|Instead|Later|Earlier"
    r"|Separately|Moreover|Indeed|Last|This|That|When|While|After|Before)\s+"
)
_PRONOUNS = frozenset({"he", "she"})
_NOT_SPEAKERS = frozenset(
    {"the", "a", "an", "this", "that", "it", "they", "these", "those", "there"}
)
_MIN_CONTENT_WORDS = 3
# "The statement noted that ...": a bare document noun speaks for whoever issued it, which is the
# speaker of the attribution just before when it is this close (characters).
_DOCUMENTS = frozenset(
    {
        "statement",
        "report",
        "communique",
        "communiqué",
        "announcement",
        "document",
        "letter",
        "declaration",
        "release",
        "press release",
        "resolution",
        "memo",
        "notice",
        "note",
    }
)
_DOCUMENT_REACH = 400


@dataclass(frozen=True, slots=True)
class Attribution:
    speaker: str
    cue: str
    content: str
    kind: str  # direct, indirect, according_to
    start: int  # character offsets of the content in the article text
    end: int

    def to_json(self) -> dict[str, object]:
        return {
            "speaker": self.speaker,
            "cue": self.cue,
            "content": self.content,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
        }


class _Resolver:
    def __init__(self, entities: Entities, people: Sequence[tuple[int, str]]) -> None:
        self.entities = entities
        self.people = sorted(people)
        self.offsets = [p for p, _ in self.people]
        self.persons = sorted(
            (e.text for e in entities.items if e.type == "person"), key=len, reverse=True
        )

    def __call__(self, raw: str, at: int) -> str | None:
        parts = [p for p in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+(?=[A-Z]|the\s)", raw) if p]
        listed = "," in raw and len(parts) > 1  # "A, B and C": "Peace and Security" is one name
        if listed and all(p[:1].isupper() or p.startswith("the ") for p in parts):
            names = [n for n in (self._one(p, at) for p in parts) if n]
            if len(names) > 1:
                return ", ".join(names[:-1]) + " and " + names[-1]
        return self._one(raw, at)

    def _one(self, raw: str, at: int) -> str | None:
        name = _LEADING_JUNK.sub("", raw.strip())
        if name.lower() in _PRONOUNS:
            i = bisect_right(self.offsets, at) - 1
            return self.people[i][1] if i >= 0 else None
        name = re.sub(
            r"['’]s\b", "", clean_name(name)
        )  # "UN's press service" -> "UN press service"
        if not name or name.lower() in _NOT_SPEAKERS:
            return None
        resolved = self.entities.resolve(name)
        for person in self.persons:  # "Russian President Vladimir Putin" -> "Vladimir Putin"
            if resolved != person and re.search(rf"\b{re.escape(person)}$", resolved):
                return person
        last = resolved.split()[-1]
        alias = self.entities.aliases.get(last.lower())
        if alias and " " not in resolved:
            return alias
        return resolved


def _strip_end(s: str) -> str:
    return s.strip().rstrip(".;:,").strip()


def extract(
    sentences: Sequence[Sentence],
    entities: Entities,
    people: Sequence[tuple[int, str]] = (),
) -> list[Attribution]:
    """Attributions in article order. `people` are (offset, canonical name) of person mentions."""
    resolve = _Resolver(entities, people)
    found: list[Attribution] = []
    for s in sentences:
        found.extend(_in_sentence(s, resolve))
    found.sort(key=lambda a: a.start)
    out: list[Attribution] = []
    for a in found:
        prev = out[-1] if out else None
        if (
            a.speaker.lower() in _DOCUMENTS
            and prev is not None
            and prev.speaker.lower() not in _DOCUMENTS
            and a.start - prev.end <= _DOCUMENT_REACH
        ):
            a = replace(a, speaker=prev.speaker)
        out.append(a)
    return out


def _in_sentence(s: Sentence, resolve: _Resolver) -> list[Attribution]:
    text, base = s.text, s.start
    out: list[Attribution] = []
    cues_used: set[int] = set()
    taken: list[tuple[int, int]] = []

    def add(sp: str | None, cue: str, c0: int, c1: int, kind: str, cue_at: int) -> None:
        content = text[c0:c1]
        stripped = _strip_end(content)
        if not sp or len(stripped.split()) < _MIN_CONTENT_WORDS or cue_at in cues_used:
            return
        c0 += content.index(stripped[0]) if stripped else 0
        c1 = c0 + len(stripped)
        if any(c0 < e and s_ < c1 for s_, e in taken):
            return
        cues_used.add(cue_at)
        taken.append((c0, c1))
        out.append(Attribution(sp, " ".join(cue.split()), stripped, kind, base + c0, base + c1))

    for m in _QUOTE.finditer(text):
        after = _AFTER_QUOTE.match(text, m.end())
        if after:
            sp = after.group("sp") or after.group("sp2")
            cue = after.group("cue") or after.group("cue2")
            cue_at = after.start("cue") if after.group("cue") else after.start("cue2")
            add(resolve(sp, base + m.start()), cue, m.start("q"), m.end("q"), "direct", cue_at)
            continue
        before = _BEFORE_QUOTE.search(text[: m.start()])
        if before:
            sp, cue = before.group("sp"), before.group("cue")
            add(resolve(sp, base), cue, m.start("q"), m.end("q"), "direct", before.start("cue"))

    for m in _ACCORDING.finditer(text):
        sp = resolve(m.group("sp"), base + m.start())
        lead = text[: m.start()].strip()
        if len(lead.split()) >= _MIN_CONTENT_WORDS:  # "..., according to X."
            add(sp, "according to", 0, m.start(), "according_to", m.start())
        else:  # "According to X, ..."
            add(sp, "according to", m.end(), len(text), "according_to", m.start())

    for m in _VIEW.finditer(text):
        sp = resolve(m.group("sp"), base + m.start())
        add(sp, m.group("cue"), m.end(), len(text), "indirect", m.start("cue"))

    for m in _CUE_RE.finditer(text):
        cue = m.group(1)
        before = _SPEAKER_BEFORE.search(text[max(0, m.start() - 160) : m.start()])
        if not before:
            continue
        rest = m.end()
        that = re.match(r"\s*,?\s*(?:that\s+)?", text[rest:])
        start = rest + (that.end() if that else 0)
        if start < len(text) and text[start] in _OPEN:
            continue  # a quotation: handled above
        add(
            resolve(before.group(1), base + m.start()), cue, start, len(text), "indirect", m.start()
        )
    return out
