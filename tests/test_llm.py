"""The optional LLM summary writer against a stand-in OpenAI-compatible endpoint on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from newsweave import pipeline
from newsweave.llm import LLMError, SummaryWriter
from newsweave.model import ArticleIn
from newsweave.store.db import Database
from newsweave.store.schema import analyses, articles
from tests.fixture_server import FixtureServer

TEXT = (
    "The European Central Bank cut its key deposit rate by a quarter point on Thursday, its "
    "third cut this year, as inflation in the euro zone fell below its target. Christine "
    "Lagarde said the disinflationary process was well on track. Markets had expected the move "
    "after weak business surveys from Germany and France."
)


def _writer(server: FixtureServer, behaviour: str, timeout: float = 10) -> SummaryWriter:
    return SummaryWriter(server.url(f"/llm/{behaviour}/v1"), "test-model", "sekrit", timeout)


def test_the_writer_sends_a_chat_request_and_reads_its_json(server: FixtureServer) -> None:
    summary, points = _writer(server, "ok").write("ECB cuts rates", TEXT)
    assert summary == "LLM summary of: ECB cuts rates."
    assert points == ["First point.", "Second point.", "Third point."]
    sent = server.llm_requests[-1]
    assert sent["auth"] == "Bearer sekrit"
    assert sent["body"]["model"] == "test-model"  # type: ignore[index]


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [("error", "500"), ("prose", "not the JSON"), ("missing", "404"), ("slow", "timed out")],
)
def test_a_bad_answer_is_a_clear_error(server: FixtureServer, behaviour: str, message: str) -> None:
    with pytest.raises(LLMError, match=message):
        _writer(server, behaviour, timeout=1).write("ECB cuts rates", TEXT)


def _ingest(db: Database) -> int:
    art = ArticleIn(
        url="https://bank.example/ecb",
        title="ECB cuts rates",
        text=TEXT,
        source_name="Bank News",
        published=datetime(2026, 10, 17, tzinfo=UTC),
    )
    article_id, _ = pipeline.ingest(db, art)
    return article_id


def _summary(db: Database, article_id: int) -> tuple[str, dict[str, object]]:
    with db.connect() as conn:
        stored = conn.execute(
            select(articles.c.summary).where(articles.c.id == article_id)
        ).scalar()
        data = conn.execute(
            select(analyses.c.data).where(
                analyses.c.article_id == article_id, analyses.c.name == "summary"
            )
        ).scalar()
    return stored, data


def test_the_pipeline_uses_the_llm_when_configured(
    sqlite_db: Database, server: FixtureServer
) -> None:
    pipeline.use_summary_writer(sqlite_db, _writer(server, "ok"))
    try:
        stored, data = _summary(sqlite_db, _ingest(sqlite_db))
    finally:
        pipeline.use_summary_writer(sqlite_db, None)
    assert stored == "LLM summary of: ECB cuts rates."
    assert data["by"] == "llm"
    assert data["key_points"] == ["First point.", "Second point.", "Third point."]


def test_an_llm_failure_keeps_the_extractive_summary(
    sqlite_db: Database, server: FixtureServer
) -> None:
    pipeline.use_summary_writer(sqlite_db, _writer(server, "error"))
    try:
        stored, data = _summary(sqlite_db, _ingest(sqlite_db))
    finally:
        pipeline.use_summary_writer(sqlite_db, None)
    assert stored.startswith("The European Central Bank cut its key deposit rate")
    assert data["by"] == "extractive"
    assert "500" in str(data["llm_error"])
    json.dumps(data)
