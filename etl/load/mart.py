"""The mart's DuckDB file: connection, schema of its control, GIDB and star-schema layers, run ids.

`STG_<TABLE>` holds every member's extracted rows (each HA member's version of each entity);
`GIDB_<TABLE>` holds the rows of the member the HA choice took (MART.md layer 1). Both have the IDB
model's columns (integer `*_TS` widened to BIGINT, so a stuck row can end at the sentinel) and:
SOURCE_NAME, HA_SET, ENTITY_KEY (the entity's identity across members), DSS_ID (the data source
session ICON wrote the row under, its GSYS_DOMAIN), STUCK_FLAG (closed by idbmart at the sentinel,
not by ICON), EXTRACT_RUN_ID.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
from sqlglot import exp

from etl.idb.schema import Table, tables
from etl.paths import SQL_DIR

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


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create whatever part of the mart is missing (idempotent; a complete mart costs one query)."""
    have = {n for (n,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    for layer in ("control", "star"):  # control tables, then dimensions and facts
        ddl = (SQL_DIR / "mart" / f"{layer}.sql").read_text()
        if not set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", ddl)) <= have:
            run(con, ddl)
    for t in extracted_tables():
        for prefix in ("STG", "GIDB"):
            if f"{prefix}_{t.name}" not in have:
                run(con, layer_ddl(prefix, t))


def run(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[tuple]:
    """Execute a statement to completion (DuckDB keeps a connection busy until a result is consumed)."""
    return con.execute(sql, params).fetchall()


def run_many(con: duckdb.DuckDBPyConnection, sql: str, rows) -> None:
    con.executemany(sql, rows).fetchall()


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    """One more than any run that committed (a run that did not commit left no id behind)."""
    (last,) = con.execute(
        "SELECT greatest(coalesce(max(RUN_ID), 0), (SELECT coalesce(max(RUN_ID), 0) FROM CTL_EXTRACT_HISTORY)) "
        "FROM CTL_AUDIT_LOG"
    ).fetchall()[0]
    return int(last) + 1


def sql_list(values) -> str:
    """A SQL list of string literals (for names the code itself owns: kinds, sources)."""
    return ", ".join(exp.Literal.string(v).sql() for v in values)
