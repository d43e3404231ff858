"""The Airflow DAGs: integrity (imports, ids, schedules, retries, pool) and each DAG run end to end
with `airflow dags test` on a simulated deployment, in a throwaway Airflow home (SQLite)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from idbmart.fixtures.simulator import Params, simulate
from idbmart.fixtures.simulator.profile import DAY0

# Slow (real Airflow runs): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW = str(Path(sys.executable).parent / "airflow")
WRITERS = {"plan", "commit_cycle", "publish", "sweep", "maintain", "full_check", "rebuild"}


@pytest.fixture(scope="module")
def airflow(tmp_path_factory):
    """An Airflow home with its database and the writers' pool, and a simulated deployment."""
    home = tmp_path_factory.mktemp("airflow")
    out = tmp_path_factory.mktemp("deployment")
    path = simulate(out, Params(calls=150, seed=3, nodes=1), [])
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"), "IDBMART_CONFIG": str(path)}  # fmt: skip

    def cli(*args: str, config: Path | None = None) -> subprocess.CompletedProcess:
        run_env = {**env, "IDBMART_CONFIG": str(config)} if config else env
        return subprocess.run([AIRFLOW, *args], env=run_env, capture_output=True, text=True, cwd=home)

    assert cli("db", "migrate").returncode == 0
    assert cli("pools", "set", "idbmart_mart", "1", "one writer to the mart").returncode == 0
    return cli, out


def one(path: Path, query: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(query).fetchall()[0][0]
    finally:
        con.close()


def test_the_dags_import_with_their_ids_schedules_retries_and_pool(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {"idbmart_intraday", "idbmart_nightly", "idbmart_backfill"}
    intraday, nightly, backfill = (bag.dags[f"idbmart_{n}"] for n in ("intraday", "nightly", "backfill"))
    # idbmart_backfill's daily schedule is for Airflow's Backfill only (paused when it appears; a
    # scheduled run rebuilds nothing: test_orchestration.py)
    assert (intraday.schedule, nightly.schedule, backfill.schedule) == ("*/15 * * * *", "30 2 * * *", "@daily")
    assert set(backfill.params.keys()) == {"from", "to"} and backfill.is_paused_upon_creation
    # a failed or timed-out run alerts (the intraday run times out at 14 minutes: the next is due)
    assert intraday.dagrun_timeout.total_seconds() == 14 * 60
    assert all(dag.on_failure_callback for dag in (intraday, nightly, backfill))
    # publish updates the mart's Asset in each DAG: downstream DAGs can be scheduled on it
    for dag in (intraday, nightly, backfill):
        assert [a.name for a in dag.get_task("publish").outlets] == ["idbmart_mart"], dag.dag_id
    for dag in (intraday, nightly, backfill):
        assert dag.max_active_runs == 1 and not dag.catchup
        for t in dag.tasks:
            assert (t.pool == "idbmart_mart") == (t.task_id in WRITERS), (dag.dag_id, t.task_id)
    assert intraday.get_task("extract").retries == intraday.get_task("extract_others").retries == 3
    # the HA sets' other members after the primaries' lanes, whatever became of them
    assert intraday.get_task("extract_others").trigger_rule == "all_done"
    assert intraday.get_task("extract") in intraday.get_task("extract_others").upstream_list
    assert intraday.get_task("commit_cycle").trigger_rule == "all_done"  # a failed site does not block the rest
    # clean_up is plan's teardown: it runs whatever happened and never decides the run's state
    assert intraday.get_task("clean_up").is_teardown and intraday.get_task("plan").is_setup
    assert intraday.get_task("sources").retries == 0
    assert {t.task_id: t.retries for t in nightly.tasks} == {"sweep": 1, "maintain": 1, "full_check": 0, "publish": 1}
    for dag in (intraday, nightly, backfill):  # alerted on failure, never running for ever
        assert all(t.on_failure_callback and t.execution_timeout for t in dag.tasks), dag.dag_id


def test_each_dag_runs_end_to_end(airflow):
    cli, out = airflow
    mart, reader = out / "mart.duckdb", out / "mart_read.duckdb"

    run = cli("dags", "test", "idbmart_intraday")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # the task logs show the cycle's stages as they happen (idbmart's loggers), not Great Expectations' INFO
    log = run.stdout + run.stderr
    for line in ("extract dc1_node1_a: sequences (0, ", "commit run 1 (intraday) ...", "transform: ", "run 1 quality: ",
                 "run 1 transform: "):  # fmt: skip
        assert line in log, line
    assert "great_expectations" not in log.replace("great_expectations/", "")
    # the node's backup, read after its primary in a lane of its own: a day without faults, where the
    # primary's sessions cover every entity, leaves none of its rows to read (docs/architecture.md)
    backup = next(line for line in log.splitlines() if "extract dc1_node1_b: sequences (0, " in line)
    assert "entities' rows not read (their primary's version is chosen)" in backup, backup
    loaded = one(mart, "SELECT count(*) FROM INTERACTION_FACT")
    assert loaded > 0 and one(reader, "SELECT count(*) FROM INTERACTION_FACT") == loaded
    assert one(mart, "SELECT list(STEP ORDER BY STEP) FROM CTL_AUDIT_LOG WHERE JOB = 'intraday'") == [
        "aggregate", "extract", "ha", "quality", "transform"
    ]  # fmt: skip
    assert not list((out / "work").glob("*/*.duckdb")), "the run's extract files are cleaned up"

    run = cli("dags", "test", "idbmart_nightly")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (
        one(mart, "SELECT count(*) FROM CTL_QUALITY_RESULT WHERE JOB = 'nightly' AND SCOPE = 'full' AND NOT SUCCESS")
        == 0
    )
    assert one(mart, "SELECT max(DATE_TIME_KEY) FROM DATE_TIME") >= DAY0 + 31 * 86_400

    # A backfill of the day rebuilds facts lost from the mart, and leaves the marks where they were.
    con = duckdb.connect(str(mart))
    marks = con.execute("SELECT max(SEQ_TO) FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'ok'").fetchall()[0][0]
    con.execute(
        "DELETE FROM INTERACTION_FACT WHERE INTERACTION_ID IN (SELECT INTERACTION_ID FROM INTERACTION_FACT LIMIT 10)"
    ).fetchall()
    con.close()
    # the run's data interval is the day (as a run of Airflow's Backfill has): no params
    day = datetime.fromtimestamp(DAY0, UTC).date().isoformat()
    run = cli("dags", "test", "idbmart_backfill", day)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert one(mart, "SELECT count(*) FROM INTERACTION_FACT") == loaded
    assert one(reader, "SELECT count(*) FROM INTERACTION_FACT") == loaded
    assert one(mart, "SELECT max(SEQ_TO) FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'ok'") == marks
    assert (
        one(mart, "SELECT count(*) FROM CTL_AUDIT_LOG WHERE JOB = 'backfill' AND STEP = 'quality' AND STATUS = 'ok'")
        == 1
    )


def test_a_source_that_cannot_be_read_fails_the_run_after_the_others_are_committed(airflow, tmp_path):
    """Issue: with one source missing, its extract task failed four times and the run was green. The
    cycle still commits the other sources; the run is failed, its `sources` task naming the source
    and the reason; the work folder is cleaned up all the same."""
    from idbmart import config

    cli, out = airflow
    good = config.load(out / "deployment.toml")
    gone = config.Source("dc9_gone", f"duckdb://{tmp_path / 'gone.duckdb'}", "dc9", True, ("gcc", "gls"))
    path = tmp_path / "deployment.toml"
    path.write_text(config.render(str(tmp_path / "mart.duckdb"), [*good.sources, gone]))
    run = cli("dags", "test", "idbmart_intraday", config=path)
    assert run.returncode != 0, run.stdout[-3000:] + run.stderr[-3000:]
    log = run.stdout + run.stderr
    assert (
        "committed without 1 source(s), read again next cycle: dc9_gone: not extracted this cycle: "
        f"source 'dc9_gone': DuckDB snapshot {tmp_path / 'gone.duckdb'} does not exist" in log
    )
    # the failure callback ran (an alert is sent where the Variable idbmart_alert names an SMTP connection)
    assert "idbmart: idbmart_intraday.sources failed in run manual__" in log
    assert one(tmp_path / "mart.duckdb", "SELECT count(*) FROM INTERACTION_FACT") > 0
    skipped = "SELECT list(DISTINCT SOURCE_NAME || ': ' || MESSAGE) FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'skipped'"
    assert one(tmp_path / "mart.duckdb", skipped) == [
        f"dc9_gone: not extracted this cycle: source 'dc9_gone': DuckDB snapshot {tmp_path / 'gone.duckdb'} "
        "does not exist"
    ]
    assert not list((tmp_path / "work").glob("*/*.duckdb")), "the run's extract files are cleaned up"


def test_a_cycle_whose_gate_fails_fails_the_run_and_commits_nothing(airflow, tmp_path):
    """Issue: a failed gate was a green run. Node 1's ICON clock jumped back two hours (every party
    state after the first stamped early, in both members, as tests/quality/test_gate.py does): the
    durations are negative, the gate fails, `publish` and `sources` never run, the run is failed and
    the mart holds nothing of the cycle."""
    import shutil

    from idbmart import config

    cli, out = airflow
    shutil.copytree(out / "idb", tmp_path / "idb")
    for member in ("a", "b"):
        with duckdb.connect(str(tmp_path / "idb" / f"dc1_node1_{member}.duckdb")) as idb:
            idb.execute(
                "UPDATE G_PARTY_HISTORY SET ADDED_TS = ADDED_TS - 7200, ADDED = ADDED - INTERVAL 2 HOUR WHERE PSEQ > 1"
            )
    good = config.load(out / "deployment.toml")
    moved = [dataclasses.replace(s, uri=s.uri.replace(str(out / "idb"), str(tmp_path / "idb"))) for s in good.sources]
    path = tmp_path / "deployment.toml"
    path.write_text(config.render(str(tmp_path / "mart.duckdb"), moved))
    run = cli("dags", "test", "idbmart_intraday", config=path)
    assert run.returncode != 0, run.stdout[-3000:] + run.stderr[-3000:]
    log = run.stdout + run.stderr
    assert "the quality gate failed, the cycle was rolled back" in log
    assert "idbmart: idbmart_intraday.commit_cycle failed in run manual__" in log
    assert one(tmp_path / "mart.duckdb", "SELECT count(*) FROM INTERACTION_FACT") == 0
    assert not (tmp_path / "mart_read.duckdb").exists()
