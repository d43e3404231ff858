"""idbmart_backfill: manual; rebuild the local days `from`..`to` from the configured sources (or the
snapshots the deployment names) and re-aggregate them, then publish. The rest of the mart, and the
intraday cycles' marks, are untouched.
"""

from __future__ import annotations

from datetime import date, datetime

from airflow.sdk import Param, dag, get_current_context, task

from etl.orchestration import DEFAULT_ARGS, POOL, deployment


@dag(
    dag_id="idbmart_backfill",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "from": Param(type="string", format="date", description="first local day, YYYY-MM-DD"),
        "to": Param(type="string", format="date", description="last local day, YYYY-MM-DD"),
    },
    tags=["idbmart"],
    doc_md=__doc__,
)
def idbmart_backfill():
    @task(pool=POOL, retries=0)
    def rebuild() -> dict:
        from etl import jobs

        params = get_current_context()["params"]
        first, last = date.fromisoformat(params["from"]), date.fromisoformat(params["to"])
        return jobs.summary(jobs.backfill(deployment(), first, last))

    @task(pool=POOL)
    def publish() -> bool:
        from etl.load.publish import publish

        return publish(deployment())

    rebuild() >> publish()


idbmart_backfill()
