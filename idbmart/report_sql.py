"""Info Mart report SQL on the mart: a query written for an Info Mart on Microsoft SQL Server (tsql),
Oracle or PostgreSQL, transpiled by sqlglot to DuckDB and run on the readers' copy. A report's schema
prefixes (`dbo.`, an Oracle schema user) are dropped (the mart is one schema), and so is Oracle's DUAL."""

from __future__ import annotations

import duckdb
import sqlglot
from sqlglot import exp

from idbmart.config import Deployment
from idbmart.errors import IdbmartError

DIALECTS = ("tsql", "oracle", "postgres", "duckdb")


def to_duckdb(sql: str, dialect: str) -> str:
    """`sql`, one query in `dialect`, as DuckDB SQL on the mart's tables."""
    if dialect not in DIALECTS:
        raise IdbmartError(f"report SQL: dialect must be one of {', '.join(DIALECTS)}, got {dialect!r}")
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.ParseError as e:
        raise IdbmartError(f"report SQL ({dialect}): sqlglot cannot read it: {str(e).splitlines()[0]}") from None
    if len(statements) != 1:
        raise IdbmartError(f"report SQL: one query at a time, got {len(statements)} statements")
    query = statements[0]
    for table in query.find_all(exp.Table):
        table.set("db", None)
        table.set("catalog", None)
    for select in query.find_all(exp.Select):  # Oracle's one-row table: DuckDB selects from none
        source = select.args.get("from_")
        if source and isinstance(source.this, exp.Table) and source.this.name.upper() == "DUAL":
            select.set("from_", None)
    return query.sql(dialect="duckdb")


def run_report(deployment: Deployment, sql: str, dialect: str) -> tuple[list[str], list[tuple]]:
    """The query's columns and rows, read from the readers' copy where it is published, else from the mart
    (read-only: while a cycle writes the mart, only the readers' copy can be read)."""
    query = to_duckdb(sql, dialect)
    path = (
        deployment.reader_path if deployment.reader_path and deployment.reader_path.exists() else deployment.mart_path
    )
    if not path.exists():
        raise IdbmartError(f"report SQL: no mart at {path}: run a cycle first")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as e:
        raise IdbmartError(f"report SQL: {path} cannot be read now ({str(e).splitlines()[0]}); publish a readers' "
                           "copy ([mart] reader_path) to query while cycles run") from None  # fmt: skip
    try:
        cursor = con.execute(query)
        return [d[0] for d in cursor.description], cursor.fetchall()
    except duckdb.Error as e:
        raise IdbmartError(f"report SQL on {path.name}: {str(e).splitlines()[0]}") from None
    finally:
        con.close()
