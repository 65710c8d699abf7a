"""News, opinion or analysis, with a confidence.

No labelled set of this product's outlets exists to train on, so this is a transparent linear
score over signals that editors themselves use to mark the genres: the URL section and headline
label ("/opinion/", "Analysis:"), first-person voice (opinion), hedged and explanatory language
("this means", "likely", headlines that ask "why"), and how much of the text is attributed to
others (news reports what people said). The three scores go through a softmax; the confidence is
the winner's share.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Kind", "classify"]

_URL_OPINION = re.compile(
    r"/(?:opinion|opinions|comment|commentisfree|op-?ed|editorials?|columns?|"
    r"columnists?|views|blogs?|letters)/",
    re.IGNORECASE,
)
_URL_ANALYSIS = re.compile(
    r"/(?:analysis|explainers?|features?|in-depth|long-?reads?|"
    r"fact-?check)/",
    re.IGNORECASE,
)
_TITLE_OPINION = re.compile(
    r"^(?:opinion|comment|editorial|op-ed|column|view|letter)\s*[:|–—-]", re.IGNORECASE
)
_TITLE_ANALYSIS = re.compile(
    r"^(?:analysis|explainer|explained|fact check|in depth)\s*[:|–—-]|^(?:why|how|what)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|my|me|myself)\b")
_WE = re.compile(r"\b(?:we|our|us)\b", re.IGNORECASE)
_OPINION_WORDS = re.compile(
    r"\b(?:should|must|ought|shameful|disgrace\w*|absurd|outrage\w*|I think|I believe|"
    r"in my view|frankly|of course|surely|let us|let's)\b",
    re.IGNORECASE,
)
_ANALYSIS_WORDS = re.compile(
    r"\b(?:this means|which means|analysis|interpretation|perspective|implications?|likely|"
    r"unlikely|suggests|context|logic|calculus|strategic|in other words|the question is|"
    r"backdrop|seen as|views? (?:it|this|the)|perhaps|probably|therefore)\b",
    re.IGNORECASE,
)
_REPORTING = re.compile(
    r"\b(?:said|says|told|according to|reported|announced|confirmed|stated)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Kind:
    label: str  # news, opinion, analysis
    confidence: float

    def to_json(self) -> dict[str, object]:
        return {"label": self.label, "confidence": round(self.confidence, 3)}


def classify(title: str, text: str, url: str | None = None, n_attributions: int = 0) -> Kind:
    words = max(len(text.split()), 1)
    per_k = 1000 / words
    news, opinion, analysis = 1.0, 0.0, 0.0  # a prior: most of a feed is news
    if url and _URL_OPINION.search(url):
        opinion += 3.0
    if url and _URL_ANALYSIS.search(url):
        analysis += 3.0
    if _TITLE_OPINION.search(title):
        opinion += 3.0
    if _TITLE_ANALYSIS.search(title):
        analysis += 1.5
    opinion += min(len(_FIRST_PERSON.findall(text)) * per_k / 4, 3.0)
    opinion += min(len(_WE.findall(text)) * per_k / 8, 1.0)
    opinion += min(len(_OPINION_WORDS.findall(text)) * per_k / 4, 2.0)
    analysis += min(len(_ANALYSIS_WORDS.findall(text)) * per_k / 3, 3.0)
    reporting = (len(_REPORTING.findall(text)) + n_attributions) * per_k
    news += min(reporting / 4, 3.0)
    scores = {"news": news, "opinion": opinion, "analysis": analysis}
    peak = max(scores.values())
    exp = {k: math.exp(v - peak) for k, v in scores.items()}
    total = sum(exp.values())
    label = max(exp, key=lambda k: exp[k])
    return Kind(label, exp[label] / total)
