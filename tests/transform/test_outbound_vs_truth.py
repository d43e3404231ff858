"""Outbound Contact facts against the simulator's truth (ICON outbound integration guide).

One simulated day with the default faults, and an hour lost by the primary ICON of OCS 1's HA pair:
Retention (predictive) and Collections (preview) on OCS 1, Winback (progressive) on OCS 2. Predictive
and progressive attempts' calls are linked in GOX_CHAIN_CALL; preview ones only through the call
attempt GUID in the call's user data; every 25th chain has a first attempt that got no line (no call).
Expected values come from TRUTH_ATTEMPT (every dial attempt, its call, agent, result and times) and
TRUTH_CAMPAIGN_STATE. That the same facts come
out of any schedule of cycles (chains before their calls, campaign sessions after their chains) is
checked with the rest of the star schema in tests/test_cycle.py.
"""

from __future__ import annotations

import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, simulate
from idbmart.idb.enums import CALL_RESULT_TYPES, CallResult
from tests.conftest import mart_with_truth, one

P = Params(calls=1500, seed=23)
FAULTS = ["default", "gap:dc1_ocs_a:12:00-13:00"]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    out = tmp_path_factory.mktemp("outbound")
    deployment = config.load(simulate(out, P, FAULTS))
    result = run_cycle(deployment)
    assert not result.skipped
    con = mart_with_truth(deployment.mart_path, out / "truth")
    # The attempts whose call ended (a stuck call's interaction is not loaded within the day).
    con.execute("""CREATE TEMP VIEW ATTEMPT AS SELECT a.* FROM TRUTH_ATTEMPT AS a
                   JOIN TRUTH_CALL AS c USING (CALLID) WHERE NOT c.STUCK""").fetchall()
    yield con
    con.close()


def test_every_dial_attempt_is_loaded_once_with_its_campaign_mode_and_result(con):
    truth, facts, keys = one(
        con,
        """SELECT (SELECT count(*) FROM TRUTH_ATTEMPT), (SELECT count(*) FROM CONTACT_ATTEMPT_FACT),
                  (SELECT count(DISTINCT CALL_ATTEMPT_ID) FROM CONTACT_ATTEMPT_FACT)""",
    )
    assert truth == facts == keys > 150
    wrong = con.execute("""
        SELECT t.CALLATTID, t.CAMPAIGN, c.CAMPAIGN_NAME, t.CALLING_LIST, l.CALLING_LIST_NAME, t.DIAL_MODE,
               d.DIALING_MODE_CODE, t.CALLRESULT, f.CALL_RESULT_KEY, t.DIALED_TS, f.START_TS, t.PROCESSED_TS, f.END_TS
        FROM TRUTH_ATTEMPT AS t
        LEFT JOIN CONTACT_ATTEMPT_FACT AS f ON f.CALL_ATTEMPT_ID = t.CALLATTID
        LEFT JOIN CAMPAIGN AS c USING (CAMPAIGN_KEY)
        LEFT JOIN CALLING_LIST AS l USING (CALLING_LIST_KEY)
        LEFT JOIN DIALING_MODE AS d USING (DIALING_MODE_KEY)
        WHERE c.CAMPAIGN_NAME IS DISTINCT FROM t.CAMPAIGN OR l.CALLING_LIST_NAME IS DISTINCT FROM t.CALLING_LIST
           OR d.DIALING_MODE_CODE IS DISTINCT FROM t.DIAL_MODE OR f.CALL_RESULT_KEY IS DISTINCT FROM t.CALLRESULT
           OR f.START_TS IS DISTINCT FROM t.DIALED_TS OR f.END_TS IS DISTINCT FROM t.PROCESSED_TS
           OR f.CHAIN_GUID IS DISTINCT FROM t.CHAINGUID OR f.CAMPAIGN_GROUP_SESSION_ID IS DISTINCT FROM t.SESSID
        LIMIT 5""").fetchall()  # fmt: skip
    assert wrong == []
    # Winback switched from progressive to predictive dialling during the day: attempts of both.
    modes = con.execute("""SELECT DISTINCT d.DIALING_MODE_CODE FROM CONTACT_ATTEMPT_FACT
                           JOIN CAMPAIGN USING (CAMPAIGN_KEY) JOIN DIALING_MODE AS d USING (DIALING_MODE_KEY)
                           WHERE CAMPAIGN_NAME = 'Winback' ORDER BY 1""").fetchall()  # fmt: skip
    assert modes == [("PREDICTIVE",), ("PROGRESSIVE",)]
    # A chain dialled again after an attempt that got no line: its attempts are numbered in order.
    retried = one(con, """SELECT count(*) FILTER (ATTEMPT_ORDINAL = 2 AND CALL_RESULT_KEY = 33), max(ATTEMPT_ORDINAL)
                          FROM CONTACT_ATTEMPT_FACT""")  # fmt: skip
    assert retried[0] > 0 and retried[1] == 2
    # Call results by type: answered calls connect, unanswered ones are no contact, no line is an error.
    by_type = dict(
        con.execute("""SELECT r.CALL_RESULT_TYPE, count(*) FROM CONTACT_ATTEMPT_FACT
                                  JOIN CALL_RESULT AS r USING (CALL_RESULT_KEY) GROUP BY 1""").fetchall()
    )
    truth_types: dict[str, int] = {}
    for (result,) in con.execute("SELECT CALLRESULT FROM TRUTH_ATTEMPT").fetchall():
        kind = CALL_RESULT_TYPES[CallResult(result)]
        truth_types[kind] = truth_types.get(kind, 0) + 1
    assert by_type == truth_types and set(by_type) == {"CONNECT", "NO_CONTACT", "ERROR"}


def test_every_attempt_links_to_its_call_through_either_path(con):
    rows = con.execute("""
        SELECT t.PREVIEW, f.LINK_PATH, count(*),
               count(*) FILTER (f.MEDIA_SERVER_IXN_GUID = t.CALLID AND i.MEDIA_SERVER_IXN_GUID = t.CALLID),
               count(*) FILTER (t.AGENTID IS NOT NULL),
               count(*) FILTER (t.AGENTID IS NOT NULL AND r.MEDIA_SERVER_IXN_GUID = t.CALLID
                                AND a.RESOURCE_CFG_DBID = t.AGENTID AND a.RESOURCE_TYPE_CODE = 'AGENT'),
               count(f.INTERACTION_RESOURCE_ID) FILTER (t.AGENTID IS NULL)
        FROM ATTEMPT AS t
        JOIN CONTACT_ATTEMPT_FACT AS f ON f.CALL_ATTEMPT_ID = t.CALLATTID
        LEFT JOIN INTERACTION_FACT AS i ON i.INTERACTION_ID = f.INTERACTION_ID
        LEFT JOIN INTERACTION_RESOURCE_FACT AS r ON r.INTERACTION_RESOURCE_ID = f.INTERACTION_RESOURCE_ID
        LEFT JOIN RESOURCE_ AS a ON a.RESOURCE_KEY = r.RESOURCE_KEY
        GROUP BY ALL ORDER BY 1""").fetchall()  # fmt: skip
    (
        (pred, pred_path, n_pred, call_pred, agent_pred, irf_pred, stray_pred),
        (prev, prev_path, n_prev, call_prev, agent_prev, irf_prev, stray_prev),
    ) = rows
    assert (pred, pred_path, prev, prev_path) == (False, "CHAIN_CALL", True, "USER_DATA")
    assert call_pred == n_pred > 100 and call_prev == n_prev > 30  # the call and its interaction
    assert irf_pred == agent_pred > 100 and irf_prev == agent_prev > 30  # the agent IRF where an agent took it
    assert stray_pred == stray_prev == 0  # an unanswered dial has an interaction but no agent IRF
    # An attempt that got no line made no call: nothing to link.
    no_call = one(con, """SELECT count(*), count(f.LINK_PATH), count(f.MEDIA_SERVER_IXN_GUID), count(f.INTERACTION_ID)
                          FROM TRUTH_ATTEMPT AS t JOIN CONTACT_ATTEMPT_FACT AS f ON f.CALL_ATTEMPT_ID = t.CALLATTID
                          WHERE t.CALLID IS NULL""")  # fmt: skip
    assert no_call[0] > 0 and no_call[1:] == (0, 0, 0)


def test_campaign_sessions_and_state_durations_are_exact(con):
    sessions = con.execute("""
        SELECT f.CAMPAIGN_GROUP_SESSION_ID, f.START_TS, f.END_TS, g.CAMPAIGN_GROUP_NAME, c.CAMPAIGN_NAME,
               d.DIALING_MODE_CODE
        FROM CAMPAIGN_GROUP_SESSION_FACT AS f JOIN CAMPAIGN_GROUP AS g USING (CAMPAIGN_GROUP_KEY)
        JOIN CAMPAIGN AS c ON c.CAMPAIGN_KEY = f.CAMPAIGN_KEY JOIN DIALING_MODE AS d USING (DIALING_MODE_KEY)
        ORDER BY 1""").fetchall()  # fmt: skip
    truth = con.execute("""
        SELECT SESSID, min(START_TS), max(END_TS), any_value(a.CAMPAIGN) || '@Outbound', any_value(a.CAMPAIGN),
               arg_max(a.DIAL_MODE, a.DIALED_TS)
        FROM TRUTH_CAMPAIGN_STATE
        JOIN (SELECT SESSID, CAMPAIGN, DIAL_MODE, DIALED_TS FROM TRUTH_ATTEMPT) AS a USING (SESSID)
        GROUP BY 1 ORDER BY 1""").fetchall()  # fmt: skip
    assert sessions == truth and len(truth) == 3  # three campaigns, one day
    states = con.execute("""
        SELECT f.CAMPAIGN_GROUP_SESSION_ID, s.CAMPAIGN_GROUP_STATE_CODE, f.START_TS, f.END_TS, f.TOTAL_DURATION
        FROM CAMPAIGN_GROUP_STATE_FACT AS f JOIN CAMPAIGN_GROUP_STATE AS s USING (CAMPAIGN_GROUP_STATE_KEY)
        ORDER BY 1, 3""").fetchall()  # fmt: skip
    expected = con.execute(
        "SELECT SESSID, STATE, START_TS, END_TS, END_TS - START_TS FROM TRUTH_CAMPAIGN_STATE ORDER BY 1, 3"
    ).fetchall()
    assert states == expected and len(expected) == 9  # loaded, started, unloading


def test_calling_list_metrics_count_the_records_not_yet_dialled(con):
    # OCS reports every 10 minutes while a session runs how many of each list's records are left.
    wrong, rows = one(con, """
        WITH record AS (SELECT CHAINGUID, any_value(CALLING_LIST) AS LIST, min(DIALED_TS) AS FIRST_DIAL
                        FROM TRUTH_ATTEMPT GROUP BY 1)
        SELECT count(*) FILTER (m.RECORDS_NOT_PROCESSED IS DISTINCT FROM
                                (SELECT count(*) FILTER (r.FIRST_DIAL > m.METRIC_TS) FROM record AS r
                                 WHERE r.LIST = l.CALLING_LIST_NAME)),
               count(*)
        FROM CALLING_LIST_METRIC_FACT AS m JOIN CALLING_LIST AS l USING (CALLING_LIST_KEY)""")  # fmt: skip
    sessions = one(con, "SELECT count(*) FROM CAMPAIGN_GROUP_SESSION_FACT")[0]
    assert wrong == 0 and rows == sessions * 85  # 07:00 to 21:05 every 600 s
    assert one(con, "SELECT count(*) FROM CAMP_GROUP_METRIC_FACT")[0] == rows


def test_every_outbound_key_resolves_in_its_dimension(con):
    checks = {
        "CAMPAIGN": "SELECT CAMPAIGN_KEY FROM CAMPAIGN",
        "CAMPAIGN_GROUP": "SELECT CAMPAIGN_GROUP_KEY FROM CAMPAIGN_GROUP",
        "GROUP": "SELECT GROUP_KEY FROM GROUP_",
        "CALLING_LIST": "SELECT CALLING_LIST_KEY FROM CALLING_LIST",
        "DIALING_MODE": "SELECT DIALING_MODE_KEY FROM DIALING_MODE",
        "CALL_RESULT": "SELECT CALL_RESULT_KEY FROM CALL_RESULT",
        "TENANT": "SELECT TENANT_KEY FROM TENANT",
    }
    for column, keys in checks.items():
        key = "GROUP_KEY" if column == "GROUP" else f"{column}_KEY"
        unresolved = one(con, f"SELECT count(*) FROM CONTACT_ATTEMPT_FACT WHERE {key} IS NULL OR {key} NOT IN ({keys})")
        assert unresolved == (0,), column
    # The configured campaign groups say which agent group runs which campaign.
    runs = con.execute("""SELECT g.GROUP_NAME, c.CAMPAIGN_NAME FROM GROUP_TO_CAMPAIGN_FACT_ AS f
                          JOIN GROUP_ AS g USING (GROUP_KEY) JOIN CAMPAIGN AS c USING (CAMPAIGN_KEY)
                          ORDER BY 2""").fetchall()  # fmt: skip
    assert runs == [("Outbound", c) for c in ("Collections", "Retention", "Winback")]


def test_campaign_aggregates_count_attempts_results_and_times_as_the_truth_has_them(con):
    # Per campaign over the day: attempts, connects, calls, attempts an agent took, the dialling time
    # (from dialling until the customer answered or the call was released) and the agents' talk time.
    mart = con.execute("""
        SELECT c.CAMPAIGN_NAME, sum(ATTEMPTS), sum(CONNECTS), sum(NO_CONTACTS), sum(ERRORS), sum(CALLS), sum(ENGAGED),
               sum(DIAL_TIME), sum(ENGAGE_TIME)
        FROM AG2_CAMPAIGN_DAY AS a JOIN CAMPAIGN AS c USING (CAMPAIGN_KEY) GROUP BY 1 ORDER BY 1""").fetchall()
    truth = con.execute("""
        SELECT t.CAMPAIGN, count(*), count(t.ANSWERED_TS), count(t.CALLID) - count(t.ANSWERED_TS),
               count(*) - count(t.CALLID), count(*) FILTER (NOT c.STUCK), count(t.AGENTID) FILTER (NOT c.STUCK),
               sum(coalesce(t.ANSWERED_TS, t.ENDED_TS) - t.DIALED_TS) FILTER (NOT c.STUCK),
               coalesce(sum(p.TALK_S) FILTER (NOT c.STUCK), 0)
        FROM TRUTH_ATTEMPT AS t LEFT JOIN TRUTH_CALL AS c USING (CALLID)
        LEFT JOIN TRUTH_PARTY AS p ON p.CALLID = t.CALLID AND p.AGENTID = t.AGENTID
        GROUP BY 1 ORDER BY 1""").fetchall()  # fmt: skip
    assert mart == truth and all(row[8] > 0 and row[4] > 0 for row in truth)
    # Each level adds up to the same totals (every level is rolled up from the one below).
    levels = con.execute("""
        SELECT count(DISTINCT (s, d)) FROM (
          SELECT 'SUBHR' AS l, sum(ATTEMPTS) AS s, sum(DIAL_TIME) AS d FROM AG2_CAMPAIGN_SUBHR UNION ALL
          SELECT 'HOUR', sum(ATTEMPTS), sum(DIAL_TIME) FROM AG2_CAMPAIGN_HOUR UNION ALL
          SELECT 'WEEK', sum(ATTEMPTS), sum(DIAL_TIME) FROM AG2_CAMPAIGN_WEEK UNION ALL
          SELECT 'YEAR', sum(ATTEMPTS), sum(DIAL_TIME) FROM AG2_CAMPAIGN_YEAR)""").fetchall()  # fmt: skip
    assert levels == [(1,)]


def test_agent_campaign_aggregates_are_each_agents_true_attempts_and_talk(con):
    """RAA's agent-by-campaign aggregate (AGT_AGENT_CAMPAIGN): per agent and campaign, the attempts that
    reached the agent and the agent's talk with their customers; the attempt's fact names its agent
    (CONTACT_ATTEMPT_FACT.RESOURCE_KEY). From the truth: each attempt's agent, and that agent's talk seconds
    on the attempt's call (stuck calls left out, as the campaign aggregate does)."""
    mart = con.execute("""
        SELECT r.RESOURCE_CFG_DBID, c.CAMPAIGN_NAME, sum(a.OFFERED), sum(a.ENGAGE_TIME)
        FROM AG2_AGENT_CAMPAIGN_DAY AS a JOIN CAMPAIGN AS c USING (CAMPAIGN_KEY)
        JOIN RESOURCE_ AS r USING (RESOURCE_KEY) GROUP BY ALL ORDER BY ALL""").fetchall()  # fmt: skip
    truth = con.execute("""
        SELECT t.AGENTID, t.CAMPAIGN, count(*), coalesce(sum(p.TALK_S), 0)
        FROM TRUTH_ATTEMPT AS t JOIN TRUTH_CALL AS c USING (CALLID)
        LEFT JOIN TRUTH_PARTY AS p ON p.CALLID = t.CALLID AND p.AGENTID = t.AGENTID
        WHERE t.AGENTID IS NOT NULL AND NOT c.STUCK GROUP BY ALL ORDER BY ALL""").fetchall()  # fmt: skip
    assert mart == truth and len(truth) > 5
    named = one(con, """SELECT count(*) FILTER (r.RESOURCE_TYPE_CODE = 'AGENT'), count(f.INTERACTION_RESOURCE_ID)
                        FROM CONTACT_ATTEMPT_FACT AS f LEFT JOIN RESOURCE_ AS r USING (RESOURCE_KEY)""")  # fmt: skip
    assert named[0] == named[1] > 100


def test_each_attempt_carries_its_records_custom_fields_as_they_were_when_it_began(con):
    """CONTACT_ATTEMPT_FACT's RECORD_FIELD_<n> hold the calling list's custom fields, "populated with data
    from the first record associated with the contact attempt"
    (https://docs.genesys.com/Documentation/GIM/latest/PDMOra/Table-CONTACT_ATTEMPT_FACT); the simulated
    deployment maps the account number and the dial note (etl.record_fields). The note OCS rewrites after
    an attempt that got no line: the retry carries the new note, the failed attempt the old one."""
    compared, wrong, retries = one(
        con,
        """SELECT count(*), count(*) FILTER (f.RECORD_FIELD_1 IS DISTINCT FROM t.ACCOUNT
                                             OR f.RECORD_FIELD_2 IS DISTINCT FROM t.DIAL_NOTE),
                  count(*) FILTER (f.RECORD_FIELD_2 LIKE 'retry%')
           FROM TRUTH_ATTEMPT AS t JOIN CONTACT_ATTEMPT_FACT AS f ON f.CALL_ATTEMPT_ID = t.CALLATTID""",
    )
    assert wrong == 0 and compared > 150 and retries > 0, (compared, wrong, retries)


def test_the_optional_outbound_tables_are_extracted_once_per_record_and_session(con):
    # Campaign property history, and the records' custom fields and their history, where ICON keeps
    # them: one session change list per campaign session; two fields per record (chain), each loaded
    # once, and the note rewritten once per failed attempt.
    sessions, chains, failed = one(
        con,
        "SELECT count(DISTINCT SESSID), count(DISTINCT CHAINGUID), count(*) FILTER (CALLID IS NULL) FROM TRUTH_ATTEMPT",
    )
    counts = one(con, """SELECT (SELECT count(DISTINCT SESSID) FROM GIDB_GO_CAMPPROP_HIST),
                                (SELECT count(*) FROM GIDB_GO_CAMPPROP_HIST),
                                (SELECT count(*) FROM GIDB_GO_CUSTOM_FIELDS),
                                (SELECT count(DISTINCT CHAINGUID) FROM GIDB_GO_CUSTOM_FIELDS),
                                (SELECT count(*) FROM GIDB_GO_FIELDHIST)""")  # fmt: skip
    assert counts == (sessions, sessions + 1, 2 * chains, chains, 2 * chains + failed)  # Winback's one mode change
