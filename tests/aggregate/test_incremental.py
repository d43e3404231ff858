"""Incremental re-aggregation: after any sequence of cycles with late data, outages, repeats and
window re-aggregations (backfills), every aggregate equals a recomputation from scratch."""

from __future__ import annotations

import random
import shutil
from dataclasses import replace

import duckdb
import polars as pl
import pytest

from idbmart import config
from idbmart.aggregate.build import FAMILIES, ROLLUP_FROM
from idbmart.cycle import reaggregate, run_cycle
from idbmart.fixtures.scenarios import SCENARIOS
from idbmart.fixtures.scenarios.builder import at
from idbmart.fixtures.simulator import Params, SnapshotSeries, default_snapshot_time
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.quality.compare import AGGREGATE_PREFIXES, differences
from tests.conftest import without_gate

# Slow (cycles every 15 minutes against one run): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

# One cluster node pair, VQ, configuration, OCS. The node primary loses 10:00-11:00 and re-delivers
# rows; 10 % of its rows commit 30 minutes late; the VQ secondary is down 14:00-14:20; a stuck call.
P = Params(calls=300, seed=31, nodes=1)
FAULTS = [
    "gap:dc1_node1_a:10:00-11:00",
    "dup:dc1_node1_a",
    "late:dc1_node1_a:0.1:1800",
    "down:dc1_vq_b:14:00-14:20",
    "stuck:1",
]
STEPS = ("cycle", "cycle", "cycle", "outage", "repeat", "backfill")


def recomputed_equals_incremental(deployment, folder) -> dict:
    """Copy the mart, rebuild the copy's aggregates from its facts, compare the two."""
    folder.mkdir(exist_ok=True)
    copy = replace(deployment, mart_path=folder / "scratch.duckdb")
    shutil.copy(deployment.mart_path, copy.mart_path)
    counts = reaggregate(copy, full=True)
    assert counts.mode == "full"
    return differences(copy.mart_path, deployment.mart_path, AGGREGATE_PREFIXES)


def rolled_up_from_changed_levels_only(counts) -> list[str]:
    """The levels a cycle re-aggregated though the level they roll up from did not change in the
    periods touched (it would have come out the same: a rollup is a sum of the level below), and the
    levels it skipped though that one changed."""
    wrong = []
    for f in FAMILIES:
        if f.table("SUBHR") not in counts.tables:
            continue
        for level, below in ROLLUP_FROM.items():
            moved = any(counts.tables.get(f.table(below), (0, 0, 0)))
            if (f.table(level) in counts.tables) != moved:
                wrong.append(f"{f.table(level)} {'re-aggregated' if not moved else 'skipped'}")
    return wrong


def resources_seen_as_the_facts_say(mart) -> list:
    """The resources of STG_RESOURCE_SEEN whose first-seen time is not their earliest fact's, recounted
    over every fact (a resource no fact points at any more keeps the time it had)."""
    facts = """SELECT RESOURCE_KEY, START_TS FROM INTERACTION_RESOURCE_FACT
               UNION ALL SELECT MEDIA_RESOURCE_KEY, START_TS FROM INTERACTION_RESOURCE_FACT
               UNION ALL SELECT RESOURCE_KEY, START_TS FROM MEDIATION_SEGMENT_FACT
               UNION ALL SELECT RESOURCE_KEY, START_TS FROM SM_RES_SESSION_FACT
               UNION ALL SELECT MEDIA_RESOURCE_KEY, START_TS FROM SM_RES_SESSION_FACT"""
    with duckdb.connect(str(mart), read_only=True) as con:
        return con.execute(f"""SELECT s.RESOURCE_KEY, s.FIRST_SEEN_TS, f.TS FROM STG_RESOURCE_SEEN AS s
            JOIN (SELECT RESOURCE_KEY, min(START_TS) AS TS FROM ({facts}) GROUP BY 1) AS f USING (RESOURCE_KEY)
            WHERE s.FIRST_SEEN_TS IS DISTINCT FROM f.TS""").fetchall()


@pytest.mark.parametrize("seed", [1])  # more seeds find more; each costs a minute
def test_random_schedules_leave_every_aggregate_equal_to_a_recomputation(tmp_path, seed):
    rng = random.Random(seed)
    series = SnapshotSeries(tmp_path / "world", P, FAULTS)
    deployment = without_gate(config.load(series.path))
    end = default_snapshot_time(P)
    at, log, late_updates = DAY0 + 8 * 3600, [], 0
    while at < end:
        step = rng.choice(STEPS)
        if step in ("cycle", "outage"):
            at = min(end, at + rng.choice([900, 3600, 7200]))
            away = rng.choice(deployment.sources).name if step == "outage" else None
            series.write(at, skip=(away,) if away else ())
            if away:
                deployment.source(away).path.unlink(missing_ok=True)
            result = run_cycle(deployment)
            late_updates += result.transformed.changed
            log.append((step, at, away, result.aggregated.touched))
        elif step == "repeat":
            result = run_cycle(deployment)
            log.append((step, at, None, result.aggregated.touched))
            if not result.skipped:  # nothing new: nothing to re-aggregate
                assert result.aggregated.touched == 0, log
        else:  # re-aggregate a random window of what is loaded so far
            lo = rng.randrange(DAY0, at, 900)
            counts = reaggregate(deployment, window=(lo, rng.randrange(lo + 900, at + 901, 900)))
            assert counts.mode == "window" and counts.changed == 0 and counts.deleted == 0, log
            log.append((step, lo, None, counts.touched))
        if len(log) == 6:  # midway too, not only at the end
            assert recomputed_equals_incremental(deployment, tmp_path / "mid") == {}, log
            assert resources_seen_as_the_facts_say(deployment.mart_path) == [], log
    series.write(end)
    run_cycle(deployment)  # every source back and read to the end
    assert late_updates > 0, f"the schedule must have met late data: {log}"
    assert recomputed_equals_incremental(deployment, tmp_path / "end") == {}, log
    assert resources_seen_as_the_facts_say(deployment.mart_path) == [], log


def test_agent_data_a_cycle_late_re_aggregates_the_queue_interval_it_changes(tmp_path):
    """The queue stay (09:00 interval) and the agent's offer (09:15 interval) are in different intervals;
    the agent's login session arrives a cycle late. The queue row must change too, though its
    mediation fact did not: ACCEPTED_AGENT reads the target resource fact."""
    scenario = SCENARIOS["late_agent"]
    deployment = config.load(scenario.write(tmp_path / "idb"))
    node2 = [s for s in deployment.sources if s.ha_set == "dc1_node2"]
    for s in node2:
        s.path.rename(s.path.with_suffix(".away"))
    first = run_cycle(deployment)
    assert sorted(s.source.name for s in first.skipped) == sorted(s.name for s in node2)
    queue = (
        "SELECT ACCEPTED, ACCEPTED_AGENT FROM AG2_QUEUE_SUBHR WHERE DATE_TIME_KEY = ? AND RESOURCE_KEY IN "
        "(SELECT RESOURCE_KEY FROM RESOURCE_ WHERE RESOURCE_NAME = 'VQ_Sales')"
    )
    agent = "SELECT sum(ACCEPTED) FROM AG2_AGENT_SUBHR"
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        assert con.execute(queue, [at("09:00:00")]).fetchall() == [(1, 0)]  # answered by a DN, agent unknown
        assert con.execute(agent).fetchall() == [(None,)]
    for s in node2:
        s.path.with_suffix(".away").rename(s.path)
    second = run_cycle(deployment)
    assert not second.skipped and second.transformed.changed > 0
    # the call was answered: its queue interval is touched again, and holds no abandon to roll up
    assert second.aggregated.tables["AG2_QUEUE_ABN_SUBHR"] == (0, 0, 0)
    assert "AG2_QUEUE_ABN_HOUR" not in second.aggregated.tables
    assert rolled_up_from_changed_levels_only(second.aggregated) == []
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        assert con.execute(queue, [at("09:00:00")]).fetchall() == [(1, 1)]
        assert con.execute(agent).fetchall() == [(1,)]
    assert recomputed_equals_incremental(deployment, tmp_path / "scratch") == {}


def test_a_cycle_re_aggregates_the_states_of_the_agents_who_logged_out_and_no_others(tmp_path):
    """Agent states are read when a login session ends. The cycle after an agent logged out
    recomputes the state aggregates of that agent, over every interval of the session, and of no
    other agent: the rows of an agent who logged out before, in the same intervals, are not
    recomputed (and everything still equals a recomputation)."""
    series = SnapshotSeries(tmp_path / "world", P)
    deployment = without_gate(config.load(series.path))
    sessions = pl.read_parquet(tmp_path / "world" / "truth" / "TRUTH_LOGIN_SESSION.parquet").sort("LOGOUT_TS")
    logouts = sessions["LOGOUT_TS"].to_list()
    assert logouts[0] < logouts[1] < logouts[2]
    before, after = (logouts[0] + logouts[1]) // 2, (logouts[1] + logouts[2]) // 2  # the second agent's logout
    series.write(before)
    run_cycle(deployment)
    series.write(after)
    counts = run_cycle(deployment).aggregated

    login, logout = sessions.row(1, named=True)["LOGIN_TS"], logouts[1]
    overlap = sessions.row(0, named=True)["LOGIN_TS"] < logout and logouts[0] > login
    assert overlap  # the first agent's session shares intervals with the second's
    assert counts.resources["states"] == 1
    assert counts.intervals["states"] == len(range(login // 900 * 900, logout, 900))
    assert recomputed_equals_incremental(deployment, tmp_path / "scratch") == {}
