"""Blended agents: voice on the SIP Cluster, chat and e-mail through an Interaction Server's ICON pair.

One simulated day (`--media voice,chat,email`, the default faults but clock skew: seconds per interval
are compared, as in the aggregates' truth tests) against its truth: the chats and e-mails as
interactions (their interaction queues, workbin and agents: IRFs, MSFs, AG2_QUEUE and AG2_AGENT), each
media's summarised states, the agent's media-neutral state, and a login session per media. Expected
values come from the truth tables (TRUTH_CALL, TRUTH_PARTY, TRUTH_QUEUE; TRUTH_AGENT_STATE per MEDIA,
TRUTH_MEDIA_NEUTRAL_STATE, TRUTH_LOGIN_SESSION), which follow Info Mart's rules as cited per test.
"""

from __future__ import annotations

import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, SnapshotSeries, default_snapshot_time, simulate
from idbmart.fixtures.simulator.faults import default_specs
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.fixtures.simulator.topology import topology
from idbmart.load.mart import SENTINEL_TS
from idbmart.quality.compare import STAR_PREFIXES, differences
from tests.conftest import mart_with_truth, one, without_gate
from tests.transform.test_facts_vs_truth import STATE_NAMES

P = Params(calls=700, seed=17, media=("voice", "chat", "email"))
# seconds per agent, 15-minute interval and state of a fact's rows (START_TS, END_TS, a state key)
PER_INTERVAL = """
    SELECT r.RESOURCE_CFG_DBID AS AGENTID, {by} iv * 900 AS INTERVAL_START, st.STATE_TYPE_CODE AS CODE,
           sum(least(f.END_TS, (iv + 1) * 900) - greatest(f.START_TS, iv * 900)) AS S
    FROM {fact} AS f JOIN RESOURCE_ AS r USING (RESOURCE_KEY) JOIN RESOURCE_STATE AS st USING (RESOURCE_STATE_KEY),
         unnest(range(f.START_TS // 900, (f.END_TS - 1) // 900 + 1)) AS u(iv)
    WHERE f.END_TS > f.START_TS
    GROUP BY ALL"""
BY_MEDIA = "(SELECT * FROM SM_RES_STATE_FACT JOIN MEDIA_TYPE USING (MEDIA_TYPE_KEY))"


@pytest.fixture(scope="module")
def mart(tmp_path_factory):
    out = tmp_path_factory.mktemp("multimedia")
    faults = [f for f in default_specs({i.name for i in topology(P)}) if not f.startswith("skew")]
    deployment = without_gate(config.load(simulate(out, P, faults)))  # the gate has tests of its own
    result = run_cycle(deployment)
    assert not result.skipped
    con = mart_with_truth(deployment.mart_path, out / "truth", read_at=default_snapshot_time(P))
    con.execute(
        "CREATE TEMP TABLE STATE_NAME AS SELECT * FROM (VALUES "
        + ", ".join(f"('{k}', '{v}')" for k, v in STATE_NAMES.items())
        + ") AS t(TRUTH, CODE)"
    ).fetchall()
    yield con
    con.close()


def test_each_medias_state_seconds_per_interval_are_the_true_ones(mart):
    """SM_RES_STATE_FACT summarises each media apart (MEDIA_TYPE_KEY). Info Mart factors DND into the
    states of multimedia switches and not of voice ones (factor-dnd-into-sm-resource-states,
    https://docs.genesys.com/Documentation/GIM/latest/User/GIMPopAgent): a chat or e-mail DND is a
    state of its own, a voice DND leaves the state before it running."""
    wrong, pairs, media, dnd = one(
        mart,
        f"""WITH truth AS (
              SELECT t.AGENTID, t.MEDIA, t.INTERVAL_START, n.CODE, t.SECONDS AS S
              FROM TRUTH_AGENT_STATE AS t JOIN STATE_NAME AS n ON n.TRUTH = t.STATE),
            mart AS ({PER_INTERVAL.format(by="f.MEDIA_NAME_CODE AS MEDIA,", fact=BY_MEDIA)})
            SELECT count(*) FILTER (truth.S IS DISTINCT FROM mart.S), count(*), count(DISTINCT MEDIA),
                   count(*) FILTER (CODE = 'DND' AND MEDIA <> 'VOICE' AND truth.S > 0)
            FROM truth FULL JOIN mart USING (AGENTID, MEDIA, INTERVAL_START, CODE)""",
    )  # fmt: skip
    assert pairs > 500 and media == 3 and dnd > 0 and wrong == 0, (wrong, pairs, media, dnd)
    voice_dnd = one(mart, "SELECT count(*) FROM SM_RES_STATE_FACT JOIN RESOURCE_STATE USING (RESOURCE_STATE_KEY) "
                          "WHERE MEDIA_TYPE_KEY = 0 AND STATE_TYPE_CODE = 'DND'")  # fmt: skip
    assert voice_dnd == (0,)


def test_the_media_neutral_state_is_the_highest_priority_state_of_any_media(mart):
    """SM_MEDIA_NEUTRAL_STATE_FACT: "the highest-priority state in effect for any of the agent's media",
    by sm-resource-state-priority (default ACW, NOT_READY, BUSY, READY; GIMPopAgent), taken from the
    media-specific summarised states
    (https://docs.genesys.com/Documentation/PSAAS/latest/RPRT/Table-SM_MEDIA_NEUTRAL_STATE_FACT). DND
    and logged in, which the option does not name, rank where idbmart's etl.state_priority puts them:
    after not ready, and last. Seconds per agent, interval and state against the truth."""
    wrong, pairs, won_by_mm = one(
        mart,
        f"""WITH truth AS (
              SELECT t.AGENTID, t.INTERVAL_START, n.CODE, t.SECONDS AS S
              FROM TRUTH_MEDIA_NEUTRAL_STATE AS t JOIN STATE_NAME AS n ON n.TRUTH = t.STATE),
            mart AS ({PER_INTERVAL.format(by="", fact="SM_MEDIA_NEUTRAL_STATE_FACT")})
            SELECT count(*) FILTER (truth.S IS DISTINCT FROM mart.S), count(*),
                   (SELECT count(*) FROM SM_MEDIA_NEUTRAL_STATE_FACT WHERE WINNING_MEDIA_TYPE_KEY <> 0)
            FROM truth FULL JOIN mart USING (AGENTID, INTERVAL_START, CODE)""",
    )
    assert pairs > 500 and won_by_mm > 100 and wrong == 0, (wrong, pairs, won_by_mm)


def test_a_media_neutral_row_begins_wherever_a_state_of_any_media_begins_or_ends(mart):
    """ "A new row is inserted whenever there is the possibility that a new media-neutral summarized
    state was entered ... Therefore, there might be multiple sequential rows with the same state"
    (Table-SM_MEDIA_NEUTRAL_STATE_FACT): the rows of an agent tile its time without overlap, and their
    starts are exactly the starts and ends of its media-specific states (the last end aside)."""
    overlaps, missing, extra, repeated = one(
        mart,
        """WITH n AS (SELECT *, lead(START_TS) OVER (PARTITION BY RESOURCE_KEY ORDER BY START_TS) AS NEXT_TS,
                             lag(RESOURCE_STATE_KEY) OVER (PARTITION BY RESOURCE_KEY ORDER BY START_TS) AS PREV,
                             lag(END_TS) OVER (PARTITION BY RESOURCE_KEY ORDER BY START_TS) AS PREV_END
                      FROM SM_MEDIA_NEUTRAL_STATE_FACT),
                e AS (SELECT RESOURCE_KEY, START_TS AS TS FROM SM_RES_STATE_FACT
                      UNION SELECT RESOURCE_KEY, END_TS FROM SM_RES_STATE_FACT),
                last_end AS (SELECT RESOURCE_KEY, max(END_TS) AS TS FROM SM_RES_STATE_FACT GROUP BY 1)
           SELECT (SELECT count(*) FROM n WHERE NEXT_TS < END_TS),
                  (SELECT count(*) FROM e ANTI JOIN n ON n.RESOURCE_KEY = e.RESOURCE_KEY AND n.START_TS = e.TS
                   WHERE (e.RESOURCE_KEY, e.TS) NOT IN (SELECT (RESOURCE_KEY, TS) FROM last_end)
                     AND e.TS NOT IN (SELECT END_TS FROM SM_RES_STATE_FACT f WHERE f.RESOURCE_KEY = e.RESOURCE_KEY
                                      AND NOT EXISTS (SELECT 1 FROM SM_RES_STATE_FACT g
                                                      WHERE g.RESOURCE_KEY = f.RESOURCE_KEY
                                                        AND g.START_TS <= f.END_TS AND g.END_TS > f.END_TS))),
                  (SELECT count(*) FROM n ANTI JOIN e ON e.RESOURCE_KEY = n.RESOURCE_KEY AND e.TS = n.START_TS),
                  (SELECT count(*) FROM n WHERE PREV = RESOURCE_STATE_KEY AND PREV_END = START_TS)""",
    )
    assert (overlaps, missing, extra) == (0, 0, 0) and repeated > 0, (overlaps, missing, extra, repeated)


def test_each_medias_login_session_is_a_session_fact_of_its_media(mart):
    """One SM_RES_SESSION_FACT row per login session and media (MEDIA_TYPE_KEY): a blended agent's chat
    and e-mail sessions, begun at the same second, are two."""
    wrong, sessions = one(
        mart,
        """WITH truth AS (SELECT AGENTID, MEDIA, LOGIN_TS, LOGOUT_TS FROM TRUTH_LOGIN_SESSION),
                mart AS (SELECT r.RESOURCE_CFG_DBID AS AGENTID, m.MEDIA_NAME_CODE AS MEDIA, s.START_TS AS LOGIN_TS,
                                s.END_TS AS LOGOUT_TS
                         FROM SM_RES_SESSION_FACT AS s JOIN RESOURCE_ AS r USING (RESOURCE_KEY)
                         JOIN MEDIA_TYPE AS m USING (MEDIA_TYPE_KEY))
           SELECT count(*) FILTER (truth.AGENTID IS NULL OR mart.AGENTID IS NULL), count(*)
           FROM truth FULL JOIN mart USING (AGENTID, MEDIA, LOGIN_TS, LOGOUT_TS)""",
    )
    by_media = dict(mart.execute("SELECT MEDIA, count(*) FROM TRUTH_LOGIN_SESSION GROUP BY 1").fetchall())
    assert wrong == 0 and sessions == sum(by_media.values()) and min(by_media.values()) > 2, (wrong, by_media)


@pytest.mark.slow
def test_cycles_through_the_day_give_the_states_of_one_run(mart, tmp_path):
    """Media-neutral states are rebuilt per agent from the first login session a cycle republishes, as
    its media's states are, and a chat or e-mail read while active is read again when it ends, its active
    rows replaced: cycles every two hours, while sessions of one media end before another's and e-mails
    wait in queue and workbin, leave the same facts as one run over the day."""
    series = SnapshotSeries(tmp_path / "cycles", P)
    cycles = without_gate(config.load(series.path))
    for at in [*range(DAY0 + 8 * 3600, DAY0 + 20 * 3600 + 1, 7200), default_snapshot_time(P)]:
        series.advance(at)
        assert not run_cycle(cycles).skipped
    once = without_gate(config.load(simulate(tmp_path / "once", P)))
    run_cycle(once)
    assert differences(cycles.mart_path, once.mart_path, STAR_PREFIXES) == {}
    assert one(mart, "SELECT count(*) > 1000 FROM SM_MEDIA_NEUTRAL_STATE_FACT") == (True,)


def test_a_calls_after_call_work_is_its_agents_voice_wrap_up_never_a_chats(mart):
    """A blended agent wraps up chats and e-mails too, often within seconds of a call's end: an IRF's
    after-call work is the agent's voice AFTER_CALL_WORK state only (GIMPopIRF counts the agent's ACW
    after the call on the DN; multimedia wrap-up belongs to its own media). All ACW measure families
    together hold the truth's after-call seconds of the calls' agent parties."""
    mart_s, true_s = one(
        mart,
        """SELECT (SELECT sum(AFTER_CALL_WORK_DURATION + CONS_RCV_ACW_DURATION + POST_CONS_XFER_ACW_DURATION
                             + CONF_JOIN_ACW_DURATION) FROM INTERACTION_RESOURCE_FACT WHERE NOT STUCK_FLAG),
                  (SELECT sum(ACW_S) FROM TRUTH_PARTY WHERE AGENTID IS NOT NULL
                     AND CALLID IN (SELECT CALLID FROM TRUTH_CALL WHERE NOT STUCK))""",
    )
    assert true_s > 10_000 and mart_s == true_s, (mart_s, true_s)


def test_a_blended_cluster_agents_calls_name_no_place(mart):
    """A SIP Cluster has no places (SIP Cluster guide); a blended agent logs in to chat and e-mail at a
    place, which is where its multimedia work is, not its calls: its voice resource facts name none."""
    placed, blended = one(
        mart,
        """SELECT count(*) FILTER (i.PLACE_KEY IS NOT NULL), count(*)
           FROM INTERACTION_RESOURCE_FACT AS i JOIN RESOURCE_ AS r USING (RESOURCE_KEY)
           WHERE r.RESOURCE_CFG_DBID IN (SELECT AGENTID FROM TRUTH_LOGIN_SESSION WHERE MEDIA <> 'VOICE')
             AND i.MEDIA_TYPE_KEY = 0""",
    )
    assert blended > 100 and placed == 0, (blended, placed)


# -- chats and e-mails as interactions ----------------------------------------------------------------
# The multimedia agent parties (at a place) with the IRF of each, matched by interaction and place.
MM_PARTY = """
    SELECT t.*, c.MEDIA, i.INTERACTION_RESOURCE_ID, i.TALK_DURATION, i.RING_DURATION, i.CUSTOMER_TALK_DURATION,
           i.AFTER_CALL_WORK_DURATION, i.PLACE_KEY, td.RESOURCE_ROLE_CODE AS ROLE, td.TECHNICAL_RESULT_CODE AS RESULT,
           a.RESOURCE_CFG_DBID AS MART_AGENTID, pl.PLACE_CFG_DBID,
           EXISTS (SELECT 1 FROM TRUTH_QUEUE AS w WHERE w.CALLID = t.CALLID AND w.KIND = 'workbin') AS PULLED
    FROM TRUTH_PARTY AS t JOIN TRUTH_CALL AS c USING (CALLID)
    LEFT JOIN (SELECT i.*, d.RESOURCE_NAME FROM INTERACTION_RESOURCE_FACT AS i
               JOIN RESOURCE_ AS d ON d.RESOURCE_KEY = i.MEDIA_RESOURCE_KEY) AS i
      ON i.MEDIA_SERVER_IXN_GUID = t.CALLID AND i.RESOURCE_NAME = t.DN
    LEFT JOIN TECHNICAL_DESCRIPTOR AS td USING (TECHNICAL_DESCRIPTOR_KEY)
    LEFT JOIN RESOURCE_ AS a ON a.RESOURCE_KEY = i.RESOURCE_KEY
    LEFT JOIN PLACE AS pl USING (PLACE_KEY)
    WHERE c.MEDIA <> 'VOICE' AND t.AGENTID IS NOT NULL"""


def test_each_chat_and_email_is_one_inbound_interaction_of_its_media(mart):
    """Interaction Server's interactions reach ICON as calls of their media (G_CALL.MEDIATYPE), and Info
    Mart makes each one INTERACTION_FACT of that media, inbound (GIMMMIxnFlow-Chat,
    https://docs.genesys.com/Documentation/GIM/latest/User/GIMMMIxnFlow-Chat, and GIMMMIxnFlow-Email):
    every chat and e-mail of the truth, abandoned or handled, is one, with the media and the interaction
    type its truth says."""
    wrong, total, media = one(
        mart,
        """SELECT count(*) FILTER (f.INTERACTION_ID IS NULL OR m.MEDIA_NAME_CODE <> t.MEDIA
                                   OR it.INTERACTION_TYPE_CODE <> 'INBOUND'),
                  count(*), count(DISTINCT t.MEDIA)
           FROM TRUTH_CALL AS t
           LEFT JOIN INTERACTION_FACT AS f ON f.MEDIA_SERVER_IXN_GUID = t.CALLID
           LEFT JOIN MEDIA_TYPE AS m USING (MEDIA_TYPE_KEY)
           LEFT JOIN INTERACTION_TYPE AS it USING (INTERACTION_TYPE_KEY)
           WHERE t.MEDIA <> 'VOICE'""",
    )
    assert total > 200 and media == 2 and wrong == 0, (total, media, wrong)
    assert one(mart, "SELECT count(*) FROM INTERACTION_FACT WHERE MEDIA_TYPE_KEY <> 0") == (total,)


def test_a_chat_or_email_handled_by_an_agent_is_its_agents_resource_fact_at_its_place(mart):
    """GIMMMIxnFlow-Chat ("strategy delivers chat to agent, and agent replies": RoutedTo/Completed): each
    agent's handling of a chat or e-mail is one IRF, of the agent the place's party reports (ICON
    G_PARTY.TYPE 3, a multimedia place, AGENTID; Table-G_PARTY), at that place (PLACE_KEY), with its ring
    and handling seconds. A chat's or e-mail's customer has no party: idbmart counts the customer on it
    from arrival to end, so CUSTOMER_TALK is the handling time. An e-mail the agent pulled from a workbin
    is RECEIVED (the flow pages name no role for it: idbmart's decision). Multimedia wrap-up is a state of
    the agent's multimedia session, not the interaction's after-call work."""
    wrong = one(
        mart,
        f"""SELECT count(*), count(*) FILTER (INTERACTION_RESOURCE_ID IS NULL),
                  count(*) FILTER (MART_AGENTID IS DISTINCT FROM AGENTID),
                  count(*) FILTER (PLACE_CFG_DBID IS DISTINCT FROM AGENTID + 2000),
                  count(*) FILTER (TALK_DURATION <> TALK_S OR RING_DURATION <> RING_S
                                   OR CUSTOMER_TALK_DURATION <> TALK_S),
                  count(*) FILTER (ROLE <> CASE WHEN PULLED THEN 'RECEIVED' ELSE 'ROUTEDTO' END
                                   OR RESULT <> 'COMPLETED'),
                  count(*) FILTER (AFTER_CALL_WORK_DURATION <> 0),
                  count(*) FILTER (PULLED), count(*) FILTER (MEDIA = 'CHAT')
           FROM ({MM_PARTY})""",
    )  # fmt: skip
    total, pulled, chats = wrong[0], wrong[7], wrong[8]
    assert total > 200 and pulled > 20 and chats > 100 and wrong[1:7] == (0,) * 6, wrong


def test_each_interaction_queue_and_workbin_stay_is_a_mediation_segment(mart):
    """GIMPopMSF (https://docs.genesys.com/Documentation/GIM/8.5.0/User/GIMPopMSF): MSFs describe
    "multimedia interaction queues and workbins" as they do ACD queues, from entry until abandoned there or
    distributed, "including the time that it takes the interaction to be answered by the target". Each
    stay of the truth is one MSF on its queue (RESOURCE_SUBTYPE InteractionQueue, or InteractionWorkBin
    for the workbin: Table-RESOURCE_): an abandoned chat ABANDONED while queued; an e-mail sent on to the
    workbin DIVERTED with no handling target; one distributed to an agent DIVERTED to the agent's IRF, its
    duration running until the agent accepted (the place's ringing seconds added). "For multimedia
    interactions, both active and completed ... workbin ... activity is populated": an e-mail still in the
    workbin at the snapshot is an active MSF (ACTIVE_FLAG, open at the sentinel, result UNKNOWN and
    duration NULL until it ends)."""
    rows = one(
        mart,
        f"""WITH t AS (
             SELECT q.*, q.ENTERED_TS AS START_TS, p.RING_S, p.DN AS PLACE,
                    EXISTS (SELECT 1 FROM TRUTH_QUEUE AS w WHERE w.CALLID = q.CALLID AND w.KIND = 'workbin'
                            AND w.ENTERED_TS = q.LEFT_TS) AS TO_WORKBIN
             FROM TRUTH_QUEUE AS q
             LEFT JOIN TRUTH_PARTY AS p ON p.CALLID = q.CALLID AND p.AGENTID IS NOT NULL AND p.CREATED_TS = q.LEFT_TS
             WHERE q.KIND IN ('interaction_queue', 'workbin')),
           m AS (
             SELECT m.MEDIA_SERVER_IXN_GUID AS CALLID, r.RESOURCE_NAME AS QUEUE, r.RESOURCE_SUBTYPE, m.START_TS,
                    m.MEDIATION_DURATION, td.TECHNICAL_RESULT_CODE AS RESULT, td.RESULT_REASON_CODE AS REASON,
                    d.RESOURCE_NAME AS TARGET_PLACE, m.ACTIVE_FLAG, m.END_TS
             FROM MEDIATION_SEGMENT_FACT AS m JOIN RESOURCE_ AS r USING (RESOURCE_KEY)
             JOIN TECHNICAL_DESCRIPTOR AS td USING (TECHNICAL_DESCRIPTOR_KEY)
             LEFT JOIN INTERACTION_RESOURCE_FACT AS i ON i.INTERACTION_RESOURCE_ID = m.TARGET_IXN_RESOURCE_ID
             LEFT JOIN RESOURCE_ AS d ON d.RESOURCE_KEY = i.MEDIA_RESOURCE_KEY
             WHERE m.MEDIA_TYPE_KEY <> 0)
           SELECT count(*), count(*) FILTER (m.CALLID IS NULL OR t.CALLID IS NULL),
             count(*) FILTER (m.RESOURCE_SUBTYPE <> CASE t.KIND WHEN 'workbin' THEN 'InteractionWorkBin'
                                                                ELSE 'InteractionQueue' END),
             count(*) FILTER (t.RESULT = 'abandoned' AND (m.RESULT, m.REASON) <> ('ABANDONED', 'ABANDONEDWHILEQUEUED')),
             count(*) FILTER (t.TO_WORKBIN AND (m.RESULT <> 'DIVERTED' OR m.TARGET_PLACE IS NOT NULL)),
             count(*) FILTER (t.PLACE IS NOT NULL
                              AND (m.RESULT <> 'DIVERTED' OR m.TARGET_PLACE IS DISTINCT FROM t.PLACE)),
             count(*) FILTER (m.MEDIATION_DURATION IS DISTINCT FROM t.LEFT_TS - t.ENTERED_TS + coalesce(t.RING_S, 0)),
             count(*) FILTER ((t.RESULT = 'active') IS DISTINCT FROM m.ACTIVE_FLAG
                              OR (m.ACTIVE_FLAG AND (m.RESULT <> 'UNKNOWN' OR m.END_TS <> {SENTINEL_TS}))),
             count(*) FILTER (t.RESULT = 'abandoned'), count(*) FILTER (t.TO_WORKBIN),
             count(*) FILTER (t.KIND = 'workbin'), count(*) FILTER (t.RESULT = 'active')
           FROM t FULL JOIN m USING (CALLID, QUEUE, START_TS)""",
    )  # fmt: skip
    total, abandoned, to_workbin, workbin, active = rows[0], *rows[8:]
    assert total > 250 and abandoned > 5 and to_workbin == workbin > 20 and active > 2, rows
    assert rows[1:8] == (0,) * 7, rows


def test_an_email_waiting_in_the_workbin_is_an_active_interaction_never_a_stuck_one(mart):
    """INTERACTION_FACT is "an accumulating snapshot" of the interaction (Table-INTERACTION_FACT,
    https://docs.genesys.com/Documentation/GIM/latest/PDMPostgre/Table-INTERACTION_FACT) and active
    multimedia mediation is populated (GIMPopMSF): an e-mail still waiting in the workbin when its IDB is
    read is in the mart now, ACTIVE (ACTIVE_FLAG, STATUS ACTIVE, open at the sentinel), never stuck, however
    long it has waited (an e-mail may wait days; the stuck threshold is a voice call's). The truth's active
    e-mails (TRUTH_CALL.ACTIVE) are exactly the mart's active interactions."""
    truth, wrong, stuck = one(
        mart,
        f"""SELECT count(*) FILTER (t.ACTIVE),
                  count(*) FILTER (t.ACTIVE IS DISTINCT FROM f.ACTIVE_FLAG
                                   OR (t.ACTIVE AND (f.STATUS <> 'ACTIVE' OR f.END_TS <> {SENTINEL_TS}))),
                  count(*) FILTER (f.STUCK_FLAG)
           FROM TRUTH_CALL AS t JOIN INTERACTION_FACT AS f ON f.MEDIA_SERVER_IXN_GUID = t.CALLID
           WHERE t.MEDIA <> 'VOICE'""",
    )
    assert truth > 2 and (wrong, stuck) == (0, 0), (truth, wrong, stuck)


def test_queue_and_agent_aggregates_count_chats_and_emails_by_media(mart):
    """RAA's AG2_QUEUE_* count per queue and media the interactions that entered, were distributed,
    accepted or abandoned; AG2_AGENT_* the interactions each agent accepted and its engage time (customer
    talk), per media (MEDIA_TYPE_KEY; https://docs.genesys.com/Documentation/RAA/latest/PDMMS/Table-AG2_QUEUE_SUBHR).
    Summed over the day's intervals, against the truth's stays and agent parties."""
    queues = dict(
        mart.execute(
            """SELECT t.QUEUE, (t.ENTERED, t.ABANDONED, t.DISTRIBUTED) = (a.ENTERED, a.ABANDONED, a.DISTRIBUTED)
               FROM (SELECT QUEUE, count(*) AS ENTERED, count(*) FILTER (RESULT = 'abandoned') AS ABANDONED,
                            count(*) FILTER (RESULT = 'distributed') AS DISTRIBUTED
                     FROM TRUTH_QUEUE WHERE KIND IN ('interaction_queue', 'workbin') GROUP BY 1) AS t
               LEFT JOIN (SELECT r.RESOURCE_NAME AS QUEUE, sum(ENTERED) AS ENTERED, sum(ABANDONED) AS ABANDONED,
                                 sum(DISTRIBUTED) AS DISTRIBUTED
                          FROM AG2_QUEUE_SUBHR JOIN RESOURCE_ AS r USING (RESOURCE_KEY)
                          WHERE MEDIA_TYPE_KEY <> 0 GROUP BY 1) AS a USING (QUEUE)"""
        ).fetchall()
    )
    assert queues == {"Chat_Inbound": True, "Email_Inbound": True, "Email_Backlog": True}, queues
    agents, wrong = one(
        mart,
        f"""WITH t AS (SELECT AGENTID, MEDIA, count(*) AS ACCEPTED, sum(TALK_S) AS ENGAGE_TIME
                       FROM ({MM_PARTY}) GROUP BY ALL),
                a AS (SELECT r.RESOURCE_CFG_DBID AS AGENTID, m.MEDIA_NAME_CODE AS MEDIA, sum(ACCEPTED) AS ACCEPTED,
                             sum(ENGAGE_TIME) AS ENGAGE_TIME
                      FROM AG2_AGENT_SUBHR JOIN RESOURCE_ AS r USING (RESOURCE_KEY)
                      JOIN MEDIA_TYPE AS m USING (MEDIA_TYPE_KEY)
                      WHERE MEDIA_TYPE_KEY <> 0 GROUP BY ALL)
            SELECT count(*), count(*) FILTER ((t.ACCEPTED, t.ENGAGE_TIME) IS DISTINCT FROM (a.ACCEPTED, a.ENGAGE_TIME))
            FROM t FULL JOIN a USING (AGENTID, MEDIA)""",
    )  # fmt: skip
    assert agents > 5 and wrong == 0, (agents, wrong)
