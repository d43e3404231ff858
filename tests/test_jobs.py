"""The nightly jobs (etl/jobs.py) on a real mart: what `maintain` does to what the day's cycles left."""

from __future__ import annotations

import shutil

import duckdb

from etl import config, jobs
from etl.cycle import run_cycle
from etl.quality.compare import STAR_PREFIXES, differences
from fixtures.simulator import Params, SnapshotSeries
from fixtures.simulator.profile import DAY0
from tests.conftest import one, without_gate

TABLES = ("GIDB_G_PARTY", "INTERACTION_RESOURCE_FACT")
ROW_GROUP = 122_880  # DuckDB's rows per row group


def row_groups(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return one(con, f"SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('{table}')")[0]


def test_cycles_leave_compaction_to_the_nightly_maintenance_which_keeps_every_row(tmp_path):
    """A cycle's commit writes what it changed and merges nothing: a table keeps a row group per cycle
    that added rows to it. `maintain` merges them (one row group holds the whole small day), every row
    of staging, GIDB and the star schema kept, and records itself in the audit log."""
    series = SnapshotSeries(tmp_path / "world", Params(calls=300, seed=5, nodes=1))
    deployment = without_gate(config.load(series.path))
    added = dict.fromkeys(TABLES, 0)  # cycles that added rows to each table
    for hour in (9, 11, 13, 15, 24):
        series.write(DAY0 + hour * 3600)
        before = _counts(deployment.mart_path)
        run_cycle(deployment)
        after = _counts(deployment.mart_path)
        for t in TABLES:
            added[t] += after[t] > before.get(t, 0)
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        for t in TABLES:
            assert added[t] >= 3
            assert row_groups(con, t) >= added[t], t
    kept = tmp_path / "before.duckdb"
    shutil.copy(deployment.mart_path, kept)

    done = jobs.maintain(deployment, now=DAY0 + 86_400)

    # Retention (30 days of GIDB and staging) removes only the staged versions of configuration
    # objects older than that; the call and agent data of the day stay, compared below.
    assert all(t.startswith("STG_") for t, n in done["deleted"].items() if n)
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        for t in TABLES:
            rows = one(con, f"SELECT count(*) FROM {t}")[0]
            assert rows < ROW_GROUP and row_groups(con, t) == 1, t
        assert one(con, "SELECT count(*) FROM CTL_AUDIT_LOG WHERE JOB = 'nightly' AND STEP = 'maintain'")[0] == 1
    star = tuple(p for p in STAR_PREFIXES if p != "DATE_TIME")  # maintain fills DATE_TIME ahead
    assert differences(kept, deployment.mart_path, ("STG_G_", "GIDB_", "CTL_HA_DECISION", *star)) == {}


def _counts(path) -> dict[str, int]:
    if not path.exists():
        return {}
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: one(con, f"SELECT count(*) FROM {t}")[0] for t in TABLES}
