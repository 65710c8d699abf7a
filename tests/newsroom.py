"""A newsroom of the team's own making: events, each told by several outlets in their own words.

The scale-out tests need coverage that clusters like news does (each event has its own names,
places and numbers; outlets share the facts but not the sentences) and syndicated copies (an
outlet running another's wire text word for word). Real news cannot be committed (../shared/eval
is read, never copied), so this writes it: deterministic, ~350 words an article, dated over a
few days ending today, so that stories are fresh whenever the test runs.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["EVENTS", "Piece", "newsroom", "write_jsonl"]


@dataclass(frozen=True, slots=True)
class _Event:
    key: str
    person: str
    role: str
    org: str
    place: str
    thing: str
    number: str
    facts: tuple[str, ...]


EVENTS = (
    _Event(
        "bridge",
        "Elena Vasquez",
        "mayor",
        "Marlow Transit Authority",
        "Marlow",
        "the Quillan Bridge",
        "42",
        (
            "a span of {thing} in {place} gave way during the morning rush",
            "{number} people were taken to hospital after the collapse of {thing}",
            "inspectors from the {org} had flagged corrosion on the girders last spring",
            "divers searched the Tamsin river beneath {thing} through the night",
            "{person}, the {role} of {place}, ordered every bridge in the city inspected",
            "the {org} said ferries would run until {thing} is rebuilt",
        ),
    ),
    _Event(
        "vaccine",
        "Rafael Okonjo",
        "chief executive",
        "Brightwell Pharma",
        "Geneva",
        "the Corvax malaria vaccine",
        "83",
        (
            "{org} reported that {thing} prevented {number} percent of cases in a trial",
            "regulators in {place} will review {thing} before the rainy season",
            "{person}, the {role} of {org}, promised doses at cost to poor countries",
            "the trial of {thing} enrolled children in Malawi and Burkina Faso",
            "health ministers welcomed {thing} as the first of its kind",
            "{org} plans to build a plant to make {thing} in Accra",
        ),
    ),
    _Event(
        "strike",
        "Ingrid Halvorsen",
        "union leader",
        "Nordhavn Dockworkers Union",
        "Nordhavn",
        "the container port",
        "3,000",
        (
            "{number} dockworkers walked out at {thing} of {place} over pay",
            "ships queued outside {thing} as cranes stood still",
            "{person}, the {role}, said the {org} would hold out for a raise",
            "the port authority of {place} called the strike unlawful",
            "supermarkets warned of empty shelves if {thing} stays shut",
            "talks between the {org} and the employers broke down at midnight",
        ),
    ),
    _Event(
        "election",
        "Tomasz Wierzbicki",
        "opposition leader",
        "Civic Renewal party",
        "Velmora",
        "the snap election",
        "61",
        (
            "the {org} won {thing} in {place} with {number} seats",
            "{person}, the {role}, claimed victory before midnight",
            "turnout in {thing} was the highest in a generation",
            "the outgoing government of {place} conceded defeat on Sunday",
            "{person} promised to form a coalition within a week",
            "observers said {thing} was calm and orderly across {place}",
        ),
    ),
    _Event(
        "wildfire",
        "Dana Whitcombe",
        "fire chief",
        "Sierra Alta Fire Service",
        "Pinecrest",
        "the Ridgeback fire",
        "12,000",
        (
            "{thing} forced {number} residents of {place} to flee overnight",
            "{person}, the {role}, said crews had contained a fifth of {thing}",
            "the {org} brought in water bombers from three states",
            "dry winds pushed {thing} across the valley toward {place}",
            "schools in {place} were closed as smoke filled the air",
            "the {org} warned that {thing} could burn for weeks",
        ),
    ),
    _Event(
        "merger",
        "Priya Raman",
        "finance chief",
        "Halcyon Telecom",
        "Singapore",
        "the takeover of Orbis Mobile",
        "18 billion dollars",
        (
            "{org} agreed to {thing} for {number}",
            "{person}, the {role} of {org}, said {thing} would cut costs",
            "regulators in {place} must approve {thing} before it closes",
            "shares of Orbis Mobile jumped after {thing} was announced",
            "analysts said {thing} would create the largest carrier in {place}",
            "unions fear {thing} will cost thousands of jobs",
        ),
    ),
    _Event(
        "quake",
        "Kenji Morisato",
        "seismologist",
        "Pacific Seismic Institute",
        "Tarakawa",
        "the magnitude 6.8 earthquake",
        "9",
        (
            "{thing} struck off the coast of {place} before dawn",
            "{number} people died when buildings fell in {place}",
            "{person}, a {role} at the {org}, warned of aftershocks",
            "a tsunami warning after {thing} was lifted within hours",
            "rescuers dug through rubble in {place} as {thing} cut power",
            "the {org} said {thing} was the strongest in the region in decades",
        ),
    ),
    _Event(
        "probe",
        "Amara Lindqvist",
        "mission scientist",
        "European Deep Space Agency",
        "Kourou",
        "the Helios probe",
        "7",
        (
            "{thing} lifted off from {place} on its way to the sun",
            "{person}, the {role}, said {thing} would fly closer than any craft before",
            "the {org} spent {number} years building {thing}",
            "{thing} carries a heat shield that can bear 1,400 degrees",
            "engineers of the {org} cheered as {thing} separated from its rocket",
            "{thing} will send its first images of the corona next spring",
        ),
    ),
)

_OUTLETS = (
    "Daily Ledger",
    "Evening Courier",
    "Metro Herald",
    "Coastal Times",
    "National Wire",
    "Morning Post",
    "Valley Gazette",
    "City Chronicle",
)
_LEADS = (
    "In a story that drew attention across the country, {fact}.",
    "Officials confirmed on {day} that {fact}.",
    "{Fact}, according to people with knowledge of the matter.",
    "It emerged on {day} that {fact}.",
)
_FILLER = (
    "Reporters spoke to residents who said they had followed the news closely.",
    "The government has not yet said what it will do next.",
    "Further details are expected in the coming days.",
    "Critics said the response had been slow and confused.",
    "Local radio carried the news through the afternoon.",
    "Several experts said it was too early to draw conclusions.",
    "The announcement came after weeks of speculation.",
    "Questions remain about who knew what and when.",
)
_TITLES = (
    "{Thing}: what we know",
    "{Person} speaks as {thing} makes headlines",
    "{Place} reacts to {thing}",
    "Inside {thing} in {place}",
    "{Org} at the centre of {thing}",
    "Why {thing} matters for {place}",
    "{Person} and {thing}: the day in {place}",
    "{Thing} leaves {place} with questions",
)


@dataclass(frozen=True, slots=True)
class Piece:
    """One outlet's article on one event (`copy_of`: the piece whose text it runs verbatim)."""

    event: str
    outlet: str
    url: str
    title: str
    text: str
    published: datetime
    copy_of: str | None = None

    def as_json(self) -> dict[str, str]:
        return {
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "source": self.outlet,
            "published": self.published.isoformat(),
        }


_VOCABULARY = [
    "week",
    "council",
    "budget",
    "road",
    "school",
    "market",
    "family",
    "river",
    "winter",
    "police",
    "hospital",
    "court",
    "farmers",
    "station",
    "village",
    "report",
    "figures",
    "plan",
    "neighbours",
    "crowd",
    "evening",
    "season",
    "price",
    "workers",
    "office",
    "meeting",
    "statement",
    "visit",
    "centre",
    "project",
    "region",
    "weather",
    "record",
    "morning",
    "question",
    "promise",
    "airport",
    "coast",
    "harbour",
    "train",
    "shop",
    "street",
    "team",
    "board",
    "service",
]


def _colour(rng: random.Random) -> str:
    """A sentence of an outlet's own, about nothing in particular."""
    words = [rng.choice(_VOCABULARY) for _ in range(rng.randint(9, 14))]
    return "The " + " ".join(words) + "."


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _fill(template: str, ev: _Event, day: str) -> str:
    names = {
        "person": ev.person,
        "role": ev.role,
        "org": ev.org,
        "place": ev.place,
        "thing": ev.thing,
        "number": ev.number,
        "day": day,
    }
    names.update({_cap(k): _cap(v) for k, v in list(names.items())})
    return template.format(**names)


def _article(ev: _Event, outlet: int, rng: random.Random, day: str) -> tuple[str, str]:
    facts = [_fill(f, ev, day) for f in ev.facts]
    rng.shuffle(facts)
    lead = _LEADS[outlet % len(_LEADS)].format(fact=facts[0], Fact=_cap(facts[0]), day=day)
    paras = [lead]
    for k, fact in enumerate(facts[1:5]):
        # Each outlet's own colour around the shared facts, so that two outlets' articles are
        # alike in what they say, not copies of each other.
        colour = [_colour(rng) for _ in range(3)]
        quote = f'"We are doing everything we can," {ev.person} said.' if k == 1 else ""
        words = [_cap(fact) + ".", colour[0], rng.choice(_FILLER), quote, colour[1], colour[2]]
        paras.append(" ".join(w for w in words if w))
    paras.append(f"{_cap(ev.thing)} in {ev.place} will be followed by the {_OUTLETS[outlet]}.")
    title = _fill(_TITLES[(outlet + len(ev.key)) % len(_TITLES)], ev, day)
    return title, "\n\n".join(paras)


def newsroom(outlets: int = 8, events: int = 8, copies: int = 2, rounds: int = 1) -> list[Piece]:
    """`events` events × `outlets` outlets, in publication order; in each event, the last
    `copies` outlets run the first outlet's text (syndicated copies with their own URLs).
    With `rounds`, the events come back on each of as many days (new stories of the same
    people and places, in new words: what a benchmark needs more of)."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    pieces = []
    for r, (e, ev) in ((r, x) for r in range(rounds) for x in enumerate(EVENTS[:events])):
        rng = random.Random(f"newsroom-{ev.key}" + (f"-{r}" if r else ""))
        key = ev.key + (f"-{r}" if r else "")
        start = now - timedelta(days=3 + rounds - 1 - r) + timedelta(hours=7 * e)
        first: Piece | None = None
        for o in range(outlets):
            when = start + timedelta(minutes=37 * o)
            slug = _OUTLETS[o % len(_OUTLETS)].lower().replace(" ", "")
            url = f"https://{slug}.example/{key}/{o}"
            if first is not None and o >= outlets - copies:
                text = f"{first.text}\n\nThe {_OUTLETS[o]} runs this story of the {first.outlet}."
                pieces.append(Piece(key, _OUTLETS[o], url, first.title, text, when, first.url))
                continue
            title, text = _article(ev, o, rng, when.strftime("%A"))
            piece = Piece(key, _OUTLETS[o % len(_OUTLETS)], url, title, text, when)
            first = first or piece
            pieces.append(piece)
    pieces.sort(key=lambda p: p.published)
    return pieces


def write_jsonl(path: Path, pieces: list[Piece]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for p in pieces:
            f.write(json.dumps(p.as_json()) + "\n")
    return path
