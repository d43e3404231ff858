"""A deployment advanced in place, step by step, holds exactly what a snapshot written whole at the
same time holds: the benchmark's intraday cycles read what `simulate --at` would have written."""

from __future__ import annotations

import duckdb
import pytest

from idbmart.fixtures.simulator import Params, SnapshotSeries, simulate
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.idb.schema import tables_for_roles

# Slow (a simulated day rewritten at successive times): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

P = Params(calls=400, days=1, seed=11, classic=True)
# Faults that change what a step sees: a gap with duplicates re-sent, late commits, a skewed clock.
FAULTS = ["gap:dc1_node1_a:10:00-10:40", "dup:dc1_node1_a", "late:dc1_node2_b:0.05:600", "skew:2:45", "stuck:2"]


def content(path, roles) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t.name: sorted(con.execute(f"SELECT * FROM {t.name}").fetchall(), key=repr) for t in tables_for_roles(roles)
        }
    finally:
        con.close()


def test_advancing_in_place_equals_writing_whole(tmp_path):
    live = SnapshotSeries(tmp_path / "live", P, FAULTS)
    steps = [DAY0 + h * 3600 for h in (6, 10, 10.5, 14, 25)]
    changed = []
    for at in map(int, steps):
        changed.append(live.advance(at))
        simulate(tmp_path / "whole", P, FAULTS, at=at)  # the simulator's own path, built from scratch
        for idb in live.idbs:
            got = content(tmp_path / "live" / "idb" / f"{idb.name}.duckdb", idb.roles)
            want = content(tmp_path / "whole" / "idb" / f"{idb.name}.duckdb", idb.roles)
            assert got == want, f"{idb.name} at {at}: " + ", ".join(t for t in want if got[t] != want[t])
    # The first step writes whole; each later one only what changed, and the busy hours change something.
    assert changed[0] == 0 and all(n > 0 for n in changed[1:])
