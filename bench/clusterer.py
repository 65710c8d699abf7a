"""Milliseconds per article in the story clusterer as the open stories grow (issue 15).

An archive of a million articles over a year holds ~5,000-6,000 stories open at once (the
7-day window), and every new article is scored against each of them. This builds a Clusterer
with N open stories of synthetic content (random unit embeddings; keyword vectors of 300
terms each, drawn Zipf-like from a 100,000-word vocabulary, as `stories.kept_terms` keeps
them; spans spread over the last week) and times what the pipeline does per article
(`understanding.py`): `best`, then `join` (half the articles, made near an open story) or
a new story, then the kept terms set back. The clusterer's decisions are not what is
measured here (`tests/test_quality.py` holds those on real news); only its cost.

    python bench/clusterer.py [--open 1000,3000,6000] [--articles 1000] [--foreign 0.2]

`--foreign F`: every story and article also carries a cross-language vector
(enrich/crosslingual.py) and a language, a share F of them French, Russian or Chinese, the rest
English: what a multilingual site adds (the other languages' stories compared by those vectors).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsweave.enrich.crosslingual import DIM as XDIM
from newsweave.enrich.stories import Clusterer, Story

DIM, VOCAB, STORY_TERMS, ARTICLE_TERMS = 384, 100_000, 300, 80


def _terms(rng: np.random.Generator, n: int) -> dict[str, float]:
    ids = np.unique(np.minimum(rng.zipf(1.3, n * 2), VOCAB))[:n]
    w = rng.random(len(ids)) + 0.1
    w /= np.linalg.norm(w)
    return {f"w{i}": float(x) for i, x in zip(ids, w, strict=True)}


def _unit(rng: np.random.Generator, dim: int = DIM) -> np.ndarray:
    v = rng.standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def run(open_stories: int, articles: int, foreign: float | None = None, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    c = Clusterer()

    def language() -> str:
        return str(rng.choice(["fr", "ru", "zh"])) if rng.random() < (foreign or 0) else "en"

    for i in range(1, open_stories + 1):
        size = int(rng.integers(1, 40))
        last = now - timedelta(seconds=float(rng.random()) * 6.5 * 86400)
        first = last - timedelta(seconds=float(rng.random()) * 86400)
        total = sum((_unit(rng) for _ in range(min(size, 3))), np.zeros(DIM, np.float32))
        story = Story(i, total * (size / 3), size, first, last, f"s{i}", _terms(rng, STORY_TERMS))
        if foreign is not None:
            story.xtotal = _unit(rng, XDIM) * size
            story.language = language()
        c.add_story(story)
    ids = list(c.stories)
    work = []
    for k in range(articles):
        if k % 2:  # near an open story: it joins
            s = c.stories[ids[int(rng.integers(len(ids)))]]
            vec = s.centroid() + 0.05 * _unit(rng)
            terms = dict(list(s.terms.items())[:ARTICLE_TERMS])
            xvec = None if s.xtotal is None else s.xtotal / s.size + 0.05 * _unit(rng, XDIM)
            lang = s.language
        else:
            vec, terms = _unit(rng), _terms(rng, ARTICLE_TERMS)
            xvec = None if foreign is None else _unit(rng, XDIM)
            lang = None if foreign is None else language()
        norm = np.linalg.norm(np.fromiter(terms.values(), float))
        if xvec is not None:
            xvec = (xvec / np.linalg.norm(xvec)).astype(np.float32)
        unit = vec / np.linalg.norm(vec)
        work.append((unit, {w: x / norm for w, x in terms.items()}, xvec, lang))
    start = time.perf_counter()
    for k, (vec, terms, xvec, lang) in enumerate(work):
        when = now + timedelta(seconds=k)
        found, _ = c.best(vec, when, terms, xvec=xvec, language=lang)
        if found is None:
            story = Clusterer.new_story(0, vec, when, terms, "", xvec=xvec, language=lang)
            story.id = c.next_id
            c.add_story(story)
            found = story.id
        else:
            c.join(found, vec, when, terms, xvec=xvec, language=lang)
        c.keep_terms(found)
    return (time.perf_counter() - start) * 1000 / articles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--open", default="1000,3000,6000")
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--foreign", type=float, default=None)
    args = ap.parse_args()
    mix = "" if args.foreign is None else f", {args.foreign:.0%} not English (cross-language)"
    print(f"story clusterer, {args.articles} articles against N open stories (synthetic{mix})")
    for n in (int(x) for x in args.open.split(",")):
        ms = run(n, args.articles, args.foreign)
        print(f"  {n:6d} open stories: {ms:6.2f} ms an article ({1000 / ms:7.0f} articles/s)")


if __name__ == "__main__":
    main()
