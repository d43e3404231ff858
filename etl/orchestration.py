"""What the DAG files share: where the deployment file is, the mart writers' pool, retries, work folders.

The deployment file is found from the Airflow Variable `idbmart_config`, else the environment variable
`IDBMART_CONFIG` (shared/domain/INTERFACE.md). Every task that writes the mart runs in the pool
`idbmart_mart`, which has one slot: one writer at a time, across the three DAGs.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import timedelta
from pathlib import Path

from etl import config
from etl.config import Deployment
from etl.errors import IdbmartError

POOL = "idbmart_mart"
EXTRACT_RETRIES = 3  # a site that cannot be read is retried alone; the others go on
log = logging.getLogger(__name__)


def on_failure(context) -> None:
    """Every idbmart task's failure callback: an error line in the task's log and, where the Airflow
    Variable `idbmart_alert` names one (JSON: {"smtp_conn_id": "smtp_default", "to": "ops@example.com"}),
    an e-mail through Airflow's SMTP notifier. None is configured by default: the run is red all the same."""
    ti = context["ti"]
    what = f"idbmart: {ti.dag_id}.{ti.task_id} failed in run {context['run_id']}: {context.get('exception')}"
    log.error(what)
    from airflow.sdk import Variable

    alert = Variable.get("idbmart_alert", default=None, deserialize_json=True)
    if alert:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        SmtpNotifier(
            smtp_conn_id=alert.get("smtp_conn_id", "smtp_default"),
            to=alert["to"],
            subject=f"idbmart: {ti.dag_id}.{ti.task_id} failed",
            html_content=what,
        ).notify(context)


# Every task: retried once (a machine's hiccup), alerted on failure, never running past two hours.
DEFAULT_ARGS = {
    "owner": "idbmart",
    "retries": 1,
    "retry_delay": timedelta(minutes=2),
    "execution_timeout": timedelta(hours=2),
    "on_failure_callback": on_failure,
}


def deployment() -> Deployment:
    from airflow.sdk import Variable

    path = Variable.get("idbmart_config", default=None) or os.environ.get("IDBMART_CONFIG")
    if not path:
        raise IdbmartError("no deployment file: set the Airflow Variable idbmart_config or IDBMART_CONFIG")
    return config.load(path)


def work_dir(deployment: Deployment, run_id: str) -> Path:
    """The folder a DAG run's extract files go to, beside the mart."""
    return deployment.work_dir / re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)


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
    from etl.quality.gate import QualityGateFailed

    try:
        return call()
    except QualityGateFailed as failed:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(failed)) from failed
