"""The transform's work tables: dropped once the aggregates have read them, the log of changed rows kept."""

import duckdb

from idbmart.load.merge import TOUCHED_TABLES
from idbmart.transform.build import drop_transform_tables


def test_the_transforms_temporary_tables_go_and_the_log_of_changed_rows_stays_for_the_gate():
    con = duckdb.connect()
    for table in ("_T_PARTY", "_T_IRF", *TOUCHED_TABLES, "_AG_PERIOD"):  # _AG_*: the aggregates', the gate reads them
        con.execute(f"CREATE TEMP TABLE {table} (X INTEGER)")
    con.execute("CREATE TABLE _T_LASTING (X INTEGER)")  # not temporary: not the transform's work
    drop_transform_tables(con)
    temporary = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    assert temporary == {"_T_TOUCHED", "_T_TOUCHED_FROM", "_AG_PERIOD"}
    assert con.execute("SELECT count(*) FROM _T_LASTING").fetchone() == (0,)
