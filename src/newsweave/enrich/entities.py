"""People, organisations, places and events, from spaCy's NER, merged into one name each.

The model finds mentions; an editor wants names. Within one article "President Putin", "Putin"
and "Vladimir Putin" are one person, "the Russian Ministry of Defence (MoD)" and a later "MoD"
one organisation. The rules below do that merging: titles and articles are stripped, a surname
or a partial name resolves to the one fuller name that ends or starts with it, and an acronym
introduced in parentheses resolves to its long form.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsweave.enrich.companies import is_listed
from newsweave.enrich.given_names import GENDER_TITLES, is_first_name, name_gender
from newsweave.enrich.language import function_words
from newsweave.enrich.places import place_names
from newsweave.enrich.rarity import zipf
from newsweave.words import (
    APOSTROPHES,
    NAME_PARTICLES,
    STYLES,
    TITLES,
    family_name,
    goes_by,
    is_one_name,
    strip_titles,
    without_middle_initial,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = [
    "CALENDAR",
    "CANONICAL_FORMS",
    "PARTY_LETTER",
    "STATE_ABBREVIATIONS",
    "TITLES",
    "TITLE_ABBREVIATIONS",
    "TITLE_REACH",
    "US_STATES",
    "Entities",
    "Entity",
    "canonical",
    "clean_name",
    "extract",
    "from_mentions",
    "hashtagged",
    "run_in",
    "title_gender",
    "us_state",
    "without_middle_initial",
]

# spaCy's OntoNotes labels (English) and WikiNER's (French: PER, ORG, LOC), folded to the four
# kinds the product shows.
_KINDS = {
    "PERSON": "person",
    "PER": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "EVENT": "event",
}

_OUR_KINDS = frozenset(_KINDS.values())
# A name the model ended on a connector: "Group of" of "the Group of Seven" (spaCy read "Seven"
# as a number); the capitalised word after it completes it.
_OPEN_END = re.compile(r"\s(?:of|and|for|the|de|del|von|van)$")
_NEXT_NAME_WORD = re.compile(r"\s+[A-Z][\w'’-]*")

# An article, or a possessive the model took into the name: "their Republican Party", "her
# State Department" (AllSides and PolNeAR tags); lower case only: "Our Principles PAC" is a name.
_LEADING = re.compile(r"^(?:(?i:the|a|an)|their|his|her|its|our|my|your)\s+")
# A dateline the model took into the name that follows it: "ROME - Bernie Sanders says ...",
# "WASHINGTON (AP) — ..." (19 PolNeAR claims had "ROME - Bernie Sanders" or "CLEVELAND -
# Donald Trump" speaking). Spaces round the dash: "AFL-CIO" is a name.
_DATELINE_PLACE = r"[A-Z][A-Z.'’]{2,}(?:[ ,]+[A-Z][A-Za-z.'’]*){0,3}"  # "MANCHESTER, N.H."
_DATELINE = re.compile(rf"^{_DATELINE_PLACE}(?:\s*\([^)]*\))?\s+[-–—]+\s+")
# The same opening a paragraph: its place and wire ("WASHINGTON (AP) —", "WASHINGTON, Dec. 8
# (UPI) —": ~130 of PolNeAR's 840 texts) say where the reporter filed from, not what the
# article is about; the words it names are no mentions (a story about Washington names it
# again).
_DATELINES = re.compile(
    rf"(?:^|\n)[ \t]*(?P<line>{_DATELINE_PLACE}"
    r"(?:,\s*[A-Z][a-z]{2,3}\.?\s+\d{1,2})?(?:\s*\([^)\n]*\))?\s+[-–—]+\s)"
)
# A possessive's ending, with any apostrophe news uses: "Donald Trump‘s" (a left quotation mark
# for one, in PolNeAR) was a tag of its own.
_TRAILING = re.compile(f"[{APOSTROPHES}]s?$")
# A company's legal form: "Facebook Inc", "Colonial Pipeline Co.", "JBS SA" are the companies
# "Facebook", "Colonial Pipeline" and "JBS" are elsewhere (two tags of one company before).
_COMPANY_FORM = re.compile(r"(?<=[\w.]),?\s+(?:Inc|Corp|Co|Ltd|LLC|PLC|plc|SA|AG|NV)\.?$")
# A stock ticker right after a name: "Pfizer (PFE.N)" (Reuters), "(NYSE: PFE)". spaCy's small
# model reads a bare "Pfizer" as a person (17 of its 19 articles of allsides-dev); a person has
# neither a ticker nor a legal form. Not a bare "(AP)" after a dateline: an exchange or a suffix.
_TICKER = re.compile(
    r"\s*\((?:(?:NYSE|NASDAQ|Nasdaq|LSE|TSX|AMEX|NYSE American|ASX|HKEX)\s*:\s*[A-Z][A-Z.]{0,6}"
    r"|[A-Z]{1,5}\.[A-Z]{1,2})\)"
)
# A chief executive right after a name: "Twitter CEO Jack Dorsey", "Pfizer's chief executive".
# A person has none; on the 1,283 texts of PolNeAR and AllSides every name so followed was a
# company (Hewlett-Packard 9, Pfizer 2, Twitter, Apple, LinkedIn, Valeant...).
_CEO = re.compile(r"(?:['’]s)?\s+(?:CEO|chief executive|Chief Executive)\b")
# A platform: "a Twitter user", "its Twitter handle", "took to Twitter", "posted to Twitter".
# spaCy's small model read Twitter as a person in all 8 AllSides articles that name it; on
# those and PolNeAR's texts these signs follow Twitter 40 times, Facebook 23, Instagram 4, and
# once a person ("Facebook suspends Trump account"), so a person of the article's is never one.
_PLATFORM_AFTER = re.compile(r"\s+(?:user|users|account|handle|feed|page|app)\b")
_PLATFORM_BEFORE = re.compile(r"\b(?:posted|posting|took|taking) to\s+$")
# A style the model left outside a one-word name: "Prince [Harry]", "Queen [Elizabeth II]".
_STYLED_BEFORE = re.compile(r"(?<![\w.])(" + "|".join(sorted(w.title() for w in STYLES)) + r")\s+$")
_SIGN_REACH = 24  # signs before a name are searched this far back: the whole text cost 1 ms
# A place: "its siege of El Fasher" (the seed page; spaCy's small model: an organisation), "the
# town of Wismar". On PolNeAR's and AllSides' 1,280 texts 30 names follow these words: 29
# places, and "the province of Twitter"; only a name the model calls an organisation turns (4
# of them: Nineveh, Angers, Marea, and El Fasher on the seed page).
_PLACE_BEFORE = re.compile(
    r"\b(?:siege|city|town|village|outskirts|suburbs?|streets|province|capital) of\s+(?:the\s+)?$"
)
# A member's party label: "Mitch McConnell (R-Ky.)", "Joe Manchin, D-W.Va.,", "(R-Texas)". The
# state in it is the member's, not a place the article is about: "Ky" was a tag of 4 articles
# of allsides-dev that mention Kentucky nowhere else.
# The letter and its dash, hyphen or en dash ("R–Ky."), as quotes.py reads it too.
PARTY_LETTER = r"[RDI]\s?[-–]\s?"
_PARTY_LABEL = re.compile(rf"(?:^|[\s(,]){PARTY_LETTER}$")
# A portfolio inside a minister's or secretary's title: "Secretary of State Hillary Clinton"
# (126 of PolNeAR's mentions the model calls the organisation "State"), "Treasury Secretary
# Steven Mnuchin", "Interior Secretary Deb Haaland". It is the person's title, not the
# department as a subject: "State" and "Interior" were tags of allsides-dev's.
_PORTFOLIO = frozenset(
    """
    state treasury defense defence justice interior agriculture commerce labor labour health
    education energy transportation transport housing veterans affairs homeland security home
    foreign army navy air force human services urban development war environment finance trade
    and the
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_TITLE_AFTER = re.compile(r"\s+(?:[Ss]ecretary|[Mm]inister)\b")
_TITLE_OF_BEFORE = re.compile(
    r"\b(?:[Ss]ecretary|[Mm]inister)(?:-designate)? (?:of|for) (?:the )?$"
)
# What the model reads as a name and no reader follows: a time zone ("10 a.m. GMT", "BST"
# were organisations of allsides-dev's), a pronoun a stray mark opened ("\‘It").
_NO_NAMES = frozenset(
    "GMT BST UTC EST EDT CST CDT MST MDT PST PDT ET PT CET CEST It He She They We".split()  # noqa: SIM905
)
# Two places a hyphen joins as an adjective: "the U.S.-Russia relationship", "the U.S.-Mexico
# border" (organisations to the model, each a tag of its own) are both countries.
_PAIR = re.compile(r"^([A-Z][\w.]*)[-–]([A-Z][\w.]*)$")
# Initials with full stops: "C.P.I." is CPI (the form the canonical list keeps apart: "U.S.").
_DOTTED = re.compile(r"(?:[A-Z]\.){2,}")
# The state abbreviations of AP style (datelines, "Long Beach, Calif."), read only with their
# full stop and only where the model found a place: "Calif" was a tag of its own, and undotted
# "Miss", "Wash" or "Ind" are words. The two-letter initials ("N.Y.") are in _CANONICAL.
STATE_ABBREVIATIONS: dict[str, str] = {
    "ala.": "Alabama", "ariz.": "Arizona", "ark.": "Arkansas", "calif.": "California",
    "colo.": "Colorado", "conn.": "Connecticut", "del.": "Delaware", "fla.": "Florida",
    "ga.": "Georgia", "ill.": "Illinois", "ind.": "Indiana", "kan.": "Kansas", "ky.": "Kentucky",
    "la.": "Louisiana", "md.": "Maryland", "mass.": "Massachusetts", "mich.": "Michigan",
    "minn.": "Minnesota", "miss.": "Mississippi", "mo.": "Missouri", "mont.": "Montana",
    "neb.": "Nebraska", "nev.": "Nevada", "okla.": "Oklahoma", "ore.": "Oregon",
    "pa.": "Pennsylvania", "tenn.": "Tennessee", "vt.": "Vermont", "va.": "Virginia",
    "wash.": "Washington State", "wis.": "Wisconsin", "wyo.": "Wyoming",
}  # fmt: skip
# A possessive the model took into a name: "National Review's Jonah Goldberg", "Fox News'
# Sean Hannity", "Trump's Indiana" (spaCy's spans, public texts).
_POSSESSIVE = re.compile(rf"^\S.*?[{APOSTROPHES}]s?\s+(?=[A-Z])")
_WORDLIKE_NAME = 5.3
# A name a text's truncation cut: "... scrapped by former President Donald..." closes an
# aggregator's lead (AllSides, the seed page's related articles). On the AllSides import 8 of
# the 29 one-word people were such stubs ("Donald", "Dan", "Rochelle", "Chuck", "Dr").
_CUT = re.compile(r"(?:\.\.\.|…)\s*$", re.MULTILINE)
# Days and months the model reads as a person ("Job creation disappointed again in May"): one
# unless the article names the person in full (Theresa May's "May" is her alias).
CALENDAR = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May "  # noqa: SIM905
    "June July August September October November December".split()
)
# An adjective the model read as a name: "pro-Trump extremists".
_PREFIXED = re.compile(r"(?:pro|anti|non|ex|post|pre|neo)-", re.IGNORECASE)
# "Bill and Melinda Gates": the full name after a first name and "and", and its surname.
_AND_NAME = re.compile(
    r"[’'s]{0,2}\s+(?:and|&)\s+(?P<next>(?:[A-Z][\w’'.-]*\s+)+(?P<surname>[A-Z][\w’'-]+))"
)
# Abbreviated titles, lower case: one the model took into the name before it ("Coast Guard Lt"
# of "Coast Guard Lt. Cmdr. Steve McCall") is cut off here, and hashtags ends no phrase in one;
# not "Jr" or "St", which belong to names.
TITLE_ABBREVIATIONS = frozenset(
    "lt gen sgt col capt cmdr cpl adm maj gov sen rep dr mr mrs ms prof supt".split()  # noqa: SIM905
)
_TRAILING_TITLE = re.compile(
    r"\s+(?:" + "|".join(sorted(w.capitalize() for w in TITLE_ABBREVIATIONS)) + r")\.?$"
)
# A bracket and what it holds; or one left open, which spaCy's span cuts at the closing one:
# "Federal Bureau of Investigation (FBI" became a tag of its own beside the FBI's (PolNeAR).
_PAREN = re.compile(r"\s*\([^)]*(?:\)|$)")
# An acronym in brackets, and the words a body's name is made of before it: capitalised ones
# and the small words a name holds ("Commission on Presidential Debates (CPD)", "Committee on
# Foreign Investment in the United States", "Ministerio de ..."). The brackets are found first
# and the name read backwards from each: one pattern over the whole text for both cost 0.29 ms
# on the seed page (0.18 before it took "on", "in", "de"...), this 0.08, and it finds the same
# 60 acronyms in the 1,883 public texts of store.tags.fold.
_ACRONYM_PAREN = re.compile(r"(?<=\s)\(([A-Z][A-Za-z]{1,9})\)")
_NAME_WORD = re.compile(r"[A-Z][\w’'-]*|of|for|and|the|on|in|to|at|de|del|des|du|la|y|&")
_NAME_WORDS = 9
_MAX_NAME = 80
# No name runs across a blank line (a single line break may wrap one: "Bill\nClinton").
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
# One name for the things news calls many ways, so that every article lands on one tag: the
# countries and bodies most often abbreviated or nicknamed. Keys are lower-cased surface forms
# (after clean_name); values the canonical name and kind. Agencies keep the short form the
# public uses (#FDA); countries their name (#UnitedStates, not #US, #USA or #America).
_PLATFORMS = (
    "Twitter", "Facebook", "Instagram", "YouTube", "TikTok", "Snapchat", "WhatsApp", "Reddit",
    "LinkedIn",
)  # fmt: skip
_CANONICAL: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        ["us", "u.s", "u.s.", "usa", "u.s.a", "u.s.a.", "america", "united states of america"],
        ("United States", "place"),
    ),
    **dict.fromkeys(["uk", "u.k", "u.k.", "britain", "great britain"], ("United Kingdom", "place")),
    **dict.fromkeys(["eu", "e.u", "e.u."], ("European Union", "org")),
    **dict.fromkeys(["un", "u.n", "u.n."], ("United Nations", "org")),
    **dict.fromkeys(["uae", "u.a.e", "u.a.e."], ("United Arab Emirates", "place")),
    **dict.fromkeys(["fda", "food and drug administration"], ("FDA", "org")),
    **dict.fromkeys(
        ["cdc", "centers for disease control", "centers for disease control and prevention"],
        ("CDC", "org"),
    ),
    **dict.fromkeys(["who", "world health organization"], ("WHO", "org")),
    **dict.fromkeys(["fbi", "federal bureau of investigation"], ("FBI", "org")),
    **dict.fromkeys(["cia", "central intelligence agency"], ("CIA", "org")),
    **dict.fromkeys(["nato", "north atlantic treaty organization"], ("NATO", "org")),
    **dict.fromkeys(["gop", "republican party"], ("Republican Party", "org")),
    **dict.fromkeys(["dnc", "democratic national committee"], ("DNC", "org")),
    **dict.fromkeys(["doj", "justice department", "department of justice"], ("DOJ", "org")),
    **dict.fromkeys(
        ["fed", "federal reserve", "federal reserve board"], ("Federal Reserve", "org")
    ),
    # "Coronavirus pandemic" (14 articles of allsides-dev) stood beside COVID-19 (32): the
    # pandemic is what news means by the disease's name.
    **dict.fromkeys(
        [
            f"{name}{suffix}"
            for name in ("covid", "covid-19", "covid19", "coronavirus", "sars-cov-2")
            for suffix in ("", " pandemic", " outbreak", " crisis")
        ]
        + ["novel coronavirus", "new coronavirus"],
        ("COVID-19", "topic"),
    ),
    # The chambers under a country's initials ("U.S. Senate", "US Congress": national prefixes
    # are read off by canonical) were tags of their own beside "Senate" and "Congress" (34 and
    # 37 articles of allsides-dev). Not a bare "House", which is the Commons in British news.
    "congress": ("Congress", "org"),
    "senate": ("Senate", "org"),
    **dict.fromkeys(
        ["house of representatives", "u.s. house", "us house"], ("House of Representatives", "org")
    ),
    # The summits' groups under their written forms: "G7" (a place to spaCy, 4 allsides-dev
    # articles), "G-7" and "Group of Seven" (an organisation) were three tags.
    **dict.fromkeys(["g7", "g-7", "group of seven", "group of 7"], ("G7", "org")),
    **dict.fromkeys(["g20", "g-20", "group of twenty", "group of 20"], ("G20", "org")),
    # The platforms news names most, which spaCy's small model reads as a person as often as
    # not ("Twitter": a person tag of 14 of the 1,883 public texts, an organisation's of 7)
    # and which an article that names them in a phrase tagged a topic ("Facebook" 13 times).
    **{name.lower(): (name, "org") for name in _PLATFORMS},
    # One territory under its two names: 11 and 9 articles of allsides-dev were two tags.
    "gaza strip": ("Gaza", "place"),
    # The capital under its district's name (spaCy reads "Washington, D.C." as two places),
    # and the states news writes with initials: "D.C" was a tag of 5 articles of allsides-dev.
    **dict.fromkeys(
        ["d.c", "dc", "washington d.c", "washington dc", "washington, d.c", "district of columbia"],
        ("Washington, D.C.", "place"),
    ),
    **{
        form: (state, "place")
        for initials, state in [
            ("n.y", "New York"),
            ("n.j", "New Jersey"),
            ("n.h", "New Hampshire"),
            ("n.m", "New Mexico"),
            ("n.c", "North Carolina"),
            ("n.d", "North Dakota"),
            ("s.c", "South Carolina"),
            ("s.d", "South Dakota"),
            ("r.i", "Rhode Island"),
            ("w.va", "West Virginia"),
        ]
        for form in (initials, initials + ".")
    },
}
# The forms news writes for them, lower-cased: where a site's older tag may stand under one.
CANONICAL_FORMS = frozenset(_CANONICAL)
# A name that ends in initials with full stops: "D.C.", "F.B.I.", "W.Va.", "George W.".
_INITIALISM = re.compile(r"(?:^|[\s-])(?:[A-Z][a-z]?\.)+[A-Z][a-z]?\.?$")
_NATIONAL = re.compile(r"^(?:U\.S\.|US|U\.K\.|UK)\s+")
# The states by name, for the state a party label gives ("R-Texas", "D-W.Va.", "R-Fla.").
US_STATES = frozenset(
    w.strip()
    for w in """
    Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|
    Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|
    Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|
    New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|
    Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|
    West Virginia|Wisconsin|Wyoming
    """.replace("\n", "").split("|")
)


def us_state(written: str) -> str | None:
    """The state a name, an AP abbreviation or initials stand for ("Fla." Florida, "W.Va." West
    Virginia, "Texas"); None for anything else. "Wash." is Washington."""
    w = written.strip()
    if w in US_STATES:
        return w
    key = w.lower().rstrip(".") + "."
    if key in STATE_ABBREVIATIONS:
        return STATE_ABBREVIATIONS[key].removesuffix(" State")
    known = _CANONICAL.get(key.rstrip("."))
    return known[0] if known is not None and known[0] in US_STATES else None


# A department under its formal name is the one news names by its subject: "the Department of
# Labor" (3 articles of allsides-dev) and "the Labor Department" (12) were two tags.
_DEPARTMENT_OF = re.compile(
    r"^Department of (?:the )?([A-Z][\w'’-]*(?: (?:and|[A-Z][\w'’-]*)){0,4})$"
)
# "who" is a word: only the capitalised forms are the organisation.
_CASE_SENSITIVE = frozenset(["who", "us", "un"])
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ian|ese|ish|ic|i)$")
_AND = re.compile(r"\s+and\s+")


@dataclass(frozen=True, slots=True)
class Entity:
    text: str
    type: str  # person, org, place, event
    count: int
    first: int  # offset of the first mention, for ranking by prominence


@dataclass(slots=True)
class Entities:
    items: list[Entity]
    aliases: dict[str, str] = field(default_factory=dict)  # lower-cased surface -> canonical
    # The acronyms the article spells out, by the canonical name they stand for ("Rapid
    # Support Forces" -> "RSF"): what lets the site send a bare "RSF" to the same tag.
    defined: dict[str, str] = field(default_factory=dict)
    # The names whose kind the article shows beyond a model's reading: given a legal form, a
    # stock ticker or a chief executive ("Pfizer Inc", "Pfizer (PFE.N)", "Twitter CEO"), a name
    # is a company, and used as a platform ("a Twitter user", "took to Twitter") an
    # organisation. The site lets such an article outweigh any number that only the model typed
    # (store.tagforms).
    sure: frozenset[str] = frozenset()
    # A surname the article's people share, by the gender a title says ("Clinton": "male" Bill
    # Clinton, "female" Hillary Clinton): "Mr. Clinton" is he, whatever a bare "Clinton" is.
    gendered: dict[str, dict[str, str]] = field(default_factory=dict)

    def resolve(self, name: str, before: str = "") -> str:
        """The article's canonical name for a surface form, or the cleaned form itself;
        `before` is the text before it, where a title may stand ("Mrs. " of "Mrs. Clinton")."""
        cleaned = clean_name(name)
        if self.gendered:
            text = before + cleaned
            said = title_gender(text, len(before))
            if said is not None:
                person = self.gendered.get(text[said[1] :].lower(), {}).get(said[0])
                if person:
                    return person
        return self.aliases.get(cleaned.lower(), cleaned)

    def kind_of(self, name: str) -> str | None:
        for e in self.items:
            if e.text == name:
                return e.type
        return None

    def to_json(self) -> list[dict[str, object]]:
        return [{"text": e.text, "type": e.type, "count": e.count} for e in self.items]


def clean_name(name: str) -> str:
    """'the Russian Ministry of Defence (MoD)' -> 'Russian Ministry of Defence'. An
    initialism keeps its last full stop ("D.C.", "W.Va.", not "D.C")."""
    whole = _PAREN.sub("", " ".join(name.split()))
    s = _LEADING.sub("", _DATELINE.sub("", whole).strip(" \\\"'“”‘’-–—,.:;"))
    s = _TRAILING_TITLE.sub("", _TRAILING.sub("", s))
    s = _COMPANY_FORM.sub("", s) if " " in s else s
    s = s.strip(" \"'“”‘’-–—,.:;")
    if _INITIALISM.search(s) and s + "." in whole:
        s += "."
    return s


_GENDER_TITLE = "|".join(t.capitalize() for t in GENDER_TITLES)
TITLE_REACH = 12  # characters before a name where its title stands: "Princess " and a space
_TITLE_BEFORE = re.compile(rf"(?<![\w.])(?:{_GENDER_TITLE})\.?\s+$")
_TITLE_AT = re.compile(rf"(?:{_GENDER_TITLE})\.?\s+(?=[A-Z])")


def title_gender(raw: str, at: int) -> tuple[str, int] | None:
    """(the gender a title says, where the name after it starts) for the name at `at` in
    `raw`, titled before it ("Mrs. " + "Clinton") or within it ("Mr. Clinton"); else None."""
    m = _TITLE_AT.match(raw, at)
    if m is not None:
        return GENDER_TITLES[m.group(0).split()[0].rstrip(".").lower()], m.end()
    m = _TITLE_BEFORE.search(raw, max(0, at - TITLE_REACH), at)
    if m is not None:
        return GENDER_TITLES[m.group(0).split()[0].rstrip(".").lower()], at
    return None


def _owners(people: Iterable[str]) -> set[str]:
    """The names a person of the article is written under before a body's name: their full
    names that a first name opens (not a model's "Shining Path" person) and those names'
    surnames."""
    full = {n for n in people if " " in n and is_first_name(n.split()[0], "en")}
    return full | {family_name(n) for n in full}


def _possessed(
    name: str, kind: str, start: int, people: Collection[str] = ()
) -> tuple[str, str, int]:
    """The person or place after a possessive the model took into a name ("National Review's
    Jonah Goldberg" is Jonah Goldberg, "Trump's Indiana" Indiana), and the body a person of
    the article's (a word of a name in `people`) is said to own ("Clinton's State Department"
    is the State Department: she ran it, it is not hers); other names that hold a possessive
    are left whole ("Martha's Vineyard", "King's College London", "Wisconsin's Supreme Court",
    "Facebook's Oversight Board"). On 1,883 public news texts, 15 of the 45 tags with an
    apostrophe were such spans."""
    m = _POSSESSIVE.match(name)
    if m is None:
        return name, kind, start
    tail = name[m.end() :]
    owner = _TRAILING.sub("", name[: m.end()].rstrip()).split()
    if kind == "org" and owner and owner[-1] in people and tail[:1].isupper():
        return tail, kind, start + m.end()
    words = tail.split()
    if _first_name_opens(words) and all(w[:1].isupper() for w in words):
        return tail, "person", start + m.end()
    if tail in place_names():
        return tail, "place", start + m.end()
    return name, kind, start


def _first_name_opens(words: list[str]) -> bool:
    """Whether two or three words open with a first name, not one that is mostly a word ("Job
    Openings": job 5.5, will 6.5, hope 5.4 on wordfreq's Zipf scale; Mark 5.05 and Bill 5.15
    stay names)."""
    return (
        2 <= len(words) <= 3
        and is_first_name(words[0], "en")
        and zipf(words[0].lower(), "en") < _WORDLIKE_NAME
    )


def _a_persons_name(name: str, people: Collection[str]) -> bool:
    """Whether `name` is written as a person's: a first name and a surname the model reads
    elsewhere as a person's ("Barack Obama" where each bare "Obama" was a person to it)."""
    words = name.split()
    return _first_name_opens(words) and words[-1] in people


# What only a person is called right before the name: "presidential candidate Carly Fiorina",
# "First Minister Nicola Sturgeon", "Fox News host Sean Hannity" (the small model read each a
# body; with the surname alone read as a person, 32 names and 17 tags of the 1,883 public
# texts). Not what a company is called too: "rival", "partner", "leader", "owner".
_PERSON_ROLES = (TITLES - {"chief", "leader", "general"}) | frozenset(
    """
    candidate nominee hopeful contender host anchor presenter commentator columnist ceo
    founder co-founder chairman chairwoman executive striker midfielder defender goalkeeper
    winger manager coach actor actress singer rapper comedian author writer novelist
    economist pollster strategist lawyer attorney businessman businesswoman billionaire
    mogul activist
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_ROLE_WORD = re.compile(r"([A-Za-z][\w-]*)\.?\s+$")


def _role_before(raw: str, start: int) -> bool:
    """Whether the word right before a name is what only a person is called."""
    m = _ROLE_WORD.search(raw, max(0, start - _SIGN_REACH), start)
    return m is not None and m.group(1).lower() in _PERSON_ROLES


def _couple(name: str, raw: str, end: int, person_starts: set[int]) -> str:
    """A first name that shares the next person's surname: "Bill and Melinda Gates" is Bill
    Gates and Melinda Gates (spaCy reads a "Bill" and a "Melinda Gates"; "Bill" was a tag of
    three AllSides articles)."""
    if " " in name:
        return name
    m = _AND_NAME.match(raw, end)  # before the first-name list, which costs a worker ~5 MB
    if m is None or m.start("next") not in person_starts or not is_first_name(name, "en"):
        return name
    return f"{name} {m.group('surname')}"


# The last word of a football club's name ("Manchester United", "Tottenham Hotspur", "Ipswich
# Town"), which spaCy's small model reads as a person's: "Manchester United" was a person in
# 29 of the 500 goyal-dm texts, a tag in 13; no one's surname.
_CLUB_WORDS = frozenset(
    "United Hotspur Rovers Wanderers Athletic Albion Town City Villa Rangers".split()  # noqa: SIM905
)


def _a_club(name: str) -> bool:
    """Whether a name the model calls a person is a club's: a place or a word that is no first
    name before one of the words clubs end with ("Aston Villa", "Man United"), or a word
    before a big city ("Atletico Madrid", "Inter Milan", "Breitbart London"); "David Villa",
    "Paris Hilton" and "Yukiya Amano" (a name, and a place's other name) stay people."""
    words = name.split()
    if len(words) != 2 or (words[0] != "Man" and is_first_name(words[0], "en")):
        return False
    if words[1] in _CLUB_WORDS:
        return True
    places = place_names()
    return (
        words[1] in places
        and words[0] not in places  # "Okinawa Japan"
        and zipf(words[0].lower(), "en") >= _HEADLINE_WORD  # a word, not a name
    )


def _listed_not_surname(name: str, surnames: set[str]) -> bool:
    """A single word that is a listed company's name and no person's in the article is the
    company (enrich/companies.py has the figures): the article's "Kevin Brady" keeps "Brady" a
    person."""
    return " " not in name and name not in surnames and is_listed(name)


def acronyms(text: str) -> dict[str, str]:
    """Acronyms an article defines: 'Rapid Support Forces (RSF)' -> {'RSF': 'Rapid Support Forces'}.

    The long form is the shortest run of words before the parenthesis whose capitals spell the
    acronym, plus at most one leading adjective ("Russian Ministry of Defence (MoD)").
    """
    found: dict[str, str] = {}
    for m in _ACRONYM_PAREN.finditer(text):
        short, words = m.group(1), list[str]()
        for token in reversed(text[max(0, m.start() - 250) : m.start()].split()[-_NAME_WORDS:]):
            word = token.lstrip("\"'“‘«(")  # a quoted name begins the run: "'Autonomous"
            if not _NAME_WORD.fullmatch(word):
                break
            words.insert(0, word)
            if word != token:
                break
        if not words:
            continue
        letters = [c for c in short if c.isupper()]
        caps = [w for w in words if w[0].isupper()]
        best = None
        for i in range(len(words)):
            if [w[0] for w in words[i:] if w[0].isupper()] == letters:
                best = i  # the shortest exact spelling wins
        if best is not None and best > 0 and _DEMONYM.search(words[best - 1]):
            best -= 1  # "Russian Ministry of Defence (MoD)"
        if best is not None and caps:
            long = clean_name(" ".join(words[best:]))
            if long and long.lower() != short.lower():
                found[short] = long
    return found


# A word the model took into a person's name from the clause: "Neither Cruz nor Christie" made
# "Neither Cruz", whom a bare "Cruz" then meant (5 PolNeAR claims).
_QUANTIFIER = re.compile(r"^(?:Neither|Either|Both|Nor|Unlike|Including)\s+(?=[A-Z])")
_SUFFIXES = frozenset(["Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"])
# Zipf of a common English word: the model ran one into the name after it ("Certainly Donald
# Trump" 4.9, "Weak Ed Miliband" 4.5, "Husband Yin Yunfeng" 4.6, "Beatles Paul McCartney").
_LEAD_WORD = 3.5


def _lead_cut(name: str) -> str:
    """A person's name without a common word the model ran into it before a first name:
    "Certainly Donald Trump" (a PolNeAR speaker), "Weak Ed Miliband", "Vet Nick Fisher",
    "Treasurer Joe Hockey" (7 tags of 940 public texts). Not a style ("Lord Alan Sugar") nor a
    first name itself ("Will Smith Jr")."""
    first, _, rest = name.partition(" ")
    if (
        " " in rest
        and len(first.rstrip(".")) > 1  # an initial is the name's: "J. Christopher Stevens"
        and first.lower() not in STYLES
        and not is_first_name(first, "en")
        and is_first_name(rest.split(" ", 1)[0], "en")
        and zipf(first.lower(), "en") >= _LEAD_WORD
    ):
        return rest
    return name


_HEADLINE_WORD = 3.0  # Zipf: "Defends" 3.5, "Blasts" 3.5, "Slams" 3.6; "Nieto" 2.9
_TITLE_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def _headline_runs_cut(
    mentions: list[tuple[str, str, int]], raw: str
) -> list[tuple[str, str, int]]:
    """A person the model ran into a title-case headline is the person the article names
    alone: "Chris Christie Address Heroin" (HuffPost's live blog, "10:35PMChris Christie Says
    ...") is Chris Christie, and so were 14 PolNeAR claims; "Ben Carson Defends", "Donald Trump
    Playing Dumb" likewise. Only on a line written in title case: "Dena Minning Grayson" in a
    sentence is her whole name, "Muhammad Ali Center" a body; nor where what follows is no
    word ("Enrique Peña Nieto" on a headline that also names "Enrique Peña").

    A surname the article names a person by runs into its headline too: "Trump Says He Never",
    "Obama Just Pulled Out", "Trump Meets With Expert" are Trump and Obama, unless the article
    writes the longer name in a sentence too ("Trump Tower"): 28 persons of the 840 PolNeAR
    texts, 15 person tags of the 1,883 public texts."""
    full = {n for n, k, _ in mentions if k == "person" and " " in n}
    seen: dict[int, bool] = {}
    prose = {n for n, _, start in mentions if not _title_case_line(raw, start, seen)}
    # The names a person goes by alone: a surname the article writes bare in a sentence, or
    # one that is no first name. Not "Craig" of "Craig Robinson" beside Sara Craig (a list of
    # people), nor "Marco" of "Marco Rubio 3" where "Marco" stands alone in a sentence.
    bare = {n for n, k, _ in mentions if k == "person" and " " not in n and n in prose}
    alone = {f for f in map(family_name, full) if f in bare or not is_first_name(f, "en")}
    alone |= {n for n in bare if not is_first_name(n, "en")}
    out = []
    for name, kind, start in mentions:
        if (
            kind != "person"
            or " " not in name
            or name in prose
            or not _title_case_line(raw, start, seen)
        ):
            out.append((name, kind, start))
            continue
        surname, _, rest = name.partition(" ")
        word = rest.split()[0]
        if (
            surname in alone
            and word[:1].isupper()
            and word not in _SUFFIXES
            and word.lower() not in NAME_PARTICLES  # "Ahmed Al Ashry"
            and not any(n.startswith(f"{surname} {word}") for n in full if n != name)
            and not is_first_name(word, "en")
            and zipf(word.lower(), "en") >= _HEADLINE_WORD
        ):
            name = surname
        elif name.count(" ") >= 2:
            for other in full:
                rest = name[len(other) + 1 :]
                word = rest.split()[0] if rest else ""
                if (
                    name.startswith(other + " ")
                    and word not in _SUFFIXES
                    and zipf(word.lower(), "en") >= _HEADLINE_WORD
                ):
                    name = other
                    break
        out.append((name, kind, start))
    return out


# Zipf of a word more than a name: "Briton" 2.8, "Alderman" 3.2, "Assemblywoman" 2.1; not
# "Moner" 1.6 (Moner Mohammad Abusalha), "Palak" 2.0
_ANY_WORD = 2.1


def _role_words_cut(mentions: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """A person's name the model ran words before, where the article names the person
    without them too: "Briton Nick Cousins", "Spaniard Rafael Nadal", "Alderman William D.
    Burns", "Moderator Hugh Hewitt", "big hitter Dilma Rousseff", "Goalkeeper - David de Gea"
    are the people named after the words. `_lead_cut` takes a common word off any name; this
    takes a rarer one ("Briton", Zipf 2.8) only where the rest of the name, or its surname
    alone, is a person the article names elsewhere: "Aung San Suu Kyi" stays whole."""
    people = {n for n, k, _ in mentions if k == "person"}
    out = []
    for name, kind, start in mentions:
        words = name.split()
        cut = 0
        while (
            kind == "person"
            and len(words) - cut >= 3
            and (not any(c.isalpha() for c in words[cut]) or _a_role_word(words[cut]))
        ):
            cut += 1
        rest = " ".join(words[cut:])
        if cut and is_first_name(words[cut], "en") and ({rest, family_name(rest)} & people):
            name, start = rest, start + name.find(rest)
        out.append((name, kind, start))
    return out


def _a_role_word(word: str) -> bool:
    """Whether a word before a name is a word of the language rather than part of the name,
    and no function word ("Victoria at Sandy Hook")."""
    return word.lower() not in function_words("en") and _no_name_word(word, _ANY_WORD)


def _no_name_word(word: str, least: float) -> bool:
    """Whether a word before a name is a word at least this common (Zipf) that is no part
    of a name: no initial, style, particle or first name."""
    return (
        len(word.rstrip(".")) > 1
        and word.lower() not in STYLES
        and word.lower() not in NAME_PARTICLES  # "De Blasio"
        and not is_first_name(word, "en")
        and zipf(word.lower(), "en") >= least
    )


# Zipf: "Longtime" 3.7, "Fascist" 3.8, "Combine" 4.1; not "Prescott" 3.4 (Prescott Bush). A
# word in "-ing" is a participle at any Zipf a word has (_ANY_WORD): "Asserting Clinton's role",
# "Bashing Trump may be job one" (3.35, 3.45; the two such persons of the 1,883 public texts).
_RUN_WORD = _LEAD_WORD


def _run_together_cut(mentions: list[tuple[str, str, int]], raw: str) -> list[tuple[str, str, int]]:
    """A person's surname the model ran a word into, where the article names that person in
    full: "Longtime Clinton", "Asserting Clinton", "Fascist Trump", "Weak - Rubio" (a common
    word that is no first name) are Clinton, Trump and Rubio; "Romney Clinton", "Cruz Carson",
    "Clinton Trump" (the first word another person's surname, and the two not written as one
    name: "Clinton-Trump", a list) are two people; "Ryan Williams" where Paul Ryan is named
    stays. 27 such persons of the 840 PolNeAR texts, each beside the person named in full
    (whose bare surname they kept from being folded into the full name)."""
    full = {n for n, k, _ in mentions if k == "person" and " " in n}
    surnames: defaultdict[str, set[str]] = defaultdict(set)  # surname -> its people, named
    others: defaultdict[str, set[str]] = defaultdict(set)  # with a first name ("Hillary
    for n in full:  # Clinton", not "Longtime Clinton"), or in full at all ("Mitt Romney")
        others[family_name(n)].add(n)
        if is_first_name(n.split(" ", 1)[0], "en"):
            surnames[family_name(n)].add(n)
    out: list[tuple[str, str, int]] = []
    for name, kind, start in mentions:
        *lead, last = name.split()
        if kind == "person" and lead and surnames[last] - {name}:
            at = start + max(0, name.rfind(last))
            written = raw.find(name, start, start + len(name) + _SIGN_REACH) >= 0
            if len(lead) == 1 and lead[0] != last and others[lead[0]] - {name} and not written:
                out += [(lead[0], kind, start), (last, kind, at)]
                continue
            if all(run_in(w) for w in lead):
                out.append((last, kind, at))
                continue
        out.append((name, kind, start))
    return out


def run_in(word: str) -> bool:
    """Whether a word before a surname is none of the name: punctuation ("Weak - Rubio") or
    a common word that is no first name, style or initial ("Longtime Clinton")."""
    if not any(c.isalpha() for c in word):
        return True
    return _no_name_word(word, _ANY_WORD if word.endswith("ing") else _RUN_WORD)


# What stands before a word that opens a sentence, a paragraph or a quotation.
_OPENING = re.compile(r"(?:^|[.!?…][\"'’”)]*\s+|\n\s*|[\"'‘“(]\s*)$")


def _opening_capitals_cut(
    mentions: list[tuple[str, str, int]], raw: str
) -> list[tuple[str, str, int]]:
    """A single word the model took for a name only where a capital says nothing (a sentence's
    or a quotation's first word, a title-case headline), and that the article also writes in
    lower case, is a common word: "Vaccine advisers to the US Centers for Disease Control..."
    made "Vaccine" a person and the tag of the article, which calls it "the vaccine" four
    times; "Debris", "Horrific", "Intelligence", "Rascal" likewise (5 tags of 940 public
    texts, each a common word; DUC-2001-dev F1@5 26.06 -> 25.91, "Guerrillas" a tag of the
    Shining Path text and its key "shantytowns" sixth). A name the article writes with its
    capital mid-sentence, or never in lower case, stays."""
    at: defaultdict[str, list[int]] = defaultdict(list)
    for name, _, start in mentions:
        if " " not in name and name[1:].islower() and name[:1].isupper():
            at[name].append(start)
    seen: dict[int, bool] = {}
    common = {
        name
        for name, starts in at.items()
        if all(
            _OPENING.search(raw, max(0, s - 6), s) or _title_case_line(raw, s, seen) for s in starts
        )
        and re.search(rf"\b{re.escape(name.lower())}\b", raw)
    }
    return [m for m in mentions if m[0] not in common] if common else mentions


def _title_case_line(raw: str, at: int, seen: dict[int, bool] | None = None) -> bool:
    """Whether the line round `at` is a headline's: most of its longer words capitalised.
    `seen` keeps each line's answer by where it starts: asked of every mention, reading a
    long paragraph again each time cost 4 ms of a 600-word article's 7 (bench/enrich.py)."""
    begin = raw.rfind("\n", 0, at) + 1
    if seen is not None and begin in seen:
        return seen[begin]
    end = raw.find("\n", at)
    words = [
        w for w in _TITLE_WORD.findall(raw, begin, end if end >= 0 else len(raw)) if len(w) > 3
    ]
    found = len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)
    if seen is not None:
        seen[begin] = found
    return found


def hashtagged(raw: str, start: int) -> bool:
    """Whether the name at `start` is a hashtag's ("#MeToo"): no person nor entity, though
    spaCy reads one as a person."""
    return raw[start - 1 : start] == "#"


def _places_paired(name: str) -> list[str]:
    """The two places of "U.S.-Russia", or nothing where a side is no place ("Coca-Cola",
    "Al-Qaeda", "Rolls-Royce")."""
    m = _PAIR.match(name)
    if m is None:
        return []
    places = place_names()
    out = []
    for part in m.groups():
        known = canonical(part)
        if known is not None and known[1] == "place":
            out.append(known[0])
        elif part in places and len(part) > 2:
            out.append(part)
        else:
            return []
    return out


def _split_and(name: str, kind: str, start: int) -> list[tuple[str, str, int]]:
    """'Belgorod and Rostov' is two places; 'Peace and Security Council' is one body.

    A mention splits at 'and' when it names people, or when the right side has its own article
    ('RSF and the Sudanese Armed Forces'), or both sides are single words. Two single words
    one of which is a listed place are both places, whatever the model called the pair: spaCy
    read "Belgorod and Rostov" on the seed page as one organisation, and a pair names two
    things of one kind.
    """
    parts = _AND.split(name)
    if len(parts) != 2 or not all(p[:1].isupper() or p.startswith("the ") for p in parts):
        return [(name, kind, start)]
    left, right = parts
    single = " " not in left and " " not in right
    if kind == "person" or right.startswith("the ") or single:
        left, right, at = clean_name(left), clean_name(right), start + name.index(right)
        if single and kind != "person" and (left in place_names() or right in place_names()):
            kind = "place"
        return [(left, kind, start), (right, kind, at)]
    return [(name, kind, start)]


# A word that makes a body inside an organisation, not the organisation's full name: "UN" is
# not the "UN Security Council", nor "Harvard" its "Harvard Medical School".
SUB_BODIES = frozenset(
    """
    council commission committee board foundation ministry department office agency institute
    school college court assembly parliament senate police army navy museum press service
    """.split()  # noqa: SIM905 - a word list reads better as words
)


def _short_form(name: str, other: str) -> bool:
    """`name` is `other` less its last word, the way news shortens a company's name."""
    if name.isupper() or not other.startswith(name + " "):
        return False
    rest = other[len(name) + 1 :]
    return " " not in rest and rest[:1].isupper() and rest.lower() not in SUB_BODIES


def canonical(name: str) -> tuple[str, str] | None:
    """The one name and kind of a thing news names many ways ("U.S." -> United States)."""
    key = name.lower().removesuffix(".") if _INITIALISM.search(name) else name.lower()
    if key in _CASE_SENSITIVE and not name.isupper():
        return None
    found = _CANONICAL.get(key)
    if found is None and _INITIALISM.fullmatch(name):  # "F.B.I." is the FBI
        found = _CANONICAL.get(key.replace(".", ""))
    if found is None and _NATIONAL.match(name):  # "U.S. Food and Drug Administration"
        found = _CANONICAL.get(_NATIONAL.sub("", name).lower())
    if found is None:
        m = _DEPARTMENT_OF.match(_NATIONAL.sub("", name))
        if m is not None:
            inverted = f"{m.group(1)} Department"
            found = _CANONICAL.get(inverted.lower(), (inverted, "org"))
    return found


# A lower-case word a language's model takes into the start of a name and is none of it: the
# small Spanish model reads "los municipios de Valencia" as the place "de Valencia" (three of
# the team's five Spanish texts). Lower case only: a surname's own particle, standing alone, is
# capitalised in Spanish ("De la Fuente").
_LEADING_WORDS = {"es": re.compile(r"^(?:de|del)\s+")}


def _demonym(name: str) -> bool:
    """Whether a one-word name is the adjective of a place the lists know ("Ukrainian" of
    Ukraine, "Gazan" of Gaza, "Chinese" of China), not a place itself ("Michigan", "Sudan")."""
    places = place_names()
    if " " in name or name in places or not name.endswith(("n", "se", "sh", "i")):
        return False
    stems = (name[:-1], name[:-2], name[:-3], name[:-3] + "e", name[:-3] + "a", name[:-3] + "on")
    return any(len(stem) >= 3 and (stem in places or stem + "ia" in places) for stem in stems)


def _unstyled(name: str) -> str:
    """A person's name without the style strip_titles keeps ("Sir Keir": Keir)."""
    head, _, rest = name.partition(" ")
    return rest if rest and head.lower() in STYLES else name


def extract(doc: Doc, text: str | None = None) -> Entities:
    """Entities of a parsed article, merged and counted; most mentioned first."""
    raw = text if text is not None else doc.text
    lead = _LEADING_WORDS.get(doc.lang_)
    found = []
    for ent in doc.ents:
        if ent.label_ not in _KINDS:
            continue
        name, start = ent.text, ent.start_char
        m = lead.match(name) if lead else None
        if m:
            name, start = name[m.end() :], start + m.end()
        found.append((name, ent.label_, start))
    return from_mentions(found, raw)


def _within(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def from_mentions(found: list[tuple[str, str, int]], raw: str) -> Entities:
    """Entities from an NER's mentions (text, label, character offset) in `raw`, merged and
    counted; most mentioned first. The label is spaCy's or WikiNER's (PERSON, PER, ORG, ...)
    or already one of the four kinds (a model that is not spaCy's: enrich.steps.NAME_MODELS)."""
    mentions: list[tuple[str, str, int]] = []
    incorporated: set[str] = set()  # names given a legal form, a ticker or a CEO
    platforms: set[str] = set()  # single words used as a platform ("a Twitter user")
    placed: set[str] = set()  # names after "the siege of", "the town of"
    person_starts = {start for _, label, start in found if _KINDS.get(label, label) == "person"}
    # Any word of a person's name: "President Biden" is all many roundups write of him.
    people = {w for t, label, _ in found if _KINDS.get(label, label) == "person" for w in t.split()}
    # The surnames the model reads as a person alone: "Sturgeon" of "Ms Sturgeon", a bare
    # "Hannity"; untitled, not one that is also a first name or a place ("Stanley", beside
    # "Morgan Stanley", is a place's name too).
    alone = {
        n for t, label, _ in found if _KINDS.get(label, label) == "person"
        if " " not in (n := strip_titles(t.strip()))
        and (n != t.strip() or not (n in place_names() or is_first_name(n, "en")))
    }  # fmt: skip
    roled: set[str] = set()  # people the article calls what only a person is
    datelines = [m.span("line") for m in _DATELINES.finditer(raw)]
    bodies = {t for t, label, _ in found if _KINDS.get(label, label) == "org" and " " in t}
    for text, label, start in found:
        parts = _PARAGRAPH_BREAK.split(text)
        if len(parts) > 1:  # "X.\n\nTrump": a stray line's word run into the next paragraph's
            start, text = start + len(text) - len(parts[-1]), parts[-1]
        if text[:1] in APOSTROPHES and text[1:3] == "s ":
            start, text = start + 3, text[3:]  # "party’s Donald Trump": the model began at "’s"
        kind = _KINDS.get(label, label if label in _OUR_KINDS else None)
        if kind == "person" and " " in text:
            # "the Obama White House": a person's name before a body the article names, which
            # the model read as one person (4 of the 1,383 public texts' tags)
            head, _, body = text.partition(" ")
            while body and body not in bodies and " " in body:
                word, _, body = body.partition(" ")
                head += " " + word
            if body in bodies and head in people:
                text, kind, start = body, "org", start + len(head) + 1
        if kind is None or _within(datelines, start, start + len(text.rstrip())):
            continue  # inside a dateline; "ROME - Bernie Sanders", run into it, is cut below
        if _OPEN_END.search(text):
            more = _NEXT_NAME_WORD.match(raw, start + len(text))
            if more is None:
                continue  # a connector ends it and no name follows: no name
            text += more.group(0)  # "Group of" + " Seven": the model read "Seven" as a number
        end = start + len(text)
        if _CUT.match(raw, start + len(text.rstrip(".… "))):
            continue  # the rest of the name was cut off with the text ("Derek...")
        if ": " in text:  # a caption's label or a headline's kicker: "Slammed: Claudia Alende"
            named = [p for p in text.split(": ") if _first_name_opens(p.split())]
            if len(named) == 1:
                start, text = start + text.find(named[0]), named[0]
        if "@" in text or "://" in text or _PREFIXED.match(text) or hashtagged(raw, start):
            continue  # a handle ("@DJTDesk", "Twitter @IanHanchett"), an address, a hashtag
            # ("#MeToo", a person to the model) or an adjective ("pro-Trump") is nobody's name
        company = bool(
            _COMPANY_FORM.search(text.strip()) or _TICKER.match(raw, end) or _CEO.match(raw, end)
        )
        platform = bool(
            " " not in text.strip()
            and (
                _PLATFORM_AFTER.match(raw, end)
                or _PLATFORM_BEFORE.search(raw, max(0, start - _SIGN_REACH), start)
            )
        )
        place = bool(_PLACE_BEFORE.search(raw, max(0, start - _SIGN_REACH), start))
        if kind == "place" and _PARTY_LABEL.search(raw, max(0, start - 4), start):
            continue
        if (
            kind == "org"
            and all(w in _PORTFOLIO for w in text.lower().split())
            and (
                _TITLE_AFTER.match(raw, end)
                or _TITLE_OF_BEFORE.search(raw, max(0, start - _SIGN_REACH), start)
            )
        ):
            continue
        name, kind, start = _possessed(clean_name(text), kind, start, people)
        if kind == "org" and _TRAILING.search(text.rstrip()) and _a_persons_name(name, people):
            kind = "person"  # "Barack Obama's" (speech), which the model read as a body
        elif kind in ("org", "person") and _first_name_opens(name.split()):
            if _role_before(raw, start):  # "GOP candidate Carly Fiorina", a body to the model
                kind = "person"
                roled.add(name)
            elif kind == "org" and name.count(" ") == 1 and name.split()[1] in alone:
                kind = "person"  # "Nicola Sturgeon" beside "Ms Sturgeon", a person to it
        if kind == "place" and (text.endswith(".") or raw[end : end + 1] == "."):
            name = STATE_ABBREVIATIONS.get(name.lower().rstrip(".") + ".", name)
        if company:
            incorporated.add(name)
        elif platform:
            platforms.add(name)
        elif place and kind == "org":  # not "the province of Twitter", a person to the model
            placed.add(name)
        if kind == "person":
            name = _lead_cut(strip_titles(_QUANTIFIER.sub("", name)))
            if name.lower().rstrip(".") in TITLES or name.lower() in TITLE_ABBREVIATIONS:
                continue  # "Dr", "Lt": a title the model read without its name
            styled = _STYLED_BEFORE.search(raw, max(0, start - _SIGN_REACH), start)
            if styled and is_one_name(name):
                name, start = f"{styled.group(1)} {name}", styled.start(1)  # "Prince Harry"
            name = _couple(name, raw, end, person_starts)
        if not name or len(name) > _MAX_NAME or not any(c.isalpha() for c in name):
            continue
        if name in _NO_NAMES:
            continue
        if kind == "org" and _DOTTED.fullmatch(name) and canonical(name) is None:
            name = name.replace(".", "")  # "C.P.I."
        pair = _places_paired(name) if kind != "person" else []
        if pair:
            mentions.extend((part, "place", start) for part in pair)
            continue
        if name.islower() or "\n" in name:
            continue
        if kind == "place" and _demonym(name):
            continue  # "Ukrainian", "Gazan": the model's place is the people of one
        mentions.extend(_split_and(name, kind, start))

    mentions = _opening_capitals_cut(_headline_runs_cut(mentions, raw), raw)
    mentions = _role_words_cut(_run_together_cut(mentions, raw))
    aliases: dict[str, str] = {}
    acr = acronyms(raw)
    for short, long in acr.items():
        aliases[short.lower()] = long

    kind_of = {n: k for n, k, _ in mentions}
    names = set(kind_of) | set(acr.values())
    # A name in capitals is the one written in mixed case ("HILLARY CLINTON", "DIANE VON
    # FURSTENBERG" in a list's heading or a transcript; 7 of the 1,883 public texts).
    cased = {n.lower(): n for n in kind_of if not n.isupper()}
    for name in kind_of:
        if name.isupper() and " " in name and name.lower() in cased:
            aliases[name.lower()] = cased[name.lower()]
    # "Donald J. Trump" beside "Donald Trump" is one person, and a bare "Trump" is he.
    initialled = set()
    for name, kind in kind_of.items():
        plain = _without_middle(name) if kind == "person" else name
        if plain != name and kind_of.get(plain) == "person":
            aliases.setdefault(name.lower(), plain)
            initialled.add(name)
    # A name that ends exactly one longer name of a person or organisation in the article is
    # that name ("Putin", "Security Council"); a person's first name alone is too ("Vladimir"
    # is rare in news, so this only fires when one Vladimir is named), and so is an
    # organisation's first word or words when the article also names it in full.
    # A body's name after a person's ("Clinton State Department", "Obama White House": spaCy's
    # spans of "the Clinton State Department") is not a longer name of the body's own.
    owners = _owners(n for n, k, _ in mentions if k == "person")
    shared: dict[str, set[str]] = {}  # a bare surname -> the people named in full with it
    for name in names:
        if name.lower() in aliases:
            continue
        # A style kept before one name (words.strip_titles) is the person named in full
        # beside it: "Sir Keir" is Keir Starmer, "Lord Frost" David Frost.
        probe = _unstyled(name) if kind_of.get(name) == "person" else name
        longer = {
            other
            for other in names
            if len(other) > len(probe)
            and other != name
            and " and " not in other
            and other not in initialled
            and kind_of.get(other, "org") in ("person", "org")
            and (
                (
                    other.endswith(" " + probe)
                    and not (
                        " " in probe
                        and kind_of.get(other) == "org"
                        and other[: -len(probe) - 1] in owners
                    )
                )
                or (
                    kind_of.get(other) == "person"
                    and (" " not in probe or other[len(probe) + 1 :] in _SUFFIXES)
                    and other.startswith(probe + " ")
                )
                # "Assad" of Bashar al-Assad; "Van Gaal" of Louis van Gaal, "De Blasio": news
                # capitalises the particle that opens a bare surname (8 people of the 1,883
                # public texts kept a tag and quotes of their own beside the full name's)
                or (kind_of.get(other) == "person" and goes_by(other, probe))
                # "Goldman" for "Goldman Sachs", "Berkshire" for "Berkshire Hathaway"
                or (kind_of.get(name) == kind_of.get(other) == "org" and _short_form(name, other))
            )
        }
        # A surname is the person named in full before it is anything it starts ("Cruz" is
        # Ted Cruz, not "Cruz Control"; "Trump" Donald Trump, not "Trump University"): 135
        # PolNeAR articles had a bare surname's tag beside the full name's.
        surnamed = {
            o
            for o in longer
            if kind_of.get(o) == "person" and (o.endswith(" " + probe) or goes_by(o, probe))
        }
        if len(longer) == 1 or len(surnamed) == 1:
            aliases[name.lower()] = (surnamed if len(surnamed) == 1 else longer).pop()
        elif len(surnamed) > 1:
            shared[name] = surnamed
    # Follow chains ("Putin" -> "Vladimir Putin" -> ...), once.
    for key, value in list(aliases.items()):
        aliases[key] = aliases.get(value.lower(), value)
    gendered = _shared_surnames(shared, mentions, aliases)

    surnames = {family_name(n) for n, k, _ in mentions if k == "person" and " " in n}
    counts: Counter[str] = Counter()
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    # The kinds the model gave the full name itself: a bare surname is typed an organisation
    # as often as a person ("Trump" 31 of 72 times on public news), the full name far less.
    own_kinds: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[str, int] = {}
    for name, kind, pos in mentions:
        canon = aliases.get(name.lower(), name)
        if name in gendered and (said := title_gender(raw, pos)) is not None:
            canon = gendered[name].get(said[0], canon)  # "Mr. Clinton": Bill, here
        known = canonical(canon)
        if known is not None:
            canon, kind = known
            aliases.setdefault(name.lower(), canon)
        if kind == "person" and canon == name and name in place_names():
            kind = "place"  # "Kiev" alone; "Jordan" stays a person where "Michael Jordan" is named
        if kind == "person" and canon == name and name in CALENDAR:
            continue
        if kind == "person" and _a_club(canon):
            kind = "org"  # "Manchester United", "Atletico Madrid"
        if kind == "person" and canon == name and _listed_not_surname(name, surnames):
            kind = "org"  # "Moderna" alone, which the model calls a person
        counts[canon] += 1
        kinds[canon][kind] += 1
        if name == canon:
            own_kinds[canon][kind] += 1
        first.setdefault(canon, pos)
    sure: set[str] = set()
    for name in incorporated | (platforms - surnames):
        canon = aliases.get(name.lower(), name)
        if canon in counts:  # "Pfizer Inc", "Pfizer (PFE.N)": a company, whatever else it was
            own_kinds[canon] = Counter({"org": 1})
            sure.add(canon)
    # "presidential candidate Carly Fiorina" where the headline's was a body; "the siege of El
    # Fasher": a place
    for shown, kind in ((roled, "person"), (placed - surnames, "place")):
        for name in shown:
            canon = aliases.get(name.lower(), name)
            if canon in counts and canon not in sure:
                own_kinds[canon] = Counter({kind: 1})
                sure.add(canon)
    items = [
        Entity(name, (own_kinds.get(name) or kinds[name]).most_common(1)[0][0], n, first[name])
        for name, n in counts.items()
    ]
    items.sort(key=lambda e: (-e.count, e.first))
    defined: dict[str, str] = {}
    for short, long in acr.items():
        canon = aliases.get(long.lower(), long)
        known = canonical(canon)
        canon = known[0] if known is not None else canon
        if canon.lower() != short.lower():  # not "FDA", which keeps its short form
            defined[canon] = short
    return Entities(
        items, aliases, defined, frozenset(sure), {n.lower(): g for n, g in gendered.items()}
    )


def _without_middle(name: str) -> str:
    """A person's name without a middle name or initial: "Donald J. Trump" -> "Donald Trump",
    "Hillary Rodham Clinton" -> "Hillary Clinton"; the caller keeps it only where the article
    names the shorter form too."""
    plain = without_middle_initial(name)
    words = plain.split()
    if plain == name and len(words) == 3 and words[2] not in _SUFFIXES and len(words[1]) > 2:
        return f"{words[0]} {words[2]}"
    return plain


def _shared_surnames(
    shared: dict[str, set[str]], mentions: list[tuple[str, str, int]], aliases: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Whom a surname alone stands for where the article names several people with it (the
    bare "Clinton" beside Hillary and Bill Clinton was a tag of its own on 61 of the 840
    PolNeAR texts): the one it names first in full, the story's subject in news ("Hillary
    Clinton" in the lead, "former President Bill Clinton" further down; "John Lennon's first
    wife Cynthia", and "Lennon" is he, though she is named more). Sets that in `aliases`;
    returns, per surname, the person each gender's title means ("Mr. Clinton", "Mrs.
    Clinton"): the first named of those whose names say that gender."""
    first: dict[str, int] = {}
    for name, _, pos in mentions:
        if " " in name:  # in full: "his brother Freddy" before "Donald J. Trump" is no Trump
            first.setdefault(aliases.get(name.lower(), name), pos)
    out: dict[str, dict[str, str]] = {}
    for surname, people in shared.items():
        named = sorted((p for p in people if p in first), key=lambda p: first[p])
        if not named:
            continue
        aliases[surname.lower()] = named[0]
        gendered: dict[str, str] = {}  # the first named of each gender: "Mrs. Clinton" is
        for p in named:  # Hillary where Chelsea is named after her
            if (g := name_gender(p)) is not None:
                gendered.setdefault(g, p)
        if gendered:
            out[surname] = gendered
    return out
