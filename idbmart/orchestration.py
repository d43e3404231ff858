"""What the DAG files share: where the deployment file is, the mart writers' pool, retries, the queues and
hand-over location of Airflow on many machines, alerts, IDB credentials and the mart's Asset.

The deployment file is found from the Airflow Variable `idbmart_config`, else the environment variable
`IDBMART_CONFIG` (shared/domain/INTERFACE.md). Every task that writes the mart runs in the pool
`idbmart_mart`, which has one slot: one writer at a time, across the three DAGs. A live IDB's
password may come from the Airflow Connection `idbmart_<source name>` (README, "Airflow").
"""

from __future__ import annotations

import logging
import os
import re
from datetime import date, datetime, timedelta

from idbmart import config
from idbmart.config import READERS_PASSWORD, Deployment
from idbmart.errors import IdbmartError

POOL = "idbmart_mart"
EXTRACT_RETRIES = 3  # a site that cannot be read is retried alone; the others go on
# Airflow on many machines (CeleryExecutor, KubernetesExecutor): every task but extraction opens the mart
# or its readers' copy, so it runs on the mart's machine, whose workers alone serve the queue named by
# IDBMART_MART_QUEUE; extraction goes to IDBMART_EXTRACT_QUEUE, which any worker may serve (its files
# reach the mart through [extract] shared_location). Unset: Airflow's default queue, as on one machine.
MART_QUEUE = os.environ.get("IDBMART_MART_QUEUE") or None
EXTRACT_QUEUE = os.environ.get("IDBMART_EXTRACT_QUEUE") or None
log = logging.getLogger(__name__)


# The readers' copy, as an Airflow Asset: publish updates it, so downstream DAGs (reports, exports)
# can be scheduled on the mart (`schedule=[Asset("idbmart_mart")]`).
MART_ASSET_NAME = "idbmart_mart"


def on_failure(context) -> None:
    """Every idbmart task's failure callback: an error line in the task's log and the alert (`alert`)."""
    ti = context["ti"]
    what = f"idbmart: {ti.dag_id}.{ti.task_id} failed in run {context['run_id']}: {context.get('exception')}"
    log.error(what)
    alert(f"idbmart: {ti.dag_id}.{ti.task_id} failed", what, context)


def on_run_failure(context) -> None:
    """Every idbmart DAG's run failure callback, the run's own alert: a failed task, or the run timed
    out (the intraday run's dagrun_timeout of 14 minutes is its deadline: the next run is due). A
    Deadline Alert would say the same before the timeout; Airflow 3.3.2's `dags test` fails every DAG
    that has one (apache/airflow#73428), so the timeout stands in for it."""
    run = context.get("dag_run")
    what = (
        f"idbmart: run {getattr(run, 'run_id', '?')} of {getattr(run, 'dag_id', '?')} failed: "
        f"{context.get('reason') or 'a task failed'}"
    )
    log.error(what)
    alert(f"idbmart: {getattr(run, 'dag_id', 'a DAG')} run failed", what, context)


def alert(subject: str, text: str, context) -> None:
    """Where the Airflow Variable `idbmart_alert` names one (JSON: {"smtp_conn_id": "smtp_default", "to":
    "ops@example.com"}), an e-mail through Airflow's SMTP notifier. None is configured by default: the
    run is red, and the line is in the log, all the same."""
    from airflow.sdk import Variable

    wanted = Variable.get("idbmart_alert", default=None, deserialize_json=True)
    if wanted:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        SmtpNotifier(
            smtp_conn_id=wanted.get("smtp_conn_id", "smtp_default"),
            to=wanted["to"],
            subject=subject,
            html_content=text,
        ).notify(context)


# Every task: retried once (a machine's hiccup), alerted on failure, never running past two hours.
DEFAULT_ARGS = {
    "owner": "idbmart",
    "retries": 1,
    "retry_delay": timedelta(minutes=2),
    "execution_timeout": timedelta(hours=2),
    "on_failure_callback": on_failure,
} | ({"queue": MART_QUEUE} if MART_QUEUE else {})


def _extract_args() -> dict:
    """The extraction task's queue: IDBMART_EXTRACT_QUEUE, else Airflow's default (not the mart's)."""
    if not (EXTRACT_QUEUE or MART_QUEUE):
        return {}
    from airflow.configuration import conf

    return {"queue": EXTRACT_QUEUE or conf.get("operators", "default_queue")}


EXTRACT_ARGS = _extract_args()


def deployment() -> Deployment:
    """The deployment, with each live IDB's password from its Airflow Connection where there is one."""
    from airflow.sdk import Variable

    path = Variable.get("idbmart_config", default=None) or os.environ.get("IDBMART_CONFIG")
    if not path:
        raise IdbmartError("no deployment file: set the Airflow Variable idbmart_config or IDBMART_CONFIG")
    loaded = config.load(path)
    use_connections(loaded)
    return loaded


READERS_CONNECTION = "idbmart_readers"  # the PostgreSQL readers' mart's credentials


def connection_id(source_name: str) -> str:
    """The Airflow Connection holding a source's credentials: `idbmart_<source name>`."""
    return "idbmart_" + re.sub(r"[^a-z0-9_]", "_", source_name.lower())


def use_connections(deployment: Deployment) -> None:
    """A PostgreSQL source's password from its Airflow Connection (connection_id), and the PostgreSQL
    readers' mart's from the Connection `idbmart_readers`, when there is one and the environment gives
    none: put where the reader or the publisher looks (IDBMART_PASSWORD_<SOURCE>,
    IDBMART_READERS_PASSWORD), in this task's process only. The deployment file never holds one
    (idbmart/config.py refuses it)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    from idbmart.extract.sources import password_env

    wanted = [(password_env(s.name), connection_id(s.name)) for s in deployment.sources
              if s.scheme in ("postgresql", "postgres")]  # fmt: skip
    if deployment.readers.postgresql:
        wanted.append((READERS_PASSWORD, READERS_CONNECTION))
    for variable, conn_id in wanted:
        if os.environ.get(variable):
            continue
        try:
            found = Connection.get(conn_id)
        except AirflowNotFoundException:
            continue
        if found.password:
            os.environ[variable] = found.password


def backfill_days(params: dict, run_type, interval: tuple[datetime | None, datetime | None]) -> tuple[date, date]:
    """The local days an idbmart_backfill run rebuilds: its `from`/`to` params where given, else its data
    interval's days (a run of Airflow's Backfill, or `airflow dags test idbmart_backfill DAY`).
    A scheduled run (the DAG unpaused) is not a request: AirflowSkipException."""
    from airflow.sdk.exceptions import AirflowSkipException

    first, last = params.get("from"), params.get("to")
    if first or last:
        return date.fromisoformat(first or last), date.fromisoformat(last or first)
    if getattr(run_type, "value", run_type) == "scheduled":  # Airflow's DagRunType, or its value
        raise AirflowSkipException("a scheduled run rebuilds nothing: trigger it with from/to, or backfill days")
    start, end = interval
    if start is None or end is None:
        raise IdbmartError("no days to rebuild: give the params from and to (YYYY-MM-DD), or a logical date")
    return start.date(), max(start, end - timedelta(seconds=1)).date()


def work_location(deployment: Deployment, run_id: str) -> str:
    """Where a DAG run's extract files are handed over ([extract] shared_location; idbmart.extract.handover):
    derived from the run's id by every task, never passed from one to the next."""
    return f"{deployment.work_location.rstrip('/')}/{re.sub(r'[^A-Za-z0-9_.-]', '_', run_id)}"


def fail_on_skipped_sources(summary: dict) -> dict:
    """A run whose cycle committed without some sources is a failed run (red in Airflow, its alerts
    sent): the others are in the mart, the skipped ones are read again next cycle. The reason of each
    is in the exception (the task's log) and in CTL_EXTRACT_HISTORY. Not retried: a retry cannot
    read a source the cycle already went without."""
    skipped = summary.get("sources_skipped") or {}
    if skipped:
        from airflow.sdk.exceptions import AirflowFailException

        reasons = "; ".join(f"{name}: {why}" for name, why in sorted(skipped.items()))
        raise AirflowFailException(
            f"run {summary.get('run_id')} committed without {len(skipped)} source(s), read again next cycle: {reasons}"
        )
    return summary


def without_retry_on_failed_gate(call):
    """Run `call`; a failed quality gate is deterministic (the same windows fail again), so it fails the
    task at once instead of being retried."""
    from idbmart.quality.gate import QualityGateFailed

    try:
        return call()
    except QualityGateFailed as failed:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(failed)) from failed
