"""The star schema against the simulator's truth, on SIP Cluster, classic, mixed, thirty-site and multimedia
deployments.

One simulated day (default faults: a gap and re-delivered rows on a cluster primary, late commits, a
VQ member down, node 3's clock 3 s late, a gap on the classic secondary, one stuck call) is loaded
three ways: the cluster's IDBs only, the classic site's only, and all of them (mixed). A second day
has thirty classic sites beside the cluster (the Interaction Director guide's autonomous sites, each
its own HA pair and data center, most clocks 1-3 s late), loaded whole; a third the SIP Cluster with
blended agents, whose chats and e-mails an Interaction Server's ICON pair records. Expected values
come from the truth tables: the true agent of every party, its true ring, talk, hold and after-call
seconds, every call's true outcome, every agent's true seconds per state.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, default_snapshot_time, simulate
from idbmart.fixtures.simulator.world import CLUSTER_SWITCH, MM_SWITCH, site_switch, switch_name
from idbmart.idb.enums import RouteTargetType
from idbmart.load.mart import SENTINEL_TS
from tests.conftest import mart_with_truth, one

WORLDS = {
    "one site": Params(calls=1200, seed=11, classic=True),
    "thirty sites": Params(calls=3000, seed=13, classic=True, sites=30),
    "multimedia": Params(calls=700, seed=17, media=("voice", "chat", "email")),
}
SHAPES = {  # deployment → its world, its sources and the truth rows it covers (TRUTH_CALL.NODE)
    # a call that crossed sites (ISCC) is only whole where both sites are read
    "cluster": ("one site", lambda s: not s.name.startswith("dc2_classic"), "NODE <> 'classic' AND NOT ISCC"),
    "classic": (
        "one site",
        lambda s: s.name.startswith("dc2_classic") or s.ha_set == "cfg",
        "NODE = 'classic' AND NOT ISCC",
    ),
    "mixed": ("one site", lambda s: True, "TRUE"),
    "sites": ("thirty sites", lambda s: True, "TRUE"),
    # the SIP Cluster with blended agents: chats and e-mails through an Interaction Server's ICON pair
    "multimedia": ("multimedia", lambda s: True, "TRUE"),
}
# Each IRF measure column (Info Mart's families are disjoint, DBCompatibility VOICE_IXN_FACT_EXT) → the
# truth's seconds it counts and the families of the parties they come from (TRUTH_PARTY.FAMILY).
FAMILIES = {
    "DIAL_DURATION": ("DIAL_S", ["MAIN", "CONS_RCV", "POST_CONS_XFER", "CONF_JOIN"]),
    "RING_DURATION": ("RING_S", ["MAIN", "CONS_INIT"]),
    "TALK_DURATION": ("TALK_S", ["MAIN"]),
    "HOLD_DURATION": ("HOLD_S", ["MAIN"]),
    "AFTER_CALL_WORK_DURATION": ("ACW_S", ["MAIN", "CONS_INIT"]),
    "CONS_INIT_DIAL_DURATION": ("DIAL_S", ["CONS_INIT"]),
    "CONS_INIT_TALK_DURATION": ("TALK_S", ["CONS_INIT"]),
    "CONS_INIT_HOLD_DURATION": ("HOLD_S", ["CONS_INIT"]),
    **{
        f"{family}_{m}_DURATION": (f"{m}_S", [family])
        for family in ("CONS_RCV", "POST_CONS_XFER", "CONF_JOIN")
        for m in ("RING", "TALK", "HOLD", "ACW")
    },
}
STATE_NAMES = {  # truth (IDB enum names) → RESOURCE_STATE codes
    "LOGGED_IN": "LOGGEDIN", "NOT_READY": "NOTREADY", "READY": "READY", "AFTER_CALL_WORK": "AFTERCALLWORK",
    "BUSY": "BUSY", "DO_NOT_DISTURB": "DND",
}  # fmt: skip


@pytest.fixture(scope="module")
def worlds(tmp_path_factory) -> Callable[[str], tuple[config.Deployment, Path]]:
    """Each world simulated once, when a shape first needs it: (its deployment, its truth folder)."""

    @cache
    def world(name: str) -> tuple[config.Deployment, Path]:
        out = tmp_path_factory.mktemp("world")
        return config.load(simulate(out, WORLDS[name], ["default"])), out / "truth"

    return world


# The classic-only, thirty-site and multimedia shapes are the slow tier's (`make test-fast` keeps the fast tier under
# two minutes): the mixed shape reads the classic site too.
@pytest.fixture(
    scope="module",
    params=[pytest.param(s, marks=pytest.mark.slow) if s in ("classic", "sites", "multimedia") else s for s in SHAPES],
)
def mart(request, worlds, tmp_path_factory):
    """A connection to the mart of one deployment shape, with the truth of its calls as views."""
    world, keep, calls = SHAPES[request.param]
    deployment, truth = worlds(world)
    folder = tmp_path_factory.mktemp(request.param)
    path = folder / "deployment.toml"
    path.write_text(config.render(str(folder / "mart.duckdb"), [s for s in deployment.sources if keep(s)]))
    shaped = config.load(path)
    result = run_cycle(shaped)
    assert not result.skipped
    con = mart_with_truth(shaped.mart_path, truth, read_at=default_snapshot_time(WORLDS[world]))
    con.execute(f"CREATE TEMP VIEW CALL AS SELECT * FROM TRUTH_CALL WHERE {calls}").fetchall()
    # Agent handling attempts of calls that ended (a stuck call's true end is not in any IDB): a party, or
    # a consultation's receiver and its continuation on the main call (TRUTH_PARTY.ATTEMPT_KEY), with its
    # true seconds per IRF measure family; matched to their IRF by first call, DN and order of creation
    # (times differ by a node's clock skew, not order).
    families = ", ".join(
        f"coalesce(sum({measure}) FILTER (FAMILY IN ({', '.join(repr(f) for f in fams)})), 0) AS T_{column}"
        for column, (measure, fams) in FAMILIES.items()
    )
    con.execute(f"""
        CREATE TEMP TABLE PARTY AS
        SELECT t.*, i.*, ag.RESOURCE_CFG_DBID AS MART_AGENTID
        FROM (SELECT *, row_number() OVER (PARTITION BY CALLID, DN ORDER BY CREATED_TS) AS n
              FROM (SELECT ATTEMPT_KEY, arg_min(CALLID, CREATED_TS) AS CALLID, any_value(DN) AS DN,
                           any_value(AGENTID) AS AGENTID, bool_or(CLUSTER) AS CLUSTER,
                           arg_min(SWITCHID, CREATED_TS) AS SWITCHID, min(CREATED_TS) AS CREATED_TS,
                           count(*) AS PARTIES, {families},
                           sum(ACW_S) AS ACW_S, sum(TALK_S) AS TALK_S, sum(HOLD_S) AS HOLD_S,
                           sum(CUSTOMER_RING_S) AS CUSTOMER_RING_S, sum(CUSTOMER_TALK_S) AS CUSTOMER_TALK_S,
                           sum(CUSTOMER_HOLD_S) AS CUSTOMER_HOLD_S, sum(CUSTOMER_DIAL_S) AS CUSTOMER_DIAL_S
                    FROM TRUTH_PARTY WHERE AGENTID IS NOT NULL
                      AND CALLID IN (SELECT CALLID FROM CALL WHERE NOT STUCK) GROUP BY ATTEMPT_KEY)) AS t
        LEFT JOIN (SELECT i.*, d.RESOURCE_NAME AS IRF_DN,
                          row_number() OVER (PARTITION BY i.MEDIA_SERVER_IXN_GUID, d.RESOURCE_NAME
                                             ORDER BY i.START_TS) AS irf_n
                   FROM INTERACTION_RESOURCE_FACT AS i
                   JOIN RESOURCE_ AS d ON d.RESOURCE_KEY = i.MEDIA_RESOURCE_KEY) AS i
          ON i.MEDIA_SERVER_IXN_GUID = t.CALLID AND i.IRF_DN = t.DN AND i.irf_n = t.n
        LEFT JOIN RESOURCE_ AS ag ON ag.RESOURCE_KEY = i.RESOURCE_KEY AND ag.RESOURCE_TYPE_CODE = 'AGENT'
    """).fetchall()  # fmt: skip
    yield request.param, con, result
    con.close()


def test_every_agent_party_has_exactly_one_resource_fact(mart):
    shape, con, _ = mart
    parties, matched, extra = one(
        con,
        """SELECT count(*), count(INTERACTION_RESOURCE_ID),
                  (SELECT count(*) FROM (SELECT INTERACTION_RESOURCE_ID FROM PARTY GROUP BY 1 HAVING count(*) > 1))
           FROM PARTY""",
    )
    assert parties > 100 and (matched, extra) == (parties, 0), shape


def test_an_agents_resource_fact_points_at_the_place_the_agent_was_logged_in_at(mart):
    """Info Mart's resource fact names the agent's place (PLACE_KEY to PLACE, from GC_PLACE:
    https://docs.genesys.com/Documentation/GIM/8.5.0/PDMMS/Table-INTERACTION_RESOURCE_FACT); idbmart takes it
    from the login session the agent was in when the attempt began. The simulator seats each agent of
    the classic site at its own place, DBID agent + 2000 (its configuration); a SIP Cluster has no
    places (SIP Cluster guide), so its agents' facts name none."""
    shape, con, _ = mart
    classic, seated, cluster_seated = one(
        con,
        """SELECT count(*) FILTER (NOT CLUSTER), count(*) FILTER (NOT CLUSTER AND p.PLACE_CFG_DBID = AGENTID + 2000),
                  count(*) FILTER (CLUSTER AND PARTY.PLACE_KEY IS NOT NULL)
           FROM PARTY LEFT JOIN PLACE AS p USING (PLACE_KEY)""",
    )
    assert seated == classic and cluster_seated == 0, shape
    assert (classic > 50) == (shape != "cluster"), shape


def test_skills_and_group_memberships_are_the_configured_ones_with_their_history(mart):
    """Info Mart keeps configuration relations as facts over time: an agent's skill and level
    (RESOURCE_SKILL_FACT_, from ICON's GCX_SKILL_LEVEL:
    https://en.docs.genesys.com/Documentation/ICON/latest/PDMDB2/Table-GCX_SKILL_LEVEL), a DN's DN group
    and a place's place group (RESOURCE_GROUP_FACT_, PLACE_GROUP_FACT_; CfgDNGroup and CfgPlaceGroup:
    https://docs.genesys.com/Documentation/PSDK/latest/ConfigLayerRef/CfgAgentGroup). The simulator's
    truth: each agent's service skill (the second agent's level raised at noon), Spanish for every
    fourth; each queue in its service's queue group and All Queues; the classic site's places on
    Classic Floor."""
    shape, con, _ = mart
    wrong_skills, skills, raised = one(
        con,
        f"""WITH m AS (
             SELECT r.RESOURCE_CFG_DBID AS AGENTID, s.SKILL_NAME, f.SKILL_LEVEL AS LEVEL, f.START_TS AS FROM_TS,
                    nullif(f.END_TS, {SENTINEL_TS}) AS TO_TS
             FROM RESOURCE_SKILL_FACT_ AS f JOIN SKILL AS s USING (SKILL_KEY) JOIN RESOURCE_ AS r USING (RESOURCE_KEY))
           SELECT (SELECT count(*) FROM (SELECT * FROM m EXCEPT SELECT AGENTID, SKILL_NAME, LEVEL, FROM_TS, TO_TS
                                           FROM TRUTH_SKILL_LEVEL)),
                  (SELECT count(*) FROM TRUTH_SKILL_LEVEL),
                  (SELECT count(*) FROM m WHERE TO_TS IS NOT NULL)""",
    )
    assert (wrong_skills, raised) == (0, 1) and one(con, "SELECT count(*) FROM RESOURCE_SKILL_FACT_")[0] == skills
    # Info Mart's view adds each version's TOTAL_DURATION: the raised level's first version lasted until noon
    lasted = one(
        con,
        """SELECT list(v.TOTAL_DURATION ORDER BY v.START_TS) = list(t.TO_TS - t.FROM_TS ORDER BY t.FROM_TS)
           FROM RESOURCE_SKILL_FACT AS v JOIN RESOURCE_ AS r USING (RESOURCE_KEY)
           JOIN TRUTH_SKILL_LEVEL AS t ON t.AGENTID = r.RESOURCE_CFG_DBID AND t.FROM_TS = v.START_TS
           WHERE NOT v.ACTIVE_FLAG""",
    )[0]
    assert lasted
    missing_queues = one(
        con,
        """SELECT count(*) FROM (
             SELECT QUEUE, GROUP_NAME FROM TRUTH_QUEUE_GROUP_MEMBER
             WHERE QUEUE IN (SELECT RESOURCE_NAME FROM RESOURCE_)
             EXCEPT SELECT r.RESOURCE_NAME, g.GROUP_NAME FROM RESOURCE_GROUP_FACT_ AS f
             JOIN RESOURCE_ AS r USING (RESOURCE_KEY) JOIN GROUP_ AS g USING (GROUP_KEY)
             WHERE g.GROUP_TYPE_CODE = 'QUEUE')""",
    )[0]
    assert missing_queues == 0
    floor, places = one(
        con,
        """SELECT (SELECT count(*) FROM PLACE_GROUP_FACT_ JOIN GROUP_ USING (GROUP_KEY)
                  WHERE GROUP_NAME = 'Classic Floor' AND GROUP_TYPE_CODE = 'PLACE' AND ACTIVE_FLAG),
                  (SELECT count(*) FROM PLACE)""",
    )
    # the multimedia world has no classic site: its places are its blended agents', on no floor
    assert (floor, places > 0) == ((0, True) if shape == "multimedia" else (places, True)), (shape, floor, places)


def test_a_routed_agents_fact_names_the_target_its_strategy_selected(mart):
    """Info Mart's resource fact names the routing target (ROUTING_TARGET_KEY; ROUTING_TARGET's type code
    and TARGET_OBJECT_SELECTED, AGENT_GROUP_NAME or SKILL_EXPRESSION by type), from G_ROUTE_RESULT's
    RTARGETTYPESELECTED and RTARGETOBJECTSELECTED. The simulator's strategies select the service's agent
    group on even calls and a skill expression on odd ones (TRUTH_ROUTE, SIP Cluster calls); every other
    agent fact has the row -1, UNKNOWN."""
    shape, con, _ = mart
    routed, wrong, others_unknown, others = one(
        con,
        f"""WITH p AS (
             SELECT p.*, r.CALLID IS NOT NULL AS ROUTED, r.TARGET_TYPE, r.TARGET_OBJECT,
                    t.ROUTING_TARGET_TYPE_CODE, t.TARGET_OBJECT_SELECTED, t.AGENT_GROUP_NAME, t.SKILL_EXPRESSION
             FROM PARTY AS p LEFT JOIN TRUTH_ROUTE AS r ON r.CALLID = p.CALLID AND r.AGENTID = p.AGENTID
             LEFT JOIN ROUTING_TARGET AS t USING (ROUTING_TARGET_KEY)
             WHERE p.INTERACTION_RESOURCE_ID IS NOT NULL)
           SELECT count(*) FILTER (ROUTED),
                  count(*) FILTER (ROUTED AND (TARGET_OBJECT_SELECTED IS DISTINCT FROM TARGET_OBJECT
                    OR ROUTING_TARGET_TYPE_CODE IS DISTINCT FROM
                       CASE TARGET_TYPE WHEN {int(RouteTargetType.AGENT_GROUP)} THEN 'AGENT GROUP'
                                        WHEN {int(RouteTargetType.SKILL_EXPRESSION)} THEN 'SKILL EXPRESSION' END
                    OR coalesce(AGENT_GROUP_NAME, SKILL_EXPRESSION) IS DISTINCT FROM TARGET_OBJECT)),
                  count(*) FILTER (NOT ROUTED AND ROUTING_TARGET_KEY = -1 AND ROUTING_TARGET_TYPE_CODE = 'UNKNOWN'),
                  count(*) FILTER (NOT ROUTED)
           FROM p""",
    )
    assert wrong == 0 and others_unknown == others, shape
    assert (routed > 100) == (shape != "classic"), (shape, routed)


def test_each_agent_attempts_states_are_its_true_seconds(mart):
    """Info Mart's IXN_RESOURCE_STATE_FACT holds each state of a handling attempt (INTERACTION_RESOURCE_STATE:
    the state, and the party's role in it), as the report SQL that finds the calls agents initiated reads it
    (tests/infomart_sql/initiated_calls_by_state.oracle.sql). Per agent attempt, the seconds in Connect, Hold
    and Wrap are the truth's talk, hold and after-call seconds of its parties."""
    shape, con, _ = mart
    compared, wrong = one(
        con,
        """WITH s AS (
             SELECT f.INTERACTION_RESOURCE_ID,
                    coalesce(sum(f.TOTAL_DURATION) FILTER (r.STATE_NAME_CODE = 'CONNECT'), 0) AS TALK,
                    coalesce(sum(f.TOTAL_DURATION) FILTER (r.STATE_NAME_CODE = 'HOLD'), 0) AS HOLD,
                    coalesce(sum(f.TOTAL_DURATION) FILTER (r.STATE_NAME_CODE = 'WRAP'), 0) AS WRAP
             FROM IXN_RESOURCE_STATE_FACT AS f
             JOIN INTERACTION_RESOURCE_STATE AS r USING (INTERACTION_RESOURCE_STATE_KEY)
             GROUP BY 1)
           SELECT count(*), count(*) FILTER (coalesce(s.TALK, 0) <> p.TALK_S OR coalesce(s.HOLD, 0) <> p.HOLD_S
                                             OR coalesce(s.WRAP, 0) <> coalesce(p.ACW_S, 0))
           FROM PARTY AS p LEFT JOIN s USING (INTERACTION_RESOURCE_ID)
           WHERE p.INTERACTION_RESOURCE_ID IS NOT NULL""",
    )
    assert wrong == 0 and compared > 100, (shape, compared, wrong)


def test_an_agents_first_engagement_in_each_interaction_is_flagged_once(mart):
    """ANCHOR_FLAGS flags "the first participation of an agent in a particular interaction"
    (https://docs.genesys.com/Documentation/GIM/latest/PDMMS/Table-ANCHOR_FLAGS), read by agent-group
    report SQL as FIRST_ENGAGE_FOR_AGENT_IXN (tests/infomart_sql/first_engagement_anchor.tsql.sql). From
    the truth: of each agent's attempts in an interaction, the first created in which it talked is flagged
    and no other is (the agent's every attempt of that interaction found by the mart)."""
    shape, con, _ = mart
    groups, flagged, wrong = one(
        con,
        """WITH p AS (
             SELECT p.INTERACTION_ID, p.AGENTID, p.CREATED_TS, p.TALK_S, a.FIRST_ENGAGE_FOR_AGENT_IXN AS FLAG,
                    bool_and(p.MART_AGENTID IS NOT DISTINCT FROM p.AGENTID)
                      OVER (PARTITION BY p.INTERACTION_ID, p.AGENTID) AS FOUND
             FROM PARTY AS p JOIN ANCHOR_FLAGS AS a USING (ANCHOR_FLAGS_KEY)),
           t AS (
             SELECT *, TALK_S > 0 AND row_number() OVER (
                 PARTITION BY INTERACTION_ID, AGENTID, TALK_S > 0 ORDER BY CREATED_TS) = 1 AS FIRST
             FROM p WHERE FOUND)
           SELECT count(DISTINCT (INTERACTION_ID, AGENTID)), count(*) FILTER (FLAG = 1),
                  count(*) FILTER ((FLAG = 1) <> FIRST)
           FROM t""",
    )
    assert wrong == 0 and flagged > 100 and groups >= flagged, (shape, groups, flagged, wrong)


def test_the_agent_of_every_party_is_its_true_agent(mart):
    """Reported agents exactly; in a cluster, recovered from login sessions with precision >= 99.9 %
    and recall >= 99 % of the parties whose agent was logged in (all of them, in the simulator)."""
    shape, con, result = mart
    reported_wrong = one(con, "SELECT count(*) FROM PARTY WHERE NOT CLUSTER AND MART_AGENTID IS DISTINCT FROM AGENTID")
    assert reported_wrong == (0,)
    recoverable, recovered, right = one(
        con,
        """SELECT count(*), count(*) FILTER (AGENT_RECOVERED_FLAG),
                  count(*) FILTER (AGENT_RECOVERED_FLAG AND MART_AGENTID = AGENTID)
           FROM PARTY WHERE CLUSTER""",
    )
    if shape == "classic":
        assert recoverable == 0
        return
    precision, recall = right / recovered, right / recoverable
    print(f"\n{shape}: {recoverable} recoverable cluster parties, {recovered} recovered, {right} right: "
          f"precision {100 * precision:.3f} %, recall {100 * recall:.3f} %")  # fmt: skip
    assert precision >= 0.999 and recall >= 0.99
    # the cycle's audit row states the rate
    assert (
        f"agent recovery: {result.transformed.agent_match['recovered']} of"
        in one(con, "SELECT DETAIL FROM CTL_AUDIT_LOG WHERE STEP = 'transform'")[0]
    )


def test_every_measure_family_holds_its_true_seconds(mart):
    """GIMPopIRF: one IRF per resource per handling attempt, a consultation's receiver and its
    continuation after the transfer or conference in one; each party's seconds in its family's columns,
    the families disjoint (DBCompatibility VOICE_IXN_FACT_EXT: RING = RING + CONS_RCV_RING +
    POST_CONS_XFER_RING + CONF_JOIN_RING over a call's IRFs)."""
    shape, con, _ = mart
    wrong = {c: one(con, f"SELECT count(*) FILTER ({c} <> T_{c}) FROM PARTY")[0] for c in FAMILIES}
    assert set(wrong.values()) == {0}, (shape, {c: n for c, n in wrong.items() if n})
    exercised = one(
        con,
        """SELECT count(*) FILTER (T_AFTER_CALL_WORK_DURATION > 0), count(*) FILTER (T_HOLD_DURATION > 0),
                  count(*) FILTER (T_CONS_RCV_TALK_DURATION > 0 AND T_POST_CONS_XFER_TALK_DURATION > 0),
                  count(*) FILTER (T_CONS_RCV_TALK_DURATION > 0 AND T_CONF_JOIN_TALK_DURATION > 0),
                  count(*) FILTER (PARTIES > 1)
           FROM PARTY""",
    )
    assert exercised[0] > 100 and exercised[1] > 10, exercised
    if shape != "classic":  # the cluster's pairs of agents transfer and conference after consulting
        assert min(exercised[2:4]) > 5 and exercised[4] == exercised[2] + exercised[3], exercised


def test_customer_measures_count_only_the_time_the_customer_was_on_the_call(mart):
    """GIMPopIRF: CUSTOMER_* measures count only the time a customer is on the call; a consultation
    leg has none, and an internal call's customer is the agent who made it (GCXI). The truth computes
    them from the simulated calls by that rule."""
    shape, con, _ = mart
    wrong = one(
        con,
        """SELECT count(*) FILTER (CUSTOMER_RING_DURATION <> CUSTOMER_RING_S),
                  count(*) FILTER (CUSTOMER_TALK_DURATION <> CUSTOMER_TALK_S),
                  count(*) FILTER (CUSTOMER_HOLD_DURATION <> CUSTOMER_HOLD_S),
                  count(*) FILTER (CUSTOMER_DIAL_DURATION <> CUSTOMER_DIAL_S),
                  count(*) FILTER (CUSTOMER_HANDLE_COUNT > 0 AND CUSTOMER_TALK_S = 0),
                  count(*) FILTER (TALK_S > 0 AND CUSTOMER_TALK_S = 0)
           FROM PARTY""",
    )
    assert wrong[:5] == (0, 0, 0, 0, 0), (shape, wrong)
    if shape != "classic":  # the cluster's pairs of agents make consultations
        assert wrong[5] > 10, wrong  # consultation legs: talk, none of it with the customer


OUTCOME = """
WITH irf AS (
  SELECT i.INTERACTION_ID, td.TECHNICAL_RESULT_CODE AS RESULT, td.RESULT_REASON_CODE AS REASON,
         d.RESOURCE_TYPE_CODE AS DN_TYPE, i.CUSTOMER_HANDLE_COUNT
  FROM INTERACTION_RESOURCE_FACT i JOIN TECHNICAL_DESCRIPTOR td USING (TECHNICAL_DESCRIPTOR_KEY)
  JOIN RESOURCE_ d ON d.RESOURCE_KEY = i.MEDIA_RESOURCE_KEY
),
msf AS (
  SELECT s.INTERACTION_ID, td.TECHNICAL_RESULT_CODE AS RESULT
  FROM MEDIATION_SEGMENT_FACT s JOIN TECHNICAL_DESCRIPTOR td USING (TECHNICAL_DESCRIPTOR_KEY)
)
SELECT f.MEDIA_SERVER_IXN_GUID AS CALLID,
  CASE
    WHEN f.ACTIVE_FLAG THEN 'waiting'  -- a chat or e-mail still going on when its IDB was read
    WHEN f.INTERACTION_TYPE_KEY = 1 THEN 'internal'
    WHEN f.INTERACTION_TYPE_KEY = 3 THEN
      CASE WHEN EXISTS (SELECT 1 FROM irf WHERE irf.INTERACTION_ID = f.INTERACTION_ID AND DN_TYPE = 'EXTENSION')
           THEN 'outbound' ELSE 'no_answer' END
    WHEN EXISTS (SELECT 1 FROM irf WHERE irf.INTERACTION_ID = f.INTERACTION_ID AND RESULT = 'CONFERENCED')
      THEN 'conferenced'
    WHEN EXISTS (SELECT 1 FROM irf WHERE irf.INTERACTION_ID = f.INTERACTION_ID AND RESULT = 'TRANSFERRED'
                 AND DN_TYPE IN ('EXTENSION', 'PLACE')) THEN 'transferred'
    WHEN EXISTS (SELECT 1 FROM irf WHERE irf.INTERACTION_ID = f.INTERACTION_ID AND REASON = 'ABANDONEDWHILERINGING')
      THEN 'abandoned_ringing'
    WHEN EXISTS (SELECT 1 FROM irf WHERE irf.INTERACTION_ID = f.INTERACTION_ID AND REASON = 'ABANDONEDFROMHOLD')
      THEN 'abandoned_from_hold'
    WHEN EXISTS (SELECT 1 FROM irf WHERE irf.INTERACTION_ID = f.INTERACTION_ID AND DN_TYPE IN ('EXTENSION', 'PLACE')
                 AND CUSTOMER_HANDLE_COUNT > 0) THEN 'answered'
    WHEN EXISTS (SELECT 1 FROM msf WHERE msf.INTERACTION_ID = f.INTERACTION_ID AND RESULT = 'ABANDONED')
      THEN 'abandoned_in_queue'
    WHEN EXISTS (SELECT 1 FROM msf WHERE msf.INTERACTION_ID = f.INTERACTION_ID AND RESULT = 'CLEARED') THEN 'cleared'
    WHEN EXISTS (SELECT 1 FROM irf WHERE irf.INTERACTION_ID = f.INTERACTION_ID AND DN_TYPE = 'IVRPORT') THEN 'ivr_only'
    ELSE 'unknown'
  END AS OUTCOME
FROM INTERACTION_FACT f
"""


def test_a_call_routed_to_another_site_is_one_interaction_with_its_leg_there(mart):
    """Info Mart merges a multi-site call across IDBs into one interaction (ICON UG
    MergeStoredProcedure: "Genesys Info Mart 8.x ... merges interactions automatically"; the iscc
    scenario). The simulator routes some cluster calls to classic agents through ISCC (TRUTH_CALL.ISCC,
    ISCC_FROM): where both sites are read, each leg's agent fact is under its call's interaction and no
    leg is an interaction of its own; where only the classic site is read, each leg is one (the rest of
    its interaction was never read)."""
    shape, con, _ = mart
    legs, own, joined = one(
        con,
        """SELECT count(*), count(f.INTERACTION_ID),
                  count(*) FILTER (i.INTERACTION_ID = m.INTERACTION_ID)
           FROM TRUTH_CALL AS t
           LEFT JOIN INTERACTION_FACT AS f ON f.MEDIA_SERVER_IXN_GUID = t.CALLID
           LEFT JOIN INTERACTION_FACT AS m ON m.MEDIA_SERVER_IXN_GUID = t.ISCC_FROM
           LEFT JOIN (SELECT MEDIA_SERVER_IXN_GUID, any_value(INTERACTION_ID) AS INTERACTION_ID
                      FROM INTERACTION_RESOURCE_FACT WHERE AGENT_MATCH IN ('reported', 'recovered') GROUP BY 1) AS i
             ON i.MEDIA_SERVER_IXN_GUID = t.CALLID
           WHERE t.ISCC_FROM IS NOT NULL
             AND t.ISCC_FROM NOT IN (SELECT CALLID FROM TRUTH_CALL WHERE STUCK)""",
    )
    assert (legs > 5) == (shape != "multimedia"), legs  # the multimedia world has no classic site
    expected = {"mixed": (0, legs), "sites": (0, legs), "classic": (legs, 0), "cluster": (0, 0), "multimedia": (0, 0)}[
        shape
    ]
    assert (own, joined) == expected, (shape, legs, own, joined)


def test_each_handling_row_is_on_its_sites_switch(mart):
    """Info Mart's site is the switch of a resource fact's media resource (RESOURCE_.SWITCH_NAME,
    https://docs.genesys.com/Documentation/GIM/8.5.0/PDMMS/Table-RESOURCE_): every agent's handling
    row names the switch of the DN the agent took the call on, as the simulator configured it (each
    classic site its own T-Server; an ISCC leg on the agent's site, its call on the cluster)."""
    shape, con, _ = mart
    switches = [CLUSTER_SWITCH, MM_SWITCH, *map(site_switch, range(1, 31))]
    names = ", ".join(f"({w}, '{switch_name(w)}')" for w in switches)
    rows, wrong, switches = one(
        con,
        f"""SELECT count(*), count(*) FILTER (r.SWITCH_DBID IS DISTINCT FROM p.SWITCHID
                                              OR r.SWITCH_NAME IS DISTINCT FROM s.NAME),
                   count(DISTINCT r.SWITCH_DBID)
            FROM PARTY AS p JOIN RESOURCE_ AS r ON r.RESOURCE_KEY = p.MEDIA_RESOURCE_KEY
            LEFT JOIN (VALUES {names}) AS s (SWITCHID, NAME) ON s.SWITCHID = p.SWITCHID""",
    )
    sites = {"cluster": 1, "classic": 1, "mixed": 2, "sites": 31, "multimedia": 2}[shape]  # multimedia: its own
    assert rows > 100 and wrong == 0 and switches == sites, (shape, rows, wrong, switches)


def test_every_call_outcome_is_its_true_outcome(mart):
    """An analyst's reading of the facts (technical results of IRF and MSF rows) gives each
    interaction's true outcome; consultations are part of their customer's interaction. A call that
    never ends is flagged stuck once it has been active the stuck threshold (then closed at the
    sentinel); one younger than that at the snapshot is still active, not in the facts yet (nor in
    the truth it is compared with: mart_with_truth's read_at)."""
    shape, con, _ = mart
    wrong, total, stuck_flagged = one(
        con,
        f"""SELECT count(*) FILTER (m.OUTCOME IS DISTINCT FROM t.OUTCOME), count(*),
                   (SELECT count(*) FROM INTERACTION_FACT WHERE STUCK_FLAG)
            FROM (SELECT * FROM CALL WHERE OUTCOME NOT IN ('consult', 'site_leg') AND NOT STUCK) t
            FULL JOIN ({OUTCOME}) m USING (CALLID)
            WHERE t.CALLID IS NOT NULL OR m.CALLID NOT IN (
              SELECT CALLID FROM TRUTH_CALL WHERE STUCK OR (ISCC AND CALLID NOT IN (SELECT CALLID FROM CALL)))""",
    )
    assert total > 200 and wrong == 0, shape
    assert stuck_flagged == one(con, "SELECT count(*) FROM CALL WHERE STUCK")[0]


def test_agent_seconds_per_state_are_exact(mart):
    shape, con, _ = mart
    con.execute(
        "CREATE OR REPLACE TEMP TABLE STATE_NAME AS SELECT * FROM (VALUES "
        + ", ".join(f"('{k}', '{v}')" for k, v in STATE_NAMES.items())
        + ") AS t(TRUTH, CODE)"
    ).fetchall()
    wrong, pairs = one(
        con,
        """WITH truth AS (
             SELECT t.AGENTID, n.CODE, sum(t.SECONDS) AS S
             FROM TRUTH_AGENT_STATE t JOIN STATE_NAME n ON n.TRUTH = t.STATE
             WHERE t.AGENTID IN (SELECT RESOURCE_CFG_DBID FROM RESOURCE_ r
                                 JOIN SM_RES_SESSION_FACT s USING (RESOURCE_KEY))
             GROUP BY ALL),
           mart AS (
             SELECT r.RESOURCE_CFG_DBID AS AGENTID, st.STATE_TYPE_CODE AS CODE, sum(f.TOTAL_DURATION) AS S
             FROM SM_RES_STATE_FACT f JOIN RESOURCE_ r USING (RESOURCE_KEY)
             JOIN RESOURCE_STATE st USING (RESOURCE_STATE_KEY)
             GROUP BY ALL)
           SELECT count(*) FILTER (truth.S IS DISTINCT FROM mart.S), count(*)
           FROM truth FULL JOIN mart USING (AGENTID, CODE)""",
    )
    assert pairs > 10 and wrong == 0, shape


def test_cluster_dns_are_resources_made_on_the_fly_once_and_every_key_resolves(mart):
    shape, con, _ = mart
    dup, typed_wrong, cluster_rows = one(
        con,
        """SELECT (SELECT count(*) FROM (SELECT RESOURCE_NAME, SWITCH_DBID FROM RESOURCE_ WHERE RESOURCE_TYPE = 'DN'
                                        GROUP BY ALL HAVING count(*) > 1)),
                  count(*) FILTER (RESOURCE_CFG_TYPE_ID <> 0), count(*)
           FROM RESOURCE_ WHERE SWITCH_NAME = 'SIP_Cluster'""",
    )
    assert dup == 0
    if shape != "classic":  # with no cluster IDB read, nothing says the switch is a cluster's
        assert typed_wrong == 0 and cluster_rows > 10
    dangling = one(
        con,
        """SELECT
          (SELECT count(*) FROM INTERACTION_RESOURCE_FACT WHERE RESOURCE_KEY NOT IN (SELECT RESOURCE_KEY FROM RESOURCE_)
             OR MEDIA_RESOURCE_KEY NOT IN (SELECT RESOURCE_KEY FROM RESOURCE_)
             OR TECHNICAL_DESCRIPTOR_KEY NOT IN (SELECT TECHNICAL_DESCRIPTOR_KEY FROM TECHNICAL_DESCRIPTOR)
             OR INTERACTION_DESCRIPTOR_KEY NOT IN (SELECT INTERACTION_DESCRIPTOR_KEY FROM INTERACTION_DESCRIPTOR)
             OR START_DATE_TIME_KEY NOT IN (SELECT DATE_TIME_KEY FROM DATE_TIME)
             OR END_DATE_TIME_KEY NOT IN (SELECT DATE_TIME_KEY FROM DATE_TIME)
             OR INTERACTION_ID NOT IN (SELECT INTERACTION_ID FROM INTERACTION_FACT)),
          (SELECT count(*) FROM MEDIATION_SEGMENT_FACT WHERE RESOURCE_KEY NOT IN (SELECT RESOURCE_KEY FROM RESOURCE_)
             OR TARGET_IXN_RESOURCE_ID NOT IN (SELECT INTERACTION_RESOURCE_ID FROM INTERACTION_RESOURCE_FACT)),
          (SELECT count(*) FROM SM_RES_STATE_FACT WHERE RESOURCE_KEY NOT IN (SELECT RESOURCE_KEY FROM RESOURCE_)
             OR END_DATE_TIME_KEY NOT IN (SELECT DATE_TIME_KEY FROM DATE_TIME)),
          (SELECT count(*) FROM INTERACTION_FACT WHERE TENANT_KEY NOT IN (SELECT TENANT_KEY FROM TENANT))""",
    )
    assert dangling == (0, 0, 0, 0)


def test_an_unconfigured_ivr_application_is_a_resource_by_name_and_tenant(mart):
    shape, con, _ = mart
    rows = con.execute(
        "SELECT RESOURCE_NAME, RESOURCE_CFG_TYPE_ID FROM RESOURCE_ WHERE RESOURCE_TYPE_CODE = 'IVRAPPLICATION' "
        "AND RESOURCE_KEY IN (SELECT RESOURCE_KEY FROM INTERACTION_RESOURCE_FACT) ORDER BY 1"
    ).fetchall()
    # IVR_Main and IVR_Billing are configured (type 9); IVR_Survey is not (type 0, made on the fly)
    assert rows == [("IVR_Billing", 9), ("IVR_Main", 9), ("IVR_Survey", 0)], shape


def test_secure_user_data_stays_out_of_the_custom_columns_by_default(mart):
    _, con, _ = mart
    customer_ids, ivr_apps = one(con, "SELECT count(CUSTOMER_ID), count(IVR_APPLICATION) FROM IRF_USER_DATA_CUST_1")
    assert customer_ids == 0 and ivr_apps > 0
