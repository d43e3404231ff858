"""Airflow on many machines: the intraday DAG under the CeleryExecutor, with this machine kind's Redis as
the broker and two workers, each with its own work folder (TMPDIR, current folder): the mart's worker
serves the mart's queue (IDBMART_MART_QUEUE: plan, commit, publish, ...), the other only extraction's
(IDBMART_EXTRACT_QUEUE). The extracts reach the commit through [extract] shared_location alone; the mart
the run builds equals one `idbmart run` builds from the same IDBs. Airflow's metadata database is SQLite
in a throwaway home: in Airflow 3 only the scheduler, the DAG processor and the API server open it, the
workers talk to the API server."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, simulate
from idbmart.quality import compare

# Slow (a real Airflow with its services and two Celery workers): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW = str(Path(sys.executable).parent / "airflow")
REDIS = os.environ.get("IDBMART_TEST_REDIS", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"
DEADLINE_S = 300


@pytest.fixture(scope="module")
def broker() -> str:
    """The Redis broker's URL; skips (fails under CI=true) if no Redis answers."""
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
    except redis.RedisError as e:
        message = f"no Redis at IDBMART_TEST_REDIS={REDIS}: {e}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the CeleryExecutor test must run)")
        pytest.skip(message)
    return REDIS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_run(db: Path) -> tuple[str, str] | None:
    """(run id, state) of the DAG's first run, once there is one."""
    if not db.exists():
        return None
    with sqlite3.connect(db) as con:
        row = con.execute("SELECT run_id, state FROM dag_run WHERE dag_id = 'idbmart_intraday' ORDER BY id").fetchone()
    return row


def test_the_intraday_dag_runs_on_two_celery_workers_handing_extracts_over_a_shared_location(broker, tmp_path):
    dags, home, shared = tmp_path / "dags", tmp_path / "home", tmp_path / "shared"
    for folder in (dags, home):
        folder.mkdir()
    shutil.copy(ROOT / "dags" / "idbmart_intraday.py", dags)  # the nightly would run at once beside it
    path = simulate(tmp_path / "deployment", Params(calls=150, seed=3, nodes=1), [])
    path.write_text(path.read_text().replace("[etl]", f'[extract]\nshared_location = "{shared}"\n\n[etl]', 1))
    tag, port = secrets.token_hex(4), free_port()
    mart_queue, extract_queue = f"idbmart_{tag}_mart", f"idbmart_{tag}_extract"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker,
        "AIRFLOW__CELERY__RESULT_BACKEND": broker,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",  # the scheduler starts the latest interval's run
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "IDBMART_CONFIG": str(path),
        "IDBMART_MART_QUEUE": mart_queue,
        "IDBMART_EXTRACT_QUEUE": extract_queue,
    }
    setup = [("db", "migrate"), ("pools", "set", "idbmart_mart", "1", "one writer to the mart")]
    for args in setup:
        done = subprocess.run([AIRFLOW, *args], env=env, capture_output=True, text=True, cwd=home)
        assert done.returncode == 0, done.stderr[-2000:]
    workers = {"mart": mart_queue, "extract": extract_queue}
    services = {"api": ["api-server", "--port", str(port)], "scheduler": ["scheduler"],
                "dag_processor": ["dag-processor"]}  # fmt: skip
    services |= {f"worker_{w}": ["celery", "worker", "--queues", q, "--concurrency", "2", "--celery-hostname",
                                 f"{w}_{tag}@%h"] for w, q in workers.items()}  # fmt: skip
    procs = []
    try:
        for name, args in services.items():
            own = tmp_path / name
            own.mkdir()
            procs.append(subprocess.Popen(
                [AIRFLOW, *args], env={**env, "TMPDIR": str(own)}, cwd=own, start_new_session=True,
                stdout=(own / "out.log").open("w"), stderr=subprocess.STDOUT,
            ))  # fmt: skip
        clock, run = time.monotonic(), None
        while time.monotonic() - clock < DEADLINE_S:
            run = first_run(home / "airflow.db")
            if run and run[1] in ("success", "failed"):
                break
            time.sleep(3)
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
    logs = "".join((tmp_path / n / "out.log").read_text()[-1500:] for n in services)
    assert run is not None and run[1] == "success", (run, logs)
    with sqlite3.connect(home / "airflow.db") as con:
        tasks = con.execute("SELECT task_id, queue, state FROM task_instance WHERE run_id = ?", [run[0]]).fetchall()
    extracting = {"extract", "extract_others"}  # the HA pairs' other members after their primaries
    assert {t for t, _, _ in tasks} == {"plan", "first_lanes", "other_lanes", *extracting, "commit_cycle", "publish",
                                        "sources", "clean_up"}  # fmt: skip
    assert all(state == "success" for _, _, state in tasks), tasks
    # only the extraction worker serves extraction's queue: the files were written there, committed here
    assert {q for t, q, _ in tasks if t in extracting} == {extract_queue}
    assert {q for t, q, _ in tasks if t not in extracting} == {mart_queue}
    assert shared.is_dir() and not (tmp_path / "deployment" / "work").exists(), "handed over at shared_location"
    assert not list(shared.glob("*/*")), "clean_up removed the run's hand-over"
    assert not list((tmp_path / "worker_extract").glob("idbmart-*")), "no extract left in the worker's folder"
    deployment = config.load(path)
    alone = replace(deployment, mart_path=tmp_path / "alone.duckdb", reader_path=None)
    assert not run_cycle(alone).skipped
    assert compare.differences(deployment.mart_path, alone.mart_path) == {}
