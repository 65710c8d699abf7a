"""The analyses the pipeline runs on every article, in order, and what each returns.

`analyze` is pure (text in, results out). Every analysis runs in its own guard: an exception is
recorded under the analysis' name in `Analysis.errors` and the others still run. Bad text
(empty, one sentence, navigation junk, a megabyte) gives empty results, not errors. Each
analysis has a version in STEPS: `newsweave reindex` recomputes what an older version made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from newsweave.enrich import (
    chinese,
    crosslingual,
    embed,
    entities,
    genre,
    hashtags,
    japanese,
    language,
    neardup,
    nlp,
    quotes,
    russian,
)
from newsweave.enrich import stories as stories_mod
from newsweave.enrich import summary as summary_mod

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from spacy.tokens import Doc

__all__ = [
    "LANGUAGE_MB",
    "OTHER_LANGUAGE_MB",
    "STEPS",
    "Analysis",
    "Item",
    "analyze",
    "analyze_many",
    "analyze_plain",
    "analyze_plain_many",
    "attribute_many",
    "attribute_plain_many",
    "split_headline",
    "summarize_many",
    "summarize_plain_many",
]

# name -> version (at most 32 characters, the column's size). Bump a version when its output
# changes; reindex compares these.
STEPS: dict[str, str] = {
    "language": language.VERSION,
    "entities": "web_sm-3.8.0+places+canon+ru-47",
    "hashtags": "ents+nounphrases+names+ru-56",
    "summary": "mmr+rarity-4",
    "attributions": "rules-64",
    "kind": "publisher+style-lr-3",
    "embedding": f"{embed.MODEL}-128-int8",
    "minhash": neardup.VERSION,
    "story": stories_mod.VERSION,
}
T = TypeVar("T")


class NameModel(Protocol):
    """A language's own entity model where spaCy has none (enrich.russian, .chinese, .japanese):
    (name as a list writes it, kind, character offset) of each mention."""

    def available(self) -> bool: ...
    def mentions(self, text: str) -> list[tuple[str, str, int]]: ...


NAME_MODELS: dict[str, NameModel] = {"ru": russian, "zh": chinese, "ja": japanese}

# What a worker process comes to hold for a language other than English, in MB, once it has
# analysed an article in it: the growth of a worker's resident set on its first article in the
# language alone, after English articles with the cross-language model (session 37): Chinese
# jieba's dictionary, Russian natasha with pymorphy3's dictionary, French and Spanish spaCy's
# pipeline, Japanese fugashi's unidic-lite; any other language that wordfreq knows, its word
# list (rarity.py; German 16). They stay loaded, so collecting.Enricher gives each language one
# worker process, chosen by these weights, rather than letting every worker load every one.
LANGUAGE_MB: dict[str, int] = {"zh": 150, "ru": 130, "fr": 55, "es": 50, "ja": 30}
OTHER_LANGUAGE_MB = 15


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
    terms: dict[str, float] = field(default_factory=dict)  # keywords the story clusterer reads
    # The embedding stories are compared by across languages (enrich.crosslingual).
    crosslingual: NDArray[np.float32] | None = None
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
    # Counted in C where it can be (map, str methods): the generator took ~2.5 ms an article.
    if "".join(sample.split()).isprintable():
        bad = sample.count("\ufffd")
    else:
        bad = sum(1 for c in sample if c == "\ufffd" or (not c.isprintable() and not c.isspace()))
    letters = sum(map(str.isalpha, sample))
    return bad / len(sample) > 0.05 or letters / len(sample) < 0.3


def _guard(errors: dict[str, str], name: str, fn: Callable[[], T], empty: T) -> T:
    try:
        return fn()
    except Exception as exc:  # one analysis failing must not stop the others
        errors[name] = f"{type(exc).__name__}: {exc}"
        return empty


class Item(NamedTuple):
    """One article as the analyses read it."""

    title: str
    text: str
    language: str | None = None  # as declared by the page or feed
    url: str | None = None
    labels: tuple[str, ...] = ()  # the publisher's own: section, source name, byline
    source: str | None = None  # the source's name (one person's says a columnist)


def analyze(
    title: str,
    text: str,
    declared_language: str | None = None,
    url: str | None = None,
    *,
    labels: Sequence[str] = (),
    with_embedding: bool = True,
) -> Analysis:
    """Every analysis of one article; `labels` are the publisher's (section, source, byline)."""
    return analyze_many(
        [Item(title, text, declared_language, url, tuple(labels))], with_embedding=with_embedding
    )[0]


def split_headline(raw: str) -> tuple[str, str, int]:
    """(headline, body, where the body starts in `raw`) of a plain-text article.

    A short first line that does not end as a sentence, with more text after it, is the
    headline; otherwise there is none and the body is the whole text.
    """
    first, _, rest = raw.partition("\n")
    if len(first) <= 200 and first.strip() and not first.rstrip().endswith((".", "!", "?")):
        body = rest.strip()
        if body:
            return first.strip(), body, raw.index(body, len(first))
    body = raw.strip()
    return "", body, raw.index(body) if body else 0


def analyze_plain(raw: str, *, with_embedding: bool = False) -> Analysis:
    """Every analysis of a plain-text article (`newsweave analyze` on a text file); the offsets
    of who-says-what are the text's own, headline included."""
    return analyze_plain_many([raw], with_embedding=with_embedding)[0]


def analyze_plain_many(raws: Sequence[str], *, with_embedding: bool = False) -> list[Analysis]:
    """analyze_plain of several texts, batched as analyze_many batches them: the quality floors
    run the public sets through it (~11 % faster than one text at a time, the same results)."""
    parts = [split_headline(raw) for raw in raws]
    out = analyze_many(
        [Item(title, body) for title, body, _ in parts], with_embedding=with_embedding
    )
    _offset_attributions(out, [at for *_, at in parts])
    return out


def _offset_attributions(out: list[Analysis], starts: list[int]) -> None:
    """Who-says-what's offsets moved from each body into its whole plain text."""
    for a, at in zip(out, starts, strict=True):
        a.attributions = [
            replace(
                q,
                start=q.start + at,
                end=q.end + at,
                speaker_start=q.speaker_start + at if q.speaker_start >= 0 else -1,
                speaker_end=q.speaker_end + at if q.speaker_end >= 0 else -1,
            )
            for q in a.attributions
        ]


def analyze_many(
    items: Sequence[Item | tuple[str, str, str | None, str | None]],
    *,
    with_embedding: bool = True,
    multilingual_site: bool = True,
) -> list[Analysis]:
    """Every analysis of several articles, the same results as `analyze` on each.

    spaCy parses the batch two texts at a time (~10 ms less an article than one at a time,
    bench/enrich.py); MiniLM embeds one text at a time whatever the batch, so a vector is the
    same bits in any batch (enrich/embed.py), and each English article's hashtag candidates in
    one call of their own. A batch that fails is retried one article at a time, so one bad
    article fails alone.

    `multilingual_site`: False where the site holds no article in another of the cross-language
    model's languages (pipeline.enrich_many asks the database): an English article's
    cross-language vector only lets a report in another language join its story, so there
    it is not made (~5 % of the enrichment, and the model's ~120 MB never loaded); an article
    in one of those languages gets it either way (its own language's stories are told apart
    by it: enrich/stories.py).
    """
    batch = [Item(*item) for item in items]  # plain 4-tuples still do
    out, texts = _languages(batch)
    english = _english(out, texts)
    docs = _batch(out, english, "entities", lambda idx: nlp.parse_many([texts[i][1] for i in idx]))
    for lang in nlp.NER_LANGUAGES:
        mine = _written_in(out, texts, lang, partial(_has_pipeline, lang))
        docs.update(_batch(out, mine, "entities", partial(_parse_foreign, lang, texts)))
    found: dict[int, list[tuple[str, str, int]]] = {}
    for lang, model in NAME_MODELS.items():
        mine = _written_in(out, texts, lang, model.available)
        found.update(_batch(out, mine, "entities", partial(_mentions, model, texts)))
    # The embedding before the rest: an English article's hashtags are scored by how close
    # each is to it. Without `with_embedding` it is made for that alone, and not kept.
    if with_embedding:
        wanted = [i for i, (t, x) in enumerate(texts) if t.strip() or x.strip()]
    else:
        wanted = [i for i in english if i in docs]
    vecs = _batch(
        out if with_embedding else [Analysis() for _ in out],  # its failure is no error then
        wanted,
        "embedding",
        lambda idx: embed.embed_many([texts[i] for i in idx]),
    )
    for i, (a, (title, text)) in enumerate(zip(out, texts, strict=True)):
        _read(a, title, text, batch[i], docs.get(i), found.get(i), vecs.get(i))

    if with_embedding:
        for i, vec in vecs.items():
            out[i].embedding = vec
        if not multilingual_site:
            wanted = [i for i in wanted if crosslingual.wanted_alone(out[i].language)]
        vecs = _batch(
            out, wanted, "story", lambda idx: crosslingual.vectors([texts[i] for i in idx])
        )
        for i, vec in vecs.items():
            out[i].crosslingual = vec
    return out


def attribute_many(items: Sequence[Item]) -> list[Analysis]:
    """The language and who says what of several articles, as analyze_many gives them, and
    an English article's entities (read off the same parse), nothing else (`newsweave quotes`,
    the who-says-what quality floor): the parse and the rules, without the embedding,
    hashtags, summary and genre: on PolNeAR's texts (~900 words) 49 against 67 CPU ms a text,
    the parse ~21 of them. Who says what reads English only, as in analyze."""
    out, texts = _languages(items)
    english = _english(out, texts)
    docs = _batch(out, english, "entities", lambda idx: nlp.parse_many([texts[i][1] for i in idx]))
    for i, doc in docs.items():
        _attribute(out[i], texts[i][1], doc)
    return out


def attribute_plain_many(raws: Sequence[str]) -> list[Analysis]:
    """attribute_many of plain-text articles, a headline split off and the offsets the whole
    text's, as analyze_plain gives them."""
    parts = [split_headline(raw) for raw in raws]
    out = attribute_many([Item(title, body) for title, body, _ in parts])
    _offset_attributions(out, [at for *_, at in parts])
    return out


def summarize_many(items: Sequence[Item]) -> list[Analysis]:
    """The language, summary and key points of several articles, as analyze_many gives them,
    and nothing else (`newsweave summarize`, the summaries' quality floor): spaCy runs its
    sentence recogniser alone, on its own token vectors, so a 700-word Daily Mail article is
    split in 5.6 ms against 97.5 for the whole parse, into the same sentences (120 of 120)."""
    out, texts = _languages(items)
    english = _english(out, texts)
    # A failed split is recorded as "sentences", not "summary": the summary is then made from
    # plain sentences, as analyze makes it where the parse fails (recorded as "entities").
    docs = _batch(
        out, english, "sentences", lambda idx: nlp.sentence_docs([texts[i][1] for i in idx])
    )
    for lang in nlp.NER_LANGUAGES:
        mine = _written_in(out, texts, lang, partial(_has_pipeline, lang))
        docs.update(_batch(out, mine, "sentences", partial(_split_foreign, lang, texts)))
    for i, (a, (_title, text)) in enumerate(zip(out, texts, strict=True)):
        doc = docs.get(i)
        sents = nlp.doc_sentences(doc, text) if doc is not None else nlp.sentences(text)
        _summarize(a, sents)
    return out


def summarize_plain_many(raws: Sequence[str]) -> list[Analysis]:
    """summarize_many of plain-text articles, a headline split off as analyze_plain does."""
    return summarize_many([Item(title, body) for title, body, _ in map(split_headline, raws)])


def _languages(batch: Sequence[Item]) -> tuple[list[Analysis], list[tuple[str, str]]]:
    """Each article's analysis begun with its language, and its (title, text) as the analyses
    read it: garbled text (binary junk, mojibake) read as none."""
    out: list[Analysis] = []
    texts: list[tuple[str, str]] = []
    for title, text, declared, *_ in batch:
        a = Analysis()
        title, text = title or "", text or ""
        if _garbled(text):
            text = ""  # nothing in it is worth a tag or a summary
        a.language = _guard(
            a.errors, "language", partial(language.detect, f"{title}\n{text}", declared), None
        )
        out.append(a)
        texts.append((title, text))
    return out, texts


def _english(out: list[Analysis], texts: list[tuple[str, str]]) -> list[int]:
    """Which articles the English pipeline reads: English or of no language found, not empty."""
    return [
        i for i, (a, (_t, x)) in enumerate(zip(out, texts, strict=True))
        if (a.language or "en") == "en" and x.strip()
    ]  # fmt: skip


def _written_in(
    out: list[Analysis], texts: list[tuple[str, str]], lang: str, model: Callable[[], bool]
) -> list[int]:
    """Which articles are in `lang`, not empty, where its `model` is there (asked only when
    one is: a language's model loads on its first article)."""
    mine = [
        i for i, (a, (_t, x)) in enumerate(zip(out, texts, strict=True))
        if a.language == lang and x.strip()
    ]  # fmt: skip
    return mine if mine and model() else []


def _has_pipeline(lang: str) -> bool:
    return nlp.foreign_pipeline(lang) is not None


def _summarize(a: Analysis, sents: list[nlp.Sentence]) -> None:
    s = _guard(
        a.errors,
        "summary",
        lambda: summary_mod.summarize(sents, language=a.language),
        summary_mod.Summary("", []),
    )
    a.summary, a.key_points = s.summary, s.key_points


def _mentions(model: NameModel, texts: list[tuple[str, str]], idx: list[int]) -> list[Any]:
    return [model.mentions(texts[i][1]) for i in idx]


def _split_foreign(lang: str, texts: list[tuple[str, str]], idx: list[int]) -> list[Doc]:
    return nlp.sentence_docs([texts[i][1] for i in idx], lang)


def _parse_foreign(lang: str, texts: list[tuple[str, str]], idx: list[int]) -> list[Doc]:
    return nlp.parse_foreign_many(lang, [texts[i][1] for i in idx])


def _batch(
    out: list[Analysis], idx: list[int], name: str, run: Callable[[list[int]], Any]
) -> dict[int, Any]:
    """Run one batched analysis; if the batch fails, run it article by article."""
    if not idx:
        return {}
    try:
        return dict(zip(idx, run(idx), strict=True))
    except Exception:  # find the article that broke it; the others still get their results
        found: dict[int, Any] = {}
        for i in idx:
            r = _guard(out[i].errors, name, partial(_first, run, i), None)
            if r is not None:
                found[i] = r
        return found


def _first(run: Callable[[list[int]], Any], i: int) -> Any:
    return run([i])[0]


def _kind(a: Analysis, title: str, text: str, item: Item) -> genre.Kind | None:
    """The genre; in languages other than English only where the publisher declares it (the
    style model reads English words)."""
    if (a.language or "en") == "en":
        return genre.classify(title, text, item.url, item.labels, item.source)
    declared = genre.label_from_publisher(title, item.url, item.labels, item.source)
    return genre.Kind(declared, 0.95) if declared else None


_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _before_a_verb(doc: Doc, at: int) -> bool:
    """Whether the word at character `at` stands right before a finite verb ("Ebeling lives",
    "Ebeling said"), as a subject does: the parse has no dependencies (nlp.py). Asked only
    where a surname stands, not of every word (a pass over a 600-word article's tokens cost
    0.35 ms)."""
    span = doc.char_span(at, at + 1, alignment_mode="expand")
    if span is None or doc[span.start].idx != at or span.start + 1 >= len(doc):
        return False
    return doc[span.start + 1].tag_ in _FINITE


def _attribute(a: Analysis, text: str, doc: Doc) -> tuple[entities.Entities, list[nlp.Sentence]]:
    """An English article's entities and who says what, read off its parse; (the entities,
    the sentences) for the analyses that read them too."""
    ents = _guard(a.errors, "entities", lambda: entities.extract(doc, text), entities.Entities([]))
    sents = nlp.doc_sentences(doc, text)
    people = [  # "Mr. Clinton" is Bill where Hillary and Bill are named (Entities.gendered)
        (
            e.start_char,
            ents.resolve(e.text, text[max(0, e.start_char - entities.TITLE_REACH) : e.start_char]),
        )
        for e in doc.ents
        if e.label_ == "PERSON" and not entities.hashtagged(text, e.start_char)
    ]
    named = [(e.start_char, e.end_char, e.text, e.label_ == "PERSON") for e in doc.ents]
    people += quotes.surnames_alone(text, people, named, partial(_before_a_verb, doc))
    a.entities = ents.items
    a.attributions = _guard(
        a.errors,
        "attributions",
        lambda: quotes.extract(sents, ents, people, nlp.noun_offsets(doc)),
        [],
    )
    return ents, sents


def _read(
    a: Analysis,
    title: str,
    text: str,
    item: Item,
    doc: Doc | None,
    found: list[tuple[str, str, int]] | None = None,
    vector: NDArray[np.float32] | None = None,
) -> None:
    """The analyses that read one article's parse (or, without one, its plain sentences), or
    the mentions `found` by a language's own entity model (NAME_MODELS)."""
    err = a.errors
    if found is not None:
        ents = _guard(
            err, "entities", lambda: entities.from_mentions(found, text), entities.Entities([])
        )
        a.entities = ents.items
        sents = nlp.sentences(text)
        a.hashtags = _guard(
            err,
            "hashtags",
            lambda: hashtags.marked(
                hashtags.from_entities(title, text, ents, a.language or ""), ents
            ),
            [],
        )
    elif doc is not None and (a.language or "en") != "en":
        # A language with an entity model but none of the English rules (noun phrases,
        # reporting verbs): its entities, and hashtags of the names it repeats, typed by them.
        ents = _guard(err, "entities", lambda: entities.extract(doc, text), entities.Entities([]))
        a.entities = ents.items
        sents = nlp.doc_sentences(doc, text)
        a.hashtags = _guard(
            err,
            "hashtags",
            lambda: hashtags.marked(
                hashtags.typed(hashtags.from_names(title, text, a.language or ""), ents), ents
            ),
            [],
        )
    elif doc is not None:
        ents, sents = _attribute(a, text, doc)
        a.hashtags = _guard(
            err,
            "hashtags",
            lambda: hashtags.marked(hashtags.suggest(title, doc, ents, text, vector), ents),
            [],
        )
    else:
        sents = nlp.sentences(text)
        if a.language and a.language != "en" and text.strip():
            a.hashtags = _guard(
                err, "hashtags", lambda: hashtags.from_names(title, text, a.language or ""), []
            )
    _summarize(a, sents)
    if title.strip() or text.strip():  # an empty file is no kind of article
        a.kind = _guard(err, "kind", lambda: _kind(a, title, text, item), None)
    a.minhash = _guard(err, "minhash", lambda: neardup.signature(text), None)
    a.terms = _guard(err, "story", lambda: stories_mod.keywords(title, text, a.language), {})
