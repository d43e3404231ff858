"""The hand-made scenarios render into valid IDBs, and their hand-written expectations agree with
what those IDBs say (durations from party history and agent states, mediation from the VQ rows and
the ACD queues' parties)."""

from __future__ import annotations

import duckdb
import pytest

from idbmart import config
from idbmart.extract.inventory import inventory
from idbmart.fixtures.scenarios import SCENARIOS
from idbmart.fixtures.scenarios.builder import at

# Slow (every hand-made scenario rendered): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = {}
    for name, scenario in SCENARIOS.items():
        out[name] = scenario.write(tmp_path_factory.mktemp(name))
    return out


def attach(deployment_path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for s in config.load(deployment_path).sources:
        con.execute(f"ATTACH '{s.path}' AS {s.name} (READ_ONLY)")
    return con


def cluster_b(con, table: str, columns: str) -> str:
    """The union of `table` over the fault-free (b) member of every cluster node pair, and of the
    classic site's pair where the scenario has one."""
    members = [f"dc{d}_node{n}_b" for d, n in ((1, 1), (1, 2), (2, 3))]
    members += [
        m
        for (m,) in con.execute(
            "SELECT database_name FROM duckdb_databases() WHERE database_name = 'dc2_classic_b'"
        ).fetchall()
    ]
    return " UNION ALL ".join(f"SELECT {columns} FROM {m}.{table}" for m in members)


def dn_name(con) -> str:
    """An agent state row's DN name: GSYS_EXT_VCH1 in a cluster, its configured DN elsewhere."""
    return (
        "coalesce(GSYS_EXT_VCH1, (SELECT any_value(DN) FROM dc2_cfg.GC_ENDPOINT e WHERE e.ENDPOINTID = h.ENDPOINTID))"
    )


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_renders_a_deployment_whose_sources_check_clean(rendered, name):
    statuses = inventory(config.load(rendered[name]))
    assert all(s.ok and not s.warnings for s in statuses), [(s.source.name, s.error, s.warnings) for s in statuses]


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if "IRF" in s.expected])
def test_expected_resource_facts_agree_with_the_rendered_idbs(rendered, name):
    con = attach(rendered[name])
    scenario = SCENARIOS[name]
    parties = cluster_b(con, "G_PARTY", "CALLID, PARTYID, ENDPOINTDN, TERMINATED_TS")
    history = cluster_b(con, "G_PARTY_HISTORY", "PARTYID, PSEQ, STATE, ADDED_TS")
    states = cluster_b(con, "G_AGENT_STATE_HISTORY h", f"{dn_name(con)} AS DN, STATE, ADDED_TS")
    for irf in scenario.expected["IRF"]:
        callid = f"{scenario.seed:08d}{irf['call']:024d}"
        ring, talk, hold, end, dn = con.execute(f"""
            WITH h AS (SELECT PARTYID, STATE,
                              lead(ADDED_TS) OVER (PARTITION BY PARTYID ORDER BY PSEQ) - ADDED_TS AS d
                       FROM ({history}))
            SELECT coalesce(sum(d) FILTER (STATE = 2), 0), coalesce(sum(d) FILTER (STATE = 3), 0),
                   coalesce(sum(d) FILTER (STATE = 4), 0), any_value(p.TERMINATED_TS), any_value(p.ENDPOINTDN)
            FROM ({parties}) p JOIN h USING (PARTYID)
            WHERE p.CALLID = '{callid}' AND p.ENDPOINTDN = '{irf["media_resource"]}'""").fetchone()
        assert (ring, talk, hold) == (irf["ring"], irf["talk"], irf["hold"]), (name, irf)
        acw = con.execute(f"""
            WITH s AS (SELECT STATE, ADDED_TS, lead(ADDED_TS) OVER (PARTITION BY DN ORDER BY ADDED_TS) - ADDED_TS AS d
                       FROM ({states}) WHERE DN = '{dn}')
            SELECT coalesce(max(d), 0) FROM s WHERE STATE = 4 AND ADDED_TS = {end}""").fetchone()[0]
        assert acw == irf["acw"], (name, irf)


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if "MSF" in s.expected])
def test_expected_mediation_segments_agree_with_the_virtual_queue(rendered, name):
    con = attach(rendered[name])
    scenario = SCENARIOS[name]
    for msf in scenario.expected["MSF"]:
        callid = f"{scenario.seed:08d}{msf['call']:024d}"
        if msf["resource"] != "VQ_Sales":  # an ACD queue: its party on the call
            assert acd_queue_stay(con, callid, msf["resource"], msf["result"]) == msf["duration"], (name, msf)
            continue
        added, ended, result = con.execute(f"""SELECT ADDED_TS, TERMINATED_TS, RESULT FROM dc1_vq_b.G_VIRTUAL_QUEUE
                                              WHERE CALLID = '{callid}'""").fetchone()
        if msf["result"] == "ABANDONED":
            assert (result, ended - added) == (2, msf["duration"])
        else:  # distributed: until the target answers, or the caller abandons while it rings; the target
            # on the call, or on the call it became at another site (G_IS_LINK, out)
            links = " UNION ALL ".join(
                f"SELECT REMOTECALLID FROM {d}.G_IS_LINK WHERE CALLID = '{callid}' AND DIRECTION = 1"
                for (d,) in con.execute("SELECT DISTINCT database_name FROM duckdb_tables() WHERE table_name = "
                                        "'G_IS_LINK' AND database_name LIKE '%_b'").fetchall()
            )  # fmt: skip
            answered_or_gone = con.execute(f"""
                SELECT coalesce(min(h.ADDED_TS) FILTER (h.STATE = 3), max(p.TERMINATED_TS))
                FROM ({cluster_b(con, "G_PARTY", "*")}) p JOIN ({cluster_b(con, "G_PARTY_HISTORY", "*")}) h
                USING (PARTYID) WHERE (p.CALLID = '{callid}' OR p.CALLID IN ({links or "SELECT NULL"}))
                  AND p.CREATED_TS = {ended} AND p.TYPE = 1""").fetchone()[0]
            assert (result, answered_or_gone - added) == (1, msf["duration"])


def test_ha_gap_scenario_has_each_call_where_the_expectations_say(rendered):
    con = attach(rendered["ha_gap"])
    seed = SCENARIOS["ha_gap"].seed

    def state(member, call):
        return con.execute(f"""SELECT TERMINATED_TS IS NOT NULL FROM dc1_node1_{member}.G_CALL
                               WHERE CALLID = '{seed:08d}{call:024d}'""").fetchall()

    assert (state("a", 1), state("b", 1)) == ([(True,)], [(True,)])  # whole in both: the primary
    assert (state("a", 2), state("b", 2)) == ([], [(True,)])  # only in b
    assert (state("a", 3), state("b", 3)) == ([(False,)], [(True,)])  # a lost its end in the gap
    # Ann's session is in both members, but a lacks the states written during the gap.
    gap = (at("10:00:00"), at("11:00:00"))
    counts = [
        con.execute(f"""SELECT count(*) FILTER (ADDED_TS >= {gap[0]} AND ADDED_TS < {gap[1]})
                              FROM dc1_node1_{m}.G_AGENT_STATE_HISTORY""").fetchone()[0]
        for m in "ab"
    ]
    # Inside 10:00-11:00: ACW 10:04:00, READY 10:04:30, BUSY 10:20:10, ACW 10:22:00, READY 10:22:10.
    assert counts == [0, 5]


def test_cluster_scenario_puts_ann_on_another_node_than_her_call(rendered):
    con = attach(rendered["cluster_agent_other_node"])
    party = con.execute("""SELECT AGENTID, ENDPOINTDN FROM dc1_node1_b.G_PARTY WHERE ENDPOINTDN = '70001'""").fetchall()
    assert party == [(0, "70001")]
    sessions = {
        n: con.execute(
            f"SELECT count(*) FROM dc{d}_node{n}_b.G_LOGIN_SESSION WHERE GSYS_EXT_VCH1 = '70001'"
        ).fetchone()[0]
        for d, n in ((1, 1), (1, 2), (2, 3))
    }
    assert sessions == {1: 0, 2: 1, 3: 0}
    nobody = sum(
        con.execute(f"SELECT count(*) FROM dc{d}_node{n}_b.G_LOGIN_SESSION WHERE GSYS_EXT_VCH1 = '70009'").fetchone()[0]
        for d, n in ((1, 1), (1, 2), (2, 3))
    )
    assert nobody == 0


def test_stuck_scenario_call_never_ends_in_either_member(rendered):
    con = attach(rendered["stuck_call"])
    seed = SCENARIOS["stuck_call"].seed
    rows = [
        con.execute(f"""SELECT STATE, TERMINATED_TS FROM dc1_node1_{m}.G_CALL
                            WHERE CALLID = '{seed:08d}{1:024d}'""").fetchall()
        for m in "ab"
    ]
    assert rows == [[(1, None)], [(1, None)]]


def acd_queue_stay(con, callid: str, queue: str, result: str) -> int:
    """The seconds of the call's one stay at ACD queue `queue`, by how it ended: abandoned (the customer
    left as it did), diverted to another DN without an answer, or distributed until its target answered."""
    parties = cluster_b(con, "G_PARTY", "*")
    history = cluster_b(con, "G_PARTY_HISTORY", "*")
    ((pid, created, ended),) = con.execute(
        f"SELECT PARTYID, CREATED_TS, TERMINATED_TS FROM ({parties}) WHERE CALLID = ? AND ENDPOINTDN = ?",
        [callid, queue],
    ).fetchall()
    customer_left = con.execute(f"SELECT max(TERMINATED_TS) FROM ({parties}) WHERE CALLID = ? AND TYPE = 2",
                                [callid]).fetchone()[0]  # fmt: skip
    answered = con.execute(
        f"""SELECT min(h.ADDED_TS) FILTER (h.STATE = 3) FROM ({parties}) p JOIN ({history}) h USING (PARTYID)
            WHERE p.CALLID = ? AND p.PARENTPARTYID = ? AND p.TYPE = 1""",
        [callid, pid],
    ).fetchone()[0]
    if result == "ABANDONED":
        assert customer_left == ended
    elif answered is not None:
        return answered - created
    return ended - created
