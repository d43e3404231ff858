"""The transform reads the GIDB rows of the interactions it rebuilds from their first call on (less
BOUND_SLACK_S, as extraction does), so a cycle's cost follows the cycle, not the days GIDB keeps; and
no row of theirs within the slack, or without a time, is left unread."""

from __future__ import annotations

import duckdb

from idbmart.cycle import run_cycle
from idbmart.extract.entities import BOUND_SLACK_S

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
