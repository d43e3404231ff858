"""The transform reads the GIDB rows of the interactions it rebuilds from their first call on (less
BOUND_SLACK_S, as extraction does), so a cycle's cost follows the cycle, not the days GIDB keeps; and
no row of theirs within the slack, or without a time, is left unread."""

from __future__ import annotations

import duckdb
import pytest

from idbmart.cycle import run_cycle
from idbmart.extract.entities import BOUND_SLACK_S
from idbmart.load import mart, scans
from idbmart.load.db import run
from tests.conftest import ROW_GROUP, fill_old_rows

CALL_0001_CREATED = 1793607000  # 2026-11-02 08:10:00, the tiny IDB's first call (idbmart/fixtures/tiny/README.md)


def test_an_interactions_rows_are_read_from_its_first_call_on_and_none_is_lost(tiny_deployment):
    """Two party history rows of CALL-0001's agent party carry a state ICON does not define (42): one
    stamped half an hour before the call began (within the slack), one with no time at all. The
    transform must read both to discard them with their reason; it reads from 07:10:00 on."""
    path, deployment = tiny_deployment
    with duckdb.connect(str(path)) as idb:
        idb.execute(
            """INSERT INTO G_PARTY_HISTORY (PHID, PARTYID, PSEQ, CSEQ, CHANGETYPE, STATE, ADDED, ADDED_TS,
                 GSYS_DOMAIN, GSYS_SEQ) VALUES
               ('PH-EARLY', 'P-0001-3', 90, 90, 2, 42, '2026-11-02 07:40:00', ?, 1001, 36),
               ('PH-NOTIME', 'P-0001-3', 91, 91, 2, 42, NULL, NULL, 1001, 37)""",
            [CALL_0001_CREATED - 1800],
        )

    result = run_cycle(deployment)

    assert result.transformed.interactions == 2  # CALL-0001 and CALL-0002; CALL-0003 is still active
    assert result.transformed.read_from == CALL_0001_CREATED - BOUND_SLACK_S
    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    discarded = con.execute(
        "SELECT TABLE_NAME, ROW_KEY, REASON FROM STG_TRANSFORM_DISCARDS ORDER BY ROW_KEY"
    ).fetchall()
    detail = con.execute("SELECT DETAIL FROM CTL_AUDIT_LOG WHERE STEP = 'transform'").fetchall()
    con.close()
    assert discarded == [
        ("G_PARTY_HISTORY", "P-0001-3|90", "unknown party state 42: the change is ignored"),
        ("G_PARTY_HISTORY", "P-0001-3|91", "unknown party state 42: the change is ignored"),
    ]
    assert "2 interactions (GIDB rows read from 2026-11-02 07:10 UTC on)" in detail[0][0]


# The GIDB tables of interactions the transform reads by time (in_ixn_time), with the column it reads by
BY_TIME = {
    "GIDB_G_CALL": "CREATED_TS", "GIDB_G_IR": "CREATED_TS", "GIDB_G_PARTY": "CREATED_TS",
    "GIDB_G_PARTY_HISTORY": "ADDED_TS", "GIDB_G_ROUTE_RESULT": "ADDED_TS", "GIDB_G_IS_LINK": "ADDED_TS",
    "GIDB_G_VIRTUAL_QUEUE": "ADDED_TS", "GIDB_G_USERDATA_HISTORY": "ADDED_TS",
}  # fmt: skip


@pytest.mark.slow  # three row groups in each of eight tables: 25 s
def test_the_transform_reads_none_of_the_days_before_its_interactions(tiny_deployment):
    """A mart already holding three row groups of rows in each table of BY_TIME, ten days before the tiny
    IDB's calls, keyed like call UUIDs (every row group's range of keys holds the cycle's, so only time
    can skip one). The cycle rebuilds CALL-0001 and CALL-0002, with the login session of CALL-0001's
    agent: no statement of the transform reads a row group of the old rows (a scan whose other side
    turns out empty stops after its first few thousand rows)."""
    _, deployment = tiny_deployment
    old = CALL_0001_CREATED - 10 * 86_400
    con = mart.connect(deployment.mart_path)
    lineage = {"SOURCE_NAME": "'site1'", "HA_SET": "'site1'", "EXTRACT_RUN_ID": "-1"}
    for table, time_column in BY_TIME.items():
        fill_old_rows(con, table, old, 3 * ROW_GROUP, fixed=lineage)
        assert run(con, f"SELECT max({time_column}) FROM {table}")[0][0] < CALL_0001_CREATED - BOUND_SLACK_S
    run(con, "CHECKPOINT")
    con.close()

    with scans.recording() as log:
        result = run_cycle(deployment)

    assert result.transformed.interactions == 2
    reads = [s for s in log.scans if s.caller.startswith("transform") and s.table.rpartition(".")[2] in BY_TIME]
    over = sorted({(s.table.rpartition(".")[2], s.statement[:60], s.rows) for s in reads if s.rows >= ROW_GROUP})
    assert reads and not over, "\n".join(map(str, over))
