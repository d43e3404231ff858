"""idbmart_intraday: every 15 minutes, what the IDBs committed since the last cycle into the mart.

plan → extract (one task per source, retried alone) → commit_cycle (merge, HA choice, transform,
load, aggregate and quality gate in one DuckDB transaction: a failed gate fails the task and commits
nothing) → publish (the readers' copy) → clean_up. Mart writers share the one-slot pool.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

from airflow.sdk import dag, get_current_context, task

from etl.orchestration import DEFAULT_ARGS, EXTRACT_RETRIES, POOL, deployment, work_dir


def _work_dir():
    return work_dir(deployment(), get_current_context()["run_id"])


@dag(
    dag_id="idbmart_intraday",
    schedule="*/15 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    dagrun_timeout=timedelta(minutes=14),
    tags=["idbmart"],
    doc_md=__doc__,
)
def idbmart_intraday():
    @task(pool=POOL)
    def plan() -> list[dict]:
        from etl import jobs

        return jobs.plan(deployment())

    @task(retries=EXTRACT_RETRIES, retry_delay=timedelta(seconds=30), map_index_template="{{ item['source'] }}")
    def extract(item: dict) -> str:
        from etl import jobs

        return str(jobs.extract_to_file(deployment(), item["source"], item["mark"], _work_dir()))

    @task(pool=POOL, trigger_rule="all_done")
    def commit_cycle() -> dict:
        from etl import jobs

        return jobs.summary(jobs.commit_extracts(deployment(), _work_dir()))

    @task(pool=POOL)
    def publish() -> bool:
        from etl.load.publish import publish

        return publish(deployment())

    @task(trigger_rule="all_done")
    def clean_up() -> None:
        shutil.rmtree(_work_dir(), ignore_errors=True)

    extracted = extract.expand(item=plan())
    extracted >> commit_cycle() >> publish() >> clean_up()


idbmart_intraday()
