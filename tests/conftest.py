"""Shared test worlds: the tiny hand-made IDB written by the real writer, a real PostgreSQL, and a mart's
old rows for the tests of what a cycle reads."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pytest

from idbmart.config import EtlOptions, Source
from idbmart.fixtures import idb_writer, tiny

ROW_GROUP = 122_880  # DuckDB's rows per row group: its zone maps skip whole ones
PG_URI = os.environ.get("IDBMART_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def mart_with_truth(mart: Path, truth: Path, read_at: int | None = None) -> duckdb.DuckDBPyConnection:
    """A connection that reads the mart (read-only, as its default catalog) beside the simulator's
    truth tables as views: the tests against truth compare the two in one query.

    `read_at`, the IDBs' snapshot time: a call that never ends and began less than the stuck threshold
    before it is still active then, not yet stuck (EtlOptions.stuck_threshold_s), so no mart holds it
    yet; it and its ISCC leg leave every truth table."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{mart}' AS m (READ_ONLY); USE m").fetchall()
    calls = f"read_parquet('{truth / 'TRUTH_CALL.parquet'}')"
    active = f"""SELECT CALLID FROM {calls} WHERE STUCK AND CREATED_TS > {read_at} - {EtlOptions().stuck_threshold_s}"""
    for f in truth.glob("*.parquet"):
        columns = {c[0] for c in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{f}')").fetchall()}
        where = (
            f"WHERE CALLID NOT IN ({active} UNION ALL SELECT CALLID FROM {calls} WHERE ISCC_FROM IN ({active}))"
            if read_at is not None and "CALLID" in columns
            else ""
        )
        con.execute(f"CREATE TEMP VIEW {f.stem} AS SELECT * FROM read_parquet('{f}') {where}").fetchall()
    return con


def one(con: duckdb.DuckDBPyConnection, query: str) -> tuple:
    return con.execute(query).fetchall()[0]


def make_source(name: str, uri: str, roles=tiny.ROLES) -> Source:
    return Source(name=name, uri=uri, ha_set=name, primary=True, roles=tuple(roles))


def fill_old_rows(
    con: duckdb.DuckDBPyConnection, table: str, start_ts: int, rows: int, fixed: dict[str, str] | None = None
) -> None:
    """`rows` rows appended to the mart's `table`, the i-th of time `start_ts` + i, each value made as the
    pipeline makes its kind, so that only time or position (zone maps, rowids) can tell them from a
    cycle's: a VARCHAR an MD5 in hex (like a call UUID), a BIGINT id or key 63 bits of an MD5 (idb_key), a
    DATE_TIME_KEY its 15-minute interval, an audit key -1 (loaded before any cycle); `fixed` gives
    columns' SQL values instead."""
    fixed = fixed or {}

    def value(column: str, kind: str) -> str:
        if column in fixed:
            return fixed[column]
        if "AUDIT" in column:
            return "-1"
        if column.endswith("DATE_TIME_KEY"):
            return f"({start_ts} + i) // 900 * 900"
        if kind == "BIGINT" and column.endswith("_TS"):
            return f"{start_ts} + i"
        if kind == "BIGINT" and column.endswith(("_ID", "_KEY")):
            return "CAST(md5_number(i::VARCHAR) >> 65 AS BIGINT)"
        return {"VARCHAR": "md5(i::VARCHAR)", "BOOLEAN": "FALSE", "INTEGER": "0", "BIGINT": "0"}.get(kind, "NULL")

    cols = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
        "AND database_name = current_database() ORDER BY column_index",
        [table],
    ).fetchall()
    values = ", ".join(value(c, t) for c, t in cols)
    con.execute(f"INSERT INTO {table} SELECT {values} FROM range({rows}) r(i) ORDER BY i")


@pytest.fixture(scope="session")
def tiny_duckdb(tmp_path_factory) -> Path:
    return idb_writer.write_duckdb(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", tiny.ROLES, script=tiny.SCRIPT)


@pytest.fixture
def tiny_deployment(tiny_duckdb, tmp_path):
    """A copy of the tiny IDB with every row committed (SEQCURRENT 50), to change at will, and a
    deployment reading it as the one source of a fresh mart: (IDB path, deployment)."""
    from idbmart import config

    path = tmp_path / "tiny.duckdb"
    shutil.copy(tiny_duckdb, path)
    with duckdb.connect(str(path)) as idb:
        idb.execute("UPDATE G_PROV_CONTROL SET SEQCOUNTER = 50, SEQCURRENT = 50")
    deployment_file = tmp_path / "deployment.toml"
    deployment_file.write_text(config.render(str(tmp_path / "mart.duckdb"), [make_source("site1", f"duckdb://{path}")]))
    return path, config.load(deployment_file)


@pytest.fixture(scope="session")
def tiny_parquet(tmp_path_factory) -> Path:
    return idb_writer.write_parquet(tmp_path_factory.mktemp("tiny") / "tiny_pq", tiny.ROLES, script=tiny.SCRIPT)


def _with_database(uri: str, database: str) -> str:
    p = urlsplit(uri)
    return urlunsplit((p.scheme, p.netloc, "/" + database, p.query, ""))


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The admin URI of the test PostgreSQL server; skips (fails under CI=true) if none answers."""
    import adbc_driver_postgresql.dbapi as adbc_pg

    try:
        with adbc_pg.connect(PG_URI, autocommit=True) as con, con.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchall()
    except Exception as e:  # any failure to reach the server
        message = f"no PostgreSQL at IDBMART_TEST_PG={PG_URI}: {str(e).strip().splitlines()[0]}"
        if IN_CI:
            pytest.fail(message + " (CI=true: live-IDB tests must run)")
        pytest.skip(message)
    return PG_URI


@pytest.fixture
def pg_database(pg_server):
    """A fresh, empty database for one test, dropped afterwards; yields its URI."""
    import adbc_driver_postgresql.dbapi as adbc_pg

    name = f"idbmart_test_{uuid.uuid4().hex[:12]}"
    with adbc_pg.connect(pg_server, autocommit=True) as con, con.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    try:
        yield _with_database(pg_server, name)
    finally:
        with adbc_pg.connect(pg_server, autocommit=True) as con, con.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def tiny_postgres(pg_database) -> str:
    return idb_writer.write_postgres(pg_database, tiny.ROLES, script=tiny.SCRIPT)


def without_gate(deployment):
    """Schedules of many cycles test idempotence and recovery, not quality: they skip the quality gate
    (GX costs ~30 ms per expectation, ~5 s per busy cycle); tests/quality covers the gate."""
    from dataclasses import replace

    return replace(deployment, quality=replace(deployment.quality, gate=False))
