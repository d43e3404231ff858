"""Rows that break a rule reach STG_TRANSFORM_DISCARDS with their source, table, column, key and
reason, and their interaction still loads where it can (MART.md: nothing is dropped silently)."""

from __future__ import annotations

import duckdb

from etl.cycle import run_cycle


def test_a_call_and_interaction_that_end_before_they_begin_are_recorded_and_still_load(tiny_deployment):
    """The tiny IDB's CALL-0001 (08:10:00 to 08:12:20; tiny/README.md) with its G_IR and G_CALL rows
    ending an hour before they begin: both rows are discards with the reason; the interaction loads,
    ending where it begins, and Ann's resource fact keeps the talk its parties give (50 s + 60 s)."""
    path, deployment = tiny_deployment
    with duckdb.connect(str(path)) as idb:
        idb.execute("UPDATE G_IR SET TERMINATED_TS = CREATED_TS - 3600 WHERE ROOTCALLID = 'CALL-0001'")
        idb.execute("UPDATE G_CALL SET TERMINATED_TS = CREATED_TS - 3600 WHERE CALLID = 'CALL-0001'")
    result = run_cycle(deployment)
    assert result.quality.ok, result.quality.summary()
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        discards = con.execute(
            "SELECT SOURCE_NAME, TABLE_NAME, COLUMN_NAME, ROW_KEY, REASON FROM STG_TRANSFORM_DISCARDS ORDER BY 2"
        ).fetchall()
        assert discards == [
            ("site1", "G_CALL", "TERMINATED_TS", "CALL-0001",
             "call ends before it begins: its end is not used (its parties give its times)"),
            ("site1", "G_IR", "TERMINATED_TS", "IR-0001", "interaction ends before it begins: it ends where it begins"),
        ]  # fmt: skip
        assert con.execute(
            "SELECT START_TS, END_TS FROM INTERACTION_FACT WHERE MEDIA_SERVER_IXN_GUID = 'CALL-0001'"
        ).fetchall() == [(1793607000, 1793607000)]
        assert con.execute(
            """SELECT sum(i.TALK_DURATION) FROM INTERACTION_RESOURCE_FACT i
               JOIN INTERACTION_FACT f USING (INTERACTION_ID) JOIN RESOURCE_ r USING (RESOURCE_KEY)
               WHERE f.MEDIA_SERVER_IXN_GUID = 'CALL-0001' AND r.RESOURCE_TYPE_CODE = 'AGENT'"""
        ).fetchall() == [(110,)]
