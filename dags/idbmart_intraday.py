"""idbmart_intraday: every 15 minutes, what the IDBs committed since the last cycle into the mart.

plan → extract (one task per lane: a database server's sources, at most [extract] connections_per_server
lanes per server, each read in turn; a lane retries what it has not read) → extract_others (the HA sets'
other members, in lanes of their own: each member's rows only where its primary's extract leaves the
HA choice open) → commit_cycle (merge, HA
choice, transform, load, aggregate and quality gate in one DuckDB transaction: a failed gate fails the
task and commits nothing) → publish (the readers' copy) → sources (fails the run if the cycle went
without a source, after the others were committed) → clean_up (plan's teardown: it runs whatever
happened and never decides the run's state). A failed cycle, gate or source makes the run failed, and so
does a run still going after 14 minutes (the next is due); either alerts. Mart writers share the
one-slot pool; publish updates the Asset `idbmart_mart`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, get_current_context, task

from idbmart.orchestration import (
    DEFAULT_ARGS,
    EXTRACT_ARGS,
    EXTRACT_RETRIES,
    MART_ASSET_NAME,
    POOL,
    deployment,
    fail_on_skipped_sources,
    on_run_failure,
    without_retry_on_failed_gate,
    work_location,
)


def _handover() -> str:
    return work_location(deployment(), get_current_context()["run_id"])


@dag(
    dag_id="idbmart_intraday",
    schedule="*/15 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    on_failure_callback=on_run_failure,
    dagrun_timeout=timedelta(minutes=14),
    tags=["idbmart"],
    doc_md=__doc__,
)
def idbmart_intraday():
    @task(pool=POOL)
    def plan() -> dict[str, list[dict]]:
        from idbmart import jobs

        return jobs.plan(deployment())

    @task
    def lanes(planned: dict, phase: str) -> list[dict]:
        return planned[phase]  # a mapped task expands over a task's whole return value only

    @task(
        retries=EXTRACT_RETRIES,
        retry_delay=timedelta(seconds=30),
        execution_timeout=timedelta(minutes=10),
        map_index_template="{{ lane['lane'] }}",
        **EXTRACT_ARGS,
    )
    def extract(lane: dict) -> list[str]:
        from idbmart import jobs

        return jobs.extract_lane(deployment(), lane, _handover())

    @task(pool=POOL, trigger_rule="all_done", execution_timeout=timedelta(minutes=13))
    def commit_cycle() -> dict:
        from idbmart import jobs

        return without_retry_on_failed_gate(lambda: jobs.summary(jobs.commit_extracts(deployment(), _handover())))

    @task(pool=POOL, outlets=[Asset(MART_ASSET_NAME)])
    def publish() -> dict:
        from idbmart import jobs

        return jobs.publish_readers(deployment())

    @task(retries=0)
    def sources(summary: dict) -> dict:
        return fail_on_skipped_sources(summary)

    @task
    def clean_up() -> None:
        from idbmart.extract.handover import Handover

        Handover(_handover()).remove_all()

    planned = plan()
    committed = commit_cycle()
    checked = sources(committed)
    first = extract.expand(lane=lanes.override(task_id="first_lanes")(planned, "first"))
    # after every primary's lane, whatever became of it: a member whose primary has no file reads all its rows
    others = extract.override(task_id="extract_others", trigger_rule="all_done").expand(
        lane=lanes.override(task_id="other_lanes")(planned, "then")
    )
    first >> others >> committed >> publish() >> checked >> clean_up().as_teardown(setups=planned)


idbmart_intraday()
