"""Running SQL on a DuckDB connection: statements, batches of rows, transactions, a table's columns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import duckdb
from sqlglot import exp

from idbmart.load import scans
from idbmart.measure import Stages


def run(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[tuple]:
    """Execute a statement to completion (DuckDB keeps a connection busy until a result is consumed)."""
    rows = con.execute(sql, params).fetchall()
    scans.after(con, sql)
    return rows


def frame(con: duckdb.DuckDBPyConnection, sql: str):
    """A query's rows as a pandas DataFrame (what Great Expectations validates)."""
    rows = con.execute(sql).df()
    scans.after(con, sql)
    return rows


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, stages: Stages | None = None) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back (a crash mid-cycle leaves the mart as it was).
    With `stages`, the COMMIT itself is measured as stage "commit" (DuckDB writes the changes then)."""
    run(con, "BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        run(con, "ROLLBACK")
        raise
    with stages.measure("commit") if stages else nullcontext():
        run(con, "COMMIT")


def run_many(con: duckdb.DuckDBPyConnection, sql: str, rows, batch: int = 500) -> None:
    """Insert rows by "INSERT INTO t VALUES (?, ...)", a few hundred per statement: executemany runs
    the statement once per row (~2 ms each; 143 quality outcomes took 0.3 s a cycle)."""
    head, values, group = sql.rpartition("VALUES")
    if not values:
        raise ValueError(f"run_many needs an INSERT ... VALUES (?, ...) statement, not: {sql}")
    rows = [tuple(r) for r in rows]
    for i in range(0, len(rows), batch):
        part = rows[i : i + batch]
        run(con, f"{head}VALUES {', '.join([group.strip()] * len(part))}", [v for r in part for v in r])


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The column names of a table (or `catalog.table`), in order. Asking the empty result of the
    table costs ~1 ms; a duckdb_columns() lookup costs ~14 ms on a mart of 140 tables."""
    return [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]


def create_empty(con: duckdb.DuckDBPyConnection, table: str, query: str, temp: bool = False) -> None:
    """Create `table` (a TEMP one replaced, a lasting one if missing) with the columns of `query`, empty.

    By DDL, never `CREATE TABLE ... AS ... LIMIT 0`: in DuckDB 2.0.0 a table that a CTAS created empty
    inside a transaction does not see, until the commit, what a later INSERT ... SELECT of a row group or
    more (122,880 rows) put in it; the 1M-call nightly's agent aggregates rolled up from an empty
    15-minute table that way (tests/load/test_mart.py).
    """
    cols = ", ".join(f'"{name}" {kind}' for name, kind, *_ in run(con, f"DESCRIBE {query}"))
    create = "CREATE OR REPLACE TEMP TABLE" if temp else "CREATE TABLE IF NOT EXISTS"
    run(con, f"{create} {table} ({cols})")


def sql_list(values) -> str:
    """A SQL list of string literals (for names the code itself owns: kinds, sources)."""
    return ", ".join(exp.Literal.string(v).sql() for v in values)
