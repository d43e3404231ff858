"""The mart's DuckDB helpers (etl/load/mart.py)."""

from __future__ import annotations

import duckdb

from etl.load import mart
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


def test_a_mart_made_with_keyed_control_tables_keeps_their_rows_without_the_keys(tmp_path):
    """Marts made before UNKEYED had a PRIMARY KEY on those tables; connecting moves them over whole."""
    path = tmp_path / "mart.duckdb"
    con = mart.connect(path)
    run(con, "INSERT INTO STG_ENTITY SELECT 'a', 'set', 'interaction', 'k' || i, i, i + 1, FALSE, 1 "
             "FROM range(50) r(i)")  # fmt: skip
    run(con, """INSERT INTO CTL_HA_DECISION (HA_SET, ENTITY_KIND, ENTITY_KEY, SOURCE_NAME, REASON, STUCK_FLAG,
                MEMBERS, RUN_ID) SELECT 'set', 'interaction', 'k' || i, 'a', 'single_member_set', FALSE, 1, 1
                FROM range(30) t(i)""")  # fmt: skip
    run(con, "ALTER TABLE STG_ENTITY ADD PRIMARY KEY (SOURCE_NAME, ENTITY_KIND, ENTITY_KEY)")
    run(con, "ALTER TABLE CTL_HA_DECISION ADD PRIMARY KEY (HA_SET, ENTITY_KIND, ENTITY_KEY)")
    before = {t: run(con, f"SELECT * FROM {t} ORDER BY ALL") for t in mart.UNKEYED}
    assert mart._keyed(con, mart.UNKEYED) == sorted(mart.UNKEYED)
    con.close()

    con = mart.connect(path)
    assert mart._keyed(con, mart.UNKEYED) == []
    assert {t: run(con, f"SELECT * FROM {t} ORDER BY ALL") for t in mart.UNKEYED} == before
    assert not run(con, "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%_KEYED'")
    con.close()
