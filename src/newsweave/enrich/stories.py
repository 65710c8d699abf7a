"""Stories: coverage of one event, clustered online as articles arrive in time order.

An event is narrower than a topic: two Biden stories on one day are two stories. A story keeps
the sums of its articles' unit embeddings and of their keyword vectors, and the span of time
it covers. A new article joins the open story it is most similar to, if that clears a
threshold; otherwise it starts a story. The similarity is

    ALPHA x dense + (1 - ALPHA) x keywords - DECAY x log2(1 + days between article and story)

where dense and keywords are the article's *average* similarity to the story's members
(average link, from the sums: a diffuse story attracts less than a tight one, which is what
stops a topic from swallowing events), and keywords weigh each word by how rare it is in the
language (wordfreq's frequencies, so no state is needed to know that "Newsom" says more than
"said"). Measured on `../shared/eval` allsides-dev (440 headline+lead articles, 151 events)
with `newsweave cluster`: the centroid-only clusterer before this made pair F1 0.514 at
precision 0.366; dense-only average link 0.805 at its best threshold; this one 0.880 at
precision 0.886 (ALPHA, DECAY and THRESHOLD chosen on the set; each half alone gives
0.852 / 0.909). bench/README.md keeps the table.

The time penalty grows with the log of the gap, as attention to a news event fades: one day
costs 0.16, three days 0.32. A linear one strong enough to part two Biden events a day apart
(the set's confusions) also split the team's Alaska-summit fixture, announced on the 12th and
held on the 15th (similarity 0.63 across a 2.4-day gap); the log keeps both right.

A headline alone (or a teaser) embeds far from full articles and has few keywords: those join
by the cosine to the story's centroid against SHORT_THRESHOLD, which keeps the UCI News
Aggregator headlines in bench/ at B-cubed F1 0.82. A story not fed for WINDOW closes. This is
single-pass clustering as used by online news-event detection (TDT); the same Clusterer runs
in the pipeline and behind `newsweave cluster`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from scipy import sparse as sp

from newsweave.enrich.rarity import rarity
from newsweave.words import CJK

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "VERSION",
    "Clusterer",
    "Story",
    "is_short",
    "keywords",
    "stream",
]

VERSION = "avglink-kw-decay-1"
ALPHA = 0.4  # weight of the embedding against the keywords (0.3-0.5 within 0.01 F1)
DECAY = 0.16  # similarity lost per doubling of (1 + days between an article and the story)
THRESHOLD = 0.325
WINDOW = timedelta(days=7)
# A headline alone embeds far from its own story's full articles: two headlines of one event
# score ~0.3-0.6 by cosine. 0.30 is the best threshold for headlines on both halves of the UCI
# News Aggregator stories in bench/ (B-cubed F1 0.82 against 0.57 at 0.55).
SHORT_THRESHOLD = 0.30
SHORT_WORDS = 40
# Keywords come from the headline and the lead, as the embedding does (embed._LEAD_CHARS):
# a 600-word article then weighs the same as the headline+lead items the thresholds were set on.
_LEAD_CHARS = 1500
_TERMS_KEPT = 300  # a story's keyword sum keeps its heaviest terms (what the database holds)
T = TypeVar("T")
_WORD = re.compile(r"[^\W\d_](?:[\w'’.-]*[^\W_])?")


def is_short(text: str) -> bool:
    """Too little body to compare as an article: compared as a headline."""
    return len(text.split(maxsplit=SHORT_WORDS)) < SHORT_WORDS


def keywords(title: str, text: str, language: str | None = "en") -> dict[str, float]:
    """The article's words weighted by rarity (log count x IDF proxy), as a unit vector."""
    lang = (language or "en").split("-")[0].lower()
    lead = f"{title}\n{text[:_LEAD_CHARS]}".lower()
    counts: dict[str, int] = {}
    words = _WORD.findall(CJK.sub(" ", lead))
    for run in CJK.findall(lead):  # no spaces between words: character pairs stand in
        words.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    vec = {}
    for w, n in counts.items():
        idf = rarity(w, lang)
        if idf > 0.5:  # the commonest words ("said", "the") carry nothing
            vec[w] = (1.0 + math.log(n)) * idf
    norm = math.sqrt(sum(x * x for x in vec.values()))
    return {w: x / norm for w, x in vec.items()} if norm else {}


@dataclass(slots=True)
class Story:
    id: int
    total: NDArray[np.float32]  # sum of member unit vectors
    size: int
    first_seen: datetime
    last_seen: datetime
    title: str = ""
    terms: dict[str, float] = field(default_factory=dict)  # sum of member keyword vectors

    def centroid(self) -> NDArray[np.float32]:
        norm = float(np.linalg.norm(self.total))
        return self.total / norm if norm else self.total

    def kept_terms(self) -> dict[str, float]:
        """The heaviest terms, as the database keeps them."""
        top = sorted(self.terms.items(), key=lambda kv: -kv[1])[:_TERMS_KEPT]
        return {w: round(x, 4) for w, x in top}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_REBUILD = 128  # stories changed since the term matrix was built, before it is built again


def _micros(when: datetime) -> int:
    """Microseconds since the epoch (naive times are UTC): exact, as timedeltas compare."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // timedelta(microseconds=1)


class _Table:
    """The open stories as arrays: scoring an article against thousands of them is then a
    matrix-vector product and the postings of its own terms, not a Python loop over stories.

    At 6,000 open stories (a million-article archive's 7-day window) the loop over keyword
    dicts took ~170 ms an article (bench/clusterer.py). Each story has a slot: a row of the
    embedding sums, its size, span and norm, and its keyword sum as (term id, weight) arrays.
    The keyword rows form a sparse matrix, column-major so that an article reads only the
    columns of its own terms; a story changed since the matrix was built is scored from a
    small matrix of the changed rows, and the big one is rebuilt after _REBUILD changes.

    Either way a story's keyword score is the sum over the article's terms, in the article's
    order, of weight x weight, and its embedding score a dot product summed the same way for
    every row: the same bits whatever the story's history or its slot, so a process that read
    the stories back decides as the one that built them (tests/test_enrich.py holds it).
    """

    def __init__(self) -> None:
        self.slot: dict[int, int] = {}  # story id -> row
        self.free: list[int] = []
        self.used = 0  # rows ever handed out
        self.ids = np.zeros(0, np.int64)  # row -> story id, -1 where free
        self.totals = np.zeros((0, 0), np.float32)
        self.sizes = np.zeros(0, np.float32)
        self.norms = np.zeros(0, np.float32)
        self.first = np.zeros(0, np.int64)  # microseconds since the epoch
        self.last = np.zeros(0, np.int64)
        self.vocab: dict[str, int] = {}
        self.words: list[str] = []
        self.rows: dict[int, tuple[NDArray[np.int64], NDArray[np.float64]]] = {}
        self.matrix: sp.csc_matrix | None = None
        self.changed: set[int] = set()  # rows not as the matrix holds them
        self.held = 0  # words held when unheld ones were last forgotten

    def _grow(self, dim: int) -> None:
        cap = max(64, 2 * len(self.ids))
        extra = cap - len(self.ids)
        self.ids = np.concatenate([self.ids, np.full(extra, -1, np.int64)])
        width = dim if self.totals.shape[1] == 0 else self.totals.shape[1]
        totals = np.zeros((cap, width), np.float32)
        if len(self.totals):
            totals[: len(self.totals)] = self.totals
        self.totals = totals
        self.sizes = np.concatenate([self.sizes, np.ones(extra, np.float32)])
        self.norms = np.concatenate([self.norms, np.ones(extra, np.float32)])
        self.first = np.concatenate([self.first, np.zeros(extra, np.int64)])
        self.last = np.concatenate([self.last, np.zeros(extra, np.int64)])

    def put(self, story: Story) -> None:
        row = self.slot.get(story.id)
        if row is None:
            if self.free:
                row = self.free.pop()
            else:
                if self.used == len(self.ids):
                    self._grow(len(story.total))
                row, self.used = self.used, self.used + 1
            self.slot[story.id] = row
            self.ids[row] = story.id
        self.totals[row] = story.total
        self.sizes[row] = story.size
        norm = float(np.linalg.norm(story.total))
        self.norms[row] = norm if norm else 1.0
        self.first[row] = _micros(story.first_seen)
        self.last[row] = _micros(story.last_seen)
        self.set_terms(row, story.terms)

    def set_terms(self, row: int, terms: Mapping[str, float]) -> None:
        cols = np.fromiter((self._term(w) for w in terms), np.int64, len(terms))
        self.rows[row] = cols, np.fromiter(terms.values(), np.float64, len(terms))
        self.changed.add(row)

    def _term(self, word: str) -> int:
        col = self.vocab.get(word)
        if col is None:
            col = self.vocab[word] = len(self.words)
            self.words.append(word)
        return col

    def drop(self, story_id: int) -> None:
        row = self.slot.pop(story_id)
        self.ids[row] = -1
        self.totals[row] = 0.0
        self.sizes[row] = self.norms[row] = 1.0
        del self.rows[row]
        self.changed.discard(row)
        self.free.append(row)

    def keyword_scores(self, terms: Mapping[str, float]) -> NDArray[np.float32]:
        """Each row's keyword sum . the article's keywords (0 for free rows)."""
        if self.matrix is None or len(self.changed) > _REBUILD:
            self._build()
        assert self.matrix is not None
        out = np.zeros(self.used, np.float64)
        cols: list[int] = []
        weights: list[float] = []
        for w, x in terms.items():
            col = self.vocab.get(w)
            if col is not None:
                cols.append(col)
                weights.append(x)
        built = self.matrix.shape[1]  # words first seen since are in changed rows only
        old = [i for i, c in enumerate(cols) if c < built]
        if old:
            got = self.matrix[:, [cols[i] for i in old]] @ np.array([weights[i] for i in old])
            out[: len(got)] = got
        if self.changed and cols:
            rows = sorted(self.changed)
            changed = self._matrix_of(rows, range(len(rows)), len(rows))
            out[rows] = changed[:, cols] @ np.array(weights)
        return out.astype(np.float32)

    def _matrix_of(self, rows: list[int], at: Iterable[int], height: int) -> sp.csc_matrix:
        """The keyword sums of `rows`, as rows `at` of a matrix `height` high."""
        parts = [self.rows[r] for r in rows]
        place = np.repeat(np.fromiter(at, np.int64, len(rows)), [len(c) for c, _ in parts])
        cols = np.concatenate([c for c, _ in parts]) if parts else np.zeros(0, np.int64)
        vals = np.concatenate([v for _, v in parts]) if parts else np.zeros(0)
        return sp.csc_matrix((vals, (place, cols)), shape=(height, len(self.words)))

    def _build(self) -> None:
        if len(self.words) > 2 * self.held + 50_000:
            self._forget_words()
        live = sorted(self.rows)
        self.matrix = self._matrix_of(live, live, self.used)
        self.changed.clear()

    def _forget_words(self) -> None:
        """Drop the words no open story holds any more (a year of names would pile up)."""
        parts = [c for c, _ in self.rows.values()]
        held = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        new = np.full(len(self.words), -1, np.int64)
        new[held] = np.arange(len(held))
        self.words = [self.words[i] for i in held]
        self.vocab = {w: i for i, w in enumerate(self.words)}
        self.rows = {r: (new[c], v) for r, (c, v) in self.rows.items()}
        self.held = len(self.words)


@dataclass(slots=True)
class Clusterer:
    threshold: float = THRESHOLD
    short_threshold: float = SHORT_THRESHOLD
    window: timedelta = WINDOW
    stories: dict[int, Story] = field(default_factory=dict)
    next_id: int = 1
    # The latest time any story reached: stories a window behind it are closed. Kept as a
    # high-water mark, not the current article's time, so that closing depends only on what
    # the stories hold (a process that read them back closes the same ones).
    high: datetime | None = None
    table: _Table = field(default_factory=_Table, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for story in self.stories.values():
            self.table.put(story)

    def add_story(self, story: Story) -> None:
        """Open a story, or replace what is known of one (another process changed it)."""
        self.stories[story.id] = story
        self.table.put(story)
        self.next_id = max(self.next_id, story.id + 1)
        self._reach(story.last_seen)

    def best(
        self,
        vec: NDArray[np.float32],
        when: datetime,
        terms: Mapping[str, float] | None = None,
        *,
        short: bool = False,
    ) -> tuple[int | None, float]:
        """The open story this article belongs to (or None) and its score.

        `short`: a headline or teaser, compared by cosine to the centroid (see the docstring).
        """
        self.expire(when)
        if not self.stories:
            return None, 0.0
        t = self.table
        n = t.used
        now = _micros(when)
        gap = np.maximum(np.maximum(now - t.last[:n], t.first[:n] - now), 0)
        decay = (DECAY * np.log2(1.0 + gap / 1e6 / 86400)).astype(np.float32)
        # einsum, not BLAS's matrix-vector product: BLAS sums a row in an order that depends on
        # its place among the rows, einsum the same way for every row (0.6 against 0.4 ms at
        # 6,000 stories), so a story scores the same in every process.
        dots = np.einsum("ij,j->i", t.totals[:n], vec)
        if short:
            sims = dots / t.norms[:n] - decay
            need = self.short_threshold
        else:
            dense = dots / t.sizes[:n]
            keyword = t.keyword_scores(terms) if terms else np.zeros(n, np.float32)
            keyword = keyword / t.sizes[:n]
            sims = ALPHA * dense + (1 - ALPHA) * keyword - decay
            need = self.threshold
        sims[t.ids[:n] < 0] = -np.inf
        k = int(np.argmax(sims))
        sim = float(sims[k])
        tied = np.flatnonzero(sims == sims[k])
        found = int(t.ids[tied].min()) if len(tied) > 1 else int(t.ids[k])  # not the slot's luck
        return (found, sim) if sim >= need else (None, sim)

    def assign(
        self,
        vec: NDArray[np.float32],
        when: datetime,
        terms: Mapping[str, float] | None = None,
        *,
        short: bool = False,
        title: str = "",
        story_id: int | None = None,
    ) -> int:
        """Put an article in its story, or a new one; returns the story's id.

        `story_id` makes a new story take that id (the database's), for the pipeline.
        """
        found, _ = self.best(vec, when, terms, short=short)
        if found is not None:
            self.join(found, vec, when, terms)
            return found
        new_id = story_id if story_id is not None else self.next_id
        self.add_story(self.new_story(new_id, vec, when, terms, title))
        return new_id

    @staticmethod
    def new_story(
        story_id: int,
        vec: NDArray[np.float32],
        when: datetime,
        terms: Mapping[str, float] | None = None,
        title: str = "",
    ) -> Story:
        return Story(
            story_id, vec.astype(np.float32).copy(), 1, when, when, title, dict(terms or {})
        )

    def join(
        self,
        story_id: int,
        vec: NDArray[np.float32],
        when: datetime,
        terms: Mapping[str, float] | None = None,
    ) -> None:
        s = self.stories[story_id]
        s.total = s.total + vec
        s.size += 1
        s.last_seen = max(s.last_seen, when)
        s.first_seen = min(s.first_seen, when)
        for w, x in (terms or {}).items():
            s.terms[w] = s.terms.get(w, 0.0) + x
        self.table.put(s)

    def keep_terms(self, story_id: int) -> None:
        """Cut a story's keyword sum to the heaviest terms, as the database keeps them."""
        s = self.stories[story_id]
        s.terms = s.kept_terms()
        self.table.set_terms(self.table.slot[story_id], s.terms)

    def _reach(self, when: datetime) -> datetime:
        """Raise the high-water mark to `when`; the mark."""
        self.high = when if self.high is None else max(self.high, when)
        return self.high

    def expire(self, now: datetime) -> list[int]:
        """Close the stories a window behind the high-water mark; their ids."""
        t = self.table
        high = _micros(self._reach(now))
        window = self.window // timedelta(microseconds=1)
        rows = np.flatnonzero((t.ids[: t.used] >= 0) & (high - t.last[: t.used] > window))
        gone = [int(i) for i in t.ids[rows]]
        for i in gone:
            del self.stories[i]
            t.drop(i)
        return gone


def stream(
    items: Iterable[tuple[T, str, str, datetime]], batch: int = 64
) -> Iterator[tuple[T, int]]:
    """(id, story) for each (id, title, text, published) in time order: `newsweave cluster`.

    The pipeline's own Clusterer on the pipeline's own inputs (embedding, language, keywords),
    embedded `batch` articles at a time.
    """
    from newsweave.enrich import embed, language

    clusterer = Clusterer()
    pending: list[tuple[T, str, str, datetime]] = []

    def flush() -> Iterator[tuple[T, int]]:
        vecs = embed.embed_many([(t, x) for _, t, x, _ in pending])
        for (item_id, title, text, when), vec in zip(pending, vecs, strict=True):
            terms = keywords(title, text, language.detect(f"{title}\n{text}"))
            yield item_id, clusterer.assign(vec, when, terms, short=is_short(text))
        pending.clear()

    for item in items:
        pending.append(item)
        if len(pending) >= batch:
            yield from flush()
    if pending:
        yield from flush()
