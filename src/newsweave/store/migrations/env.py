"""Alembic environment: runs on the connection newsweave hands it (store.db.Database.upgrade)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from newsweave.store.schema import metadata

config = context.config


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # Full-text search objects are made per engine by hand in the migrations, not by the models.
    return not (name or "").startswith(
        ("articles_fts", "articles_search", "search_vector", "ix_articles_search")
    )


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic revision --autogenerate` from the command line
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.begin() as conn:
            _configure(conn)
        return
    _configure(connection)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: Alembic's batch mode copies
        include_object=_include,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
