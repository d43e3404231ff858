"""Thirty autonomous sites (the Interaction Director guide's deployment: sites that keep working
while the center cannot reach them) read by cycles while sites come and go at random: no site that
is away blocks the others or the cycle, and catching up gives exactly the mart of an uninterrupted
run."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from idbmart import config
from idbmart.config import ExtractOptions
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, SnapshotSeries, default_snapshot_time, simulate
from idbmart.quality.compare import differences
from tests.conftest import without_gate
from tests.test_cycle import ALL, hm

# Slow (a simulated day of 66 IDBs through eight cycles): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

# Thirty autonomous sites beside one cluster node (the Interaction Director guide's deployment), small
# volume, no faults but the outages below.
SITES = Params(calls=1500, seed=31, nodes=1, classic=True, sites=30, outbound=False)


def test_thirty_sites_away_at_random_catch_up_to_the_mart_of_an_uninterrupted_run(tmp_path):
    """Cycles every two hours of the day; at each, about a fifth of the sites are away, both IDBs of the
    site: unreachable (no file) or answering with an error (a file that is no database). A cycle skips
    exactly those, says so, and loads the others, four sources at a time; once every site is back, the
    mart equals the one an uninterrupted run builds from the same IDBs."""
    rng = random.Random(34)
    series = SnapshotSeries(tmp_path / "cycles", SITES)
    cycles = replace(without_gate(config.load(series.path)), extract=ExtractOptions(threads=4))
    sites = sorted({i.ha_set for i in series.idbs if i.site})
    assert len(sites) == 30
    away_cycles, times = 0, [*range(hm(8), hm(20) + 1, 7200), default_snapshot_time(SITES)]
    for at in times:
        last = at == default_snapshot_time(SITES)
        away = {} if last else {s: rng.choice(("unreachable", "error")) for s in sites if rng.random() < 0.2}
        members = tuple(i.name for i in series.idbs if i.ha_set in away)
        series.advance(at, skip=members)
        for name in members:
            path = cycles.source(name).path
            path.unlink(missing_ok=True)
            if away[cycles.source(name).ha_set] == "error":
                path.write_bytes(b"this is no database\n" * 100)
        result = run_cycle(cycles)
        assert sorted(s.source.name for s in result.skipped) == sorted(members), at
        away_cycles += bool(away)
    assert away_cycles == len(times) - 1  # the schedule had sites away at every cycle but the last
    uninterrupted = without_gate(config.load(simulate(tmp_path / "once", SITES)))
    run_cycle(uninterrupted)
    assert differences(cycles.mart_path, uninterrupted.mart_path, ALL) == {}
