"""The command line as an operator uses it: real processes, a real SQLite file, the local server."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsweave.enrich import analyze_plain_many
from newsweave.enrich.hashtags import MAX_TAGS
from newsweave.enrich.summary import story_summary
from tests.fixture_server import FixtureServer

FIXTURES = Path(__file__).parent / "fixtures"


def env_for(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NEWSWEAVE_DATA_DIR=str(tmp_path / "data"),
        NEWSWEAVE_PER_HOST_DELAY="0",
        NEWSWEAVE_PER_HOST_CONCURRENCY="4",
        NEWSWEAVE_MAX_RETRIES="1",
        NEWSWEAVE_RETRY_MAX_WAIT="1",
        NEWSWEAVE_TOTAL_TIMEOUT="5",
    )
    env.pop("NEWSWEAVE_DATABASE_URL", None)
    return env


def nw(
    tmp_path: Path, *args: str, ok: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return nw_env(env_for(tmp_path), *args, ok=ok, stdin=stdin)


def nw_env(
    env: dict[str, str], *args: str, ok: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`newsweave ARGS` in this environment; its exit code checked unless not `ok`."""
    proc = subprocess.run(
        [sys.executable, "-m", "newsweave", *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def test_extract_json_without_a_database(tmp_path: Path) -> None:
    out = nw(tmp_path, "extract", str(FIXTURES / "pages" / "summit-talks.html"), "--json")
    data = json.loads(out.stdout)
    assert set(data) == {"title", "text", "byline", "published", "language", "url", "site"}
    assert data["title"] == "Leaders prepare for Alaska summit as talks loom"
    assert data["byline"] == "Anna Petrova"
    assert data["published"] == "2025-08-14T10:30:00+00:00"
    assert data["language"] == "en"
    assert data["site"] == "The Fixture Times"
    assert not (tmp_path / "data").exists()


def test_extract_url_and_bad_input_give_clean_errors(tmp_path: Path, server: FixtureServer) -> None:
    out = nw(tmp_path, "extract", server.url("pages/sudan-council.html"), "--json")
    assert json.loads(out.stdout)["byline"] == "Omar Haddad"
    bad = nw(tmp_path, "extract", str(FIXTURES / "pages" / "navigation-only.html"), ok=False)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: no article text found (fewer than 25 words)"
    gone = nw(tmp_path, "extract", server.url("status/404"), ok=False)
    assert gone.returncode == 1
    assert "HTTP 404" in gone.stderr


def test_import_seed_page_then_search_and_export(tmp_path: Path) -> None:
    seed = FIXTURES / "archives" / "seed-page.txt"
    first = nw(tmp_path, "import", str(seed), "--fetched-at", "2025-08-14T12:00:00Z",
               "--source", "Russia Today", "--json")  # fmt: skip
    assert json.loads(first.stdout) == {
        "imported": 4, "updated": 0, "duplicate": 0, "unchanged": 0, "failed": 0, "failures": [],
        "finished_from_before": 0,
    }  # fmt: skip
    again = nw(tmp_path, "import", str(seed))
    assert "imported 0, updated 0, skipped as duplicate 4, failed 0" in again.stdout

    hits = json.loads(nw(tmp_path, "search", "Security Council Sudan", "--json").stdout)
    assert hits[0]["title"] == "UN rejects parallel government in Sudan"
    assert hits[0]["source"] == "Russia Today"
    assert hits[0]["published"] == "2025-08-14T09:00:00+00:00"  # "3 hours ago"
    assert {"id", "title", "url", "source", "published", "snippet"} <= set(hits[0])

    rows = [json.loads(line) for line in nw(tmp_path, "export").stdout.splitlines()]
    assert len(rows) == 4
    assert all(r["text"] and r["analyses"]["language"] == "en" for r in rows)
    out = tmp_path / "out.jsonl"
    done = nw(tmp_path, "export", "--since", "2025-08-14T10:30:00Z", "--output", str(out))
    assert len(out.read_text().splitlines()) == 2  # the main article (seen now) and "an hour ago"
    assert "export: 2/2 articles" in done.stderr  # progress, as a long export shows it


def test_import_report_lists_failures_and_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok", "text": "' + "words " * 40 + '"}\nnot json\n')
    empty = tmp_path / "empty.html"
    empty.write_text("")
    out = nw(tmp_path, "import", str(bad), str(empty), str(FIXTURES / "pages"), ok=False)
    assert out.returncode == 1  # a script must see that items failed
    assert "imported 5, updated 0, skipped as duplicate 1, failed 3" in out.stdout
    assert f"failed: {bad}:2: not JSON" in out.stdout
    assert "the file is empty" in out.stdout


def test_sources_add_list_remove_and_opml(tmp_path: Path, server: FixtureServer) -> None:
    added = nw(tmp_path, "sources", "add", server.url("site/"), "--country", "GB",
               "--ownership", "private", "--kind", "newspaper")  # fmt: skip
    assert "added source 1: The Fixture Times - World" in added.stdout
    nw(tmp_path, "sources", "import-opml", str(FIXTURES / "opml" / "sources.opml"))
    listed = json.loads(nw(tmp_path, "sources", "list", "--json").stdout)
    assert [s["name"] for s in listed] == [
        "Council Watch",
        "The Fixture Times",
        "The Fixture Times - World",
    ]
    first = next(s for s in listed if s["id"] == 1)
    assert first["feed_url"] == server.url("feeds/teasers.xml")
    assert (first["country"], first["ownership"], first["kind"]) == ("GB", "private", "newspaper")
    assert {"last_success", "last_error", "error_count", "next_poll"} <= set(first)
    opml = nw(tmp_path, "sources", "export-opml").stdout
    assert opml.count("<outline") == 3
    assert 'ownership="public broadcaster"' in opml
    nw(tmp_path, "sources", "remove", "Council Watch")
    assert len(json.loads(nw(tmp_path, "sources", "list", "--json").stdout)) == 2
    missing = nw(tmp_path, "sources", "remove", "Nope", ok=False)
    assert missing.returncode == 1
    assert "no source named 'Nope'" in missing.stderr
    nofeed = nw(tmp_path, "sources", "add", server.url("bare/"), ok=False)
    assert "no feed found" in nofeed.stderr


def test_fetch_named_source_and_config(tmp_path: Path, server: FixtureServer) -> None:
    nw(tmp_path, "sources", "add", server.url("feeds/fulltext.atom"), "--name", "Council")
    out = nw(tmp_path, "fetch", "Council")
    assert "articles: 2 new" in out.stdout
    cfg = nw(tmp_path, "config").stdout
    assert "NEWSWEAVE_DATABASE_URL=" in cfg
    assert "NEWSWEAVE_PER_HOST_DELAY=0" in cfg


@pytest.mark.slow
def test_sigkill_mid_fetch_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, server: FixtureServer
) -> None:
    n = 24
    nw(tmp_path, "sources", "add", server.url(f"gen/feed/{n}?delay=0.25"), "--name", "Gen")
    db_file = tmp_path / "data" / "newsweave.db"

    def done() -> int:
        with sqlite3.connect(db_file) as conn:
            return int(
                conn.execute("SELECT count(*) FROM articles WHERE state='enriched'").fetchone()[0]
            )

    proc = subprocess.Popen(
        [sys.executable, "-m", "newsweave", "fetch"],
        env=env_for(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while done() < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    killed_at = done()
    assert 4 <= killed_at < n, "the kill must land mid-run for this test to mean anything"

    nw(tmp_path, "fetch")
    with sqlite3.connect(db_file) as conn:
        rows = conn.execute(
            "SELECT state, count(*), count(DISTINCT ident) FROM articles GROUP BY state"
        ).fetchall()
        urls = conn.execute("SELECT count(DISTINCT url) FROM articles").fetchone()[0]
    assert rows == [("enriched", n, n)]
    assert urls == n


def test_analyze_prints_every_analysis_for_text_and_html(tmp_path: Path) -> None:
    seed = (FIXTURES / "archives" / "seed-page.txt").read_text(encoding="utf-8")
    sudan = seed.split("UN rejects parallel government in Sudan\n", 1)[1]
    page = tmp_path / "sudan.txt"
    page.write_text("UN rejects parallel government in Sudan\n" + sudan, encoding="utf-8")
    data = json.loads(nw(tmp_path, "analyze", str(page), "--json").stdout)
    assert {
        "language",
        "kind",
        "hashtags",
        "entities",
        "summary",
        "key_points",
        "attributions",
    } <= set(data)
    assert data["language"] == "en"
    assert data["kind"] == "news"
    assert 3 <= len(data["hashtags"]) <= MAX_TAGS
    assert {"tag", "label", "score"} <= set(data["hashtags"][0])
    assert {"text", "type", "count"} <= set(data["entities"][0])
    quote = next(a for a in data["attributions"] if a["cue"] == "reported")
    assert quote["speaker"] == "UN press service"
    assert set(quote) == {
        "speaker", "cue", "content", "kind", "start", "end", "speaker_start", "speaker_end",
    }  # fmt: skip
    raw = page.read_text(encoding="utf-8")
    assert raw[quote["start"] : quote["end"]] == quote["content"]  # offsets in the file itself
    assert "press service" in raw[quote["speaker_start"] : quote["speaker_end"]]

    html = json.loads(
        nw(tmp_path, "analyze", str(FIXTURES / "pages" / "summit-talks.html"), "--json").stdout
    )
    assert html["summary"]
    assert html["hashtags"]
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(128, 256)) * 100)
    bad = nw(tmp_path, "analyze", str(junk), ok=False)
    assert bad.returncode == 1
    assert "neither HTML nor UTF-8 text" in bad.stderr
    missing = nw(tmp_path, "analyze", str(tmp_path / "nope.txt"), ok=False)
    assert missing.returncode == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    nothing = json.loads(nw(tmp_path, "analyze", str(empty), "--json").stdout)
    assert nothing["kind"] is None  # an empty file is no kind of article
    assert nothing["hashtags"] == nothing["attributions"] == []
    plain = tmp_path / "plain.txt"
    plain.write_text("Just a line of plain text, not a page.\n")
    refused = nw(tmp_path, "extract", str(plain), ok=False)
    assert refused.returncode == 1
    assert "ERROR" not in refused.stderr  # our one message, not trafilatura's log too


def test_summarize_tells_an_article_or_a_story_in_the_public_sets_forms(tmp_path: Path) -> None:
    """The public summary sets hand a system an article, or a story as several articles (a
    line "|||||" between them, or JSON): one summary either way, a story's made as its page's
    is, from the articles' summaries."""
    events = [
        json.loads(line)
        for line in (FIXTURES / "understand" / "events.jsonl").read_text().splitlines()
    ]
    ecb = [e for e in events if e["event"] == "ecb"]
    one = tmp_path / "one.txt"
    one.write_text(f"{ecb[0]['title']}\n\n{ecb[0]['text']}\n", encoding="utf-8")
    alone = json.loads(nw(tmp_path, "summarize", str(one), "--json").stdout)
    analysed = json.loads(nw(tmp_path, "analyze", str(one), "--json").stdout)
    assert (alone["summary"], alone["key_points"]) == (
        analysed["summary"],
        analysed["key_points"],
    )
    assert alone["articles"] == 1

    story = tmp_path / "story.txt"
    story.write_text(
        "\n\n|||||\n\n".join(f"{e['title']}\n\n{e['text']}" for e in ecb) + "\n", encoding="utf-8"
    )
    told = json.loads(nw(tmp_path, "summarize", str(story), "--json").stdout)
    assert told["articles"] == len(ecb) == 4
    assert "|||||" not in told["summary"]
    texts = [f"{e['title']}\n\n{e['text']}" for e in ecb]
    page = story_summary([a.summary for a in analyze_plain_many(texts)], n_points=5)
    assert (told["summary"], told["key_points"]) == (page.summary, page.key_points)
    assert told["summary"]
    assert len(told["key_points"]) >= 3
    chosen = re.split(r"(?<=[.!?])\s+", told["summary"])
    assert all(any(s in e["text"] for e in ecb) for s in chosen)  # the articles' own sentences
    as_json = tmp_path / "story.json"
    as_json.write_text(
        json.dumps({"articles": [{"title": e["title"], "text": e["text"]} for e in ecb]})
    )
    assert json.loads(nw(tmp_path, "summarize", str(as_json), "--json").stdout) == told
    printed = nw(tmp_path, "summarize", str(story)).stdout
    assert printed.startswith(told["summary"])

    bad = tmp_path / "bad.json"
    bad.write_text('{"articles": 3}')
    refused = nw(tmp_path, "summarize", str(bad), ok=False)
    assert refused.returncode == 1
    assert "not {'articles': [...]} JSON" in refused.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("\n|||||\n")
    assert "holds no article" in nw(tmp_path, "summarize", str(empty), ok=False).stderr


def test_quotes_lists_who_says_what_in_an_article_or_across_a_story(tmp_path: Path) -> None:
    """An analyst's listing of a story's claims without a site: each article's claims as
    `analyze` finds them, and the speakers across the articles, the most quoted first."""
    events = [
        json.loads(line)
        for line in (FIXTURES / "understand" / "events.jsonl").read_text().splitlines()
    ]
    texts = [f"{e['title']}\n\n{e['text']}" for e in events if e["event"] == "ecb"]
    story = tmp_path / "story.txt"
    story.write_text("\n\n|||||\n\n".join(texts) + "\n", encoding="utf-8")
    got = json.loads(nw(tmp_path, "quotes", str(story), "--json").stdout)
    whole = analyze_plain_many(texts)
    assert [a["title"] for a in got["articles"]] == [t.split("\n")[0] for t in texts]
    for art, a, text in zip(got["articles"], whole, texts, strict=True):
        assert art["attributions"] == [q.to_json() for q in a.attributions]
        assert all(text[q["start"] : q["end"]] == q["content"] for q in art["attributions"])
    claims = [(n, q["speaker"]) for n, a in enumerate(got["articles"]) for q in a["attributions"]]
    assert len(claims) >= 4
    # The fourth article calls her "Lagarde" alone; across the story she is one speaker.
    assert (3, "Lagarde") in claims
    # As the story page shows them: "analysts" opening the heading, "Lagarde" under her name.
    folded = [
        (n, "Christine Lagarde" if s == "Lagarde" else s[:1].upper() + s[1:]) for n, s in claims
    ]
    quoted = {q: sorted({n for n, s in folded if s == q}) for _, q in folded if q}
    assert {s["speaker"]: s["articles"] for s in got["speakers"]} == quoted
    assert got["speakers"][0] == {"speaker": "Christine Lagarde", "articles": [0, 1, 2, 3]}
    counts = [len(s["articles"]) for s in got["speakers"]]
    assert counts == sorted(counts, reverse=True)

    printed = nw(tmp_path, "quotes", str(story)).stdout
    assert printed.startswith(f"[1] {texts[0].splitlines()[0]}\n")
    top = got["speakers"][0]
    assert f"  {top['speaker']}: " + ", ".join(f"[{n + 1}]" for n in top["articles"]) in printed
    empty = tmp_path / "empty.txt"
    empty.write_text("\n|||||\n")
    assert "holds no article" in nw(tmp_path, "quotes", str(empty), ok=False).stderr
    quiet = tmp_path / "quiet.txt"
    quiet.write_text("A headline\n\nThe river rose overnight and the bridge was closed.\n")
    assert nw(tmp_path, "quotes", str(quiet)).stdout.startswith("no one is quoted in ")


def test_cluster_reads_jsonl_in_time_order_and_skips_bad_lines(tmp_path: Path) -> None:
    lines = (FIXTURES / "understand" / "events.jsonl").read_text().splitlines()
    events = {json.loads(x)["id"]: json.loads(x)["event"] for x in lines}
    stdin = "\n".join([*lines[:3], "not json", '{"no": "id"}', *lines[3:]]) + "\n"
    proc = nw(tmp_path, "cluster", stdin=stdin)
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == list(events)
    story_events: dict[int, set[str]] = {}
    for o in out:
        story_events.setdefault(o["story"], set()).add(events[o["id"]])
    assert all(len(v) == 1 for v in story_events.values())
    assert len(story_events) == len(set(events.values()))
    assert "line 4: skipped" in proc.stderr
    assert "line 5: skipped" in proc.stderr


def test_cluster_groups_headlines_without_bodies(tmp_path: Path) -> None:
    # Analysts feed headline lists: no text, so the clusterer's short-text threshold applies.
    heads = [
        ("Mt. Gox files for US bankruptcy protection", "gox"),
        ("American Airlines and JetBlue end ticketing partnership", "air"),
        ("Bitcoin exchange Mt. Gox seeks US court shield in Japan bankruptcy", "gox"),
        ("JetBlue, American Airlines sever interline agreement", "air"),
        ("Hackers claim Mt. Gox chief still controls stolen bitcoins", "gox"),
    ]
    stdin = "".join(
        json.dumps({"id": i, "title": t, "published": f"2014-03-10T10:0{i}:00Z"}) + "\n"
        for i, (t, _) in enumerate(heads)
    )
    out = [json.loads(x) for x in nw(tmp_path, "cluster", stdin=stdin).stdout.splitlines()]
    stories: dict[str, set[int]] = {}
    for o, (_, event) in zip(out, heads, strict=True):
        stories.setdefault(event, set()).add(o["story"])
    assert stories["gox"] != stories["air"]
    assert all(len(s) == 1 for s in stories.values()), out


def test_import_then_reindex_then_export_carries_the_analyses(tmp_path: Path) -> None:
    src = FIXTURES / "understand" / "events.jsonl"
    nw(tmp_path, "import", str(src))
    proc = nw(tmp_path, "reindex", "--all")
    assert "reindexed 13 articles, 0 failed" in proc.stdout
    assert "articles/s" in proc.stderr
    rows = [json.loads(x) for x in nw(tmp_path, "export").stdout.splitlines()]
    assert len(rows) == 13
    for r in rows:
        assert {"hashtags", "entities", "summary", "attributions", "kind", "language"} <= set(
            r["analyses"]
        )
        assert r["story_id"] is not None
    assert sum(1 for r in rows if r["duplicate_of"]) == 1


def test_commands_that_analyse_use_the_configured_llm(
    tmp_path: Path, server: FixtureServer
) -> None:
    """The summary writer is set up by the commands that analyse articles (the others no longer
    import the enrichment stack): import and reindex write LLM summaries when one is set."""
    env = env_for(tmp_path)
    env.update(NEWSWEAVE_LLM_URL=server.url("/llm/ok/v1"), NEWSWEAVE_LLM_MODEL="test-model")
    seed = FIXTURES / "archives" / "seed-page.txt"
    nw_env(env, "import", str(seed), "--fetched-at", "2025-08-14T12:00:00Z")
    rows = [json.loads(x) for x in nw_env(env, "export").stdout.splitlines()]
    assert len(rows) == 4
    assert {r["analyses"]["summary"]["by"] for r in rows} == {"llm"}
    assert all(r["summary"].startswith("LLM summary of: ") for r in rows)
    asked = len(server.llm_requests)
    assert "reindexed 4 articles, 0 failed" in nw_env(env, "reindex", "--all").stdout
    assert len(server.llm_requests) == asked + 4

    # A half-set LLM is an error where it would be used, and only there.
    env["NEWSWEAVE_LLM_MODEL"] = ""
    bad = nw_env(env, "reindex", "--all", ok=False)
    assert bad.returncode == 1
    assert "NEWSWEAVE_LLM_MODEL is empty" in bad.stderr
    assert len(json.loads(nw_env(env, "search", "Sudan", "--json").stdout)) >= 1


def test_import_again_finishes_what_a_killed_import_left(tmp_path: Path) -> None:
    from newsweave import pipeline
    from newsweave.model import ArticleIn
    from newsweave.store.articles import get_article
    from newsweave.store.db import open_database

    url = f"sqlite:///{tmp_path / 'data' / 'newsweave.db'}"
    db = open_database(url)
    left = [  # what an import killed after storing, before analysing, leaves behind
        pipeline.ingest(
            db,
            ArticleIn(
                url=f"https://left.example/{n}",
                title=f"Council approves budget number {n}",
                text=f"The city council approved budget number {n} on Monday after a debate. " * 8,
                source_name="Left Behind",
            ),
            enrich_now=False,
        )[0]
        for n in range(3)
    ]
    db.dispose()
    again = tmp_path / "again.jsonl"
    again.write_text('{"title": "Another story", "text": "' + "words " * 40 + '"}\n')
    out = nw(tmp_path, "import", str(again))
    assert "finished 3 articles an earlier run left unanalysed" in out.stdout
    db = open_database(url)
    with db.connect() as conn:
        assert all(get_article(conn, i).state == "enriched" for i in left)
    db.dispose()


def test_a_worker_needs_postgresql_and_says_so(tmp_path: Path) -> None:
    proc = nw(tmp_path, "worker", "--burst", ok=False)
    assert proc.returncode != 0
    assert "postgresql://" in proc.stderr
    assert "newsweave run" in proc.stderr


def test_the_deployment_recipe_runs_real_commands(tmp_path: Path) -> None:
    """Every process of deploy/Procfile and the systemd units is a command newsweave has."""
    deploy = Path(__file__).parents[1] / "deploy"
    lines = [
        line.split(":", 1)[1].split()
        for line in (deploy / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for unit in deploy.glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                lines.append(line.split("=", 1)[1].replace("%i", "8081").split())
    assert len(lines) >= 7
    for words in lines:
        assert words[0].endswith("newsweave"), words
        nw(tmp_path, *words[1:], "--help")  # options parsed, then only the help is shown
