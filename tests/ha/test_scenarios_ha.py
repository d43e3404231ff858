"""The hand-made HA scenario gives the hand-written choices (fixtures/scenarios/ha_gap.py)."""

from __future__ import annotations

import duckdb

from etl import config
from etl.cycle import run_cycle
from fixtures.scenarios import SCENARIOS
from fixtures.scenarios.builder import at

# The scenario's reasons are prose; these are the decision codes that say the same.
SAME_AS = {
    "both members cover it; primary": {"both_cover_primary"},
    "only dc1_node1_b has it": {"only_member_holding_it"},
    "dc1_node1_a has a gap in its lifetime": {"only_member_covering_it", "only_member_that_saw_it_end"},
}


def test_ha_gap_scenario_chooses_the_members_it_expects(tmp_path):
    scenario = SCENARIOS["ha_gap"]
    deployment = config.load(scenario.write(tmp_path))
    run_cycle(deployment)
    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    for expected in scenario.expected["HA"]:
        what, _, rest = expected["entity"].partition(" ")
        if what == "call":
            where = f"ENTITY_KIND = 'interaction' AND ENTITY_KEY = '{scenario.seed:08d}{int(rest):024d}'"
        else:  # "login session of agent1000 09:00"
            agent, clock = rest.split()[-2:]
            where = (
                f"ENTITY_KIND = 'login_session' AND ENTITY_KEY LIKE '%|{agent.removeprefix('agent')}|%' "
                f"AND START_TS = {at(clock + ':00')}"
            )
        rows = con.execute(f"SELECT SOURCE_NAME, REASON FROM CTL_HA_DECISION WHERE {where}").fetchall()
        assert len(rows) == 1, expected
        assert rows[0][0] == expected["member"], expected
        assert rows[0][1] in SAME_AS[expected["reason"]], (expected, rows)
