"""The mart's DuckDB helpers (etl/load/mart.py)."""

from __future__ import annotations

import duckdb

from etl.load.mart import create_empty, run

ROW_GROUP = 122_880  # DuckDB's rows per row group


def test_a_table_created_empty_in_a_transaction_sees_a_row_group_inserted_into_it(tmp_path):
    """In DuckDB 2.0.0, a table `CREATE TABLE ... AS ... LIMIT 0` made inside a transaction reads as
    empty, until the commit, after an INSERT ... SELECT of a row group or more: the aggregates rolled up
    from such a table and got nothing. create_empty makes it by DDL, which sees its rows."""
    con = duckdb.connect(str(tmp_path / "mart.duckdb"))
    rows = ROW_GROUP + 7_120
    run(con, f"CREATE TABLE SOURCE_ROWS AS SELECT i AS K, i % 96 * 900 AS DATE_TIME_KEY FROM range({rows}) t(i)")
    run(con, "BEGIN TRANSACTION")
    query = "SELECT *, NULL::BIGINT AS UPDATE_AUDIT_KEY FROM SOURCE_ROWS"
    create_empty(con, "LASTING", query)
    create_empty(con, "_WORK", query, temp=True)
    for table in ("LASTING", "_WORK"):
        run(con, f"INSERT INTO {table} SELECT *, 1 FROM SOURCE_ROWS")
        assert run(con, f"SELECT count(*), max(K), sum(DATE_TIME_KEY >= 900 * 48) FROM {table}")[0] == (
            rows,
            rows - 1,
            sum(1 for i in range(rows) if i % 96 >= 48),
        ), table
    assert [c for c, *_ in run(con, "DESCRIBE LASTING")] == ["K", "DATE_TIME_KEY", "UPDATE_AUDIT_KEY"]
    run(con, "COMMIT")
    con.close()
