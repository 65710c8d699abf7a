"""Quality floors on public news (../shared/eval): the analyses as shipped, scored by the
scorers there, beside the baselines the floors are set against (tests/evaluation.py).

Skipped with the reason where the sets are absent, except in CI (NEWSWEAVE_REQUIRE_SERVICES=1),
where a missing set fails the run. Each test prints its figures (pytest -s, or -rA).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from newsweave import enrich
from tests import evaluation
from tests.conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.quality
FLOORS = evaluation.FLOORS


@pytest.fixture(autouse=True)
def _sets_present() -> None:
    where = evaluation.eval_dir()
    if not (where / "data").is_dir() or not (where / "scorers").is_dir():
        reason = f"the public evaluation sets are not at {where} (set NEWSWEAVE_EVAL)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and NEWSWEAVE_REQUIRE_SERVICES=1 forbids skipping")
        pytest.skip(reason)


def test_stories_are_events_on_allsides_and_headlines_still_cluster() -> None:
    got = evaluation.story_figures()
    print(got)
    floor = FLOORS["stories"]
    ours, tfidf = got["allsides"], got["allsides_tfidf"]
    assert ours["pair_p"] >= floor["allsides_pair_p"], got
    assert ours["pair_f1"] >= floor["allsides_pair_f1"], got
    assert ours["pair_f1"] > tfidf["pair_f1"], got
    assert got["uci_headlines"]["b3_f1"] >= floor["uci_headlines_b3_f1"], got


def test_hashtags_beat_yake_and_tfidf_on_duc2001() -> None:
    got = evaluation.hashtag_figures()
    print(got)
    ours = got["newsweave"]
    assert ours["f1@5"] >= FLOORS["hashtags"]["f1@5"], got
    assert ours["f1@10"] >= FLOORS["hashtags"]["f1@10"], got
    for peer in FLOORS["hashtags"]["beat"]:
        assert ours["f1@5"] > got[peer]["f1@5"], (peer, got)
        assert ours["f1@10"] > got[peer]["f1@10"], (peer, got)


def test_summaries_beat_lead3_by_a_point_on_goyal_dm() -> None:
    """Scored as `newsweave summarize` makes them (the sentence recogniser alone: 94 -> ~25 s
    here); on a sample they are the whole analysis' summaries too."""
    got = evaluation.summary_figures()
    print(got)
    margin = FLOORS["summaries"]["rouge1_over_lead3"]
    assert got["newsweave"]["rouge1"] >= got["lead3"]["rouge1"] + margin, got
    sample = evaluation.summary_texts()[::50]
    alone = [(a.summary, a.key_points) for a in enrich.summarize_plain_many(sample)]
    assert alone == [(a.summary, a.key_points) for a in evaluation.analysed(sample)]


def test_who_says_what_on_polnear() -> None:
    """On every other PolNeAR train text (420 of 840; the issue allows a fixed sample): 55 s
    on one core instead of 110, which kept the suite past its 15 minutes. Figures on the
    sample: precision 0.922, recall 0.413, speaker accuracy 0.907."""
    got = evaluation.attribution_figures(every=2)
    print(got)
    floor = FLOORS["attribution"]
    assert got["precision"] >= floor["precision"], got
    assert got["recall"] >= floor["recall"], got
    assert got["speaker_accuracy"] >= floor["speaker_accuracy"], got


def test_genre_finds_opinion_on_labelled_public_texts() -> None:
    """Cross-validated: each text is judged by a model fitted without it. The issue's target
    (precision and recall >= 0.80) is not reached by text alone; the floors hold what is."""
    got = evaluation.genre_figures()
    print(got)
    floor = FLOORS["genre"]
    ours = got["classify_opinion"]
    assert ours["precision"] >= floor["opinion_precision"], got
    assert ours["recall"] >= floor["opinion_recall"], got
    # the style model adds what the publishers' own labels miss
    assert ours["recall"] > got["publisher_only_opinion"]["recall"] + 0.25, got


def test_shipped_genre_model_is_what_the_labelled_texts_fit() -> None:
    from newsweave.enrich import genre, genre_model

    items = evaluation.genre_items()
    fresh = evaluation.genre_fit(
        [genre.features(t, body) for t, body, _, _ in items], [g for *_, g in items]
    )
    shipped = genre_model.MODEL
    assert fresh["classes"] == shipped["classes"]
    for key in ("mean", "scale", "intercept"):
        assert fresh[key] == pytest.approx(shipped[key], abs=1e-4), key
    for row, want in zip(fresh["coef"], shipped["coef"], strict=True):
        assert row == pytest.approx(want, abs=1e-4)


def test_the_routing_guess_reads_no_english_public_text_as_another_language() -> None:
    """language.guess routes an article to a worker before any model reads it: 1,383 English
    public texts (AllSides' roundups, PolNeAR, DUC-2001) are read as English or not told,
    never as another language (which would load that language's models for nothing); spaCy's
    example sentences, each language's together, are read as their language."""
    import importlib

    from newsweave.enrich.language import guess

    root = evaluation.eval_dir() / "data"
    lines = (root / "stories" / "allsides-dev" / "articles.jsonl").read_text(encoding="utf-8")
    texts = [f"{a['title']}\n{a['text']}" for a in map(json.loads, lines.splitlines())]
    polnear = root / "attribution" / "polnear-train" / "train" / "text"
    duc = root / "hashtags" / "DUC-2001-dev" / "docsutf8"
    for folder in (polnear, duc):
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in folder.glob("*.txt")]
    got = Counter(guess(t) for t in texts)
    print(len(texts), got)
    assert len(texts) > 1300
    assert set(got) <= {"en", None}, got
    assert got["en"] >= 0.99 * len(texts), got
    for language in ("fr", "es", "de", "pt", "nl", "pl"):
        examples = importlib.import_module(f"spacy.lang.{language}.examples").sentences
        assert guess(" ".join(examples)) == language
