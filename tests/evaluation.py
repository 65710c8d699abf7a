"""newsweave's analyses on the public sets in ../shared/eval, scored by the scorers there.

One function per analysis returns its figures beside the baselines the issue names, measured on
the same items in the same run. tests/test_quality.py holds them to the floors in
tests/quality_floors.json; bench/quality.py prints them. The data is read where it lies (never
copied into the repository: the texts belong to their publishers); NEWSWEAVE_EVAL names another
folder. The scorers are imported from ../shared/eval/scorers, so the metrics are theirs, not a
re-implementation.

Each system runs exactly as the command line does: `newsweave cluster` (enrich.stories.stream)
for stories, `newsweave summarize FILE` (enrich.summarize_plain_many: analyze's summaries) for
summaries, `newsweave analyze FILE` (enrich.analyze_plain) for the rest.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
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
    "genre_figures",
    "genre_fit",
    "genre_items",
    "hashtag_figures",
    "polnear_article",
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


_BATCH = 32  # texts analysed at once, as the pipeline batches them (spaCy over the batch)


def analysed(texts: Sequence[str]) -> list[enrich.Analysis]:
    """enrich.analyze_plain of each text, in batches: the same results, and the three floors
    that analyse whole sets ~11 % faster than one text at a time (66 -> 59 ms a summary)."""
    return _batched(enrich.analyze_plain_many, texts)


def _batched(
    run: Callable[[Sequence[str]], list[enrich.Analysis]], texts: Sequence[str]
) -> list[enrich.Analysis]:
    """`run` over `texts` a batch at a time: one batch's parses are held at once, not a set's."""
    out: list[enrich.Analysis] = []
    for i in range(0, len(texts), _BATCH):
        out += run(texts[i : i + _BATCH])
    return out


# --- hashtags ----------------------------------------------------------------------------------


def hashtag_figures() -> dict[str, dict[str, float]]:
    """DUC-2001-dev: macro F1@5 and F1@10 (the scorer's exact match after stemming) of the
    hashtags `newsweave analyze` gives, beside YAKE and TF-IDF run by the scorer."""
    ke = scorer("keyphrase_eval")
    docs = ke.load_set(eval_dir() / "data" / "hashtags" / "DUC-2001-dev", None, False)
    ours = {
        d.id: [h.label for h in a.hashtags]
        for d, a in zip(docs, analysed([d.text for d in docs]), strict=True)
    }
    systems: dict[str, Callable[[Any], list[str]]] = {
        "newsweave": lambda d: ours[d.id],
        "yake": ke.build_peer("yake", docs, 2, 20, None),
        "tfidf": ke.build_peer("tfidf", docs, 2, 20, None),
    }
    out = {}
    for name, system in systems.items():
        res = ke.score(docs, {d.id: ke.clean(system(d)) for d in docs}, [5, 10])
        out[name] = {"f1@5": res[5]["F1"], "f1@10": res[10]["F1"], "p@5": res[5]["P"]}
    return out


# --- summaries ---------------------------------------------------------------------------------


def _summary_docs() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = scorer("summary_eval").load(
        eval_dir() / "data" / "summaries", "goyal-dm", 0
    )
    return docs


def summary_texts() -> list[str]:
    """goyal-dm's articles as plain text, as the scorer hands them to a system."""
    se = scorer("summary_eval")
    return [se.plain_text(d) for d in _summary_docs()]


def summary_figures() -> dict[str, dict[str, float]]:
    """goyal-dm (500 Daily Mail articles and their highlights): ROUGE F1 (x100) of the summary
    `newsweave summarize` (and `analyze`) gives, beside LEAD-3, by the scorer's evaluate()."""
    from rouge_score import rouge_scorer

    se = scorer("summary_eval")
    docs = _summary_docs()
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    # The summaries `analyze` gives (test_enrich holds the two equal), without its other work
    found = enrich.summarize_plain_many([se.plain_text(d) for d in docs])
    ours = {d["id"]: a.summary for d, a in zip(docs, found, strict=True)}
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
    # analyze_plain's claims, from the parse and the rules alone (49 against 67 CPU ms a text)
    found = _batched(enrich.attribute_plain_many, [d["text"] for d in docs])
    preds = {
        d["id"]: ae.normalise_pred(d, [q.to_json() for q in a.attributions])
        for d, a in zip(docs, found, strict=True)
    }
    res = ae.evaluate(docs, preds)
    return {
        "docs": len(docs),
        "precision": res["cover>0.3"]["precision"],
        "recall": res["cover>0.3"]["recall"],
        "speaker_accuracy": res["speaker_accuracy@0.3"],
        "cue_accuracy": res["cue_accuracy@0.3"],
    }


# --- genre -------------------------------------------------------------------------------------

GENRE_LABELS = Path(__file__).parent / "labels"


def genre_items() -> list[tuple[str, str, tuple[str, ...], str]]:
    """(headline, text, the publisher's labels, gold genre) of the labelled public texts.

    The labels are ours (tests/labels/README.md says how they were made); the texts are read
    where they lie. AllSides gives each text's outlet as its source ("New York Times (Opinion)",
    "Guest Writer - Left"), which newsweave would hold as the source's name; PolNeAR gives none.
    Texts labelled "unsure" are left out.
    """
    out: list[tuple[str, str, tuple[str, ...], str]] = []
    root = eval_dir() / "data"
    gold = _tsv(GENRE_LABELS / "genre-allsides-dev.tsv", "id")
    lines = (root / "stories" / "allsides-dev" / "articles.jsonl").read_text(encoding="utf-8")
    for line in lines.splitlines():
        a = json.loads(line)
        if gold[a["id"]] != "unsure":
            out.append((a["title"], a["text"], (a["source"],), gold[a["id"]]))
    gold = _tsv(GENRE_LABELS / "genre-polnear-train.tsv", "filename")
    texts = root / "attribution" / "polnear-train" / "train" / "text"
    for name, label in gold.items():
        if label == "unsure":
            continue
        head, body = polnear_article(texts / f"{name}.txt")
        out.append((head, body, (), label))
    return out


def polnear_article(path: Path) -> tuple[str, str]:
    """(headline, text) of one PolNeAR text file: its first line is the headline."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n")
    return head.strip().rstrip("."), body.strip()


def _tsv(path: Path, key: str) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    rows = [dict(zip(head, line.split("\t"), strict=True)) for line in lines[1:] if line]
    return {r[key]: r["label"] for r in rows}


GENRE_C = 0.3  # the regression's inverse regularisation: the best of 0.01-1 in 5-fold CV


def genre_fit(x: Any, y: Any) -> dict[str, Any]:
    """The style model (enrich.genre_model.Model) fitted on features `x` and genres `y`."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(x, dtype=float)
    mean, scale = x.mean(0), x.std(0) + 1e-9
    lr = LogisticRegression(C=GENRE_C, max_iter=5000).fit((x - mean) / scale, y)
    return {
        "classes": [str(c) for c in lr.classes_],
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [[round(float(v), 6) for v in row] for row in lr.coef_],
        "intercept": [round(float(v), 6) for v in lr.intercept_],
    }


def genre_figures(folds: int = 5) -> dict[str, Any]:
    """Precision / recall of opinion and analysis on the labelled texts, `folds`-fold
    cross-validated (each text judged by a model fitted without it), for the style model alone,
    for what enrich.genre.classify does (the publisher's label where the text has one, else the
    style), and for the publisher's labels alone (everything else called news)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from newsweave.enrich import genre

    items = genre_items()
    x = np.array([genre.features(t, body) for t, body, _, _ in items])
    y = np.array([g for *_, g in items])
    style = np.empty(len(items), dtype=object)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
        model = genre_fit(x[train], y[train])
        for i in test:
            p = genre.probabilities(list(x[i]), model)  # type: ignore[arg-type]
            style[i] = max(p, key=lambda k: p[k])
    declared = [
        genre.label_from_publisher(t, None, labels, labels[0] if labels else None)
        for t, _, labels, _ in items
    ]
    systems = {
        "style": list(style),
        "classify": [d or s for d, s in zip(declared, style, strict=True)],
        "publisher_only": [d or "news" for d in declared],
    }
    out: dict[str, Any] = {"texts": len(items), "opinion_texts": int((y == "opinion").sum())}
    for name, pred in systems.items():
        for label in ("opinion", "analysis"):
            tp = sum(1 for p, g in zip(pred, y, strict=True) if p == g == label)
            said = sum(1 for p in pred if p == label)
            real = int((y == label).sum())
            out[name + "_" + label] = {
                "precision": tp / said if said else 0.0,
                "recall": tp / real if real else 0.0,
            }
    return out
