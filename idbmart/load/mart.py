"""The mart's DuckDB file: connection, schema of its control, GIDB and star-schema layers, run ids.

Running SQL is idbmart/load/db.py; merging a model's rows into a table, idbmart/load/merge.py.

Each HA member's version of each entity is staged once: `GIDB_<TABLE>` holds the rows of the member
the HA choice took (MART.md layer 1), `STG_<TABLE>` the other members' (kept so a later choice can
take them without reading the source again; `STG_ENTITY` lists every version). Both have the IDB
model's columns (integer `*_TS` widened to BIGINT, so a stuck row can end at the sentinel) and:
SOURCE_NAME, HA_SET, ENTITY_KEY (the entity's identity across members), DSS_ID (the data source
session ICON wrote the row under, its GSYS_DOMAIN), STUCK_FLAG (closed by idbmart at the sentinel,
not by ICON), EXTRACT_RUN_ID.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from functools import cache
from pathlib import Path

import duckdb

from idbmart.errors import IdbmartError
from idbmart.extract.entities import KINDS
from idbmart.idb.schema import Table, tables
from idbmart.load import scans
from idbmart.load.db import columns, run, sql_list, transaction
from idbmart.paths import SQL_DIR

# A still-open fact or a stuck row ends here, never NULL (MART.md): 9999-12-31 23:59:59 UTC.
SENTINEL_TS = 253_402_300_799

LINEAGE_COLUMNS = {
    "SOURCE_NAME": "VARCHAR NOT NULL",
    "HA_SET": "VARCHAR NOT NULL",
    "ENTITY_KEY": "VARCHAR NOT NULL",
    "DSS_ID": "BIGINT",
    "STUCK_FLAG": "BOOLEAN NOT NULL",
    "EXTRACT_RUN_ID": "BIGINT NOT NULL",
}


def extracted_tables() -> list[Table]:
    """The IDB tables the pipeline extracts: every operational table (control tables are read, not kept)."""
    return [t for t in tables().values() if t.role != "control"]


def column_type(table: Table, column: str) -> str:
    col = table.column(column)
    if col.name.endswith("_TS") and col.family == "integer":
        return "BIGINT"
    return col.type.sql(dialect="duckdb")


def layer_ddl(prefix: str, table: Table) -> str:
    cols = [f'"{c}" {column_type(table, c)}' for c in table.column_names]
    cols += [f"{name} {kind}" for name, kind in LINEAGE_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS {prefix}_{table.name} (\n  " + ",\n  ".join(cols) + "\n)"


def connect(path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """The mart, its schema ensured; `memory_limit` caps DuckDB's memory (it spills to disk beyond)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), config={"memory_limit": memory_limit} if memory_limit else {})
    except duckdb.IOException as e:
        if "lock" in str(e):  # the error a site meets most: a BI tool or an overlapping job holds the file
            held = re.search(r"\(PID \d+\)", str(e))
            raise IdbmartError(
                f"the mart {path} is open in another process{' ' + held[0] if held else ''}: DuckDB allows one "
                "writer and no reader beside it; wait for that job, or point readers at [mart] reader_path"
            ) from None
        raise IdbmartError(f"cannot open the mart {path}: {str(e).splitlines()[0]}") from None
    except OSError as e:  # its folder cannot be made
        raise IdbmartError(f"cannot open the mart {path}: {e.strerror}") from None
    # The mart's SQL never reads the session's time zone (the host's, by default), and this makes sure.
    con.execute("SET TimeZone = 'UTC'")
    ensure_schema(con)
    scans.watch(con)  # where a recording of what statements read is on (tests, the bench)
    return con


@cache
def mart_ddl(layer: str) -> str:
    """sql/mart/<layer>.sql: "control" (control and staging tables) or "star" (dimensions and facts)."""
    return (SQL_DIR / "mart" / f"{layer}.sql").read_text()


@cache
def unkeyed() -> tuple[str, ...]:
    """The tables of sql/mart/*.sql made without a PRIMARY KEY, those whose rows have a key included.

    Their writers keep one row per key: staging's merge and the HA choice delete a key's row before
    inserting it (STG_ENTITY, CTL_HA_DECISION), `replace` refuses a key already there (the facts).
    DuckDB's index cost more than it guarded: over the control tables' three text columns 20 times the
    rows' own size and more than the rows at every insert and checkpoint (3 million keys: a load 1.9 s
    -> 9.0 s); on the facts 0.2 s to insert 5 thousand rows into a fact of 1.6 million, at every cycle.
    Marts made before have the keys: `ensure_schema` moves those tables over, rows kept."""
    names = []
    for layer in ("control", "star"):
        for name, body in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", mart_ddl(layer), re.S):
            if "PRIMARY KEY" not in body:
                names.append(name)
    return tuple(names)


@cache
def declared_columns() -> dict[str, dict[str, str]]:
    """Every table of sql/mart/*.sql → its columns and their definitions (type, and default where the
    DDL gives one), as the DDL makes them (in memory, once)."""
    con = duckdb.connect()
    for layer in ("control", "star"):
        con.execute(mart_ddl(layer))
    out: dict[str, dict[str, str]] = {}
    for table, column, kind, default in con.execute(
        "SELECT table_name, column_name, data_type, column_default FROM duckdb_columns() "
        "WHERE schema_name = 'main' ORDER BY table_name, column_index"
    ).fetchall():
        out.setdefault(table, {})[column] = kind + (f" DEFAULT {default}" if default is not None else "")
    con.close()
    return out


def _add_declared_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A column added to sql/mart/*.sql reaches a mart made before it (its default, else NULL, in the rows
    already there: CTL_QUALITY_RESULT.SEVERITY is 'block' for the results recorded before severities)."""
    declared = declared_columns()
    have: dict[str, set[str]] = {}
    for table, column in run(con, "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'"):
        have.setdefault(table, set()).add(column)
    for table, cols in declared.items():
        for name, kind in cols.items():
            if table in have and name not in have[table]:
                run(con, f'ALTER TABLE {table} ADD COLUMN "{name}" {kind}')


# STG_<TABLE>'s comment, which says its rows are the versions not chosen: marts made before kept the
# chosen versions there too (and copied them to GIDB_*); `ensure_schema` drops those copies once.
STAGING_COMMENT = "versions of members the HA choice did not take (the chosen ones are in GIDB_*)"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create whatever part of the mart is missing (idempotent; a complete mart costs three queries)."""
    comments = dict(run(con, "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'"))
    have = set(comments)
    rekey = _keyed(con, unkeyed()) if have else []
    copies = [t for t in extracted_tables() if f"STG_{t.name}" in have and comments[f"STG_{t.name}"] != STAGING_COMMENT]
    old_calendar = "DATE_TIME" in have and "LABEL_YYYY" not in columns(con, "DATE_TIME")
    unlisted = "STG_ENTITY" in have and "STG_ENTITY_OPEN" not in have  # made before the open versions were listed
    with transaction(con) if rekey or copies or old_calendar or unlisted else nullcontext():  # whole or not at all
        if old_calendar:  # made before the calendar's labels: its keys kept, its rows made again at the next fill
            run(con, "ALTER TABLE DATE_TIME RENAME TO DATE_TIME_OLD")
            have.discard("DATE_TIME")
        for table in rekey:  # made by an earlier version, with the key: moved aside, made again, refilled
            run(con, f"ALTER TABLE {table} RENAME TO {table}_KEYED")
            have.discard(table)
        for layer in ("control", "star"):  # control tables, then dimensions and facts
            ddl = mart_ddl(layer)
            if not set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", ddl)) <= have:
                run(con, ddl)
        for table in rekey:
            made = set(columns(con, table))
            for name, kind in run(con, f"SELECT column_name, column_type FROM (DESCRIBE {table}_KEYED)"):
                if name not in made:  # a column added since the DDL (IRF_USER_DATA_CUST_1's user-data keys)
                    run(con, f'ALTER TABLE {table} ADD COLUMN "{name}" {kind}')
            run(con, f"INSERT INTO {table} BY NAME SELECT * FROM {table}_KEYED")
            run(con, f"DROP TABLE {table}_KEYED")
        for t in extracted_tables():
            for prefix in ("STG", "GIDB"):
                if f"{prefix}_{t.name}" not in have:
                    run(con, layer_ddl(prefix, t))
            if f"STG_{t.name}" not in have:
                run(con, f"COMMENT ON TABLE STG_{t.name} IS '{STAGING_COMMENT}'")
        for t in copies:
            _drop_chosen_copies(con, t)
        if unlisted:
            run(con, """INSERT INTO STG_ENTITY_OPEN SELECT SOURCE_NAME, HA_SET, ENTITY_KIND, ENTITY_KEY, RUN_ID
                        FROM STG_ENTITY WHERE END_TS IS NULL""")  # fmt: skip
        _add_declared_columns(con)
        if "GROUP_" in have and not run(con, "SELECT 1 FROM GROUP_ WHERE GROUP_KEY = -2"):
            _no_group(con)
        views = {v for (v,) in run(con, "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main'")}
        if not set(RELATION_VIEWS) <= views:
            _relation_views(con)
        if old_calendar:  # no comment: idbmart.transform.calendar computes every row again
            run(con, "INSERT INTO DATE_TIME (DATE_TIME_KEY) SELECT DATE_TIME_KEY FROM DATE_TIME_OLD")
            run(con, "DROP TABLE DATE_TIME_OLD")


# Info Mart's views over its relation facts kept over time (RESOURCE_GROUP_FACT over RESOURCE_GROUP_FACT_, ...):
# the query surface its report SQL reads, each row with TOTAL_DURATION, the seconds the relation lasted
# (while it is active: until the newest configuration extracted, by the sources' clocks).
RELATION_VIEWS = ("RESOURCE_GROUP_FACT", "PLACE_GROUP_FACT", "RESOURCE_SKILL_FACT", "GROUP_TO_CAMPAIGN_FACT")


def _relation_views(con: duckdb.DuckDBPyConnection) -> None:
    latest = "(SELECT max(TIME_TO) FROM CTL_EXTRACT_HISTORY WHERE TABLE_NAME LIKE 'GC%')"
    for view in RELATION_VIEWS:
        run(con, f"CREATE OR REPLACE VIEW {view} AS SELECT *, CASE WHEN ACTIVE_FLAG THEN {latest} - START_TS "
                 f"ELSE END_TS - START_TS END AS TOTAL_DURATION FROM {view}_")  # fmt: skip


def _no_group(con: duckdb.DuckDBPyConnection) -> None:
    """A mart made before Info Mart's No Group (-2) left a fact whose resource was in no group without a
    group combination (NULL): those facts get -2 once, and GROUP_ its row (sql/transform/dimension/group.sql
    makes it from then on); the aggregates' SQL changed with it, so they are rebuilt at the next cycle."""
    for table in ("INTERACTION_RESOURCE_FACT", "MEDIATION_SEGMENT_FACT", "SM_RES_SESSION_FACT"):
        run(con, f"UPDATE {table} SET RESOURCE_GROUP_COMBINATION_KEY = -2 WHERE RESOURCE_GROUP_COMBINATION_KEY IS NULL")
    run(con, "INSERT INTO GROUP_ (GROUP_KEY, GROUP_NAME, GROUP_TYPE_CODE, GROUP_TYPE) "
             "VALUES (-2, 'No Group', 'NO_VALUE', 'No Value')")  # fmt: skip


def _drop_chosen_copies(con: duckdb.DuckDBPyConnection, t: Table) -> None:
    """A mart made before each version was staged once: its STG_<TABLE> also holds the chosen
    members' rows, which GIDB_<TABLE> has. They are deleted (GIDB keeps them) and the table marked."""
    kinds = sql_list(k.name for k in KINDS if t.name in k.tables)
    if kinds:
        run(
            con,
            f"""DELETE FROM STG_{t.name} s USING CTL_HA_DECISION d
            WHERE s.HA_SET = d.HA_SET AND s.ENTITY_KEY = d.ENTITY_KEY AND s.SOURCE_NAME = d.SOURCE_NAME
              AND d.ENTITY_KIND IN ({kinds})""",
        )
    run(con, f"COMMENT ON TABLE STG_{t.name} IS '{STAGING_COMMENT}'")


def primary_keys(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Table → the columns of its PRIMARY KEY, for the tables of the connection's own database that have one."""
    found = run(con, """SELECT table_name, constraint_column_names FROM duckdb_constraints()
                        WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()
                          AND schema_name = 'main'""")  # fmt: skip
    return {table: list(key) for table, key in found}


def _keyed(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> list[str]:
    """Those of `names` that have a PRIMARY KEY in this mart."""
    return sorted(t for t in primary_keys(con) if t in names)


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    """One more than any run that committed (a run that did not commit left no id behind)."""
    (last,) = run(
        con,
        "SELECT greatest(coalesce(max(RUN_ID), 0), (SELECT coalesce(max(RUN_ID), 0) FROM CTL_EXTRACT_HISTORY)) "
        "FROM CTL_AUDIT_LOG",
    )[0]
    return int(last) + 1
