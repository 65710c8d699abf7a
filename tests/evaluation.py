"""newsweave's analyses on the public sets in ../shared/eval, scored by the scorers there.

One function per analysis returns its figures beside the baselines the issue names, measured on
the same items in the same run. tests/test_quality.py holds them to the floors in
tests/quality_floors.json; bench/quality.py prints them. The data is read where it lies (never
copied into the repository: the texts belong to their publishers); NEWSWEAVE_EVAL names another
folder. The scorers are imported from ../shared/eval/scorers, so the metrics are theirs, not a
re-implementation.

Each system runs exactly as the command line does: `newsweave cluster` (enrich.stories.stream)
for stories, `newsweave analyze FILE` (enrich.analyze_plain) for the rest.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from newsweave import enrich
from newsweave.enrich import stories

__all__ = [
    "FLOORS",
    "attribution_figures",
    "eval_dir",
    "hashtag_figures",
    "story_figures",
    "summary_figures",
    "uci_headlines",
]

ROOT = Path(__file__).resolve().parents[1]
FLOORS: dict[str, Any] = json.loads((Path(__file__).parent / "quality_floors.json").read_text())


def eval_dir() -> Path:
    """Where the public sets are: $NEWSWEAVE_EVAL, else ../shared/eval beside the repository."""
    return Path(os.environ.get("NEWSWEAVE_EVAL") or ROOT.parent / "shared" / "eval")


@cache
def scorer(name: str) -> ModuleType:
    """One of ../shared/eval/scorers/*.py, imported as a module."""
    folder = str(eval_dir() / "scorers")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(name)


# --- stories -----------------------------------------------------------------------------------


def _cluster(items: list[tuple[str, str, str, datetime]]) -> list[str]:
    got = dict(stories.stream(items))
    return [str(got[i]) for i, *_ in items]


def story_figures() -> dict[str, dict[str, float]]:
    """allsides-dev (headline + lead of one event from three outlets) against the scorer's
    TF-IDF single pass; the UCI News Aggregator headlines in bench/data against the B-cubed
    floor. Pair and B-cubed precision / recall / F1."""
    ce = scorer("clustering_eval")
    arts = ce.load_dataset(eval_dir() / "data" / "stories" / "allsides-dev" / "articles.jsonl")
    items = [(a["id"], a["title"], a["text"], datetime.fromtimestamp(a["_ts"], UTC)) for a in arts]
    gold = [str(a["cluster"]) for a in arts]
    ours = ce.score(gold, _cluster(items))
    tfidf, _, _ = ce.run_baseline("tfidf", arts)
    heads = uci_headlines()
    uci = ce.score([g for *_, g in heads], _cluster([h[:4] for h in heads]))
    keys = ("pair_p", "pair_r", "pair_f1", "b3_p", "b3_r", "b3_f1")
    return {
        "allsides": {k: ours[k] for k in keys},
        "allsides_tfidf": {k: ce.score(gold, tfidf)[k] for k in keys},
        "uci_headlines": {k: uci[k] for k in keys},
    }


def uci_headlines() -> list[tuple[str, str, str, datetime, str]]:
    """(id, title, "", published, story) of the UCI News Aggregator head in bench/data/public."""
    story, out = "", []
    path = ROOT / "bench" / "data" / "public" / "uci-news-aggregator-head.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# story\t"):
            story = line.split("\t")[1]
        elif line.strip():
            hid, ms, title = line.split("\t", 2)
            out.append((hid, title, "", datetime.fromtimestamp(int(ms) / 1000, UTC), story))
    return out


# --- hashtags ----------------------------------------------------------------------------------


def hashtag_figures() -> dict[str, dict[str, float]]:
    """DUC-2001-dev: macro F1@5 and F1@10 (the scorer's exact match after stemming) of the
    hashtags `newsweave analyze` gives, beside YAKE and TF-IDF run by the scorer."""
    ke = scorer("keyphrase_eval")
    docs = ke.load_set(eval_dir() / "data" / "hashtags" / "DUC-2001-dev", None, False)
    systems: dict[str, Callable[[Any], list[str]]] = {
        "newsweave": lambda d: [h.label for h in enrich.analyze_plain(d.text).hashtags],
        "yake": ke.build_peer("yake", docs, 2, 20, None),
        "tfidf": ke.build_peer("tfidf", docs, 2, 20, None),
    }
    out = {}
    for name, system in systems.items():
        res = ke.score(docs, {d.id: ke.clean(system(d)) for d in docs}, [5, 10])
        out[name] = {"f1@5": res[5]["F1"], "f1@10": res[10]["F1"], "p@5": res[5]["P"]}
    return out


# --- summaries ---------------------------------------------------------------------------------


def summary_figures() -> dict[str, dict[str, float]]:
    """goyal-dm (500 Daily Mail articles and their highlights): ROUGE F1 (x100) of the summary
    `newsweave analyze` gives, beside LEAD-3, by the scorer's evaluate()."""
    from rouge_score import rouge_scorer

    se = scorer("summary_eval")
    docs = se.load(eval_dir() / "data" / "summaries", "goyal-dm", 0)
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    ours = {d["id"]: enrich.analyze_plain(se.plain_text(d)).summary for d in docs}
    keys = ("rouge1", "rouge2", "rougeLsum", "words")
    res = {
        "newsweave": se.evaluate("newsweave", lambda d: ours[d["id"]], docs, rouge, None),
        "lead3": se.evaluate("lead3", se.lead(3), docs, rouge, None),
    }
    return {name: {k: r[k] for k in keys} for name, r in res.items()}


# --- who says what -----------------------------------------------------------------------------


def attribution_figures(every: int = 1) -> dict[str, float]:
    """PolNeAR train (every `every`th text): precision and recall at the scorer's cover > 0.3,
    and speaker accuracy on those matches."""
    ae = scorer("attribution_eval")
    root = eval_dir() / "data" / "attribution" / "polnear-train"
    docs = ae.load_polnear(root, "train", 0)[::every]
    preds = {
        d["id"]: ae.normalise_pred(
            d, [q.to_json() for q in enrich.analyze_plain(d["text"]).attributions]
        )
        for d in docs
    }
    res = ae.evaluate(docs, preds)
    return {
        "docs": len(docs),
        "precision": res["cover>0.3"]["precision"],
        "recall": res["cover>0.3"]["recall"],
        "speaker_accuracy": res["speaker_accuracy@0.3"],
        "cue_accuracy": res["cue_accuracy@0.3"],
    }
