"""The analyses the pipeline runs on every article, in order, and what each returns.

`analyze` is pure (text in, results out). Every analysis runs in its own guard: an exception is
recorded under the analysis' name in `Analysis.errors` and the others still run. Bad text
(empty, one sentence, navigation junk, a megabyte) gives empty results, not errors. Each
analysis has a version in STEPS: `newsweave reindex` recomputes what an older version made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from newsweave.enrich import embed, entities, genre, hashtags, language, neardup, nlp, quotes
from newsweave.enrich import stories as stories_mod
from newsweave.enrich import summary as summary_mod

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["STEPS", "Analysis", "analyze"]

# name -> version. Bump a version when its output changes; reindex compares these.
STEPS: dict[str, str] = {
    "language": language.VERSION,
    "entities": "web_sm-3.8.0+merge-1",
    "hashtags": "entities+phrases-1",
    "summary": "mmr-1",
    "attributions": "rules-1",
    "kind": "signals-1",
    "embedding": f"{embed.MODEL}-128",
    "minhash": neardup.VERSION,
    "story": stories_mod.VERSION,
}
T = TypeVar("T")


@dataclass(slots=True)
class Analysis:
    language: str | None = None
    kind: genre.Kind | None = None
    entities: list[entities.Entity] = field(default_factory=list)
    hashtags: list[hashtags.Hashtag] = field(default_factory=list)
    summary: str = ""
    key_points: list[str] = field(default_factory=list)
    attributions: list[quotes.Attribution] = field(default_factory=list)
    embedding: NDArray[np.float32] | None = None
    minhash: NDArray[np.uint64] | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The shape `newsweave analyze --json` prints and `export` carries."""
        return {
            "language": self.language,
            "kind": self.kind.label if self.kind else None,
            "kind_confidence": round(self.kind.confidence, 3) if self.kind else None,
            "hashtags": [h.to_json() for h in self.hashtags],
            "entities": [{"text": e.text, "type": e.type, "count": e.count} for e in self.entities],
            "summary": self.summary,
            "key_points": self.key_points,
            "attributions": [a.to_json() for a in self.attributions],
            "errors": self.errors,
        }


def _garbled(text: str) -> bool:
    """Mostly not letters, digits, spaces or punctuation: a binary file or broken encoding."""
    sample = text[:5000]
    if len(sample) < 200:
        return False
    bad = sum(1 for c in sample if c == "\ufffd" or (not c.isprintable() and not c.isspace()))
    letters = sum(1 for c in sample if c.isalpha())
    return bad / len(sample) > 0.05 or letters / len(sample) < 0.3


def _guard(errors: dict[str, str], name: str, fn: Callable[[], T], empty: T) -> T:
    try:
        return fn()
    except Exception as exc:  # one analysis failing must not stop the others
        errors[name] = f"{type(exc).__name__}: {exc}"
        return empty


def analyze(
    title: str,
    text: str,
    declared_language: str | None = None,
    url: str | None = None,
    *,
    with_embedding: bool = True,
) -> Analysis:
    """Every analysis of one article."""
    a = Analysis()
    err = a.errors
    title = title or ""
    text = text or ""
    if _garbled(text):
        text = ""  # binary junk or mojibake: nothing in it is worth a tag or a summary
    a.language = _guard(
        err, "language", lambda: language.detect(f"{title}\n{text}", declared_language), None
    )
    english = (a.language or "en") == "en"

    doc = None
    if english and text.strip():
        doc = _guard(err, "entities", lambda: nlp.parse(text), None)
    if doc is not None:
        ents = _guard(err, "entities", lambda: entities.extract(doc, text), entities.Entities([]))
        sents = nlp.doc_sentences(doc)
        people = [(e.start_char, ents.resolve(e.text)) for e in doc.ents if e.label_ == "PERSON"]
        a.entities = ents.items
        a.hashtags = _guard(err, "hashtags", lambda: hashtags.suggest(title, doc, ents), [])
        a.attributions = _guard(
            err, "attributions", lambda: quotes.extract(sents, ents, people), []
        )
    else:
        sents = nlp.sentences(text)
    s = _guard(err, "summary", lambda: summary_mod.summarize(sents), summary_mod.Summary("", []))
    a.summary, a.key_points = s.summary, s.key_points
    a.kind = _guard(
        err, "kind", lambda: genre.classify(title, text, url, len(a.attributions)), None
    )
    if with_embedding and (title.strip() or text.strip()):
        a.embedding = _guard(err, "embedding", lambda: embed.embed(title, text), None)
    a.minhash = _guard(err, "minhash", lambda: neardup.signature(text), None)
    return a
