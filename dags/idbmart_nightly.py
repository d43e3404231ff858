"""idbmart_nightly: the late-data sweep, maintenance and the full quality run, then publish.

sweep (one more cycle: late rows, stuck interactions closed) → maintain (retention of GIDB, discards
and history; DATE_TIME ahead; checkpoint) → full_check (every suite on the whole mart; a failure fails
the task and the readers' copy is not updated) → publish.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, dag, task

from idbmart.orchestration import DEFAULT_ARGS, MART_ASSET_NAME, POOL, deployment, on_run_failure


@dag(
    dag_id="idbmart_nightly",
    schedule="30 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    on_failure_callback=on_run_failure,
    tags=["idbmart"],
    doc_md=__doc__,
)
def idbmart_nightly():
    @task(pool=POOL)
    def sweep() -> dict:
        from idbmart import jobs

        return jobs.summary(jobs.sweep(deployment()))

    @task(pool=POOL)
    def maintain() -> dict:
        from idbmart import jobs

        return jobs.maintain(deployment())

    @task(pool=POOL, retries=0)  # deterministic: a retry would only delay the failure
    def full_check() -> dict:
        from idbmart import jobs

        return jobs.full_check(deployment())

    @task(pool=POOL, outlets=[Asset(MART_ASSET_NAME)])
    def publish() -> dict:
        from idbmart import jobs

        return jobs.publish_readers(deployment())

    sweep() >> maintain() >> full_check() >> publish()


idbmart_nightly()
