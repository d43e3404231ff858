"""Retention (idbmart/load/retention.py, run by the nightly `maintain`) on two simulated days, kept one day:
it removes the working rows of what ended before the horizon, keeps configuration, and changes
nothing a report reads, neither at once nor in the cycles that follow it."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from idbmart import config, jobs
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, SnapshotSeries, default_snapshot_time
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.quality.compare import AGGREGATE_PREFIXES, STAR_PREFIXES, differences
from tests.conftest import mart_with_truth

# Slow (two simulated days and cycles across a purge): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

DAY = 86_400
P = Params(calls=300, seed=7, nodes=1, days=2)
REPORTED = STAR_PREFIXES + AGGREGATE_PREFIXES


def keeping_one_day(deployment):
    return replace(deployment, retention=replace(deployment.retention, gidb_days=1))


def only_calendar_added(diff: dict[str, tuple[int, int]]) -> bool:
    """`maintain` fills DATE_TIME ahead of today; no other reporting row may differ."""
    return set(diff) <= {"DATE_TIME"} and diff.get("DATE_TIME", (0, 0))[0] == 0


@pytest.fixture(scope="module")
def two_days(tmp_path_factory):
    """Both days read by one cycle (the quality gate on): the deployment and its series."""
    series = SnapshotSeries(tmp_path_factory.mktemp("retention") / "world", P)
    series.write(default_snapshot_time(P))
    deployment = config.load(series.path)
    run_cycle(deployment)
    return deployment, series


def test_the_purge_removes_what_ended_before_the_horizon_and_keeps_configuration(two_days, tmp_path):
    deployment, series = two_days
    purged = keeping_one_day(replace(deployment, mart_path=tmp_path / "mart.duckdb"))
    shutil.copy(deployment.mart_path, purged.mart_path)
    removed = jobs.maintain(purged)["deleted"]
    con = mart_with_truth(purged.mart_path, series.out / "truth")
    (clock,) = con.execute("SELECT max(TIME_TO) FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'ok'").fetchall()[0]
    horizon = clock - DAY
    assert DAY0 + DAY < horizon < DAY0 + 2 * DAY  # inside the second day: the first day's calls are past it
    # An interaction ends with its last call: calls that ended an hour before the horizon are gone
    # from both layers; calls made after it are all kept, once.
    gone, in_mart = con.execute(
        f"""SELECT count(*), count(*) FILTER (CALLID IN (SELECT CALLID FROM GIDB_G_CALL UNION ALL
                                                       SELECT CALLID FROM STG_G_CALL))
        FROM TRUTH_CALL WHERE TERMINATED_TS < {horizon - 3600}"""
    ).fetchall()[0]
    assert gone > 100 and in_mart == 0
    kept, once = con.execute(
        f"""SELECT count(*), count(*) FILTER ((SELECT count(*) FROM GIDB_G_CALL g WHERE g.CALLID = t.CALLID) = 1)
        FROM TRUTH_CALL t WHERE CREATED_TS > {horizon}"""
    ).fetchall()[0]
    assert kept > 100 and once == kept
    con.close()
    assert removed["GIDB_G_PARTY_HISTORY"] > 0 and removed["STG_ENTITY"] > 0
    # Configuration stays whole: the dimensions are rebuilt from all of it every cycle.
    assert differences(deployment.mart_path, purged.mart_path, ("GIDB_GC", "STG_GC")) == {}
    assert only_calendar_added(differences(deployment.mart_path, purged.mart_path, REPORTED))
    assert not any(jobs.maintain(purged)["deleted"].values()), "a second purge finds nothing more"


def test_cycles_after_a_purge_load_what_one_run_loads(two_days, tmp_path):
    """Noon of the second day, a cycle; the nightly purge keeping one day (the first day's morning
    goes); the rest of the day, a cycle: it passes its gate, and the reporting tables are those of
    the one cycle over both days."""
    deployment, _ = two_days
    series = SnapshotSeries(tmp_path / "world", P)
    cycles = config.load(series.path)
    series.write(DAY0 + DAY + 12 * 3600)
    run_cycle(cycles)
    assert sum(jobs.maintain(keeping_one_day(cycles))["deleted"].values()) > 0
    series.write(default_snapshot_time(P))
    assert run_cycle(cycles).quality.ok
    assert only_calendar_added(differences(deployment.mart_path, cycles.mart_path, REPORTED))
