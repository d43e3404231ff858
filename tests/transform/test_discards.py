"""Rows that break a rule reach STG_TRANSFORM_DISCARDS with their source, table, column, key and
reason, and their interaction still loads where it can (MART.md: nothing is dropped silently).

Each test changes the tiny IDB's CALL-0001 (08:10:00 to 08:12:20; Ann rings 08:10:03-08:10:10 and
talks 50 s + 60 s around a hold; tiny/README.md) and runs a cycle, whose gate must pass."""

from __future__ import annotations

import duckdb
import pytest

from idbmart.cycle import run_cycle

ANN = """SELECT {what} FROM INTERACTION_RESOURCE_FACT i JOIN RESOURCE_ r USING (RESOURCE_KEY)
         JOIN INTERACTION_FACT f USING (INTERACTION_ID)
         JOIN INTERACTION_TYPE t ON t.INTERACTION_TYPE_KEY = f.INTERACTION_TYPE_KEY
         WHERE f.MEDIA_SERVER_IXN_GUID = 'CALL-0001' AND r.RESOURCE_TYPE_CODE = 'AGENT'"""  # fmt: skip

# Some of the file's tests (6 to 9 s each) run in the slow tier only, so that `make test-fast` stays under
# two minutes; `make test` runs them.
SLOWEST = pytest.mark.slow


def cycle_after(tiny_deployment, *statements: str) -> duckdb.DuckDBPyConnection:
    """Run `statements` on the tiny IDB, then a cycle; the mart, read-only."""
    path, deployment = tiny_deployment
    with duckdb.connect(str(path)) as idb:
        for sql in statements:
            idb.execute(sql)
    result = run_cycle(deployment)
    assert result.quality.ok, result.quality.summary()
    return duckdb.connect(str(deployment.mart_path), read_only=True)


def discards(con, columns: str = "TABLE_NAME, COLUMN_NAME, REASON") -> list[tuple]:
    return con.execute(f"SELECT {columns} FROM STG_TRANSFORM_DISCARDS ORDER BY ALL").fetchall()


NOT_EXTRACTED = "the row belongs to no entity and is not extracted"
NOT_RECORDED = "of this IDB (not recorded here, as in an ICON gap; its HA partner may hold it)"


def history_rows(tiny_deployment, party: str) -> int:
    """How many G_PARTY_HISTORY rows the tiny IDB holds for the party `party` (a query) selects."""
    with duckdb.connect(str(tiny_deployment[0]), read_only=True) as idb:
        return idb.execute(f"SELECT count(*) FROM G_PARTY_HISTORY WHERE PARTYID = ({party})").fetchone()[0]


@SLOWEST
def test_a_call_and_interaction_that_end_before_they_begin_are_recorded_and_still_load(tiny_deployment):
    """G_IR and G_CALL ending an hour before they begin: both rows are discards with the reason; the
    interaction loads, ending where it begins, and Ann's fact keeps the talk its parties give."""
    with cycle_after(
        tiny_deployment,
        "UPDATE G_IR SET TERMINATED_TS = CREATED_TS - 3600 WHERE ROOTCALLID = 'CALL-0001'",
        "UPDATE G_CALL SET TERMINATED_TS = CREATED_TS - 3600 WHERE CALLID = 'CALL-0001'",
    ) as con:
        assert discards(con, "SOURCE_NAME, TABLE_NAME, COLUMN_NAME, ROW_KEY, REASON") == [
            ("site1", "G_CALL", "TERMINATED_TS", "CALL-0001",
             "call ends before it begins: its end is not used (its parties give its times)"),
            ("site1", "G_IR", "TERMINATED_TS", "IR-0001", "interaction ends before it begins: it ends where it begins"),
        ]  # fmt: skip
        assert con.execute(
            "SELECT START_TS, END_TS FROM INTERACTION_FACT WHERE MEDIA_SERVER_IXN_GUID = 'CALL-0001'"
        ).fetchall() == [(1793607000, 1793607000)]
        assert con.execute(ANN.format(what="sum(i.TALK_DURATION)")).fetchall() == [(110,)]


def test_a_party_with_no_call_is_a_discard_and_its_interaction_loads_without_it(tiny_deployment):
    """GIMPopIRF's facts are built from the parties an interaction has: one whose CALLID is NULL
    cannot be placed, so it is listed with the column, and so are its states; its interaction loads
    without it."""
    states = history_rows(tiny_deployment, "SELECT max(PARTYID) FROM G_PARTY WHERE CALLID = 'CALL-0001'")
    with cycle_after(
        tiny_deployment,
        "ALTER TABLE G_PARTY ALTER COLUMN CALLID DROP NOT NULL",
        "UPDATE G_PARTY SET CALLID = NULL "
        "WHERE PARTYID = (SELECT max(PARTYID) FROM G_PARTY WHERE CALLID = 'CALL-0001')",
    ) as con:
        assert discards(con, "SOURCE_NAME, TABLE_NAME, COLUMN_NAME, REASON") == [
            ("site1", "G_PARTY", "CALLID", "CALLID is NULL: the row belongs to no entity and is not extracted"),
            *[
                (
                    "site1",
                    "G_PARTY_HISTORY",
                    "PARTYID",
                    f"PARTYID matches no G_PARTY/G_CALL row {NOT_RECORDED}: {NOT_EXTRACTED}",
                )
            ]
            * states,
        ]
        assert con.execute(
            "SELECT count(*) FROM INTERACTION_FACT WHERE MEDIA_SERVER_IXN_GUID = 'CALL-0001'"
        ).fetchone() == (1,)


def test_codes_the_contract_does_not_know_are_discards_read_by_a_stated_rule(tiny_deployment):
    """A call type of 42 and a party type 77 / role 55 (idbmart/idb/enums.py knows neither) no longer stop
    the cycle or drop the agent's fact: each is listed with its column, the interaction is of type
    UNKNOWN, and Ann's party (she is its agent) stays an internal DN with her talk."""
    with cycle_after(
        tiny_deployment,
        "UPDATE G_CALL SET CALLTYPE = 42 WHERE CALLID = 'CALL-0001'",
        "UPDATE G_PARTY SET TYPE = 77, PROLE = 55 WHERE CALLID = 'CALL-0001' AND AGENTID > 0",
    ) as con:
        assert discards(con) == [
            ("G_CALL", "CALLTYPE", "unknown call type 42: its interaction type is UNKNOWN"),
            ("G_PARTY", "PROLE", "unknown party role 55: taken as a receiver"),
            ("G_PARTY", "TYPE",
             "unknown party type 77: an internal DN where it has an agent or a configured DN, else the customer"),
        ]  # fmt: skip
        assert con.execute(
            ANN.format(what="t.INTERACTION_TYPE_CODE, sum(i.TALK_DURATION)") + " GROUP BY 1"
        ).fetchall() == [("UNKNOWN", 110)]


@SLOWEST
def test_a_call_or_party_held_twice_with_other_content_is_taken_once_from_its_latest_row(tiny_deployment):
    """Issue: a duplicated G_CALL key with other content made one IRF eight. The IDB holds CALL-0001 and
    Ann's party twice, the copies written later (higher GSYS_SEQ) and different (the call OUTBOUND, the
    party ending 30 s earlier): each is taken once, from its latest row, the older rows are discards."""
    with cycle_after(
        tiny_deployment,
        "INSERT INTO G_CALL SELECT * REPLACE (GSYS_SEQ + 100 AS GSYS_SEQ, 3 AS CALLTYPE) FROM G_CALL "
        "WHERE CALLID = 'CALL-0001'",
        "INSERT INTO G_PARTY SELECT * REPLACE (GSYS_SEQ + 100 AS GSYS_SEQ, TERMINATED_TS - 30 AS TERMINATED_TS) "
        "FROM G_PARTY WHERE CALLID = 'CALL-0001' AND AGENTID > 0",
        "UPDATE G_PROV_CONTROL SET SEQCOUNTER = 200, SEQCURRENT = 200",
    ) as con:
        assert discards(con) == [
            ("G_CALL", "CALLID", "call held twice with other content: its row of the latest GSYS_SEQ is taken"),
            ("G_PARTY", "PARTYID", "party held twice with other content: its row of the latest GSYS_SEQ is taken"),
        ]
        # one IRF for Ann, ending with the later row (08:12:20 less 30 s); the interaction is outbound
        assert con.execute(
            ANN.format(what="count(*), max(i.END_TS), any_value(t.INTERACTION_TYPE_CODE)")
        ).fetchall() == [(1, 1793607140 - 30, "OUTBOUND")]


@SLOWEST
def test_a_time_no_idb_could_have_written_is_a_discard_and_the_interaction_loads_whole(tiny_deployment):
    """Issue: a CREATED_TS of -86400 in one row stopped every cycle (or lost the row to the time bound).
    CALL-0001's G_IR and Ann's G_PARTY are created at -86400, then (a second cycle) its G_CALL too: each
    row is listed; the interaction begins with its root call, then with its first party (the routing
    point's, 08:10:00), and Ann's fact with her first state (rings at 08:10:03), her talk intact."""
    cycle_after(
        tiny_deployment,
        "UPDATE G_IR SET CREATED_TS = -86400 WHERE ROOTCALLID = 'CALL-0001'",
        "UPDATE G_PARTY SET CREATED_TS = -86400 WHERE CALLID = 'CALL-0001' AND AGENTID > 0",
    ).close()
    with cycle_after(  # the call too, read by a second cycle (a change of the row)
        tiny_deployment,
        "UPDATE G_CALL SET CREATED_TS = -86400, GSYS_USEQ = 51 WHERE CALLID = 'CALL-0001'",
        "UPDATE G_PROV_CONTROL SET SEQCOUNTER = 51, SEQCURRENT = 51",
    ) as con:
        assert discards(con) == [
            ("G_CALL", "CREATED_TS", "call created at an implausible time (-86400): its creation is not used"),
            ("G_IR", "CREATED_TS",
             "interaction created at an implausible time (-86400): it begins with its root call, else its first party"),
            ("G_PARTY", "CREATED_TS", "party created at an implausible time (-86400): it begins with its first state"),
        ]  # fmt: skip
        assert con.execute(
            "SELECT START_TS FROM INTERACTION_FACT WHERE MEDIA_SERVER_IXN_GUID = 'CALL-0001'"
        ).fetchall() == [(1793607000,)]
        assert con.execute(ANN.format(what="i.START_TS, i.TALK_DURATION")).fetchall() == [(1793607003, 110)]


def test_a_party_without_any_state_is_a_discard(tiny_deployment):
    """Issue: with G_PARTY_HISTORY empty in both members every party lost its talk silently. Ann's
    party with no history row is listed; it loads with no talk."""
    with cycle_after(
        tiny_deployment,
        "DELETE FROM G_PARTY_HISTORY WHERE PARTYID = (SELECT PARTYID FROM G_PARTY WHERE CALLID = 'CALL-0001' "
        "AND AGENTID > 0)",
    ) as con:
        assert discards(con) == [
            (
                "G_PARTY",
                "PARTYID",
                "party without any state (no G_PARTY_HISTORY row): it loads with no ring, talk or hold",
            )
        ]
        assert con.execute(ANN.format(what="i.TALK_DURATION")).fetchall() == [(0,)]


def test_a_party_without_an_end_or_a_partyid_is_a_discard_read_by_a_stated_rule(tiny_deployment):
    """Ann's party with no TERMINATED_TS ends with her last state change (released at 08:12:20);
    the routing point's with no PARTYID loads without its states. Both are listed, and so are the
    routing point's states, whose PARTYID matches no party any more."""
    states = history_rows(
        tiny_deployment, "SELECT PARTYID FROM G_PARTY WHERE CALLID = 'CALL-0001' AND ENDPOINTDN = '5001'"
    )
    with cycle_after(
        tiny_deployment,
        "ALTER TABLE G_PARTY ALTER COLUMN TERMINATED_TS DROP NOT NULL",
        "ALTER TABLE G_PARTY ALTER COLUMN PARTYID DROP NOT NULL",
        "UPDATE G_PARTY SET TERMINATED_TS = NULL WHERE CALLID = 'CALL-0001' AND AGENTID > 0",
        "UPDATE G_PARTY SET PARTYID = NULL WHERE CALLID = 'CALL-0001' AND ENDPOINTDN = '5001'",
    ) as con:
        assert discards(con) == [
            ("G_PARTY", "PARTYID", "party without PARTYID: its states cannot be read, it loads without them"),
            ("G_PARTY", "TERMINATED_TS", "party without an end (TERMINATED_TS NULL): it ends with its last state"),
            *[("G_PARTY_HISTORY", "PARTYID", f"PARTYID matches no G_PARTY/G_CALL row {NOT_RECORDED}: {NOT_EXTRACTED}")]
            * states,
        ]
        assert con.execute(ANN.format(what="i.END_TS")).fetchall() == [(1793607140,)]


def test_an_end_no_idb_could_have_written_is_a_discard_and_the_interaction_keeps_its_times(tiny_deployment):
    """Issue: a TERMINATED_TS of 2147483000 (2038) stopped every cycle with an overflow. CALL-0001's
    G_CALL, G_IR and three G_PARTY rows end in 2038, over 30 days after they began (Info Mart keeps no
    interaction active longer than days-to-keep-active-facts, 30 by default: Options GIM gim-etl): each
    row is listed; the interaction ends with its last party, each party with its last state (released
    at 08:12:20), Ann's talk intact, and DATE_TIME does not reach 2038."""
    with cycle_after(
        tiny_deployment,
        *(
            f"UPDATE {table} SET TERMINATED_TS = 2147483000 WHERE {column} = 'CALL-0001'"
            for table, column in (("G_CALL", "CALLID"), ("G_IR", "ROOTCALLID"), ("G_PARTY", "CALLID"))
        ),
    ) as con:
        late = "at an implausible time (2147483000, over 30 days after it began)"
        assert discards(con, "TABLE_NAME, COLUMN_NAME, ROW_KEY, REASON") == [
            ("G_CALL", "TERMINATED_TS", "CALL-0001", f"call ends {late}: its end is not used"),
            ("G_IR", "TERMINATED_TS", "IR-0001", f"interaction ends {late}: it ends with its last party"),
            *(
                ("G_PARTY", "TERMINATED_TS", f"CALL-0001|P-0001-{n}", f"party ends {late}: it ends with its last state")
                for n in (1, 2, 3)
            ),
        ]
        assert con.execute(
            "SELECT START_TS, END_TS FROM INTERACTION_FACT WHERE MEDIA_SERVER_IXN_GUID = 'CALL-0001'"
        ).fetchall() == [(1793607000, 1793607140)]
        assert con.execute(ANN.format(what="i.END_TS, i.TALK_DURATION")).fetchall() == [(1793607140, 110)]
        assert con.execute(
            "SELECT count(*) FROM DATE_TIME WHERE DATE_TIME_KEY BETWEEN 2147483000 - 86400 AND 2147483000"
        ).fetchall() == [(0,)]


def test_a_call_without_callid_is_a_discard_and_so_is_everything_that_finds_its_call_by_it(tiny_deployment):
    """Issue: a G_CALL.CALLID NULL lost the call's resource and mediation facts silently. CALL-0001's
    G_CALL has no CALLID: the row is listed, and so is every row that finds its call by CALLID (its
    three parties, their states, its route result and user data: not extracted); the interaction loads
    from its IR with no resource fact, taken as inbound (no root call: macro interaction_type_key), and
    CALL-0002 is untouched."""
    with duckdb.connect(str(tiny_deployment[0]), read_only=True) as idb:
        found_by_callid = dict(
            idb.execute("""
                SELECT 'G_PARTY', count(*) FROM G_PARTY WHERE CALLID = 'CALL-0001'
                UNION ALL SELECT 'G_PARTY_HISTORY', count(*) FROM G_PARTY_HISTORY
                  WHERE PARTYID IN (SELECT PARTYID FROM G_PARTY WHERE CALLID = 'CALL-0001')
                UNION ALL SELECT 'G_ROUTE_RESULT', count(*) FROM G_ROUTE_RESULT WHERE CALLID = 'CALL-0001'
                UNION ALL SELECT 'G_USERDATA_HISTORY', count(*) FROM G_USERDATA_HISTORY WHERE CALLID = 'CALL-0001'
            """).fetchall()
        )
    assert found_by_callid["G_PARTY"] == 3 and all(found_by_callid.values())
    with cycle_after(
        tiny_deployment,
        "ALTER TABLE G_CALL ALTER COLUMN CALLID DROP NOT NULL",
        "UPDATE G_CALL SET CALLID = NULL WHERE CALLID = 'CALL-0001'",
    ) as con:
        listed = dict(con.execute("SELECT TABLE_NAME, count(*) FROM STG_TRANSFORM_DISCARDS GROUP BY 1").fetchall())
        assert listed == {"G_CALL": 1, **found_by_callid}
        assert con.execute("SELECT REASON FROM STG_TRANSFORM_DISCARDS WHERE TABLE_NAME = 'G_CALL'").fetchall() == [
            ("call without CALLID: its parties, user data and routing cannot find it (listed as not extracted)",)
        ]
        assert set(
            con.execute(
                "SELECT COLUMN_NAME, REASON FROM STG_TRANSFORM_DISCARDS "
                "WHERE TABLE_NAME IN ('G_PARTY', 'G_ROUTE_RESULT')"
            ).fetchall()
        ) == {("CALLID", f"CALLID matches no G_CALL row {NOT_RECORDED}: {NOT_EXTRACTED}")}
        assert con.execute(
            """SELECT f.MEDIA_SERVER_IXN_GUID, t.INTERACTION_TYPE_CODE, f.START_TS, f.END_TS, count(i.INTERACTION_ID)
               FROM INTERACTION_FACT f JOIN INTERACTION_TYPE t USING (INTERACTION_TYPE_KEY)
               LEFT JOIN INTERACTION_RESOURCE_FACT i USING (INTERACTION_ID) GROUP BY ALL ORDER BY 1"""
        ).fetchall() == [
            ("CALL-0001", "INBOUND", 1793607000, 1793607140, 0),
            ("CALL-0002", "INBOUND", 1793607600, 1793607630, 1),
        ]


@SLOWEST
def test_hostile_user_data_values_are_stored_verbatim(tiny_deployment):
    """Held when the IDBs were attacked (issue), kept as a regression test: a value that is SQL, one
    holding a NUL byte and one of 5 MB reach IRF_USER_DATA_CUST_1 (CustomerID, IVR_APP: etl.cust_1_keys)
    as they are, with no discard, and the mart holds its two interactions."""
    sql = "x'); DROP TABLE INTERACTION_FACT; --"
    nul = "before\x00after"
    large = "5" * 5_000_000
    rows = [(sql, "CustomerID", 43), (nul + large, "IVR_APP", 44)]
    with duckdb.connect(str(tiny_deployment[0])) as idb:
        for value, key, seq in rows:
            idb.execute(
                "INSERT INTO G_USERDATA_HISTORY (ID, CALLID, PARTYID, ENDPOINTID, KEYNAME, VALUE, CHANGETYPE, CSEQ, "
                "ADDED, ADDED_TS, GSYS_DOMAIN, GSYS_SEQ) VALUES (?, 'CALL-0001', 'P-0001-2', 13, ?, ?, 1, ?, "
                "'2026-11-02 08:10:01', 1793607001, 1002, ?)",
                [seq, key, value, seq, seq],
            )
    with cycle_after(tiny_deployment) as con:
        assert discards(con) == []
        stored = con.execute(
            """SELECT DISTINCT u.CUSTOMER_ID, u.IVR_APPLICATION FROM IRF_USER_DATA_CUST_1 u
               JOIN INTERACTION_FACT f USING (INTERACTION_ID) WHERE f.MEDIA_SERVER_IXN_GUID = 'CALL-0001'"""
        ).fetchall()
        assert stored == [(sql, nul + large)]
        assert con.execute("SELECT count(*) FROM INTERACTION_FACT").fetchone() == (2,)


@SLOWEST
def test_a_revenue_that_is_not_a_number_is_a_discard_and_its_fact_loads_without_it(tiny_deployment):
    """IRF_USER_DATA_GEN_1.REVENUE is a number (Info Mart's predefined Revenue KVP, Table-IRF_USER_DATA_GEN_1):
    Ann attaches Revenue "12.5" and later "lots"; the later value is listed with the reason and the
    fact holds no revenue (the latest value by the CALL rule is not a number), while Satisfaction 4 loads."""
    rows = [("Revenue", "12.5", 1, 43), ("Satisfaction", "4", 1, 44), ("Revenue", "lots", 2, 45)]
    with duckdb.connect(str(tiny_deployment[0])) as idb:
        for key, value, change, seq in rows:
            idb.execute(
                "INSERT INTO G_USERDATA_HISTORY (ID, CALLID, PARTYID, ENDPOINTID, KEYNAME, VALUE, CHANGETYPE, CSEQ, "
                "ADDED, ADDED_TS, GSYS_DOMAIN, GSYS_SEQ) VALUES (?, 'CALL-0001', 'P-0001-2', 13, ?, ?, ?, ?, "
                "'2026-11-02 08:10:30', 1793607030, 1002, ?)",
                [seq, key, value, change, seq, seq],
            )
    with cycle_after(tiny_deployment) as con:
        assert discards(con, "SOURCE_NAME, TABLE_NAME, COLUMN_NAME, ROW_KEY, REASON") == [
            ("site1", "G_USERDATA_HISTORY", "VALUE", "CALL-0001|Revenue|45",
             "value of Revenue is not a number (lots): IRF_USER_DATA_GEN_1.REVENUE holds none from it"),
        ]  # fmt: skip
        assert con.execute(
            f"""SELECT g.REVENUE, g.SATISFACTION FROM IRF_USER_DATA_GEN_1 AS g
                WHERE g.INTERACTION_RESOURCE_ID IN ({ANN.format(what="i.INTERACTION_RESOURCE_ID")})"""
        ).fetchall() == [(None, 4)]


@SLOWEST
def test_a_row_listed_without_its_call_is_no_discard_once_its_call_is_there(tiny_deployment):
    """A party read before its call (a live IDB that committed the call later; here CALL-0001's G_CALL
    row under another CALLID at first) is listed as not extracted; once the call is there, the party,
    its states and the rest are extracted and the listing goes: only discards of rows still out stay."""
    path, deployment = tiny_deployment
    with duckdb.connect(str(path)) as idb:
        idb.execute("UPDATE G_CALL SET CALLID = 'CALL-0001-LATER' WHERE CALLID = 'CALL-0001'")
    run_cycle(deployment)
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        assert {t for (t,) in con.execute("SELECT TABLE_NAME FROM STG_TRANSFORM_DISCARDS").fetchall()} >= {
            "G_PARTY",
            "G_PARTY_HISTORY",
        }
    with cycle_after(
        tiny_deployment,
        "UPDATE G_CALL SET CALLID = 'CALL-0001', GSYS_USEQ = 51 WHERE CALLID = 'CALL-0001-LATER'",
        "UPDATE G_PROV_CONTROL SET SEQCOUNTER = 51, SEQCURRENT = 51",
    ) as con:
        assert discards(con) == []
        assert con.execute(ANN.format(what="i.TALK_DURATION")).fetchall() == [(110,)]
