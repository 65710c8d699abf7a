"""Vacuum and analyze newsweave's tables where PostgreSQL's autovacuum does not.

PostgreSQL reclaims the rows a DELETE or UPDATE left behind only by VACUUM, which its
autovacuum daemon runs by itself on a default server. Some servers run with it off (this
project's test server does), or an operator turns it off for a table. Then what newsweave
churns grows without bound, and reads slow down with it: the search window (migration 0019)
deletes ~1,000 rows at each slide, and its GIN index keeps handing out the dead ones. At a
million articles built with autovacuum off, "first time" took 264,734 ids off that index for the
12,766 rows the window held: 57 ms a search, 19 ms after one VACUUM (bench/README.md, session 23).

So the workers do what autovacuum would, by autovacuum's own rules (PostgreSQL's documentation,
"The Autovacuum Daemon"): a table is vacuumed when its dead rows pass `threshold + scale factor x
its rows`, or its rows inserted since the last vacuum pass the insert threshold likewise, and
analyzed when its rows changed since the last analyze pass the analyze threshold. The settings
are the server's; the counters are the cumulative statistics' (kept with autovacuum off, as long
as `track_counts` is on, its default). Only tables autovacuum skips are looked at, so on a
default server this does nothing. SQLite needs none of it: it reuses a deleted row's space.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

__all__ = ["Due", "TableCounts", "Thresholds", "autovacuum_off", "due", "run", "tables_due"]


@dataclass(frozen=True)
class Thresholds:
    """The server's autovacuum settings (postgresql.conf), one rule per kind of work."""

    vacuum: float = 50
    vacuum_scale: float = 0.2
    insert: float = 1000
    insert_scale: float = 0.2
    analyze: float = 50
    analyze_scale: float = 0.1


@dataclass(frozen=True)
class TableCounts:
    """One table's cumulative statistics, and whether autovacuum looks after it."""

    name: str
    rows: float  # pg_class.reltuples: -1 for a table never vacuumed nor analyzed
    dead: int
    inserted: int  # since the last vacuum
    modified: int  # since the last analyze
    autovacuum: bool


@dataclass(frozen=True)
class Due:
    table: str
    vacuum: bool
    analyze: bool


def due(table: TableCounts, limits: Thresholds) -> Due:
    """What autovacuum would do to `table` now, were it on (nothing when it is)."""
    if table.autovacuum:
        return Due(table.name, False, False)
    rows = max(table.rows, 0.0)
    vacuum = table.dead > limits.vacuum + limits.vacuum_scale * rows or (
        limits.insert >= 0 and table.inserted > limits.insert + limits.insert_scale * rows
    )
    analyze = table.modified > limits.analyze + limits.analyze_scale * rows
    return Due(table.name, vacuum, analyze)


def autovacuum_off(conn: Connection) -> bool:
    """Whether the server's autovacuum is off (or cannot work: `track_counts` off)."""
    if conn.dialect.name != "postgresql":
        return False
    on = conn.execute(
        text(
            "SELECT current_setting('autovacuum') = 'on' AND current_setting('track_counts') = 'on'"
        )
    ).scalar_one()
    return not on


def _thresholds(conn: Connection) -> Thresholds:
    names = {
        "vacuum": "autovacuum_vacuum_threshold",
        "vacuum_scale": "autovacuum_vacuum_scale_factor",
        "insert": "autovacuum_vacuum_insert_threshold",
        "insert_scale": "autovacuum_vacuum_insert_scale_factor",
        "analyze": "autovacuum_analyze_threshold",
        "analyze_scale": "autovacuum_analyze_scale_factor",
    }
    rows = conn.execute(
        text("SELECT name, setting FROM pg_settings WHERE name = ANY(:names)"),
        {"names": list(names.values())},
    ).all()
    setting: dict[str, str] = {str(name): str(value) for name, value in rows}
    return Thresholds(**{k: float(setting[v]) for k, v in names.items() if v in setting})


# The tables of this site's schema, with the counters autovacuum reads. A table's reloption
# `autovacuum_enabled=false` turns autovacuum off for it alone.
_COUNTS = text(
    """
    SELECT s.relname, c.reltuples, s.n_dead_tup, s.n_ins_since_vacuum, s.n_mod_since_analyze,
           NOT coalesce('autovacuum_enabled=false' = ANY(c.reloptions), false) AS enabled
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.schemaname = current_schema()
    ORDER BY s.relname
    """
)


def tables_due(conn: Connection) -> list[Due]:
    """The tables of this site that need a vacuum or an analyze autovacuum will not run; one
    cheap read of the statistics (a few ms), so every tick may ask."""
    if conn.dialect.name != "postgresql":
        return []
    server_on = not autovacuum_off(conn)
    limits = _thresholds(conn)
    found = []
    for name, rows, dead, inserted, modified, enabled in conn.execute(_COUNTS):
        counts = TableCounts(name, rows, dead, inserted, modified, server_on and enabled)
        work = due(counts, limits)
        if work.vacuum or work.analyze:
            found.append(work)
    return found


def run(engine: Engine, *, paced: bool = True) -> list[Due]:
    """Vacuum and analyze the tables that need it; what was done.

    Each statement on its own autocommitted connection (VACUUM cannot run in a transaction).
    `paced`: at autovacuum's cost-based pace (its `autovacuum_vacuum_cost_delay` and limit), so
    a vacuum of a large table leaves the disk to the pages being served, as autovacuum would;
    unpaced after a bulk load, when nothing is served yet.
    """
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        work = tables_due(conn)
        if not work:
            return []
        if paced:
            conn.execute(
                text(
                    "SELECT set_config('vacuum_cost_delay', "
                    "current_setting('autovacuum_vacuum_cost_delay'), false), "
                    "set_config('vacuum_cost_limit', CASE "
                    "WHEN current_setting('autovacuum_vacuum_cost_limit') = '-1' "
                    "THEN current_setting('vacuum_cost_limit') "
                    "ELSE current_setting('autovacuum_vacuum_cost_limit') END, false)"
                )
            )
        quote = conn.dialect.identifier_preparer.quote
        try:
            for item in work:
                verb = "VACUUM (ANALYZE)" if item.vacuum and item.analyze else None
                verb = verb or ("VACUUM" if item.vacuum else "ANALYZE")
                conn.execute(text(f"{verb} {quote(item.table)}"))
        finally:
            if paced:
                conn.execute(text("RESET vacuum_cost_delay"))
                conn.execute(text("RESET vacuum_cost_limit"))
    return work
