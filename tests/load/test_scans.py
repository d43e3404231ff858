"""What statements read: the rows and row groups of each table a statement scanned, as DuckDB's profiler
counts them, for the statements `db.run` executes on a mart connection while a recording is on."""

from __future__ import annotations

from idbmart.load import mart, scans
from idbmart.load.db import run
from tests.conftest import ROW_GROUP


def test_a_statement_s_scans_name_the_table_its_rows_and_the_row_groups_zone_maps_left(tmp_path):
    """A table of three row groups, its key in insertion order: a range of keys in the last row group is
    read from that row group alone (the others skipped by their zone maps); a filter on a column whose
    values every row group holds reads all three. Outside a recording nothing is recorded."""
    con = mart.connect(tmp_path / "mart.duckdb")
    try:
        run(con, f"CREATE TABLE T AS SELECT range AS K, range % 7 AS G FROM range({3 * ROW_GROUP})")
        run(con, "CHECKPOINT")
        run(con, f"SELECT count(*) FROM T WHERE K >= {2 * ROW_GROUP + 10}")  # before the recording: not recorded
        with scans.recording() as log:
            scans.watch(con)
            run(con, f"SELECT count(*) FROM T WHERE K >= {2 * ROW_GROUP + 10}")
            run(con, "SELECT count(*) FROM T WHERE G = 3")
        assert [(s.table.rpartition(".")[2], s.row_groups, s.of_row_groups) for s in log.scans] == [
            ("T", 1, 3),
            ("T", 3, 3),
        ]
        assert log.scans[0].rows <= ROW_GROUP and log.scans[1].rows == 3 * ROW_GROUP
        assert log.scans[0].statement == "SELECT count(*) FROM T WHERE K >= ?"  # numbers are not the statement
        run(con, "SELECT count(*) FROM T")
        assert len(log.scans) == 2
    finally:
        con.close()
