"""The API as its own OpenAPI schema says it is: schemathesis generates requests from the
schema (30 examples per operation) and checks every answer against it with all its checks:
no 5xx, documented status codes and media types, bodies that match their schema, an Allow
header that lists the path's methods."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from newsweave.store.db import open_database
from newsweave.web.app import create_app
from tests.events import load_events


def test_the_api_is_its_schema(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'newsweave.db'}")
    try:
        load_events(db)  # stories, tags and sources to find
        app = create_app(db, page_cache_seconds=0)
        schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
        failures, operations = [], 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1

            @given(case=operation.as_strategy())
            @settings(
                max_examples=30,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case: schemathesis.Case) -> None:
                case.call_and_validate()

            try:
                check()
            except BaseException as exc:  # one operation's failure must not hide the others'
                failures.append(f"{operation.label}: {exc}")
        assert operations >= 15
        assert not failures, "\n\n".join(failures)
    finally:
        db.dispose()
