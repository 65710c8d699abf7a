"""Enrichment speed: per analysis and in total.

    python bench/enrich.py [N]          (make bench)

N runs over a 600-word news article (the seed page's main article cut to 600 words), one
process, each analysis timed alone, then the whole `analyze`, one article and eight at a time.
Then the whole enrichment as newsweave runs it on stored articles (collecting.Enricher:
analyses, then storing with related articles and stories in SQLite) over distinct 600-word articles
mixed from the fixtures' sentences, in this process and with two worker processes (one per
core), as an English-only site enriches them (no cross-language vector), then with two workers
as a multilingual site does. Peak memory is the largest resident set of this process and of a
worker, then of the pooled processes on each kind of site (English only, multilingual, and
one that meets every language with models of its own), as the sum of the processes' peaks and
as the peak of their proportional set sizes. Quality is bench/quality.py.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from newsweave.enrich import (
    analyze,
    analyze_many,
    crosslingual,
    embed,
    entities,
    genre,
    hashtags,
    language,
    neardup,
    nlp,
    quotes,
)
from newsweave.enrich.summary import summarize

ROOT = Path(__file__).resolve().parent.parent

SEED = (ROOT / "tests" / "fixtures" / "archives" / "seed-page.txt").read_text(encoding="utf-8")
EVENTS = [
    json.loads(x)
    for x in (ROOT / "tests/fixtures/understand/events.jsonl").read_text().splitlines()
]


def seed_articles() -> dict[str, tuple[str, str]]:
    """The seed page's two articles (title, text); bench/quality.py scores them too."""
    lines = SEED.strip().split("\n")
    main = "\n".join(lines[1 : lines.index("Hashtags")])
    sudan = SEED.split("UN rejects parallel government in Sudan\n", 1)[1].strip()
    return {
        "seed-main": (lines[0], main),
        "seed-sudan": ("UN rejects parallel government in Sudan", sudan),
    }


def article_600() -> tuple[str, str]:
    title, body = seed_articles()["seed-main"]
    return title, " ".join(body.split()[:600])


def _rate(fn: Callable[[], Any], n: int) -> float:
    fn()  # warm
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def speed(n: int) -> None:
    title, text = article_600()
    doc = nlp.parse(text)
    ents = entities.extract(doc, text)
    sents = nlp.doc_sentences(doc)
    tagged = (title, doc, ents, text, embed.embed(title, text))
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("language (py3langid)", lambda: language.detect(text)),
        ("spaCy parse (tok2vec, tagger, senter, ner)", lambda: nlp.parse(text)),
        ("entities (merge)", lambda: entities.extract(doc, text)),
        ("hashtags", lambda: hashtags.suggest(title, doc, ents)),
        ("hashtags by meaning (MiniLM, 20 candidates)", lambda: hashtags.suggest(*tagged)),
        ("summary + key points", lambda: summarize(sents)),
        ("attributions", lambda: quotes.extract(sents, ents)),
        ("kind", lambda: genre.classify(title, text)),
        ("embedding (MiniLM, 128 pieces)", lambda: embed.embed(title, text)),
        ("cross-language (USE, 300 characters)", lambda: crosslingual.vectors([(title, text)])),
        ("minhash", lambda: neardup.signature(text)),
    ]
    print(f"speed: one 600-word article, {n} runs each, one process")
    for name, fn in parts:
        print(f"  {name:45s} {_rate(fn, n):8.1f} articles/s")
    total = _rate(lambda: analyze(title, text), n)
    print(f"  {'whole analyze(), one process':45s} {total:8.1f} articles/s")
    batch = [(title, text, None, None)] * 8
    many = _rate(lambda: analyze_many(batch), max(n // 8, 2)) * 8
    print(f"  {'whole analyze_many() in 8s, one process':45s} {many:8.1f} articles/s")
    pipeline_speed(max(n * 8, 160))


def _mixed_articles(n: int) -> list[tuple[str, str]]:
    """n distinct ~600-word news-like articles, mixed from the fixtures' sentences (seeded)."""
    rng = random.Random(7)
    texts = [e["text"] for e in EVENTS] + [x for _, x in seed_articles().values()]
    pool = [s.text for t in texts for s in nlp.sentences(t) if len(s.text.split()) > 6]
    out = []
    for _ in range(n):
        words, paras = 0, []
        while words < 600:
            para = " ".join(rng.sample(pool, 3))
            paras.append(para)
            words += len(para.split())
        out.append((" ".join(rng.choice(pool).split()[:9]), "\n\n".join(paras)))
    return out


def pipeline_speed(n: int) -> None:
    """The whole enrichment of stored articles: analyses, then storing (related, stories).

    The articles are English: the site makes no cross-language vector (NEWSWEAVE_CROSS_LANGUAGE
    auto, pipeline.multilingual_site). The last run is a multilingual site's (or `always`):
    every article's vector made, as by a site that also collects another language.
    """
    from newsweave import collecting, pipeline
    from newsweave.store.db import open_database

    arts = _mixed_articles(n + 16)
    print(f"\nwhole enrichment of {n} distinct stored ~600-word articles into SQLite")
    alone = {}
    for workers, multilingual in ((1, False), (2, False), (2, True)):
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            pipeline.use_cross_language(db, always=multilingual)
            ids = _stored(db, arts)
            with collecting.Enricher(workers, min_for_pool=1) as enricher:
                enricher.enrich(db, ids[:16])  # start the workers and load their models
                cpu0 = _cpu_seconds(enricher)
                start = time.perf_counter()
                done, failed = enricher.enrich(db, ids[16:])
                wall = time.perf_counter() - start
                rate, cpu = done / wall, _cpu_seconds(enricher) - cpu0
                if workers > 1:  # the same workers, the analyses alone (nothing stored)
                    chunks = [
                        [(t, x, None, None) for t, x in arts[i : i + 8]]
                        for i in range(16, len(arts), 8)
                    ]
                    run = partial(analyze_many, multilingual_site=multilingual)
                    start = time.perf_counter()
                    enricher.map(run, chunks)
                    alone[multilingual] = n / (time.perf_counter() - start)
            db.dispose()
        how = "in this process" if workers == 1 else f"{workers} worker processes + storing here"
        if multilingual:
            how = "  the same, a multilingual site"
        print(f"  {how:45s} {rate:8.1f} articles/s  ({failed} failed; target: 20 on 2 cores)")
        print(f"  {'':45s} {cpu / done * 1000:8.0f} CPU ms an article, {cpu / wall:.2f} cores busy")
    for multilingual, rate in alone.items():
        site = "multilingual" if multilingual else "English only"
        print(f"  {'the analyses alone, 2 workers, ' + site:45s} {rate:8.1f} articles/s  "
              "(no related articles, stories or storing)")  # fmt: skip
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak memory: {_rss(0):.0f} MB this process, {worker_mb:.0f} MB per worker "
          "(target: < 2048 MB)")  # fmt: skip
    # This process has loaded the models for the single-process runs; a fresh one shows what the
    # pooled enrichment holds in all, as `newsweave run` keeps it (models in the workers only).
    for site in ("english", "multilingual", "every-language"):
        footprint_args = [sys.executable, __file__, "--footprint", str(min(n, 80)), site]
        subprocess.run(footprint_args, check=True)


# A Japanese report (team-written) for the every-language site: the fixtures have none.
_JAPANESE = (
    "岸田首相は月曜日、東京で記者団に対し、中東情勢について各国と緊密に連携していく考えを示した。"
    "外務省によると、上川外相は週内にも中東を訪問する予定だ。政府は邦人の安全確保に全力を挙げる"
    "としている。トヨタ自動車など日本企業も現地の状況を注視している。"
)


def _foreign_articles() -> list[tuple[str, str, str]]:
    """(title, text, language) of a report in each of French, German, Spanish, Russian, Chinese
    and Japanese (and a second French, Russian and Chinese one): the team's fixtures. The
    language is declared, as their feeds or pages would."""
    path = ROOT / "tests/fixtures/understand/languages.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    found = [(r["title"], r["text"], r["id"].split("-")[1]) for r in rows]
    return [*found, ("中東情勢で各国と連携", _JAPANESE, "ja")]


def footprint(n: int, site: str) -> None:
    """Peak memory of the storing process and of each worker, pooled from the start, on an
    English-only `site` (no cross-language model loaded), a multilingual one (the model loaded
    for every article), or one that meets every language with models of its own (their
    reports spread among the English ones).

    Two figures: the sum of each process's peak resident set, which counts the shared library
    pages (torch's, mostly) once per process; and the peak of the processes' summed
    proportional set sizes (shared pages split between the processes that map them), sampled
    every 0.2 s: what the machine gives them."""
    from newsweave import collecting, pipeline
    from newsweave.store.db import open_database

    arts = _mixed_articles(n)
    languages: dict[int, str] = {}
    if site == "every-language":
        foreign = _foreign_articles()
        step = n // (len(foreign) + 1)
        for k, (title, text, language) in enumerate(foreign):
            arts[(k + 1) * step] = (title, text)
            languages[(k + 1) * step] = language
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        pipeline.use_cross_language(db, always=site == "multilingual")
        ids = _stored(db, arts, languages)
        with collecting.Enricher(2, min_for_pool=1) as enricher:
            pss = _PssPeak(enricher)
            with pss:
                enricher.enrich(db, ids)
            peaks = [_vm_hwm(pid) for pid in enricher.pids()]
        db.dispose()
    # Not getrusage: Linux keeps ru_maxrss across exec, so it would report the parent bench's peak.
    main = _vm_hwm(os.getpid())
    print(
        f"  peak memory, pooled from the start ({n} articles, {site} site): {main:.0f} MB "
        "storing process + "
        f"{' + '.join(f'{p:.0f}' for p in peaks)} MB workers = {main + sum(peaks):.0f} MB "
        f"(sum of the peaks; target: < 2048 MB); {pss.peak:.0f} MB at most in all "
        "(proportional set sizes)"
    )


class _PssPeak:
    """The peak, sampled, of this process's and the enricher's workers' summed proportional
    set sizes (Linux /proc/PID/smaps_rollup)."""

    def __init__(self, enricher: Any, every: float = 0.2) -> None:
        self.enricher = enricher
        self.every = every
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> _PssPeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            now = sum(_pss(pid) for pid in [os.getpid(), *self.enricher.pids()])
            self.peak = max(self.peak, now)


def _pss(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:  # a worker that has just ended
        pass
    return 0.0


def _vm_hwm(pid: int) -> float:
    """A live process's peak resident set (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _stored(
    db: Any, arts: list[tuple[str, str]], languages: dict[int, str] | None = None
) -> list[int]:
    """Store the articles unenriched, as collecting leaves them; their ids. `languages`: the
    language declared for some of them, by position."""
    from newsweave import pipeline
    from newsweave.model import ArticleIn

    languages = languages or {}
    return [
        pipeline.ingest(
            db,
            ArticleIn(
                url=f"https://example.org/{i}",
                title=t,
                text=x,
                source_name="b",
                language=languages.get(i),
            ),
            enrich_now=False,
        )[0]
        for i, (t, x) in enumerate(arts)
    ]


def _cpu_seconds(enricher: Any) -> float:
    """CPU time of this process and of the enricher's live workers (Linux /proc).

    With the CPU time beside the rate, a run on a slow day still says what an article costs,
    and how much of the two cores the enrichment keeps busy.
    """
    total = sum(os.times()[:2])
    for pid in enricher.pids():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _rss(_: int) -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    if sys.argv[1:2] == ["--footprint"]:
        footprint(int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "english")
        sys.exit(0)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    speed(n)
