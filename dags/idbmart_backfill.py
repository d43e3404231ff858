"""idbmart_backfill: rebuild local days from the configured sources (or the snapshots the deployment
names) and re-aggregate them, then publish. The rest of the mart, and the intraday cycles' marks, are
untouched.

Which days: the `from`/`to` params of a manual trigger, else the run's data interval, so that Airflow's
own Backfill (`airflow backfill create --dag-id idbmart_backfill --from-date ... --to-date ...`) rebuilds
one day per run. The daily schedule exists for Backfill only: a scheduled run rebuilds nothing (skipped),
and the DAG is paused when it first appears.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, Param, dag, get_current_context, task

from idbmart.orchestration import DEFAULT_ARGS, MART_ASSET_NAME, POOL, backfill_days, deployment, on_run_failure


@dag(
    dag_id="idbmart_backfill",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    is_paused_upon_creation=True,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    on_failure_callback=on_run_failure,
    params={
        "from": Param(None, type=["null", "string"], format="date", description="first local day, YYYY-MM-DD"),
        "to": Param(None, type=["null", "string"], format="date", description="last local day, YYYY-MM-DD"),
    },
    tags=["idbmart"],
    doc_md=__doc__,
)
def idbmart_backfill():
    @task(pool=POOL, retries=0)
    def rebuild() -> dict:
        from idbmart import jobs

        context = get_current_context()
        run = context["dag_run"]
        interval = (context.get("data_interval_start"), context.get("data_interval_end"))
        first, last = backfill_days(context["params"], run.run_type, interval)
        return jobs.summary(jobs.backfill(deployment(), first, last))

    @task(pool=POOL, outlets=[Asset(MART_ASSET_NAME)])
    def publish() -> dict:
        from idbmart import jobs

        return jobs.publish_readers(deployment())

    rebuild() >> publish()


idbmart_backfill()
