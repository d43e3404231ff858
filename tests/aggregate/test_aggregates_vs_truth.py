"""The aggregates of one simulated day against the simulator's truth, and against the facts.

The day has every default fault but clock skew (gaps, re-delivered rows, late commits, a VQ member
down, a stuck call), on a SIP Cluster and a classic site, and on a SIP Cluster with thirty classic sites
(each its own HA pair and data center). Skew is left out here: a row can only be
placed in the interval its IDB's clock says, so a skewed node's seconds move across boundaries (the
transform's truth tests cover skew, where it cancels out of totals).
"""

from __future__ import annotations

import pytest

from idbmart import config
from idbmart.aggregate.build import FAMILIES, LEVELS
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, default_snapshot_time, simulate
from idbmart.fixtures.simulator.faults import default_specs
from idbmart.fixtures.simulator.topology import topology
from tests.conftest import mart_with_truth, one

# Slow (a simulated day against its truth): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

DAYS = {
    "one site": Params(calls=1000, seed=23, classic=True),
    "thirty sites": Params(calls=3000, seed=29, classic=True, sites=30),
}
STATE_TIME = {  # truth (IDB enum names) → AG2_I_SESS_STATE_* column
    "LOGGED_IN": "OTHER_TIME", "NOT_READY": "NOT_READY_TIME", "READY": "READY_TIME", "AFTER_CALL_WORK": "WRAP_TIME",
    "BUSY": "BUSY_TIME", "DO_NOT_DISTURB": "DND_TIME",
}  # fmt: skip


@pytest.fixture(scope="module", params=list(DAYS))
def day(request, tmp_path_factory):
    p = DAYS[request.param]
    out = tmp_path_factory.mktemp("day")
    names = {i.name for i in topology(p)}
    faults = [f for f in default_specs(names) if not f.startswith("skew")]
    deployment = config.load(simulate(out, p, faults))
    result = run_cycle(deployment)
    assert not result.skipped
    con = mart_with_truth(deployment.mart_path, out / "truth", read_at=default_snapshot_time(p))
    yield con
    con.close()


def test_queue_entries_and_abandons_per_interval_are_the_true_ones(day):
    compared, wrong, abandons = one(
        day,
        """WITH truth AS (
             SELECT QUEUE, ENTERED_TS // 900 * 900 AS K, count(*) AS ENTERED,
                    count(*) FILTER (RESULT = 'abandoned') AS ABANDONED
             FROM TRUTH_QUEUE GROUP BY ALL),
           mart AS (
             SELECT r.RESOURCE_NAME AS QUEUE, a.DATE_TIME_KEY AS K, sum(a.ENTERED) AS ENTERED,
                    sum(a.ABANDONED) AS ABANDONED
             FROM AG2_QUEUE_SUBHR AS a JOIN RESOURCE_ AS r USING (RESOURCE_KEY) GROUP BY ALL)
           SELECT count(*), count(*) FILTER (t.ENTERED IS DISTINCT FROM m.ENTERED
                                             OR t.ABANDONED IS DISTINCT FROM m.ABANDONED),
                  sum(t.ABANDONED)
           FROM truth AS t FULL JOIN mart AS m USING (QUEUE, K)""",
    )
    assert wrong == 0, f"{wrong} of {compared} (queue, interval) pairs differ from the truth"
    assert abandons > 50 and compared > 150
    # Both kinds of mediation DN are there; routing points are not (GIMPopMSF), and no AG2_QUEUE row
    # is a routing point's, although every cluster call passed one.
    kinds = day.execute("SELECT DISTINCT KIND FROM TRUTH_QUEUE ORDER BY 1").fetchall()
    assert kinds == [("acd_queue",), ("virtual_queue",)]
    seen, in_queue_rows = one(  # the simulator's routing points are 5001-5003 (idbmart/fixtures/simulator/world.py)
        day,
        """SELECT (SELECT count(*) FROM RESOURCE_ WHERE RESOURCE_NAME IN ('5001', '5002', '5003')),
                  (SELECT count(*) FROM AG2_QUEUE_DAY a JOIN RESOURCE_ r USING (RESOURCE_KEY)
                   WHERE r.RESOURCE_NAME IN ('5001', '5002', '5003'))""",
    )
    assert seen == 3 and in_queue_rows == 0


def test_hourly_and_daily_queue_abandons_are_the_true_ones(day):
    for level, seconds in (("HOUR", 3600), ("DAY", 86400)):
        wrong = one(
            day,
            f"""SELECT count(*) FROM (
                  SELECT QUEUE, ENTERED_TS // {seconds} * {seconds} AS K, count(*) FILTER (RESULT = 'abandoned') AS N
                  FROM TRUTH_QUEUE GROUP BY ALL) AS t
                FULL JOIN (
                  SELECT r.RESOURCE_NAME AS QUEUE, a.DATE_TIME_KEY AS K, sum(a.ABANDONED) AS N
                  FROM AG2_QUEUE_{level} AS a JOIN RESOURCE_ AS r USING (RESOURCE_KEY) GROUP BY ALL) AS m
                USING (QUEUE, K) WHERE t.N IS DISTINCT FROM m.N""",
        )[0]
        assert wrong == 0, level


def test_agent_time_in_each_state_per_interval_is_the_true_time(day):
    """Ready time (and every other state's) per agent and 15-minute interval, split at boundaries."""
    for state, column in STATE_TIME.items():
        compared, wrong, seconds = one(
            day,
            f"""WITH truth AS (
                  SELECT AGENTID, INTERVAL_START AS K, SECONDS FROM TRUTH_AGENT_STATE WHERE STATE = '{state}'),
                mart AS (
                  SELECT r.RESOURCE_CFG_DBID AS AGENTID, a.DATE_TIME_KEY AS K, sum(a.{column}) AS SECONDS
                  FROM AG2_I_SESS_STATE_SUBHR AS a JOIN RESOURCE_ AS r USING (RESOURCE_KEY) GROUP BY ALL
                  HAVING sum(a.{column}) > 0)
                SELECT count(*), count(*) FILTER (t.SECONDS IS DISTINCT FROM m.SECONDS), sum(t.SECONDS)
                FROM truth AS t FULL JOIN mart AS m USING (AGENTID, K)""",
        )
        assert wrong == 0, f"{state}: {wrong} of {compared} (agent, interval) pairs differ from the truth"
        if state in ("READY", "BUSY", "AFTER_CALL_WORK", "NOT_READY"):
            assert seconds > 3600, state
    # Logged-in time is the sum of the states: 900 s in every interval an agent was logged in throughout.
    full = one(day, "SELECT count(*) FROM AG2_I_SESS_STATE_SUBHR WHERE LOGIN_TIME = 900")[0]
    over = one(day, "SELECT count(*) FROM AG2_I_SESS_STATE_SUBHR WHERE LOGIN_TIME > 900")[0]
    assert full > 100 and over == 0


def test_each_agents_active_time_per_interval_is_its_true_session_time(day):
    """AG2_I_SESS_STATE_*.ACTIVE_TIME is session time, not the sum of states (docs/architecture.md's
    rule table; SM_RES_SESSION_FACT,
    https://en.docs.genesys.com/index.php?direction=prev&oldid=411262&title=Documentation%3AGIM%3ALibrary%3ATable-SM_RES_SESSION_FACT%3A8.5DRAFT):
    per agent and 15-minute interval, the seconds of the truth's login sessions in it; the agents whose
    session had not ended by the day's end are left out (their session lasts as long as their states)."""
    compared, wrong, seconds = one(
        day,
        """WITH s AS (
             SELECT AGENTID, LOGIN_TS, LOGOUT_TS, unnest(range(LOGIN_TS // 900 * 900, LOGOUT_TS, 900)) AS K
             FROM TRUTH_LOGIN_SESSION
             WHERE AGENTID NOT IN (SELECT AGENTID FROM TRUTH_LOGIN_SESSION WHERE LOGOUT_TS IS NULL)),
           truth AS (
             SELECT AGENTID, K, sum(least(LOGOUT_TS, K + 900) - greatest(LOGIN_TS, K)) AS SECONDS
             FROM s GROUP BY ALL),
           mart AS (
             SELECT r.RESOURCE_CFG_DBID AS AGENTID, a.DATE_TIME_KEY AS K, sum(a.ACTIVE_TIME) AS SECONDS
             FROM AG2_I_SESS_STATE_SUBHR AS a JOIN RESOURCE_ AS r USING (RESOURCE_KEY)
             WHERE r.RESOURCE_CFG_DBID IN (SELECT AGENTID FROM truth) GROUP BY ALL HAVING sum(a.ACTIVE_TIME) > 0)
           SELECT count(*), count(*) FILTER (t.SECONDS IS DISTINCT FROM m.SECONDS), sum(t.SECONDS)
           FROM truth AS t FULL JOIN mart AS m USING (AGENTID, K)""",
    )
    assert wrong == 0, f"{wrong} of {compared} (agent, interval) pairs differ from the truth"
    assert seconds > 20 * 3600, seconds
    # Session time holds the state time: never less in any interval.
    less = one(day, "SELECT count(*) FROM AG2_I_SESS_STATE_SUBHR WHERE ACTIVE_TIME < LOGIN_TIME")[0]
    assert less == 0


def test_each_agent_groups_totals_are_those_of_the_agents_in_it_when_offered(day):
    """RAA aggregates agents along the combination of groups they belonged to
    (https://docs.genesys.com/Documentation:RAA:PDMPostgre:Table-AGT_AGENT_HOUR:9.0.0, "Aggregation is
    performed along ... RESOURCE_GROUP_COMBINATION"); AG2_AGENT_GRP_* is that aggregate by group. The
    simulated agents each belong to their service's group (one moves at noon) and every third to
    Seniors too: a group's calls accepted and talk seconds are the true ones of its members' handling
    attempts, each attempt counted in every group its agent was in when it began."""
    rows = day.execute(
        """WITH attempt AS (
             SELECT ATTEMPT_KEY, any_value(AGENTID) AS AGENTID, min(CREATED_TS) AS START_TS,
                    sum(CUSTOMER_TALK_S) AS TALK
             FROM TRUTH_PARTY WHERE AGENTID IS NOT NULL
               AND CALLID NOT IN (SELECT CALLID FROM TRUTH_CALL WHERE STUCK) GROUP BY ATTEMPT_KEY),
           truth AS (
             SELECT g.GROUP_NAME, count(*) FILTER (a.TALK > 0) AS ACCEPTED, sum(a.TALK) AS ENGAGE_TIME
             FROM attempt AS a JOIN TRUTH_GROUP_MEMBER AS g ON g.AGENTID = a.AGENTID
               AND a.START_TS >= g.FROM_TS AND (g.TO_TS IS NULL OR a.START_TS < g.TO_TS)
             GROUP BY ALL),
           mart AS (
             SELECT g.GROUP_NAME, sum(a.ACCEPTED) AS ACCEPTED, sum(a.ENGAGE_TIME) AS ENGAGE_TIME
             FROM AG2_AGENT_GRP_DAY AS a JOIN GROUP_ AS g USING (GROUP_KEY) GROUP BY ALL),
           stuck AS (  -- a stuck call's true end is in no IDB: its attempts are left out of both sides
             SELECT g.GROUP_NAME, count(*) FILTER (i.CUSTOMER_HANDLE_COUNT > 0) AS ACCEPTED,
                    sum(i.CUSTOMER_TALK_DURATION) AS ENGAGE_TIME
             FROM INTERACTION_RESOURCE_FACT AS i
             JOIN RESOURCE_GROUP_COMBINATION AS c ON c.GROUP_COMBINATION_KEY = i.RESOURCE_GROUP_COMBINATION_KEY
             JOIN GROUP_ AS g USING (GROUP_KEY)
             WHERE i.INTERACTION_ID IN (SELECT INTERACTION_ID FROM INTERACTION_FACT WHERE STUCK_FLAG)
               AND i.AGENT_MATCH IN ('reported', 'recovered') GROUP BY ALL)
           SELECT GROUP_NAME, t.ACCEPTED, m.ACCEPTED - coalesce(s.ACCEPTED, 0),
                  t.ENGAGE_TIME, m.ENGAGE_TIME - coalesce(s.ENGAGE_TIME, 0)
           FROM truth AS t FULL JOIN mart AS m USING (GROUP_NAME) LEFT JOIN stuck AS s USING (GROUP_NAME)
           ORDER BY GROUP_NAME"""
    ).fetchall()
    assert {r[0] for r in rows} >= {"Seniors", "Outbound"}
    wrong = [r for r in rows if r[1] != r[2] or r[3] != r[4]]
    assert not wrong, f"(group, true accepted, mart's, true talk, mart's): {wrong}"
    # Seniors overlap the service groups: their calls are counted twice across groups, once per agent.
    per_group = one(day, "SELECT sum(ACCEPTED) FROM AG2_AGENT_GRP_DAY")[0]
    per_agent, in_two = one(
        day,
        """SELECT sum(a.ACCEPTED), sum(a.ACCEPTED) FILTER (n.GROUPS = 2) FROM AG2_AGENT_DAY AS a
           JOIN (SELECT GROUP_COMBINATION_KEY AS RESOURCE_GROUP_COMBINATION_KEY, count(*) AS GROUPS
                 FROM RESOURCE_GROUP_COMBINATION GROUP BY 1) AS n USING (RESOURCE_GROUP_COMBINATION_KEY)""",
    )
    assert in_two > 0 and per_group == per_agent + in_two


def test_each_queue_groups_entries_and_abandons_per_hour_are_those_of_its_queues(day):
    """Queue groups are DN groups (Genesys configuration's CfgDNGroup, beside agent and place groups:
    https://docs.genesys.com/Documentation/PSDK/latest/ConfigLayerRef/CfgAgentGroup); RAA aggregates a
    queue along the groups it belonged to when the interaction entered (Table-AGT_QUEUE_ABN_HOUR,
    RESOURCE_GROUP_COMBINATION). The simulated queues each belong to their service's group and to All
    Queues: a group's calls entered and abandoned per hour are the true ones of its queues' stays, and
    every stay counts in two groups."""
    compared, wrong, entered = one(
        day,
        """WITH truth AS (
             SELECT g.GROUP_NAME, q.ENTERED_TS // 3600 * 3600 AS K, count(*) AS ENTERED,
                    count(*) FILTER (q.RESULT = 'abandoned') AS ABANDONED
             FROM TRUTH_QUEUE AS q JOIN TRUTH_QUEUE_GROUP_MEMBER AS g USING (QUEUE) GROUP BY ALL),
           mart AS (
             SELECT g.GROUP_NAME, a.DATE_TIME_KEY AS K, sum(a.ENTERED) AS ENTERED, sum(a.ABANDONED) AS ABANDONED
             FROM AG2_QUEUE_GRP_HOUR AS a JOIN GROUP_ AS g USING (GROUP_KEY) GROUP BY ALL)
           SELECT count(*), count(*) FILTER (t.ENTERED IS DISTINCT FROM m.ENTERED
                                             OR t.ABANDONED IS DISTINCT FROM m.ABANDONED),
                  sum(t.ENTERED) FILTER (GROUP_NAME = 'All Queues')
           FROM truth AS t FULL JOIN mart AS m USING (GROUP_NAME, K)""",
    )
    assert wrong == 0, f"{wrong} of {compared} (queue group, hour) pairs differ from the truth"
    queues, groups = one(day, "SELECT (SELECT count(*) FROM TRUTH_QUEUE), (SELECT sum(ENTERED) FROM AG2_QUEUE_GRP_DAY)")
    assert entered == queues > 500 and groups == 2 * queues
    # the facts say it too: every stay's queue was in its service's group and All Queues when it entered
    in_two = one(
        day,
        """SELECT count(*) FILTER (n = 2) = count(*) FROM (
             SELECT count(c.GROUP_KEY) AS n FROM MEDIATION_SEGMENT_FACT AS m
             LEFT JOIN RESOURCE_GROUP_COMBINATION AS c ON c.GROUP_COMBINATION_KEY = m.RESOURCE_GROUP_COMBINATION_KEY
             GROUP BY m.MEDIATION_SEGMENT_ID)""",
    )[0]
    assert in_two


def test_each_agents_handling_time_by_interval_is_its_true_talk_hold_and_wrap(day):
    """RAA's interval-based agent aggregate (AGT_I_AGENT) files an agent's handling time in the intervals
    it happened in, split at their boundaries (where AG2_AGENT files a whole attempt in the interval it was
    offered). Over the day each agent's connected, hold and after-call seconds are the truth's talk, hold
    and after-call work of its parties (agents with the stuck call left out: its true end is in no IDB),
    and a call's seconds reach the intervals after the one it was offered in."""
    rows = day.execute(
        """WITH truth AS (
             SELECT AGENTID, sum(TALK_S) AS TALK, sum(HOLD_S) AS HOLD, sum(ACW_S) AS WRAP
             FROM TRUTH_PARTY WHERE AGENTID IS NOT NULL GROUP BY 1),
           mart AS (
             SELECT r.RESOURCE_CFG_DBID AS AGENTID, sum(a.ENGAGE_TIME) AS TALK, sum(a.HOLD_TIME) AS HOLD,
                    sum(a.WRAP_TIME) AS WRAP
             FROM AG2_I_AGENT_DAY AS a JOIN RESOURCE_ AS r USING (RESOURCE_KEY) GROUP BY 1),
           stuck AS (SELECT DISTINCT AGENTID FROM TRUTH_PARTY
                     WHERE CALLID IN (SELECT CALLID FROM TRUTH_CALL WHERE STUCK) AND AGENTID IS NOT NULL)
           SELECT AGENTID, t.TALK, m.TALK, t.HOLD, m.HOLD, t.WRAP, m.WRAP
           FROM truth AS t FULL JOIN mart AS m USING (AGENTID)
           WHERE AGENTID NOT IN (SELECT AGENTID FROM stuck)"""
    ).fetchall()
    wrong = [r for r in rows if r[1] != r[2] or r[3] != r[4] or r[5] != r[6]]
    assert not wrong and len(rows) > 10, f"(agent, true talk, mart's, hold, mart's, wrap, mart's): {wrong[:5]}"
    spread, offered = one(
        day,
        """SELECT (SELECT count(DISTINCT (DATE_TIME_KEY, RESOURCE_KEY)) FROM AG2_I_AGENT_SUBHR
                   WHERE ENGAGE_TIME > 0),
                  (SELECT count(DISTINCT (DATE_TIME_KEY, RESOURCE_KEY)) FROM AG2_AGENT_SUBHR WHERE ENGAGE_TIME > 0)""",
    )
    assert spread > offered > 100  # talk reaches the intervals after the one it was offered in


def test_agent_and_queue_rows_are_split_by_the_custom_user_data_dimensions(day):
    """RAA's custom dimensions on the agent and queue aggregates (USER_DATA_KEY1/2, here
    USER_DATA_CUST_DIM_1: CustomerSegment and ServiceType; USER_DATA_CUST_DIM_2: CallStage), by
    IRF_USER_DATA_KEYS (https://docs.genesys.com/Documentation/GIM/latest/PDMPostgre/Table-IRF_USER_DATA_KEYS).
    The inbound calls each queue took, per customer segment, are the truth's: the queue stays of inbound
    calls by the segment attached to the call."""
    rows = day.execute(
        """WITH truth AS (
             SELECT q.QUEUE, u.VALUE AS SEGMENT, count(*) AS ENTERED
             FROM TRUTH_QUEUE AS q JOIN TRUTH_CALL AS c USING (CALLID)
             JOIN TRUTH_USER_DATA AS u ON u.CALLID = q.CALLID AND u.KEYNAME = 'CustomerSegment'
             WHERE c.CALL_TYPE = 2 GROUP BY ALL),
           mart AS (
             SELECT r.RESOURCE_NAME AS QUEUE, d.DIM_ATTRIBUTE_1 AS SEGMENT, sum(a.ENTERED) AS ENTERED
             FROM AG2_QUEUE_DAY AS a JOIN RESOURCE_ AS r USING (RESOURCE_KEY)
             JOIN INTERACTION_TYPE AS t USING (INTERACTION_TYPE_KEY)
             JOIN USER_DATA_CUST_DIM_1 AS d ON d.ID = a.USER_DATA_KEY1
             WHERE t.INTERACTION_TYPE_CODE = 'INBOUND' GROUP BY ALL)
           SELECT QUEUE, SEGMENT, t.ENTERED, m.ENTERED FROM truth AS t FULL JOIN mart AS m USING (QUEUE, SEGMENT)
           ORDER BY ALL"""
    ).fetchall()
    wrong = [r for r in rows if r[2] != r[3]]
    assert not wrong and len(rows) >= 9, f"(queue, segment, true entered, mart's): {wrong[:5]}"
    # every agent and queue row's keys resolve in their dimensions: none is -1 where the facts have keys
    unresolved = one(
        day,
        """SELECT (SELECT count(*) FROM AG2_AGENT_SUBHR
                   WHERE USER_DATA_KEY1 NOT IN (SELECT ID FROM USER_DATA_CUST_DIM_1)
                      OR USER_DATA_KEY2 NOT IN (SELECT ID FROM USER_DATA_CUST_DIM_2)),
                  (SELECT count(*) FROM AG2_QUEUE_SUBHR
                   WHERE USER_DATA_KEY1 NOT IN (SELECT ID FROM USER_DATA_CUST_DIM_1))""",
    )
    assert unresolved == (0, 0)


def test_agent_aggregates_add_up_to_the_agent_facts(day):
    """Σ over AG2_AGENT_SUBHR = Σ over the agent resource facts (MART.md's measure definitions)."""
    facts = one(
        day,
        """SELECT count(*) FILTER (CUSTOMER_HANDLE_COUNT > 0), sum(CUSTOMER_TALK_DURATION),
                  sum(CUSTOMER_HOLD_DURATION), sum(CUSTOMER_ACW_DURATION),
                  count(*) FILTER (CUSTOMER_DIAL_COUNT > 0 OR CUSTOMER_RING_COUNT > 0 OR CUSTOMER_TALK_COUNT > 0
                                   OR CUSTOMER_HANDLE_COUNT > 0)
           FROM INTERACTION_RESOURCE_FACT WHERE AGENT_MATCH IN ('reported', 'recovered')""",
    )
    agg = one(
        day, "SELECT sum(ACCEPTED), sum(ENGAGE_TIME), sum(HOLD_TIME), sum(WRAP_TIME), sum(OFFERED) FROM AG2_AGENT_SUBHR"
    )
    assert agg == facts and facts[0] > 500


def test_every_level_and_every_view_of_a_family_has_the_same_totals(day):
    for f in FAMILIES:
        columns = [
            c
            for (c,) in day.execute(f"SELECT column_name FROM (DESCRIBE AG2_{f.name}_SUBHR)").fetchall()
            if c not in (*f.keys, "PERIOD_START_LOCAL", "CREATE_AUDIT_KEY", "UPDATE_AUDIT_KEY")
        ]
        sums = ", ".join(f"sum({c})" for c in columns)
        totals = {level: one(day, f"SELECT {sums} FROM AG2_{f.name}_{level}") for level in LEVELS}
        assert len(set(totals.values())) == 1, f"AG2_{f.name}: {totals}"
    # The agent, agent-queue and descriptor views are three cuts of the same resource facts.
    agent, by_queue, by_descriptor = (
        one(day, f"SELECT sum(OFFERED), sum(ACCEPTED), sum(ENGAGE_TIME), sum(WRAP_TIME) FROM AG2_{n}_DAY")
        for n in ("AGENT", "AGENT_QUEUE", "ID")
    )
    assert agent == by_queue == by_descriptor
    # Queue buckets hold every abandon and every answer once.
    abn = one(
        day,
        f"SELECT sum(ABANDONED), {' + '.join(f'sum(ABANDONED_STI_{n})' for n in range(1, 21))} FROM AG2_QUEUE_ABN_DAY",
    )
    acc = one(
        day,
        "SELECT sum(ACCEPTED_AGENT), "
        f"{' + '.join(f'sum(ACCEPTED_AGENT_STI_{n})' for n in range(1, 21))} FROM AG2_QUEUE_ACC_AGENT_DAY",
    )
    queue = one(day, "SELECT sum(ABANDONED), sum(ACCEPTED_AGENT) FROM AG2_QUEUE_DAY")
    assert abn[0] == abn[1] == queue[0] and acc[0] == acc[1] == queue[1]


def test_aggregate_rows_are_unique_by_their_grain(day):
    for f in FAMILIES:
        for level in LEVELS:
            keys = ", ".join(f.keys)
            dup = one(
                day, f"SELECT count(*) FROM (SELECT {keys} FROM AG2_{f.name}_{level} GROUP BY ALL HAVING count(*) > 1)"
            )
            assert dup == (0,), f"AG2_{f.name}_{level}"
