"""The cross-article step: what an article is to the others (a copy of one, related to some, a
member of a story), decided one article at a time against what this process keeps in memory.

It is small and in one place on purpose: pipeline.store_enrichment calls `understand` inside
the transaction that holds the cluster's understanding lock (store.locks) after `catch_up`, so
every process, alone or one of many on PostgreSQL, decides from the state a single process
would hold. The decisions themselves are enrich's (related.rank, stories.Clusterer, neardup);
this module gives them the other articles, from memory and from the store.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection

from newsweave.enrich import STEPS, Analysis, crosslingual, neardup
from newsweave.enrich import embed as embed_mod
from newsweave.enrich.related import (
    ApproximateIndex,
    Candidate,
    VectorIndex,
    admit,
    make_index,
    rank,
)
from newsweave.enrich.stories import Clusterer, Story, is_short
from newsweave.enrich.summary import story_summary
from newsweave.store import enrichment, stories, vectors
from newsweave.store.articles import ArticleForEnrichment
from newsweave.store.db import Database

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "SUMMED_MEMBERS",
    "Memory",
    "forget",
    "memory",
    "names_of",
    "set_story_sums",
    "understand",
    "unsummed_leads",
]

log = logging.getLogger(__name__)

# A process that read this many vectors from the database at start-up (all of them, or those
# understood since the snapshot it started from) writes a snapshot of its approximate index
# for the next process (Memory._read_snapshot): below it, reading them takes a few seconds.
SNAPSHOT_FROM = 50_000

# A story's headline and summary are chosen from its latest members (the coverage as it stands).
STORY_SUMMARY_MEMBERS = 20
# Members of an open story whose cross-language vectors are made for it when the site turns
# multilingual (pipeline.join_languages): the mean of its latest few stands for its coverage
# as it now is, and the one-time cost stays bounded (4.4 ms a vector on one core, measured on
# AllSides' leads: a site of a thousand articles a day has, say, 3,000 open stories, ~40 s of
# one worker, ~20 s of two, once). Three, not all, was chosen, not measured: no public set of
# one event told in several languages is at hand (README).
SUMMED_MEMBERS = 3
# Centrality scores closer than this are a tie (float32 dot products differ by ~1e-7).
_TIE = 1e-5


class Memory:
    """What the cross-article step keeps in memory per database: the vector index, the open
    stories, and the names of recent articles; and the multilingual vectors of the articles in
    languages MiniLM does not read (`xindex`, exact: their related articles are found there).

    Loaded from the database on first use, then kept in step with it: by this process's own
    writes, and, before each step, by catching up on what other processes understood since
    (`catch_up`, by the watermark `seen`). The step runs under a lock across processes, so
    every process decides from the same state a single process would have had.
    """

    _MAX_NAMES = 200_000  # articles whose names are kept (~30 short strings each)
    _LOAD_BATCH = 8192  # vectors handed to the index at once while loading

    def __init__(self, db: Database) -> None:
        self._snapshot = snapshot_path(db)
        self._snapshot_due = False
        self.from_snapshot = False
        with db.connect() as conn:
            self._load(conn)

    def _load(self, conn: Connection) -> None:
        model = STEPS["embedding"]
        stored = vectors.index_centres_of(conn, model)
        centres = None
        if stored is not None:
            dim, lists, blob = stored
            centres = np.frombuffer(blob, dtype=np.float32).reshape(lists, dim)
        self.index: VectorIndex | ApproximateIndex = make_index(
            embed_mod.DIM, vectors.count_embeddings(conn, model), centres
        )
        self.clusterer = Clusterer()
        self.xindex = VectorIndex(crosslingual.DIM)
        for aid, blob in vectors.all_crosslingual(conn):
            self.xindex.add(aid, np.frombuffer(blob, dtype=np.float32))
        self.names: dict[int, frozenset[str]] = {}
        # The watermark first: what is understood while this loads is caught up later.
        self.seen, self.generation = enrichment.understood_top(conn)
        self.from_snapshot = False
        since = self._read_snapshot(conn, stored[2] if stored is not None else None)
        if since is None:
            read = self._read_all(vectors.all_embeddings(conn, model))
        else:  # what was understood since the snapshot, an article enriched again replaced
            read = 0
            for aid, blob in vectors.embeddings_since(conn, model, since):
                self.index.add(aid, np.frombuffer(blob, dtype=np.float32))
                read += 1
        self._snapshot_due = isinstance(self.index, ApproximateIndex) and read >= SNAPSHOT_FROM
        for st in stories.open_stories(conn, self.clusterer.window):
            self._add_story(st)

    def _read_all(self, rows: Iterable[tuple[int, bytes]]) -> int:
        ids: list[int] = []
        blobs: list[bytes] = []
        n = 0
        for aid, blob in rows:
            ids.append(aid)
            blobs.append(blob)
            n += 1
            if len(ids) == self._LOAD_BATCH:
                self._add_vectors(ids, blobs)
                ids, blobs = [], []
        self._add_vectors(ids, blobs)
        return n

    def _read_snapshot(self, conn: Connection, centres_blob: bytes | None) -> int | None:
        """Start the approximate index from the snapshot a process wrote (`_write_snapshot`)
        when it holds this database's centres and stories generation, is not ahead of it, and
        its last step understood the same article here (a database restored from an older
        copy and grown since is another history); the watermark it was written at, or None
        (read everything from the database).

        Reading a million vectors from the database and assigning each to its list took 44 s
        of a worker's start-up (bench/archive.py); the snapshot is read in one pass.
        """
        path, index = self._snapshot, self.index
        if path is None or centres_blob is None or not isinstance(index, ApproximateIndex):
            return None
        if index.centres() is None:  # the archive outgrew the kept centres: learned again
            return None
        if not Path(f"{path}.npz").exists():  # (nor its folder, maybe: no lock file made)
            return None
        try:
            with _locked(path):
                if not Path(f"{path}.npz").exists():
                    return None
                with np.load(f"{path}.npz") as meta:
                    seen = int(meta["seen"])
                    fits = (
                        str(meta["model"]) == STEPS["embedding"]
                        and int(meta["generation"]) == self.generation
                        and seen <= self.seen
                        and str(meta["centres"]) == hashlib.sha256(centres_blob).hexdigest()
                        and self._same_history(conn, seen, meta)
                    )
                    if not fits:
                        return None
                    index.read(f"{path}.faiss", meta["waiting_ids"], meta["waiting"])
                    since = seen
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            log.warning("the related index's snapshot %s was not used: %s", path, exc)
            return None
        self.from_snapshot = True
        return since

    @staticmethod
    def _same_history(conn: Connection, seen: int, meta: Any) -> bool:
        """Whether the article the snapshot's last step understood is still that article here,
        understood then or since (a copy of the database restored from before and grown since
        holds other articles at those steps, and may have given their ids again)."""
        held = [int(x) for x in meta["seen_article"]]
        article_id, first, at = held if len(held) == 3 else (*held, seen)  # (older snapshots)
        if not article_id:
            return seen == 0
        return enrichment.still_understood(conn, article_id, first, at)

    def _write_snapshot(self, conn: Connection) -> None:
        """Write the approximate index as it stands at `seen` for the next process to start
        from (atomically: a process reading meanwhile sees the old one or the new one)."""
        path, index = self._snapshot, self.index
        if path is None or not isinstance(index, ApproximateIndex):
            return
        centres = index.centres()
        if centres is None:
            return
        digest = hashlib.sha256(np.ascontiguousarray(centres, dtype="<f4").tobytes()).hexdigest()
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            with _locked(path):
                ids, vecs = index.write(f"{path}.faiss.tmp")
                np.savez(
                    f"{path}.tmp.npz",
                    model=STEPS["embedding"],
                    generation=self.generation,
                    seen=self.seen,
                    seen_article=enrichment.understood_at(conn, self.seen),
                    centres=digest,
                    waiting_ids=ids,
                    waiting=vecs,
                )
                Path(f"{path}.faiss.tmp").replace(f"{path}.faiss")
                Path(f"{path}.tmp.npz").replace(f"{path}.npz")
        except OSError as exc:  # a read-only folder, a full disk: the next process reads it all
            log.warning("the related index's snapshot %s was not written: %s", path, exc)

    def _add_vectors(self, ids: list[int], blobs: list[bytes]) -> None:
        """Vectors read in bulk: the approximate index takes them in one call (a million one
        by one spent most of a worker's start-up in Python and in faiss's per-call costs)."""
        if not ids:
            return
        mat = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)
        if isinstance(self.index, ApproximateIndex):
            self.index.add_many(ids, mat)
            return
        for aid, vec in zip(ids, mat, strict=True):
            self.index.add(aid, vec)

    def _keep_centres(self, conn: Connection) -> None:
        """Keep the centres this process learned, for every other process to start from."""
        index = self.index
        if isinstance(index, ApproximateIndex) and index.trained_here:
            centres = index.centres()
            if centres is not None:
                model = STEPS["embedding"]
                blob = np.ascontiguousarray(centres, dtype="<f4").tobytes()
                vectors.save_index_centres(conn, model, index.dim, len(centres), blob)
                index.trained_here = False

    def _add_story(self, st: stories.StoryRow) -> None:
        if not st.centroid:
            return
        self.clusterer.add_story(
            Story(
                st.id,
                np.frombuffer(st.centroid, dtype=np.float32).copy(),
                max(st.article_count, 1),
                st.first_seen_at,
                st.last_seen_at,
                st.title,
                st.terms,
                np.frombuffer(st.crosslingual, dtype=np.float32).copy()
                if st.crosslingual
                else None,
                st.language,
                _summed(st),
            )
        )

    def catch_up(self, conn: Connection) -> int:
        """Take in what other processes understood since `seen`; returns the next step's number.

        Called holding the understanding lock, so nothing moves while it reads. A new
        generation means the stories were rebuilt from scratch (`reindex`, in any process):
        everything is read again.
        """
        self._keep_centres(conn)
        if self._snapshot_due:  # the index holds what was understood up to `seen`
            self._snapshot_due = False
            self._write_snapshot(conn)
        top, generation = enrichment.understood_top(conn)
        if generation != self.generation:
            self._load(conn)
            self._keep_centres(conn)
        elif top > self.seen:
            for aid, blob in vectors.embeddings_since(conn, STEPS["embedding"], self.seen):
                self.index.add(aid, np.frombuffer(blob, dtype=np.float32))
                self.names.pop(aid, None)  # read again when needed
            for aid, blob in vectors.crosslingual_since(conn, self.seen):
                self.xindex.add(aid, np.frombuffer(blob, dtype=np.float32))
            for st in stories.stories_since(conn, self.seen):
                self._add_story(st)
            self.seen = top
        return top + 1

    def remember_names(self, article_id: int, names: frozenset[str]) -> None:
        if len(self.names) >= self._MAX_NAMES:
            self.names.clear()  # read back from the database as needed
        self.names[article_id] = names


_memories: weakref.WeakKeyDictionary[Database, Memory] = weakref.WeakKeyDictionary()


def snapshot_path(db: Database) -> str | None:
    """Where the related-index snapshot lives: beside a SQLite site's file (`X.db.related.*`);
    for PostgreSQL, whose workers may be on several machines, in this machine's data folder,
    named for the database's address (`related-<hash>.*`), so each machine's workers start
    from what one of them wrote there. None for in-memory databases, and for PostgreSQL
    opened without a data folder. What a snapshot holds is checked against the database
    before it is used (Memory._read_snapshot), so one of another database is never taken."""
    if not db.is_sqlite:
        if db.local_dir is None:
            return None
        where = db.engine.url.render_as_string(hide_password=True)
        key = hashlib.sha256(where.encode()).hexdigest()[:16]
        return str(db.local_dir / f"related-{key}")
    name = db.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return f"{name}.related"


@contextmanager
def _locked(path: str) -> Iterator[None]:
    """One process at a time reads or writes the snapshot (processes of one SQLite site share
    a machine)."""
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def memory(db: Database) -> Memory:
    mem = _memories.get(db)
    if mem is None:
        mem = _memories[db] = Memory(db)
    return mem


def forget(db: Database) -> None:
    """Drop the in-memory index and stories (after a rollback, or a reindex of stories)."""
    _memories.pop(db, None)


def names_of(a: Analysis) -> frozenset[str]:
    """What related ranking shares between articles: entity names (lower-cased) and hashtag
    slugs, as the analysis made them (stored with the embedding: vectors.save_embedding)."""
    return frozenset({e.text.lower()[:300] for e in a.entities} | {h.slug for h in a.hashtags})


def understand(
    conn: Connection,
    mem: Memory,
    article_id: int,
    row: ArticleForEnrichment,
    a: Analysis,
    when: datetime,
    seq: int,
) -> None:
    published = row.published_at or row.first_seen_at or when
    original = _original(conn, article_id, a, seq)
    vectors.set_duplicate(conn, article_id, original)
    if a.embedding is None:
        return
    # The vector and the names ranking shares, in memory and stored, written together.
    names = names_of(a)
    vectors.save_embedding(
        conn, article_id, STEPS["embedding"], embed_mod.DIM, a.embedding.tobytes(), names
    )
    mem.index.add(article_id, a.embedding)
    mem.remember_names(article_id, names)
    # An article in a script MiniLM does not read is related by its multilingual vector, to
    # the others such; every other article by MiniLM, to the others not such.
    blind = a.crosslingual if crosslingual.minilm_blind(a.language) else None
    vectors.save_crosslingual(conn, article_id, _blob(blind))
    index: VectorIndex | ApproximateIndex
    if blind is not None:
        index, vec_me = mem.xindex, blind
        mem.xindex.add(article_id, blind)
    else:
        index, vec_me = mem.index, a.embedding
        mem.xindex.discard(article_id)  # enriched again and now read otherwise
    mine = _related(conn, mem, index, article_id, vec_me, original or article_id, names, published)
    lists: dict[int, list[tuple[int, float]]] = {article_id: mine}
    # The articles it is related to may now list it too: an older article's page gains the
    # newer coverage without waiting for a reindex. A copy is not offered: its original is.
    if original is None and mine:
        info = _neighbours(conn, mem, [i for i, _ in mine])
        stored = vectors.related_lists(conn, list(info))
        for other in info:
            vec = index.get(other)
            if vec is None:
                continue
            names_o, time_o, group_o, _order = info[other]
            me = Candidate(article_id, float(vec @ vec_me), names, published, article_id)
            updated = admit(other, group_o, names_o, time_o, stored.get(other, []), me)
            if updated is not None:
                lists[other] = updated
    vectors.save_related(conn, lists)
    # A copy joins its original's story but is neither coverage nor a change of its span.
    if original is not None:
        sid = stories.story_of(conn, original)
        if sid is not None:
            stories.set_story(conn, article_id, sid, None)
        return
    if stories.story_of(conn, article_id) is not None:
        # Re-enriching an article keeps its story, open or closed: the stories are rebuilt
        # only when the clusterer changes (pipeline.stale_for_reindex). Clustered again against
        # the open stories alone, an archive's older articles scattered (AllSides' 440
        # articles: 178 stories, 398 after a reindex for another step's version).
        return
    text = row.text
    clusterer = mem.clusterer
    xvec, language = a.crosslingual, a.language
    short = is_short(text)
    found, _ = clusterer.best(
        a.embedding, published, a.terms, short=short, xvec=xvec, language=language
    )
    if found is None:
        story = Clusterer.new_story(
            0, a.embedding, published, a.terms, row.title, xvec=xvec, language=language
        )
        found = story.id = stories.create_story(
            conn,
            story.title,
            published,
            story.total.tobytes(),
            story.kept_terms(),
            seq,
            crosslingual=_blob(story.xtotal),
            crosslingual_count=story.xsize,
            language=language,
        )
        clusterer.add_story(story)
    else:
        clusterer.join(found, a.embedding, published, a.terms, xvec=xvec, language=language)
    # Memory holds what the database holds, so a process that reads the story back decides
    # as this one does.
    clusterer.keep_terms(found)
    story = clusterer.stories[found]
    stories.set_story(
        conn,
        article_id,
        found,
        published,
        story.total.tobytes(),
        story.terms,
        seq,
        crosslingual=_blob(story.xtotal),
        crosslingual_count=story.xsize,
    )
    _retell(conn, mem, story, seq)


def _summed(st: stories.StoryRow) -> int:
    """The members a story's cross-language sum holds: before 0025 every member or none."""
    if not st.crosslingual:
        return 0
    return st.crosslingual_count if st.crosslingual_count is not None else st.article_count


def _blob(vec: NDArray[np.float32] | None) -> bytes | None:
    return vec.tobytes() if vec is not None else None


def _retell(conn: Connection, mem: Memory, story: Story, seq: int) -> None:
    """Keep a story's headline and summary those of its coverage as it grows.

    The headline is the member's most like the story as a whole (nearest its centroid) among
    the latest coverage, so "Newsom survives recall" replaces the first piece's "How Newsom
    fought back". The summary is made again from the latest members' summaries whenever the
    story has grown by half since the last one (sizes 2, 3, 4, 6, 9, 13, ...), so it follows
    the coverage without re-summarising a big story on every article.

    Both are the reporting's where the story has any: an op-ed's headline ("Oversight Board Is
    Wrong to Uphold Facebook's Suspension of Trump") or its verdict in the summary ("This
    decision is the wrong one", AllSides' Facebook story) is one outlet's view, not the event.
    """
    retold = _retold_at(story.size)
    members = stories.story_members(conn, story.id, STORY_SUMMARY_MEMBERS, summaries=retold)
    members = [m for m in members if m.genre != "opinion"] or members
    if not members:
        return
    centre = story.centroid()
    scored = []
    for m in members:
        vec = mem.index.get(m.id)
        if vec is not None and m.title:
            scored.append((float(vec @ centre), m.title))
    title = story.title
    if scored:
        # Two members are always exactly as near the centre of two (and any members may tie):
        # float rounding must not pick between them, or the same story is titled one way in
        # one run and the other in the next. Ties within _TIE go to the title, as exact ones did.
        best = max(score for score, _ in scored)
        title = max(t for score, t in scored if score >= best - _TIE)
    story.title = title
    summary = None
    if retold:
        summary = story_summary([m.summary for m in members]).summary or None
    stories.set_story_text(conn, story.id, title, summary, seq)


def _retold_at(size: int) -> bool:
    """Whether a story of `size` members gets its summary made again (1, 2, 3, 4, 6, 9, ...)."""
    n = 1
    while n < size:
        n = max(n + 1, n * 3 // 2)
    return n == size


def _related(
    conn: Connection,
    mem: Memory,
    index: VectorIndex | ApproximateIndex,
    article_id: int,
    vec: Any,
    group: int,
    names: set[str] | frozenset[str],
    published: datetime | None,
) -> list[tuple[int, float]]:
    """The article's related list from `index`: the multilingual one for an article MiniLM
    does not read, else MiniLM's, less the articles the multilingual one holds."""
    hits = index.search(vec, 50)
    if index is not mem.xindex:
        hits = [(i, s) for i, s in hits if i not in mem.xindex]
    info = _neighbours(conn, mem, [i for i, _ in hits])
    cands = [Candidate(i, sim, *info[i]) for i, sim in hits if i in info]
    return rank(article_id, group, names, published, cands)


def _neighbours(
    conn: Connection, mem: Memory, ids: list[int]
) -> dict[int, tuple[frozenset[str], datetime | None, int, int]]:
    """Names, time, duplicate group and understanding order of candidate articles that still
    exist.

    Names come from memory when this process stored the article (they change only when it
    is enriched again, which goes through here): reading them back for 50 candidates, nine
    times an article, was most of the storing time (~55 ms of ~90 ms, bench/enrich.py).
    """
    times = vectors.neighbour_times(conn, ids)
    missing = [i for i in times if i not in mem.names]
    for aid, names in vectors.neighbour_names(conn, missing).items():
        mem.remember_names(aid, names)
    return {
        i: (mem.names.get(i, frozenset()), at, group, order)
        for i, (at, group, order) in times.items()
    }


def _original(conn: Connection, article_id: int, a: Analysis, seq: int) -> int | None:
    """The article this one is a near-copy of (the first of its group to be understood), or
    None. Understood first, not stored first: two processes store in any order, but they
    understand one article at a time."""
    if a.minhash is None:
        return None
    roots: dict[int, float] = {}
    for cid, blob, dup_of, _published in vectors.duplicate_candidates(
        conn, article_id, neardup.bands(a.minhash)
    ):
        sim = neardup.similarity(a.minhash, np.frombuffer(blob, dtype=np.uint64))
        root = dup_of or cid
        if sim >= neardup.THRESHOLD and root != article_id:
            roots[root] = max(sim, roots.get(root, 0.0))
    if not roots:
        return None
    order = enrichment.understanding_order(conn, [*roots, article_id])
    mine = order.get(article_id, seq)
    earlier = [(order[r], r) for r in roots if r in order and order[r] < mine]
    return min(earlier)[1] if earlier else None


def unsummed_leads(db: Database) -> dict[int, list[tuple[str, str]]]:
    """The open stories that hold no cross-language vector, each with the headline and lead
    of its latest SUMMED_MEMBERS originals: what `pipeline.join_languages` needs vectors of."""
    window = memory(db).clusterer.window
    with db.connect() as conn:
        ids = stories.unsummed_open(conn, window)
        return stories.lead_texts(conn, ids, SUMMED_MEMBERS)


def set_story_sums(
    conn: Connection, mem: Memory, sums: dict[int, tuple[NDArray[np.float32], int]], seq: int
) -> list[int]:
    """Give open stories their cross-language sums (story id -> the sum of `n` members'
    vectors), so an article in another language can join them; those a member with its own
    vector joined meanwhile keep theirs. Called as `understand` is, inside the transaction
    that holds the understanding lock, after `catch_up` (`seq`). The stories set, in memory
    too: a step with no article, which other processes read at their next `catch_up`
    (enrichment.understood_top counts the stories' steps)."""
    done = [
        sid
        for sid, (total, n) in sums.items()
        if stories.set_crosslingual(conn, sid, total.astype(np.float32).tobytes(), n, seq)
    ]
    for st in stories.stories_by_id(conn, done):
        mem._add_story(st)
    return done
