"""What the DAG files share (idbmart/orchestration.py), run in this process: which days a backfill run
rebuilds, and a live IDB's password taken from its Airflow Connection."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest

from idbmart import config
from idbmart.config import READERS_PASSWORD
from idbmart.errors import IdbmartError
from idbmart.extract.sources import password_env
from idbmart.orchestration import backfill_days, connection_id, use_connections

DAY = (datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))  # a daily run's data interval


def test_a_backfill_run_rebuilds_its_params_days_else_its_data_interval_s_day():
    from airflow.sdk.exceptions import AirflowSkipException

    given = {"from": "2026-10-01", "to": "2026-10-03"}
    assert backfill_days(given, "manual", DAY) == (date(2026, 10, 1), date(2026, 10, 3))
    assert backfill_days({"from": "2026-10-01", "to": None}, "manual", DAY) == (date(2026, 10, 1),) * 2
    assert backfill_days({}, "backfill", DAY) == (date(2026, 11, 2),) * 2  # one run per day of Airflow's Backfill
    assert backfill_days({"from": None, "to": None}, "manual", DAY) == (date(2026, 11, 2),) * 2
    with pytest.raises(AirflowSkipException, match="rebuilds nothing"):
        backfill_days({}, "scheduled", DAY)  # the DAG unpaused: its daily runs are no requests
    with pytest.raises(IdbmartError, match="give the params from and to"):
        backfill_days({}, "manual", (None, None))


def test_a_live_idb_s_password_comes_from_its_airflow_connection_unless_the_environment_gives_one(
    tmp_path, monkeypatch
):
    sources = [
        config.Source("Site PG", "postgresql://idbmart@db.example:5432/icon", "pg", True, ("gcc",)),
        config.Source("site_env", "postgresql://idbmart@db.example:5432/icon2", "env", True, ("gcc",)),
        config.Source("file", f"duckdb://{tmp_path / 'idb.duckdb'}", "file", True, ("gcc",)),
    ]
    (tmp_path / "idb.duckdb").touch()
    readers = '\n[readers]\npostgresql = "postgresql://bi@reports.example:5432/mart"\n'
    (tmp_path / "deployment.toml").write_text(config.render(str(tmp_path / "mart.duckdb"), sources) + readers)
    deployment = config.load(tmp_path / "deployment.toml")
    assert connection_id("Site PG") == "idbmart_site_pg"
    for name in ("Site PG", "file"):  # none given (empty), and put back after the test
        monkeypatch.setenv(password_env(name), "")
    monkeypatch.setenv("AIRFLOW_CONN_IDBMART_SITE_PG", "postgresql://idbmart:from-connection@db.example:5432/icon")
    monkeypatch.setenv("AIRFLOW_CONN_IDBMART_SITE_ENV", "postgresql://idbmart:from-connection@db.example:5432/icon2")
    monkeypatch.setenv("AIRFLOW_CONN_IDBMART_FILE", "postgresql://idbmart:not-for-a-file@db.example:5432/x")
    monkeypatch.setenv(password_env("site_env"), "from-environment")
    monkeypatch.setenv(READERS_PASSWORD, "")
    monkeypatch.setenv("AIRFLOW_CONN_IDBMART_READERS", "postgresql://bi:readers-secret@reports.example:5432/mart")
    use_connections(deployment)
    assert os.environ.get(READERS_PASSWORD) == "readers-secret"  # the PostgreSQL readers' mart's
    assert os.environ.get(password_env("Site PG")) == "from-connection"
    assert os.environ.get(password_env("site_env")) == "from-environment"  # the environment wins
    assert os.environ.get(password_env("file")) == ""  # a file needs none
