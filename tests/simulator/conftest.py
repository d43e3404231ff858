"""One small simulated deployment (SIP Cluster, VQ, cfg, OCS and a classic site; default faults),
shared by the simulator tests and queried through DuckDB with every IDB attached read-only."""

from __future__ import annotations

import duckdb
import pytest

from idbmart.fixtures.simulator import Params, default_snapshot_time, simulate
from idbmart.fixtures.simulator.topology import topology

PARAMS = Params(calls=1500, days=1, seed=7, classic=True)


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    simulate(out, PARAMS, ["default"])
    return out


def connect(folder, params: Params = PARAMS) -> duckdb.DuckDBPyConnection:
    """DuckDB with each IDB of `params`' deployment attached under its name and the truth tables as views."""
    con = duckdb.connect()
    for idb in topology(params):
        con.execute(f"ATTACH '{folder / 'idb' / idb.name}.duckdb' AS {idb.name} (READ_ONLY)")
    for f in sorted((folder / "truth").glob("*.parquet")):
        con.execute(f"CREATE VIEW {f.stem} AS SELECT * FROM read_parquet('{f}')")
    return con


@pytest.fixture(scope="session")
def con(sim):
    return connect(sim)


@pytest.fixture(scope="session")
def snapshot_time():
    return default_snapshot_time(PARAMS)
