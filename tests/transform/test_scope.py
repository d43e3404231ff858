"""The interactions a cycle rebuilds, and their first calls, are found from what the cycle touched, not
by reading the days GIDB keeps (sql/transform/scope/interaction_roots.sql, interactions.sql): calls named
by a stay within the stuck threshold before it, parties within it before a session, and roots' calls by
the runs that staged them."""

from __future__ import annotations

from idbmart.config import EtlOptions
from idbmart.extract.entities import BOUND_SLACK_S
from idbmart.idb.enums import CallType
from idbmart.load import mart, scans
from idbmart.load.db import run
from idbmart.load.mart import SENTINEL_TS
from idbmart.transform import graph
from tests.conftest import ROW_GROUP

T = 1_793_607_000  # 2026-11-02 08:10:00 UTC; the old rows began ten days before
OLD = T - 10 * 86_400
STUCK_S = EtlOptions().stuck_threshold_s
CONSULT, INBOUND = CallType.CONSULT, CallType.INBOUND
S_AT = 2 * ROW_GROUP + 5  # the stuck call S began at OLD + S_AT, in the last old row group


def _old_rows(con) -> None:
    """Three row groups of calls and parties of ten days before, keyed like call UUIDs (every row group's
    range of keys holds the cycle's, so only time or run can skip one), staged by runs -3, -2 and -1
    (a row group each). In the middle one: the call OLDVQ and interaction D's party on DN 7001, stuck (it
    ends at the sentinel); in the last one, the stuck call S (still open, staged by run -1: its version
    is listed open)."""
    call = "GIDB_G_CALL (SOURCE_NAME, HA_SET, ENTITY_KEY, STUCK_FLAG, EXTRACT_RUN_ID, CALLID, CALLTYPE, CREATED_TS)"
    party = (
        "GIDB_G_PARTY (SOURCE_NAME, HA_SET, ENTITY_KEY, STUCK_FLAG, EXTRACT_RUN_ID, PARTYID, CALLID, SWITCHID, "
        "ENDPOINTDN, AGENTID, CREATED_TS, TERMINATED_TS)"
    )
    run(con, f"""INSERT INTO {call} SELECT 'a', 'site', k, FALSE, -3 + i // {ROW_GROUP}, k, {INBOUND}, {OLD} + i
        FROM (SELECT i, md5(i::VARCHAR) AS k FROM range({3 * ROW_GROUP}) t(i)) ORDER BY i""")  # fmt: skip
    for at, key, stuck in ((S_AT, "S", True), (ROW_GROUP + 1, "OLDVQ", False)):
        run(con, f"UPDATE GIDB_G_CALL SET ENTITY_KEY = ?, CALLID = ?, STUCK_FLAG = ? WHERE CREATED_TS = {OLD + at}",
            [key, key, stuck])  # fmt: skip
    run(con, f"""INSERT INTO {party} SELECT 'a', 'site', k, FALSE, -3 + i // {ROW_GROUP}, k, k, 1, '9999', 0,
        {OLD} + i, {OLD} + i + 60
        FROM (SELECT i, md5(i::VARCHAR) AS k FROM range({3 * ROW_GROUP}) t(i)) ORDER BY i""")  # fmt: skip
    run(con, f"UPDATE GIDB_G_PARTY SET ENTITY_KEY = 'D', ENDPOINTDN = '7001', TERMINATED_TS = {SENTINEL_TS} "
             f"WHERE CREATED_TS = {OLD + ROW_GROUP}")  # fmt: skip
    run(con, "INSERT INTO STG_ENTITY_OPEN VALUES ('a', 'site', 'interaction', 'S', -1)")


def _cycle_rows(con) -> None:
    """What the cycle touched, and the recent GIDB rows it reaches (runs 6 to 9, times T + seconds):
    - interaction A republished (run 9): its calls A at T+100 and A2 at T+150;
    - a stay at T-2900 in call B2, a consultation inside B (run 7: B at T-7200, B2 at T-3000);
    - a session of agent 201 on DN 7001, switch 1, T-1000 to T+2000: C's party on 7001 at T-500 (C's
      call at T-600, run 8);
    - F republished (run 9), an IR of its own for a consultation from E's call (E at T-400, run 6);
    - a stay at T in the old call OLDVQ, which began ten days before it."""
    call = (
        "GIDB_G_CALL (SOURCE_NAME, HA_SET, ENTITY_KEY, STUCK_FLAG, EXTRACT_RUN_ID, CALLID, CALLTYPE, PARENTCALLID, "
        "CREATED_TS)"
    )
    calls = [("A", 9, "A", INBOUND, None, 100), ("A", 9, "A2", CONSULT, "A", 150),
             ("B", 7, "B", INBOUND, None, -7200), ("B", 7, "B2", CONSULT, "B", -3000),
             ("C", 8, "C", INBOUND, None, -600), ("E", 6, "E", INBOUND, None, -400),
             ("F", 9, "F", CONSULT, "E", 200)]  # fmt: skip
    for key, run_id, callid, calltype, parent, t in calls:
        run(
            con,
            f"INSERT INTO {call} VALUES ('a', 'site', ?, FALSE, ?, ?, ?, ?, ?)",
            [key, run_id, callid, calltype, parent, T + t],
        )
    run(con, """INSERT INTO GIDB_G_PARTY (SOURCE_NAME, HA_SET, ENTITY_KEY, STUCK_FLAG, EXTRACT_RUN_ID, PARTYID, CALLID,
                SWITCHID, ENDPOINTDN, AGENTID, CREATED_TS, TERMINATED_TS) VALUES
                ('a', 'site', 'C', FALSE, 8, 'PC', 'C', 1, '7001', 0, ?, ?)""", [T - 500, T - 440])  # fmt: skip
    run(con, "CHECKPOINT")
    run(con, """CREATE OR REPLACE TEMP TABLE _HA_NEW (ENTITY_KIND VARCHAR, ENTITY_KEY VARCHAR, START_TS BIGINT,
                STAGED_RUN_ID BIGINT)""")  # fmt: skip
    run(con, "INSERT INTO _HA_NEW VALUES ('interaction', 'A', ?, 9), ('interaction', 'F', ?, 9), "
             "('vq_stay', 'B2|VQ1|' || ?, ?, 3), ('vq_stay', 'OLDVQ|VQ1|' || ?, ?, 3)",
        [T + 100, T + 200, T - 2900, T - 2900, T, T])  # fmt: skip
    run(con, """CREATE OR REPLACE TEMP TABLE _T_SESSION AS SELECT 1 AS SWITCHID, '7001' AS DN, 201 AS AGENTID,
                ? AS START_TS, ? AS END_TS""", [T - 1000, T + 2000])  # fmt: skip


def _scope(con) -> tuple[dict[str, int | None], list[scans.Scan]]:
    with scans.recording() as log:
        scans.watch(con)
        graph.run_alone(con, "interaction_roots")
        graph.run_alone(con, "interactions")
    found = dict(run(con, "SELECT ROOT, START_TS FROM _T_IXN_SCOPE"))
    gidb = [s for s in log.scans if s.table.rpartition(".")[2] in ("GIDB_G_CALL", "GIDB_G_PARTY")]
    return found, gidb


def test_the_scope_reads_what_the_cycle_touched_not_the_days_gidb_keeps(tmp_path):
    """A (republished), B (a late stay in its consultation), C (its party in a republished session) and E
    (F, an IR of its own for a consultation of E's, republished) are rebuilt, each from its first call.
    Not rebuilt: D, whose stuck party began ten days before the session (a party lasting past the stuck
    threshold is stuck; only a party alerted or ended within the session is decided by it), and OLDVQ,
    whose call began ten days before its stay (stuck by then, and no longer open). No scan reads a row
    group of the old rows (one whose other side turns out empty stops after its first few thousand rows)."""
    con = mart.connect(tmp_path / "mart.duckdb")
    _old_rows(con)
    _cycle_rows(con)
    assert T - 2900 - (OLD + ROW_GROUP + 1) > STUCK_S + BOUND_SLACK_S  # OLDVQ began before the stay's reach

    found, gidb = _scope(con)

    assert found == {"A": T + 100, "B": T - 7200, "C": T - 600, "E": T - 400}
    assert gidb and max(s.rows for s in gidb) < ROW_GROUP, [(s.statement, s.table, s.rows) for s in gidb]
    con.close()


def test_a_stay_in_a_stuck_call_still_open_finds_it_by_the_run_that_staged_it(tmp_path):
    """A stay in S, the call stuck ten days ago and still open: S is rebuilt, found among the open versions
    and its first call read by the run that staged it. What it costs is bounded by S: the search for
    the IRs S may continue reads from S's first call less the stuck threshold on (S's row group and the
    one before it), never the first old row group."""
    con = mart.connect(tmp_path / "mart.duckdb")
    _old_rows(con)
    _cycle_rows(con)
    run(con, "INSERT INTO _HA_NEW VALUES ('vq_stay', 'S|VQ1|' || ?, ?, 3)", [T, T])

    found, gidb = _scope(con)

    assert found["S"] == OLD + S_AT  # its call's start
    assert {"A", "B", "C", "E"} <= found.keys()
    assert OLD + ROW_GROUP - 1 < OLD + S_AT - STUCK_S - BOUND_SLACK_S  # the first old row group ends before
    assert gidb and max(s.rows for s in gidb) <= 2 * ROW_GROUP + 7, [(s.table, s.rows) for s in gidb]
    con.close()
