"""SM_RES_STATE_FACT when an agent's login sessions arrive in different cycles: each agent's states
are rebuilt from the run of overlapping sessions that changed (sql/transform/intermediate/state_agents.sql), and
an agent's earlier sessions keep their states whatever another agent republished beside them."""

from __future__ import annotations

import dataclasses
import itertools

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.scenarios.builder import Scenario, at
from idbmart.idb.enums import PartyRole
from tests.conftest import without_gate

# Slow (cycles over hand-made sessions): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

# Ann works 06:00-14:00. Bob works 08:00-09:00, and again 12:00-14:00. Cycles at 10:00 (Bob's first
# session has ended), at 14:30 (Ann's and Bob's second end together: Ann's states from 06:00 on are
# rebuilt, Bob's from 12:00 on, and his 08:00-09:00 states must stay), and after the day.
SESSIONS = {
    "Ann": [("06:00:00", "14:00:00", [("READY", "06:00:05"), ("NOT_READY", "10:00:00")])],
    "Bob": [
        ("08:00:00", "09:00:00", [("READY", "08:00:05"), ("NOT_READY", "08:30:00")]),
        ("12:00:00", "14:00:00", [("READY", "12:00:05")]),
    ],
}
CYCLES = ["10:00:00", "14:30:00", None]


def two_agents() -> Scenario:
    s = Scenario("two_agents", __doc__, seed=108)
    s.agent("Ann", dn="70001", node=1)
    s.agent("Bob", dn="70002", node=1)
    for agent, sessions in SESSIONS.items():
        for login, logout, states in sessions:
            s.login(agent, login, logout, states)
    s.call(1, node=1, created="07:00:00", ended="07:00:30", outcome="abandoned_in_queue")  # a day needs a call
    s.party(1, 11, None, "07:00:00", "07:00:30", [("DIALING", "07:00:00")], role=PartyRole.ORIGINATOR)
    s.party(1, 12, "5001", "07:00:00", "07:00:30", [("ROUTING", "07:00:00")])
    s.routed(1, 12, None, "07:00:30", vq_from="07:00:00")
    s.user_data(1, "07:00:00")
    return s


def expected_states(agent: str) -> list[tuple[str, int, int]]:
    """(state, start, end) of each state of the agent's sessions, LOGGED_IN from the login."""
    out = []
    for login, logout, states in SESSIONS[agent]:
        marks = [("LOGGED_IN", login), *states, (None, logout)]
        out += [(state.replace("_", ""), at(t0), at(t1)) for (state, t0), (_, t1) in itertools.pairwise(marks)]
    return out


def test_an_agents_earlier_sessions_keep_their_states_when_another_agent_rebuilds_from_earlier(tmp_path):
    scenario = two_agents()
    for clock in CYCLES:
        deployment = without_gate(config.load(scenario.write(tmp_path, clock)))
        run_cycle(deployment)
    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    for agent, index in scenario.agents.items():
        states = con.execute(
            """SELECT s.STATE_TYPE_CODE, f.START_TS, f.END_TS FROM SM_RES_STATE_FACT f
               JOIN RESOURCE_ r USING (RESOURCE_KEY) JOIN RESOURCE_STATE s USING (RESOURCE_STATE_KEY)
               WHERE r.RESOURCE_TYPE_CODE = 'AGENT' AND r.RESOURCE_CFG_DBID = ? ORDER BY f.START_TS""",
            [1000 + index],
        ).fetchall()
        assert states == expected_states(agent), agent


# Ann (agent 201 of the tiny IDB) works two DNs from 08:00 to 09:00: 7001 (session LS-0001, already in
# the tiny IDB: ready 08:00:05, busy 08:10:03, after-call work 08:12:20, ready 08:12:50) and 7002,
# added here as LS-0002: ready 08:00:05, busy 08:12:00, ready 08:13:30, DND 08:30:00, ready 08:40:00.
SECOND_DN = """
INSERT INTO GC_ENDPOINT (ENDPOINTID, SWITCHID, TENANTID, DN, TYPE, STATUS, CREATED_TS, GSYS_DOMAIN, GSYS_SEQ)
VALUES (14, 1, 101, '7002', 1, 1, 1793606400, 1004, 41);
INSERT INTO G_LOGIN_SESSION (LOGINSESSIONID, AGENTID, LOGINID, STATE, PRIMARYDEVICEID, SWITCHID, TENANTID, MEDIATYPE,
  CREATED, CREATED_TS, TERMINATED, TERMINATED_TS, GSYS_DOMAIN, GSYS_SEQ, GSYS_USEQ)
VALUES ('LS-0002', 201, '7002', 0, 14, 1, 101, 0, '2026-11-02 08:00:00', 1793606400, '2026-11-02 09:00:00',
  1793610000, 1003, 42, 49);
INSERT INTO GX_SESSION_ENDPOINT (LOGINSESSIONID, AGENTID, ENDPOINTID, ENDPOINTTYPE, STATE, CREATED_TS, TERMINATED_TS,
  GSYS_DOMAIN, GSYS_SEQ) VALUES ('LS-0002', 201, 14, 1, 0, 1793606400, 1793610000, 1003, 43);
INSERT INTO G_AGENT_STATE_HISTORY (LOGINSESSIONID, AGENTID, ENDPOINTID, TYPE, STATE, SEQ, ADDED, ADDED_TS, GSYS_DOMAIN,
  GSYS_SEQ) VALUES
  ('LS-0002', 201, 14, 5, 1, 1, '2026-11-02 08:00:00', 1793606400, 1003, 44),
  ('LS-0002', 201, 14, 5, 3, 2, '2026-11-02 08:00:05', 1793606405, 1003, 45),
  ('LS-0002', 201, 14, 5, 5, 3, '2026-11-02 08:12:00', 1793607120, 1003, 46),
  ('LS-0002', 201, 14, 5, 3, 4, '2026-11-02 08:13:30', 1793607210, 1003, 47),
  ('LS-0002', 201, 14, 5, 6, 5, '2026-11-02 08:30:00', 1793608200, 1003, 48),
  ('LS-0002', 201, 14, 5, 3, 6, '2026-11-02 08:40:00', 1793608800, 1003, 49),
  ('LS-0002', 201, 14, 5, 0, 7, '2026-11-02 09:00:00', 1793610000, 1003, 50);
"""


def summarised_states(deployment) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        return con.execute(
            """SELECT s.STATE_TYPE_CODE, strftime(make_timestamp(f.START_TS * 1000000), '%H:%M:%S'),
                      strftime(make_timestamp(f.END_TS * 1000000), '%H:%M:%S')
               FROM SM_RES_STATE_FACT f JOIN RESOURCE_STATE s USING (RESOURCE_STATE_KEY) ORDER BY f.START_TS"""
        ).fetchall()


def test_an_agent_on_two_dns_gets_info_marts_summarised_state(tiny_deployment):
    """Info Mart's sm-resource-state-priority default, ACW > NOT_READY > BUSY > READY (GIMPopAgent,
    https://docs.genesys.com/Documentation/GIM/latest/User/GIMPopAgent): after-call work on 7001 while
    7002 is busy is after-call work; and factor-dnd-into-sm-resource-states is false for voice by
    default, so 7002's DND from 08:30 to 08:40 leaves it ready (the summary stays READY)."""
    path, deployment = tiny_deployment
    with duckdb.connect(str(path)) as idb:
        idb.execute(SECOND_DN)
    run_cycle(deployment)
    assert summarised_states(deployment) == [
        ("LOGGEDIN", "08:00:00", "08:00:05"),
        ("READY", "08:00:05", "08:10:03"),
        ("BUSY", "08:10:03", "08:12:20"),
        ("AFTERCALLWORK", "08:12:20", "08:12:50"),
        ("BUSY", "08:12:50", "08:13:30"),
        ("READY", "08:13:30", "09:00:00"),
    ]


def test_dnd_factored_into_voice_states_ranks_above_ready(tiny_deployment):
    """With factor_dnd_voice = true, 7002's DND is a state (GIMPopAgent's factor-dnd-into-sm-resource-
    states), ranked beside NOT_READY by etl.state_priority's default: it beats 7001's READY."""
    path, deployment = tiny_deployment
    with duckdb.connect(str(path)) as idb:
        idb.execute(SECOND_DN)
    deployment = dataclasses.replace(deployment, etl=dataclasses.replace(deployment.etl, factor_dnd_voice=True))
    run_cycle(deployment)
    assert summarised_states(deployment)[-3:] == [
        ("READY", "08:13:30", "08:30:00"),
        ("DND", "08:30:00", "08:40:00"),
        ("READY", "08:40:00", "09:00:00"),
    ]


# Lunch from 08:15 to 08:25 on both of Ann's DNs (NOT_READY with the same reason code on each), and a
# Break on 7002 from 08:45 to 08:50 while 7001 stays ready.
REASONS = """
UPDATE G_PROV_CONTROL SET SEQCOUNTER = 90, SEQCURRENT = 90;
INSERT INTO G_AGENT_STATE_HISTORY (LOGINSESSIONID, AGENTID, ENDPOINTID, TYPE, STATE, SEQ, ADDED, ADDED_TS, GSYS_DOMAIN,
  GSYS_SEQ) VALUES
  ('LS-0001', 201, 11, 5, 2, 11, '2026-11-02 08:15:00', 1793607300, 1003, 61),
  ('LS-0001', 201, 11, 5, 3, 12, '2026-11-02 08:25:00', 1793607900, 1003, 62),
  ('LS-0002', 201, 14, 5, 2, 11, '2026-11-02 08:15:00', 1793607300, 1003, 63),
  ('LS-0002', 201, 14, 5, 3, 12, '2026-11-02 08:25:00', 1793607900, 1003, 64),
  ('LS-0002', 201, 14, 5, 2, 13, '2026-11-02 08:45:00', 1793609100, 1003, 65),
  ('LS-0002', 201, 14, 5, 3, 14, '2026-11-02 08:50:00', 1793609400, 1003, 66);
INSERT INTO G_AGENT_STATE_RC (SESSIONID, ENDPOINTID, AGENTSTATE, WORKMODE, HWFLAG, KEYNAME, VALUE, ADDED_TS,
  TERMINATED_TS, GSYS_DOMAIN, GSYS_SEQ) VALUES
  ('LS-0001', 11, 2, 0, 0, 'ReasonCode', 'Lunch', 1793607300, 1793607900, 1003, 67),
  ('LS-0002', 14, 2, 0, 0, 'ReasonCode', 'Lunch', 1793607300, 1793607900, 1003, 68),
  ('LS-0002', 14, 2, 0, 0, 'ReasonCode', 'Break', 1793609100, 1793609400, 1003, 69);
"""


def test_a_reason_counts_once_across_an_agents_dns_and_only_while_its_state_is_the_agents(tiny_deployment):
    """Info Mart summarises reasons with the state (GIMPopAgent): Lunch on both DNs is 600 s of Lunch,
    not 1,200; 7002's Break while 7001 is ready is NOT_READY, which outranks READY, so it counts; the
    agent is NOT_READY from 08:15 to 08:25 and from 08:45 to 08:50."""
    path, deployment = tiny_deployment
    with duckdb.connect(str(path)) as idb:
        idb.execute(SECOND_DN)
        idb.execute(REASONS)
    run_cycle(deployment)
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        reasons = con.execute(
            """SELECT r.REASON_VALUE, sum(f.TOTAL_DURATION), count(*) FROM SM_RES_STATE_REASON_FACT f
               JOIN RESOURCE_STATE_REASON r USING (RESOURCE_STATE_REASON_KEY) GROUP BY 1 ORDER BY 1"""
        ).fetchall()
    assert reasons == [("Break", 300, 1), ("Lunch", 600, 1)]
    states = summarised_states(deployment)
    assert ("NOTREADY", "08:15:00", "08:25:00") in states and ("NOTREADY", "08:45:00", "08:50:00") in states
