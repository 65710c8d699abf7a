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

Across languages neither half holds: MiniLM is English-trained and the keywords of two
languages rarely meet. Each story also keeps the sum of its members' multilingual embeddings
(enrich.crosslingual) and its first article's language. An article in another of that
model's languages is scored against the stories begun in its language by the same formula
with the multilingual embedding in MiniLM's place (MiniLM reads Russian or Chinese as noise);
an article no story of its language takes is compared to the stories begun in other languages
by the multilingual average link, with a threshold and a margin over the next such story
(CROSS_THRESHOLD, CROSS_MARGIN): a French report of an event then joins its English coverage.
English articles among English stories decide exactly as before. The multilingual average link
is over the members whose vectors the sum holds (Story.xsize): an English-only site makes none
for its English articles; when it meets another language, its open stories are given the sum
of their latest few members' (pipeline.join_languages) and add the later members' own.
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

from newsweave.enrich import crosslingual
from newsweave.enrich.language import base as base_language
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
# An article no story of its own language takes joins a story begun in another language when
# their cross-language vectors' average link clears CROSS_THRESHOLD and beats the next such
# story by CROSS_MARGIN. Set on the leads of 8 AllSides events translated by the team into
# French, German, Spanish, Russian and Chinese, streamed with the set's English articles
# (bench/README.md): 77 of 80 joined their event's story, none another event's; with their
# event's English coverage taken out, 5 of 40 joined another story (one Biden-Israel column,
# in every language, joined the same days' Gaza fighting).
CROSS_THRESHOLD = 0.50
CROSS_MARGIN = 0.05
# A headline in a language other than English, against the stories begun in its language: the
# cosine to their cross-language centroids. 0.36 is the best for the UCI headlines in bench/
# scored this way (B-cubed F1 0.79, against 0.82 by MiniLM at SHORT_THRESHOLD).
SHORT_CROSS_THRESHOLD = 0.36
# Keywords come from the headline and the lead, as the embedding does (embed._LEAD_CHARS):
# a 600-word article then weighs the same as the headline+lead items the thresholds were set on.
_LEAD_CHARS = 1500
_TERMS_KEPT = 300  # a story's keyword sum keeps its heaviest terms (what the database holds)
T = TypeVar("T")
_WORD = re.compile(r"[^\W\d_](?:[\w'’.-]*[^\W_])?")


# The languages whose articles are scored by the cross-language vectors: the model's, but
# English (a headline's language is often a guess: Nigerian Pidgin for five of the UCI set's
# English ones, which MiniLM reads well).
_FOREIGN = crosslingual.OTHER_LANGUAGES


def is_short(text: str) -> bool:
    """Too little body to compare as an article: compared as a headline."""
    return len(text.split(maxsplit=SHORT_WORDS)) < SHORT_WORDS


def keywords(title: str, text: str, language: str | None = "en") -> dict[str, float]:
    """The article's words weighted by rarity (log count x IDF proxy), as a unit vector."""
    lang = base_language(language) or "en"
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
    # The sum of its members' cross-language vectors (enrich.crosslingual), of those that had
    # one, and its first article's language: what an article in another language is compared by.
    xtotal: NDArray[np.float32] | None = None
    language: str | None = None
    # How many members the sum holds: an English site's stories hold none until the site
    # collects another language (pipeline.multilingual_site), then their later members'.
    xsize: int = 0

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
        self.xtotals = np.zeros((0, crosslingual.DIM), np.float32)
        self.has_x = np.zeros(0, bool)
        self.xsizes = np.zeros(0, np.float32)
        self.xnorms = np.zeros(0, np.float32)
        self.lang = np.zeros(0, np.int32)  # a language's number (self.langs), -1 where none
        self.langs: dict[str, int] = {}
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
        xtotals = np.zeros((cap, crosslingual.DIM), np.float32)
        xtotals[: len(self.xtotals)] = self.xtotals
        self.xtotals = xtotals
        self.has_x = np.concatenate([self.has_x, np.zeros(extra, bool)])
        self.xsizes = np.concatenate([self.xsizes, np.ones(extra, np.float32)])
        self.xnorms = np.concatenate([self.xnorms, np.ones(extra, np.float32)])
        self.lang = np.concatenate([self.lang, np.full(extra, -1, np.int32)])

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
        self.has_x[row] = story.xtotal is not None
        self.xsizes[row] = max(story.xsize, 1)
        self.xtotals[row] = story.xtotal if story.xtotal is not None else 0.0
        xnorm = float(np.linalg.norm(story.xtotal)) if story.xtotal is not None else 0.0
        self.xnorms[row] = xnorm if xnorm else 1.0
        self.lang[row] = self.language(story.language, add=True)
        self.set_terms(row, story.terms)

    def language(self, name: str | None, *, add: bool = False) -> int:
        """A language's number: -1 for none, -2 for one no story has (with `add`, it gets one)."""
        base = base_language(name)  # "en-GB" is English
        if not base:
            return -1
        found = self.langs.get(base)
        if found is None:
            if not add:
                return -2
            found = self.langs[base] = len(self.langs)
        return found

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
        self.xtotals[row] = 0.0
        self.has_x[row] = False
        self.xsizes[row] = self.xnorms[row] = 1.0
        self.lang[row] = -1
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
        xvec: NDArray[np.float32] | None = None,
        language: str | None = None,
    ) -> tuple[int | None, float]:
        """The open story this article belongs to (or None) and its score.

        `short`: a headline or teaser, compared by cosine to the centroid (see the docstring).
        `xvec` and `language`: the article's cross-language vector and language. An English
        article (or one of no known language) is scored by `vec` as always, and the stories
        begun in other languages are compared by `xvec` where none clears the threshold; an
        article in another language is scored by `xvec` alone (the docstring's last paragraph).
        """
        self.expire(when)
        if not self.stories:
            return None, 0.0
        t = self.table
        n = t.used
        now = _micros(when)
        gap = np.maximum(np.maximum(now - t.last[:n], t.first[:n] - now), 0)
        decay = (DECAY * np.log2(1.0 + gap / 1e6 / 86400)).astype(np.float32)
        mine = t.language(language)
        if xvec is not None and base_language(language) in _FOREIGN:
            return self._foreign(xvec, mine, terms, short, decay)
        # einsum, not BLAS's matrix-vector product: BLAS sums a row in an order that depends on
        # its place among the rows, einsum the same way for every row (0.6 against 0.4 ms at
        # 6,000 stories), so a story scores the same in every process.
        dots = np.einsum("ij,j->i", t.totals[:n], vec)
        if short:
            sims = dots / t.norms[:n] - decay
            need = self.short_threshold
        else:
            sims = self._formula(dots, terms, decay)
            need = self.threshold
        found, sim = self._top(sims, t.ids[:n] >= 0)
        if sim >= need or xvec is None or mine == -1:
            return (found, sim) if sim >= need else (None, sim)
        across = self._across(xvec, mine, decay)
        return across if across is not None else (None, sim)

    def _formula(
        self,
        dots: NDArray[np.float32],
        terms: Mapping[str, float] | None,
        decay: NDArray[np.float32],
        sizes: NDArray[np.float32] | None = None,
    ) -> NDArray[np.float32]:
        """The average link: `dots` over `sizes` (the members the sums hold; all by default)
        and the keyword part, less the decay."""
        t = self.table
        n = t.used
        dense = dots / (t.sizes[:n] if sizes is None else sizes)
        keyword = t.keyword_scores(terms) if terms else np.zeros(n, np.float32)
        keyword = keyword / t.sizes[:n]
        sims: NDArray[np.float32] = ALPHA * dense + (1 - ALPHA) * keyword - decay
        return sims

    def _top(self, sims: NDArray[np.float32], live: NDArray[np.bool_]) -> tuple[int, float]:
        """The best-scoring story among `live` rows (ties to the lowest id, not the slot's
        luck) and its score (-inf where none is live)."""
        t = self.table
        sims = np.where(live, sims, -np.inf)
        k = int(np.argmax(sims))
        sim = float(sims[k])
        tied = np.flatnonzero(sims == sims[k])
        return (int(t.ids[tied].min()) if len(tied) > 1 else int(t.ids[k])), sim

    def _foreign(
        self,
        xvec: NDArray[np.float32],
        mine: int,
        terms: Mapping[str, float] | None,
        short: bool,
        decay: NDArray[np.float32],
    ) -> tuple[int | None, float]:
        """An article in a language other than English: the stories begun in its language by
        the same formula with the cross-language vectors in MiniLM's place (MiniLM scores any
        two Russian or Chinese texts alike: 0.52 and 0.59 on average for eight unrelated
        leads, against 0.18 and 0.19 here); the others by _across."""
        t = self.table
        n = t.used
        dots = np.einsum("ij,j->i", t.xtotals[:n], xvec)
        same = t.has_x[:n] & (t.lang[:n] == mine)
        if short:
            sims = dots / t.xnorms[:n] - decay
            need = SHORT_CROSS_THRESHOLD
        else:
            sims = self._formula(dots, terms, decay, t.xsizes[:n])
            need = self.threshold
        found, sim = self._top(sims, same)
        if sim >= need:
            return found, sim
        across = self._across(xvec, mine, decay, dots)
        return across if across is not None else (None, sim)

    def _across(
        self,
        xvec: NDArray[np.float32],
        mine: int,
        decay: NDArray[np.float32],
        xdots: NDArray[np.float32] | None = None,
    ) -> tuple[int, float] | None:
        """The story begun in a language other than `mine` that this article clearly belongs
        to, if one. `xdots`: the stories' cross-language sums . `xvec`, where already made.

        The average link of cross-language vectors, less the time decay, must clear
        CROSS_THRESHOLD and beat the next such story by CROSS_MARGIN: a report of one event
        scores near another event on the same subject (two Gaza stories, two rounds of one
        negotiation): of the 40 translated leads, scored against each event of the two days around
        them, 7 were nearest another event above the threshold, 1 by the margin as well.
        """
        t = self.table
        n = t.used
        other = t.has_x[:n] & (t.lang[:n] >= 0) & (t.lang[:n] != mine)
        if not other.any():
            return None
        if xdots is None:
            xdots = np.einsum("ij,j->i", t.xtotals[:n], xvec)
        xs = xdots / t.xsizes[:n] - decay
        xs[~other] = -np.inf
        k = int(np.argmax(xs))
        top = float(xs[k])
        xs[k] = -np.inf
        runner = float(xs.max())
        if top < CROSS_THRESHOLD or top - runner < CROSS_MARGIN:
            return None  # a tie has no margin: no slot's luck either
        return int(t.ids[k]), top

    def assign(
        self,
        vec: NDArray[np.float32],
        when: datetime,
        terms: Mapping[str, float] | None = None,
        *,
        short: bool = False,
        title: str = "",
        story_id: int | None = None,
        xvec: NDArray[np.float32] | None = None,
        language: str | None = None,
    ) -> int:
        """Put an article in its story, or a new one; returns the story's id.

        `story_id` makes a new story take that id (the database's), for the pipeline.
        """
        found, _ = self.best(vec, when, terms, short=short, xvec=xvec, language=language)
        if found is not None:
            self.join(found, vec, when, terms, xvec=xvec, language=language)
            return found
        new_id = story_id if story_id is not None else self.next_id
        story = self.new_story(new_id, vec, when, terms, title, xvec=xvec, language=language)
        self.add_story(story)
        return new_id

    @staticmethod
    def new_story(
        story_id: int,
        vec: NDArray[np.float32],
        when: datetime,
        terms: Mapping[str, float] | None = None,
        title: str = "",
        *,
        xvec: NDArray[np.float32] | None = None,
        language: str | None = None,
    ) -> Story:
        xtotal = xvec.astype(np.float32).copy() if xvec is not None else None
        foreign = xvec is not None and base_language(language) in _FOREIGN
        total = np.zeros_like(vec, np.float32) if foreign else vec.astype(np.float32).copy()
        return Story(
            story_id,
            total,
            1,
            when,
            when,
            title,
            dict(terms or {}),
            xtotal,
            language,
            1 if xtotal is not None else 0,
        )

    def join(
        self,
        story_id: int,
        vec: NDArray[np.float32],
        when: datetime,
        terms: Mapping[str, float] | None = None,
        *,
        xvec: NDArray[np.float32] | None = None,
        language: str | None = None,
    ) -> None:
        """Add an article to a story.

        MiniLM's sum counts an article in a language other than English (where `xvec` is
        given) as the average of the members it can read; a story with none of those holds
        nothing there until one joins, which then stands for them all. A Chinese report's
        MiniLM vector is noise: added to the ECB story's it pulled the average link of the next
        English report below the threshold (the team's fixtures: b3 began a story of its own
        beside the one it belongs to).
        """
        s = self.stories[story_id]
        if xvec is None or base_language(language) not in _FOREIGN:
            known = s.total.any()
            s.total = s.total + vec if known else (vec * np.float32(s.size + 1)).astype(np.float32)
        elif s.total.any():
            s.total = s.total + s.total / np.float32(s.size)
        if xvec is not None:  # a story begun before the vectors holds its later members' only
            s.xtotal = xvec.astype(np.float32).copy() if s.xtotal is None else s.xtotal + xvec
            s.xsize += 1
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
        texts = [(t, x) for _, t, x, _ in pending]
        vecs = embed.embed_many(texts)
        xvecs = crosslingual.vectors(texts)
        for (item_id, title, text, when), vec, xvec in zip(pending, vecs, xvecs, strict=True):
            lang = language.detect(f"{title}\n{text}")
            terms = keywords(title, text, lang)
            short = is_short(text)
            yield item_id, clusterer.assign(vec, when, terms, short=short, xvec=xvec, language=lang)
        pending.clear()

    for item in items:
        pending.append(item)
        if len(pending) >= batch:
            yield from flush()
    if pending:
        yield from flush()
