"""The simulator's world as its IDBs show it: ICON's conventions, HA members, faults, and truth."""

from __future__ import annotations

import pytest

from idbmart.fixtures.simulator.configuration import DN_DELETED_AT, GROUP_CHANGED_AT, RENAMED_AT
from idbmart.fixtures.simulator.render import DUP_WINDOW
from idbmart.fixtures.simulator.topology import topology
from tests.simulator.conftest import PARAMS

NODES = [i.name for i in topology(PARAMS) if i.sip_cluster]
GAP_START, GAP_END = 1_793_613_600, 1_793_617_200  # default faults: dc1_node1_a 10:00-11:00 on 2026-11-02


def one(con, sql):
    return con.execute(sql).fetchone()[0]


def test_every_party_lies_inside_its_call(con):
    for idb in NODES + ["dc2_classic_a", "dc2_classic_b"]:
        bad = one(
            con,
            f"""
            SELECT count(*) FROM {idb}.G_PARTY p JOIN {idb}.G_CALL c USING (CALLID)
            WHERE p.CREATED_TS < c.CREATED_TS OR p.TERMINATED_TS > c.TERMINATED_TS""",
        )
        assert bad == 0, idb
    assert (
        one(
            con,
            """SELECT count(*) FROM TRUTH_PARTY p JOIN TRUTH_CALL c USING (CALLID)
                       WHERE p.CREATED_TS < c.CREATED_TS OR p.TERMINATED_TS > c.TERMINATED_TS""",
        )
        == 0
    )


def test_cluster_idbs_follow_the_sip_cluster_conventions(con):
    for idb in NODES:
        # G_PARTY: AGENTID 0, ENDPOINTID NULL or 0, ENDPOINTTYPE 1 on every internal (DN) party.
        assert (
            one(
                con,
                f"""SELECT count(*) FROM {idb}.G_PARTY WHERE TYPE = 1 AND
                   (AGENTID <> 0 OR coalesce(ENDPOINTID, 0) <> 0 OR ENDPOINTTYPE <> 1)""",
            )
            == 0
        )
        assert one(con, f"SELECT count(*) FROM {idb}.G_PARTY WHERE TYPE = 1") > 0
        # Agent tables: LOGINID and PLACEID NULL, ENDPOINTID 0, the DN name in GSYS_EXT_VCH1.
        assert (
            one(
                con,
                f"""SELECT count(*) FROM {idb}.G_LOGIN_SESSION
                   WHERE LOGINID IS NOT NULL OR PLACEID IS NOT NULL OR GSYS_EXT_VCH1 IS NULL""",
            )
            == 0
        )
        assert (
            one(
                con,
                f"""SELECT count(*) FROM {idb}.G_AGENT_STATE_HISTORY
                   WHERE ENDPOINTID <> 0 OR GSYS_EXT_VCH1 IS NULL""",
            )
            == 0
        )
        assert (
            one(
                con,
                f"""SELECT count(*) FROM {idb}.G_ROUTE_RESULT
                   WHERE coalesce(DESTENDPOINTID, 0) <> 0 OR (RESULT = 1 AND DESTENDPOINTTYPE <> 1)""",
            )
            == 0
        )


def test_classic_site_keeps_agent_ids_and_ids_generated_per_icon(con):
    wrong = one(
        con,
        """
        SELECT count(*) FROM dc2_classic_a.G_PARTY p
        JOIN TRUTH_PARTY_ID i ON i.SOURCE = 'dc2_classic_a' AND i.PARTYID = p.PARTYID
        JOIN TRUTH_PARTY t USING (PARTY_KEY)
        WHERE p.AGENTID IS DISTINCT FROM t.AGENTID""",
    )
    assert wrong == 0
    assert one(con, "SELECT count(*) FROM dc2_classic_a.G_PARTY WHERE AGENTID > 0") > 0
    # ICON generates PARTYID outside a cluster: the two IDBs of the pair never share one.
    assert (
        one(
            con,
            """SELECT count(*) FROM dc2_classic_a.G_PARTY a
                       JOIN dc2_classic_b.G_PARTY b USING (PARTYID)""",
        )
        == 0
    )
    assert one(con, "SELECT count(*) FROM dc2_classic_a.G_LOGIN_SESSION WHERE LOGINID IS NULL") == 0


def test_each_cluster_agent_party_resolves_to_exactly_one_true_login_session(con):
    """The DN of an agent party, on any node's gls data, matches exactly one login session, whose
    agent is the party's true agent; and calls do land on other nodes than their agent's."""
    sessions = " UNION ".join(
        f"SELECT GSYS_EXT_VCH1 AS DN, AGENTID, CREATED_TS, TERMINATED_TS, '{n}' AS NODE FROM {n}.G_LOGIN_SESSION"
        for n in NODES
        if n.endswith("_b")
    )
    parties = " UNION ALL ".join(
        f"SELECT PARTYID, ENDPOINTDN, CREATED_TS, '{n}' AS NODE FROM {n}.G_PARTY" for n in NODES if n.endswith("_b")
    )
    rows = con.execute(f"""
        WITH s AS ({sessions}), p AS ({parties}),
        agent_parties AS (SELECT p.*, t.AGENTID AS TRUE_AGENT FROM p
                          JOIN TRUTH_PARTY t ON t.PARTY_KEY = p.PARTYID WHERE t.AGENTID IS NOT NULL)
        SELECT a.PARTYID, count(s.DN) AS n, min(s.AGENTID) = min(a.TRUE_AGENT) AS right_agent,
               bool_or(s.NODE <> a.NODE) AS cross_node
        FROM agent_parties a LEFT JOIN s ON s.DN = a.ENDPOINTDN
             AND a.CREATED_TS >= s.CREATED_TS AND a.CREATED_TS < s.TERMINATED_TS
        GROUP BY a.PARTYID""").fetchall()
    assert rows, "the simulation has cluster agent parties"
    assert all(n == 1 for _, n, _, _ in rows)
    assert all(right for _, _, right, _ in rows)
    cross = sum(1 for *_, c in rows if c)
    # Nodes are drawn independently: about two thirds of agent parties sit on another node.
    assert 0.5 < cross / len(rows) < 0.8


def test_ha_members_are_identical_outside_the_gap_and_missing_exactly_inside_it(con):
    history = "SELECT PARTYID, STATE, ADDED_TS FROM dc1_node1_{m}.G_PARTY_HISTORY"
    in_gap = f"ADDED_TS >= {GAP_START} AND ADDED_TS < {GAP_END}"
    # Member b (no fault) has rows inside the gap; member a has none.
    assert one(con, f"SELECT count(*) FROM ({history.format(m='b')}) WHERE {in_gap}") > 0
    assert one(con, f"SELECT count(*) FROM ({history.format(m='a')}) WHERE {in_gap}") == 0
    # Outside the gap the members hold the same history rows (member a's duplicates aside).
    only_b = one(
        con,
        f"""SELECT count(*) FROM (
        SELECT * FROM ({history.format(m="b")}) WHERE NOT ({in_gap})
        EXCEPT SELECT * FROM ({history.format(m="a")}))""",
    )
    only_a = one(con, f"SELECT count(*) FROM ({history.format(m='a')} EXCEPT {history.format(m='b')})")
    assert (only_a, only_b) == (0, 0)
    # A party that started before the gap and ended inside it stays unterminated in member a.
    straddling = con.execute(f"""SELECT a.TERMINATED_TS IS NULL FROM dc1_node1_b.G_PARTY b
                                JOIN dc1_node1_a.G_PARTY a USING (PARTYID)
                                WHERE b.CREATED_TS < {GAP_START} AND b.TERMINATED_TS >= {GAP_START}
                                AND b.TERMINATED_TS < {GAP_END}""").fetchall()
    assert straddling and all(unterminated for (unterminated,) in straddling)
    # The gap shows in member a's data-source sessions: one ends at 10:00, the next starts at 11:00.
    dss = con.execute("""SELECT epoch(DSCONN_STIME)::BIGINT, epoch(DSCONN_ETIME)::BIGINT, DSCONN_TYPE
                         FROM dc1_node1_a.G_DSS_GCC_PROVIDER ORDER BY DSCONN_STIME""").fetchall()
    assert [(r[1], r[2]) for r in dss] == [(GAP_START, 1), (None, 2)]
    assert dss[1][0] == GAP_END
    # Every operational row names the session it was written in.
    assert (
        one(
            con,
            """SELECT count(*) FROM dc1_node1_a.G_CALL c
                       LEFT JOIN dc1_node1_a.G_DSS_GCC_PROVIDER d ON d.DSS_ID = c.GSYS_DOMAIN
                       WHERE d.DSS_ID IS NULL""",
        )
        == 0
    )


def test_rows_of_the_minutes_before_a_gap_are_delivered_twice_after_it(con):
    dups = con.execute("""SELECT count(*), count(DISTINCT PHID), min(GSYS_SEQ) < max(GSYS_SEQ)
                          FROM dc1_node1_a.G_PARTY_HISTORY GROUP BY PARTYID, STATE, ADDED_TS
                          HAVING count(*) > 1""").fetchall()
    assert dups, "dup:dc1_node1_a delivers rows again"
    assert all(n == 2 and phids == 2 and later for n, phids, later in dups)
    assert (
        con.execute(f"""SELECT 1 FROM dc1_node1_a.G_PARTY_HISTORY GROUP BY PARTYID, STATE, ADDED_TS
                           HAVING count(*) > 1 AND min(ADDED_TS) < {GAP_START - DUP_WINDOW}""").fetchall()
        == []
    )


def test_stuck_call_never_terminates_in_any_idb(con):
    stuck = con.execute("SELECT CALLID FROM TRUTH_CALL WHERE STUCK").fetchall()
    assert len(stuck) == 1
    callid = stuck[0][0]
    seen = 0
    for idb in NODES + ["dc2_classic_a", "dc2_classic_b"]:
        for state, terminated in con.execute(
            f"SELECT STATE, TERMINATED_TS FROM {idb}.G_CALL WHERE CALLID = '{callid}'"
        ).fetchall():
            assert (state, terminated) == (1, None)
            seen += 1
    assert seen == 2  # in both IDBs of its node's pair


def test_node3_clock_is_three_seconds_late(con):
    offsets = con.execute("""SELECT DISTINCT c.CREATED_TS - t.CREATED_TS FROM dc2_node3_b.G_CALL c
                             JOIN TRUTH_CALL t USING (CALLID)""").fetchall()
    assert offsets == [(3,)]
    assert con.execute("""SELECT DISTINCT c.CREATED_TS - t.CREATED_TS FROM dc1_node2_b.G_CALL c
                          JOIN TRUTH_CALL t USING (CALLID)""").fetchall() == [(0,)]


def test_party_durations_in_the_idb_equal_the_truth(con):
    """Ring, talk, hold and dial recomputed from G_PARTY_HISTORY (a fault-free member) equal truth."""
    for idb in ("dc1_node2_b", "dc2_classic_a"):
        mismatches = one(
            con,
            f"""
            WITH h AS (
                SELECT PARTYID, STATE, CHANGETYPE,
                       lead(ADDED_TS) OVER (PARTITION BY PARTYID ORDER BY PSEQ) - ADDED_TS AS d
                FROM {idb}.G_PARTY_HISTORY),
            m AS (SELECT PARTYID, sum(d) FILTER (STATE = 2) AS ring, sum(d) FILTER (STATE = 3) AS talk,
                         sum(d) FILTER (STATE = 4) AS hold, sum(d) FILTER (STATE = 1) AS dial
                  FROM h GROUP BY PARTYID)
            SELECT count(*) FROM m
            JOIN TRUTH_PARTY_ID i ON i.SOURCE = '{idb}' AND i.PARTYID = m.PARTYID
            JOIN TRUTH_PARTY t USING (PARTY_KEY)
            WHERE NOT t.CALLID IN (SELECT CALLID FROM TRUTH_CALL WHERE STUCK)
              AND (coalesce(m.ring, 0) <> t.RING_S OR coalesce(m.talk, 0) <> t.TALK_S
                   OR coalesce(m.hold, 0) <> t.HOLD_S OR coalesce(m.dial, 0) <> t.DIAL_S)""",
        )
        assert mismatches == 0, idb


def test_agent_state_truth_accounts_for_every_logged_in_second(con):
    per_agent = con.execute("""
        WITH s AS (SELECT AGENTID, sum(LOGOUT_TS - LOGIN_TS) AS logged FROM TRUTH_LOGIN_SESSION GROUP BY 1),
             st AS (SELECT AGENTID, sum(SECONDS) AS secs FROM TRUTH_AGENT_STATE GROUP BY 1)
        SELECT count(*), count(*) FILTER (s.logged <> st.secs) FROM s JOIN st USING (AGENTID)""").fetchone()
    assert per_agent[0] > 0 and per_agent[1] == 0
    assert one(con, "SELECT max(SECONDS) FROM TRUTH_AGENT_STATE") <= 900


def test_outcomes_match_what_the_idbs_show(con):
    # Every abandoned-in-queue cluster call has an abandoned route result and no agent party.
    bad = one(
        con,
        " UNION ALL ".join(
            f"""
        SELECT t.CALLID FROM TRUTH_CALL t JOIN {n}.G_ROUTE_RESULT r USING (CALLID)
        WHERE t.OUTCOME = 'abandoned_in_queue' AND r.RESULT <> 2"""
            for n in NODES
        ).join(["SELECT count(*) FROM (", ")"]),
    )
    assert bad == 0
    assert (
        one(
            con,
            """SELECT count(*) FROM TRUTH_PARTY p JOIN TRUTH_CALL c USING (CALLID)
                       WHERE c.OUTCOME IN ('abandoned_in_queue', 'ivr_only', 'cleared')
                       AND p.AGENTID IS NOT NULL""",
        )
        == 0
    )
    outcomes = dict(con.execute("SELECT OUTCOME, count(*) FROM TRUTH_CALL GROUP BY 1").fetchall())
    for expected in (
        "answered",
        "abandoned_in_queue",
        "abandoned_ringing",
        "abandoned_from_hold",
        "transferred",
        "conferenced",
        "internal",
        "outbound",
        "consult",
    ):
        assert outcomes.get(expected, 0) > 0, expected
    # Virtual-queue results agree: a distributed VQ row ends when its target starts ringing, on its call
    # or on the leg that call became at another site (ISCC).
    assert one(
        con,
        """SELECT count(*) FROM dc1_vq_b.G_VIRTUAL_QUEUE v JOIN TRUTH_PARTY p
                       ON (p.CALLID = v.CALLID
                           OR p.CALLID IN (SELECT CALLID FROM TRUTH_CALL WHERE ISCC_FROM = v.CALLID))
                      AND p.DN = v.TARGETDN AND p.CREATED_TS = v.TERMINATED_TS
                       WHERE v.RESULT = 1""",
    ) == one(con, "SELECT count(*) FROM dc1_vq_b.G_VIRTUAL_QUEUE WHERE RESULT = 1")


def test_each_day_has_the_requested_number_of_customer_interactions(con):
    assert one(con, "SELECT count(*) FROM TRUTH_CALL WHERE OUTCOME NOT IN ('consult', 'site_leg')") == PARAMS.calls


def test_outbound_attempts_link_to_calls_by_chain_call_or_only_by_user_data(con):
    counts = con.execute("""
        SELECT a.PREVIEW, a.CALLID IS NOT NULL AS MADE_CALL, count(*), count(x.CALLID), count(u.VALUE)
        FROM TRUTH_ATTEMPT a
        LEFT JOIN (SELECT * FROM dc1_ocs_a.GOX_CHAIN_CALL UNION ALL SELECT * FROM dc2_ocs.GOX_CHAIN_CALL) x
               ON x.CALLATTID = a.CALLATTID AND x.CALLID = a.CALLID
        LEFT JOIN (SELECT CALLID, VALUE FROM dc1_node1_b.G_USERDATA_HISTORY
                   UNION ALL SELECT CALLID, VALUE FROM dc1_node2_b.G_USERDATA_HISTORY
                   UNION ALL SELECT CALLID, VALUE FROM dc2_node3_b.G_USERDATA_HISTORY) u
               ON u.CALLID = a.CALLID AND u.VALUE = a.CALLATTID
        GROUP BY ALL ORDER BY ALL""").fetchall()
    by = {(preview, made): rest for preview, made, *rest in counts}
    assert set(by) == {(False, False), (False, True), (True, False), (True, True)}
    for preview in (False, True):  # an attempt that got no line made no call: nothing links it
        n_failed, linked_failed, ud_failed = by[(preview, False)]
        assert linked_failed == ud_failed == 0 and n_failed > 0
    n_pred, linked_pred, ud_pred = by[(False, True)]
    assert linked_pred == n_pred > 0 and ud_pred == n_pred  # predictive and progressive: both paths
    n_prev, linked_prev, ud_prev = by[(True, True)]
    assert linked_prev == 0 and ud_prev == n_prev > 0  # preview: user data only
    # Every attempt goes scheduled → processing (with its CALLATTID) → processed with a result, in the
    # IDB of the OCS that runs its campaign.
    history = con.execute("""
        SELECT count(*), count(*) FILTER (h.n = 3)
        FROM (SELECT CALLATTID, CAMPAIGN FROM TRUTH_ATTEMPT) a
        LEFT JOIN (SELECT CALLATTID, count(*) + 1 AS n, 'ocs1' AS OCS FROM dc1_ocs_a.GO_CHAINREC_HIST
                   WHERE CALLATTID IS NOT NULL GROUP BY 1
                   UNION ALL
                   SELECT CALLATTID, count(*) + 1, 'ocs2' FROM dc2_ocs.GO_CHAINREC_HIST
                   WHERE CALLATTID IS NOT NULL GROUP BY 1) h
          ON h.CALLATTID = a.CALLATTID AND h.OCS = CASE a.CAMPAIGN WHEN 'Winback' THEN 'ocs2' ELSE 'ocs1' END
        """).fetchall()[0]
    assert history[0] == history[1] > 0


def test_configuration_changes_over_time(con):
    renamed = con.execute("""SELECT LASTNAME, CREATED_TS, DELETED_TS, STATUS FROM dc1_cfg.GC_AGENT
                             WHERE AGENTID = 1000 ORDER BY CREATED_TS""").fetchall()
    assert [r[1:] for r in renamed] == [(renamed[0][1], RENAMED_AT, 2), (RENAMED_AT, None, 1)]
    assert renamed[1][0] == "Smith-Jones"
    assert con.execute("SELECT DELETED_TS, STATUS FROM dc1_cfg.GC_ENDPOINT WHERE DN = 'IVR_99'").fetchall() == [
        (DN_DELETED_AT, 2)
    ]
    moves = con.execute("""SELECT GROUPID, DELETED_TS FROM dc1_cfg.GCX_GROUP_AGENT WHERE AGENTID = 1001
                           ORDER BY CREATED_TS""").fetchall()
    assert len(moves) == 2 and moves[0][1] == GROUP_CHANGED_AT and moves[1][1] is None
    assert moves[0][0] != moves[1][0]
    # The two cfg IDBs (one per data center) hold the same configuration.
    same = "SELECT AGENTID, USERNAME, FIRSTNAME, LASTNAME, STATUS, CREATED_TS, DELETED_TS FROM {}.GC_AGENT"
    assert one(con, f"SELECT count(*) FROM ({same.format('dc1_cfg')} EXCEPT {same.format('dc2_cfg')})") == 0


@pytest.mark.parametrize("idb", ["dc1_node1_a", "dc1_vq_b", "dc2_classic_b", "dc1_ocs_b", "dc2_ocs"])
def test_sequences_are_unique_and_the_watermark_covers_everything_at_the_end(con, idb):
    tables = [
        r[0]
        for r in con.execute(f"""SELECT table_name FROM information_schema.columns
        WHERE table_catalog = '{idb}' AND column_name = 'GSYS_SEQ'""").fetchall()
    ]
    seqs = " UNION ALL ".join(
        f"SELECT GSYS_SEQ AS s FROM {idb}.{t} UNION ALL SELECT GSYS_USEQ FROM {idb}.{t}" for t in tables
    )
    n, distinct, top = con.execute(f"SELECT count(s), count(DISTINCT s), max(s) FROM ({seqs})").fetchone()
    assert n == distinct
    assert one(con, f"SELECT min(SEQCURRENT) FROM {idb}.G_PROV_CONTROL") == top


def test_a_midday_snapshot_holds_only_what_was_committed_and_seqcurrent_never_skips_a_late_row(sim, tmp_path):
    """At 12:00, dc1_node2_b (2 % of rows 900 s late) has rows numbered above SEQCURRENT; every row
    the end-of-day snapshot numbers at or below that SEQCURRENT was already there at 12:00."""
    import duckdb

    from idbmart.fixtures.simulator import simulate

    noon = 1_793_577_600 + 12 * 3600
    simulate(tmp_path, PARAMS, ["default"], at=noon)
    con = duckdb.connect()
    con.execute(f"ATTACH '{tmp_path / 'idb' / 'dc1_node2_b.duckdb'}' AS noon (READ_ONLY)")
    con.execute(f"ATTACH '{sim / 'idb' / 'dc1_node2_b.duckdb'}' AS eod (READ_ONLY)")
    seq_current = one(con, "SELECT min(SEQCURRENT) FROM noon.G_PROV_CONTROL")
    rows = " UNION ALL ".join(
        f"SELECT '{t}' AS t, {key} AS k, GSYS_SEQ FROM {{db}}.{t}"
        for t, key in (
            ("G_PARTY_HISTORY", "PARTYID || PSEQ"),
            ("G_USERDATA_HISTORY", "CALLID || CSEQ"),
            ("G_AGENT_STATE_HISTORY", "GSYS_EXT_VCH1 || ADDED_TS || STATE"),
            ("G_CALL", "CALLID"),
            ("G_PARTY", "PARTYID"),
        )
    )
    assert one(con, f"SELECT max(GSYS_SEQ) FROM ({rows.format(db='noon')})") > seq_current
    missed = one(
        con,
        f"""SELECT count(*) FROM (
        SELECT t, k FROM ({rows.format(db="eod")}) WHERE GSYS_SEQ <= {seq_current}
        EXCEPT SELECT t, k FROM ({rows.format(db="noon")}))""",
    )
    assert missed == 0
    # Nothing ends after the snapshot; agents still logged in at noon have no logout yet.
    assert one(con, f"SELECT count(*) FROM noon.G_CALL WHERE TERMINATED_TS > {noon}") == 0
    assert one(con, f"SELECT count(*) FROM noon.G_LOGIN_SESSION WHERE TERMINATED_TS > {noon}") == 0
    assert one(con, "SELECT count(*) FROM noon.G_LOGIN_SESSION WHERE TERMINATED_TS IS NULL AND STATE = 1") > 0
