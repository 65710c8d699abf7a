"""News, opinion or analysis, with a confidence.

Two layers, because they differ in how far they can be trusted:

1. **What the publisher says.** Outlets label their genres themselves: schema.org's
   `OpinionNewsArticle` / `AnalysisNewsArticle` (what Google News reads), the page's
   `article:section`, a URL section (`/opinion/`, `/commentisfree/`), a headline label
   ("Analysis:"), a feed or byline such as "NYT > Opinion", "Editorial Board", "Guest Writer".
   A source named for one person ("Ross Douthat", a newsletter under its writer's name) is a
   columnist's feed: AllSides names nine of its outlets so, all opinion (on the labelled
   texts, with the outlets' labels first, 0.667 / 0.607 -> 0.679 / 0.640).
   Where one of these speaks, it decides (confidence 0.95).
2. **How the text reads**, where the publisher says nothing: a multinomial logistic regression
   over 24 style features that editors' genres differ in: first- and second-person voice and
   contractions outside quotations, modal and evaluative words, questions and exclamations,
   how much is reported speech ("said", datelines, weekdays), the headline's form, and whether
   the text closes with its writer's biography, as op-eds do. Its weights (`genre_model.py`)
   are fitted by `bench/genre_fit.py` on 1,223 labelled public news texts (tests/labels/:
   PolNeAR's 2016 politics, AllSides' roundups); 5-fold cross-validated on them it finds
   opinion with precision 0.64 and recall 0.54 (0.67 / 0.61 with the outlets' own labels
   first; 0.61 / 0.52 before the biography), against 0.20 / 0.34 for the hand-set signal
   score it replaced on the same texts. Style alone reads a third-person column as
   news; that is the ceiling of text-only features here (a gradient-boosted model and MiniLM
   sentence embeddings did no better; TF-IDF word or character n-gram regressions, alone or
   beside these features, at best 0.75 / 0.62 or 0.70 / 0.70 with the publisher's labels
   first, and that with the threshold picked on the same folds: short of 0.80 and learning
   the two sets' topics and outlets), and why the publisher's own label comes first.
   Session 36 added two to the style features (5 splits of 5 folds, outlets' labels first;
   these features alone 0.69 / 0.59 there): the mean of spaCy's token vectors (free: the
   parse makes them) 0.78 / 0.64, no better within AllSides (0.62 / 0.45 either way), worse
   from PolNeAR to AllSides (0.61 / 0.38 against 0.47 / 0.54); the mean of USE's vectors of
   the first 12 sentences (~12.5 ms an article) 0.79 / 0.64, more precise within each set
   (AllSides 0.73 / 0.48, PolNeAR 0.85 / 0.54) but from PolNeAR to AllSides 0.67 / 0.16.
   Neither reaches 0.80 / 0.80, and both lose recall on the set they were not fitted on.
   Session 38, the same splits (these features alone 0.69 / 0.59): the subjectivity and
   polarity of TextBlob's 2,900 adjectives and the valence of VADER's 7,500 words, outside
   quotations, 0.71 / 0.61 together, 0.69-0.72 / 0.58-0.61 each; present against past tense,
   negations, comparatives and "but / still / even" 0.69-0.71 / 0.58-0.60: noise, not taken.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict, cast

from newsweave.enrich import genre_model
from newsweave.enrich.given_names import is_first_name
from newsweave.words import NAME_PARTICLES

__all__ = [
    "FEATURES",
    "Kind",
    "Model",
    "classify",
    "features",
    "is_person_name",
    "label_from_publisher",
]


class Model(TypedDict):
    """A multinomial logistic regression over standardised FEATURES (genre_model.MODEL)."""

    classes: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[list[float]]
    intercept: list[float]


_URL_OPINION = re.compile(
    r"/(?:opinion|opinions|comment|commentisfree|op-?eds?|editorials?|columns?|"
    r"columnists?|views|blogs?|letters)(?:/|$)",
    re.IGNORECASE,
)
_URL_ANALYSIS = re.compile(
    r"/(?:analysis|explainers?|in-depth|fact-?checks?|the-?upshot)(?:/|$)", re.IGNORECASE
)
_TITLE_OPINION = re.compile(
    r"^(?:opinion|comment|editorial|op-ed|column|view|letters?)\s*[:|–—-]", re.IGNORECASE
)
_TITLE_ANALYSIS = re.compile(
    r"^(?:analysis|news analysis|explainer|explained|fact check|in depth)\s*[:|–—-]",
    re.IGNORECASE,
)
# The publisher's labels: a section, a feed or source name, a byline, a schema.org type.
_LABEL_OPINION = re.compile(
    r"\b(?:opinions?|op-?eds?|editorials?|editorial board|commentary|columns?|columnists?|"
    r"letters(?: to the editor)?|guest (?:writer|essay|column|post)|comment is free|"
    r"OpinionNewsArticle)\b|\(opinion\)|>\s*opinion",
    re.IGNORECASE,
)
_LABEL_ANALYSIS = re.compile(
    r"\b(?:analysis|explainers?|the upshot|AnalysisNewsArticle|BackgroundNewsArticle)\b",
    re.IGNORECASE,
)  # not "fact check": outlets name whole feeds so ("AP Politics & Fact Check")
_LABEL_NEWS = re.compile(r"\bReportageNewsArticle\b")

# Style features. Quoted speech is removed first: "I", "you" and "should" inside a quotation
# are the speaker's voice, which news reports all the time.
_QUOTE = re.compile(r"[“\"][^”\"]{0,600}[”\"]|‘[^’]{3,300}’(?=\W)|``.*?''")
_WORD = re.compile(r"[A-Za-z’']+")
_I = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll|me|my|mine|myself)\b")
_WE = re.compile(r"\b(?:we|our|us|ourselves|we're|we’re|we've|we’ve)\b", re.IGNORECASE)
_YOU = re.compile(r"\b(?:you|your|yours|you're|you’re|you've|you’ve|yourself)\b", re.IGNORECASE)
_MODAL = re.compile(
    r"\b(?:should|shouldn't|shouldn’t|must|ought|needs? to|has to|have to)\b", re.IGNORECASE
)
_EVALUATIVE = re.compile(
    r"\b(?:absurd|outrage\w*|shameful|disgrace\w*|ridiculous|pathetic|foolish|stupid|silly|"
    r"terrible|awful|wonderful|brilliant|sad|dangerous|reckless|hypocri\w*|nonsense|bizarre|"
    r"appalling|insane|crazy|obviously|clearly|frankly|surely|of course|indeed|simply|truly|"
    r"fact is|in truth)\b",
    re.IGNORECASE,
)
_CONTRACTION = re.compile(r"\b\w+(?:n't|n’t|'s|’s|'re|’re|'ll|’ll|'ve|’ve)\b")
_REPORTING = re.compile(
    r"\b(?:said|says|told|according to|stated|announced|added|reported|asked)\b", re.IGNORECASE
)
_DATELINE = re.compile(
    r"^[A-Z][A-Za-z .,'’-]{1,40}(?:\([A-Za-z .]+\)|,\s*[A-Z][a-z]{2}\.? \d{1,2})?\s*[-–—]{1,2}\s"
    r"|^[A-Z .,'’-]{3,40}\s*\((?:AP|AFP|Reuters|UPI)\)|\((?:AP|AFP|Reuters|UPI)\)\s*[-–—]"
)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_WHEN = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|tonight|"
    r"this week|last week)\b"
)
_LETTERS = re.compile(r"^(?:LETTERS|FACEBOOK|Editor’s Note|Editor's Note)\b|\bLETTERS\.", re.M)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
_LY = re.compile(r"\b[a-z]{3,}ly\b")
_MID_CAPS = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+")
_HEAD_REPORTS = re.compile(
    r"\b(?:says?|said|tells?|told|calls?|slams?|blasts?|urges?|announces?|wins?)\b", re.I
)
_HEAD_MODAL = re.compile(
    r"\b(?:should|must|need|can't|won't|don't|isn't|aren't|not|no)\b", re.IGNORECASE
)
_HEAD_PERSON = re.compile(r"\b(?:you|your|we|our|us)\b", re.IGNORECASE)
_HEAD_SPEAKER = re.compile(r"^[A-Z][\w.’' -]{1,30}:\s")
# The writer's one-line biography closing a column or op-ed ("Peter Morici is an economist and
# business professor ..."; "... a member of USA TODAY's Board of Contributors"): a full name,
# then what they are, in a short paragraph among the last three. Reporters' taglines are rare
# beside it: on PolNeAR's labelled texts it closes 19 of 52 opinion pieces and 1 of 692 news.
_BIO = re.compile(
    r"^(?!(?:Although|Though|While|When|If|But|And|As|After|Before|Since|Because|The|This|"
    r"That|It|He|She|They|Whoever|Whether)\b)"
    r"(?:(?:Rep|Sen|Gov|Dr|Mr|Ms|Mrs|Prof)\.\s[A-Z][\w'’-]+"
    r"|[A-Z][\w.'’()-]*(?:,? (?:[A-Z][\w.'’()-]*|de|van|von|del|and))+)"
    r"(?:, [^,]{1,40},)? (?:(?:chairs|directs|heads|leads)\b"
    r"|(?:is|are|serves|teaches|writes)\b[^.\n]{0,120}?"
    r"\b(?i:author|professor|columnist|contribut\w+|fellow|director|president|"
    r"editor|member|former|chair\w*|lecturer|historian|senior|executive|founder|writer|"
    r"governor|analyst|scholar|journalist|economist|attorney|lawyer|researcher|strategist|"
    r"consultant|candidate|representative|senator|CEO|partner|advocate|student)\b)"
)
_OPINION_DESK = re.compile(
    r"Follow @USATOpinion|Board of Contributors|The views expressed|opinions expressed",
    re.IGNORECASE,
)

FEATURES = (
    "i", "we", "you", "modal", "evaluative", "contractions", "questions", "exclamations",
    "reporting", "quoted", "dateline", "numbers", "when", "letters", "sentence_length",
    "length", "head_question", "head_speaker", "ly", "mid_caps", "head_reports",
    "head_modal", "head_person", "bio",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Kind:
    label: str  # news, opinion, analysis
    confidence: float

    def to_json(self) -> dict[str, object]:
        return {"label": self.label, "confidence": round(self.confidence, 3)}


def label_from_publisher(
    title: str, url: str | None, labels: Sequence[str] = (), source: str | None = None
) -> str | None:
    """The genre the publisher declares (URL section, headline label, section, feed or source
    name, byline, schema.org type), or None where it declares none. A source named for one
    person ("Ross Douthat", "Heather Cox Richardson") is a columnist's own feed: opinion."""
    if (url and _URL_OPINION.search(url)) or _TITLE_OPINION.search(title):
        return "opinion"
    if source and is_person_name(source):
        return "opinion"
    if (url and _URL_ANALYSIS.search(url)) or _TITLE_ANALYSIS.search(title):
        return "analysis"
    said = " | ".join(x for x in labels if x)
    if _LABEL_OPINION.search(said):
        return "opinion"
    if _LABEL_ANALYSIS.search(said):
        return "analysis"
    if _LABEL_NEWS.search(said):
        return "news"
    return None


# Words of mastheads that open with a first name: "Virginia Mercury", "Florence Times",
# "Charlotte Observer", "Carson Now", "Kim Komando Show", "Al Jazeera English".
_MASTHEAD = frozenset(
    """
    news times post journal herald tribune gazette observer monitor record press mercury
    standard leader weekly daily star sun globe mail express telegraph independent chronicle
    courier register dispatch bulletin inquirer sentinel examiner review report reporter
    magazine media radio tv show podcast blog weblog now today online network business
    experience english statesman mexican world wire digest insider voice beacon advocate
    citizen enterprise ledger patriot pioneer progress republic republican democrat
    capital county city valley bay island coast church club company group institute
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_ARTICLES = frozenset(
    "le la les el los las il lo gli die der das den de het al an un une una".split()  # noqa: SIM905
)
_NAME_WORD = re.compile(r"[A-Z][a-zA-Z'’.]*")


def is_person_name(name: str) -> bool:
    """Whether a source's name is one person's: a first name, then a surname or two (with
    their particles), and no word of a masthead. On AllSides' 84 outlets it finds its nine
    columnists (Ross Douthat, Katrina vanden Heuvel, ...) and no outlet; of 62 more the team
    listed (tests/test_enrich.py has some), no masthead ("Charlotte Observer", "Le Monde") and
    all columnists but two whose first names the 2008 dictionary lacks (Bari, Jamelle)."""
    words = name.replace("-", " ").split()
    if not 2 <= len(words) <= 4 or not is_first_name(words[0], "en"):
        return False
    if words[0].lower() in _ARTICLES:
        return False  # "Le Monde", "El País", "Die Zeit"
    rest = [w for w in words[1:] if w not in NAME_PARTICLES]
    if not rest or len(rest) > 2 or not all(_NAME_WORD.fullmatch(w) for w in rest):
        return False
    return not any(w.lower().strip("'’.") in _MASTHEAD for w in words)


def features(title: str, text: str) -> list[float]:
    """The style features, in FEATURES order (rates per 1,000 words, log-scaled)."""
    outside, n_quotes = _QUOTE.subn(" ", text)
    words = max(len(_WORD.findall(text)), 1)
    words_out = max(len(_WORD.findall(outside)), 1)
    per_k_out, per_k = 1000 / words_out, 1000 / words

    def rate(pattern: re.Pattern[str], s: str, per: float) -> float:
        return math.log1p(len(pattern.findall(s)) * per)

    sentences = max(len(_SENTENCE_END.findall(text)), 1)
    quoted = (len(text) - len(outside) + n_quotes) / max(len(text), 1)  # each became one space
    head = title or text[:150]
    return [
        rate(_I, outside, per_k_out),
        rate(_WE, outside, per_k_out),
        rate(_YOU, outside, per_k_out),
        rate(_MODAL, outside, per_k_out),
        rate(_EVALUATIVE, outside, per_k_out),
        rate(_CONTRACTION, outside, per_k_out),
        math.log1p(outside.count("?") * per_k_out),
        math.log1p(outside.count("!") * per_k_out),
        rate(_REPORTING, text, per_k),
        quoted,
        1.0 if _DATELINE.search(text[:200]) else 0.0,
        rate(_NUMBER, text, per_k),
        rate(_WHEN, text, per_k),
        1.0 if _LETTERS.search(text[:400]) else 0.0,
        math.log(words / sentences),
        math.log(words),
        1.0 if title.strip().endswith("?") else 0.0,
        1.0 if _HEAD_SPEAKER.match(title) else 0.0,
        rate(_LY, outside, per_k_out),
        len(_MID_CAPS.findall(outside)) / words_out,
        1.0 if _HEAD_REPORTS.search(head) else 0.0,
        1.0 if _HEAD_MODAL.search(head) else 0.0,
        1.0 if _HEAD_PERSON.search(head) else 0.0,
        1.0 if _signed_off(text) else 0.0,
    ]


def _signed_off(text: str) -> bool:
    """Whether the text closes with its writer's biography or an opinion desk's sign-off."""
    tail = [p.strip() for p in text.rstrip()[-1500:].split("\n") if p.strip()][-3:]
    return any(len(p) < 300 and _BIO.match(p) for p in tail) or bool(
        _OPINION_DESK.search("\n".join(tail))
    )


def probabilities(x: Sequence[float], model: Model | None = None) -> dict[str, float]:
    """The style model's probability of each genre for features `x`."""
    m = model or cast(Model, genre_model.MODEL)
    z = [(v - mu) / sd for v, mu, sd in zip(x, m["mean"], m["scale"], strict=True)]
    scores = {
        label: b + sum(w * v for w, v in zip(ws, z, strict=True))
        for label, ws, b in zip(m["classes"], m["coef"], m["intercept"], strict=True)
    }
    peak = max(scores.values())
    exp = {k: math.exp(v - peak) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def classify(
    title: str,
    text: str,
    url: str | None = None,
    labels: Sequence[str] = (),
    source: str | None = None,
) -> Kind:
    """The genre of one article: the publisher's label where it gives one, else the style's."""
    declared = label_from_publisher(title, url, labels, source)
    if declared is not None:
        return Kind(declared, 0.95)
    p = probabilities(features(title, text))
    label = max(p, key=lambda k: p[k])
    return Kind(label, p[label])
