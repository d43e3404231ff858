"""SM_RES_STATE_FACT when an agent's login sessions arrive in different cycles: each agent's states
are rebuilt from the run of overlapping sessions that changed (sql/transform/state_agents.sql), and
an agent's earlier sessions keep their states whatever another agent republished beside them."""

from __future__ import annotations

import itertools

import duckdb

from etl import config
from etl.cycle import run_cycle
from etl.idb.enums import PartyRole
from fixtures.scenarios.builder import Scenario, at
from tests.conftest import without_gate

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
