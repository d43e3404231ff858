"""The quality gate of every load, and `idbmart check`: run the suites, record them, write the report.

The cycle runs the gate inside its transaction, on the rows it wrote, before it commits. Only a
broken invariant blocks: an expectation marked `"severity": "warning"` (a rate under its floor, such as
the SIP Cluster agent recovery rate) is recorded, reported and printed, and the cycle commits. A failed
gate rolls the whole cycle back, so the mart (and the copy readers use) keeps its last good state, and
the next cycle reads the same windows again. Only the verdict survives the rollback: the cycle's
audit row (step `quality`, status `failed`), its CTL_QUALITY_RESULT rows and the HTML report.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from idbmart.config import Deployment
from idbmart.errors import IdbmartError
from idbmart.load import db, mart
from idbmart.load.audit import AuditWriter, Step, StepFigures, first_key
from idbmart.load.db import run, run_many
from idbmart.logs import quiet_libraries
from idbmart.quality.report import write_report
from idbmart.quality.suites import QualityRun, validate

log = logging.getLogger(__name__)
quiet_libraries()  # before Great Expectations is imported: its import logs INFO lines of its own


class QualityGateFailed(IdbmartError):
    """The load broke an expectation: it was not committed (or, for `check`, the mart is not sound)."""

    def __init__(self, quality: QualityRun, report: Path | None, what: str):
        super().__init__(f"{what}: {quality.summary()}" + (f"; report {report}" if report else ""))
        self.quality, self.report, self.what = quality, report, what


def gate(con: duckdb.DuckDBPyConnection, deployment: Deployment, run_id: int) -> QualityRun:
    """The suites on the rows this run wrote (audit keys from first_key(run_id)), as the open transaction sees them."""
    quality = validate(con, deployment.quality, from_audit_key=first_key(run_id))
    (log.info if quality.ok else log.error)("run %d quality: %s", run_id, quality.summary())
    return quality


def record(con: duckdb.DuckDBPyConnection, run_id: int, job: str, quality: QualityRun) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    run(con, "DELETE FROM CTL_QUALITY_RESULT WHERE RUN_ID = ? AND SCOPE = ?", [run_id, quality.scope])
    run_many(
        con,
        """INSERT INTO CTL_QUALITY_RESULT (RUN_ID, JOB, SCOPE, SUITE, EXPECTATION, COLUMN_NAME, SUCCESS, ROWS_CHECKED,
             UNEXPECTED, OBSERVED, EXAMPLES, CHECKED_AT, SEVERITY) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (run_id, job, quality.scope, o.suite, o.expectation, o.column, o.success, o.rows, o.unexpected,
             o.observed[:500], o.examples[:2000], now, o.severity)
            for o in quality.outcomes
        ],
    )  # fmt: skip


def report(deployment: Deployment, quality: QualityRun, run_id: int, job: str) -> Path:
    return write_report(quality, deployment.report_dir, run_id, f"idbmart {job} quality, run {run_id}")


def check(deployment: Deployment, job: str = "check", save: bool = False) -> tuple[QualityRun, Path]:
    """Every suite on the whole mart, and the HTML report. `save` (the nightly job, which holds the
    writer's slot) also records the results and an audit row; without it the mart is only read."""
    if not deployment.mart_path.exists():
        raise IdbmartError(f"no mart at {deployment.mart_path}: run a cycle first")
    con = (
        mart.connect(deployment.mart_path, deployment.memory_limit)
        if save
        else duckdb.connect(str(deployment.mart_path), read_only=True)
    )
    try:
        run_id = (
            mart.next_run_id(con) if save else int(run(con, "SELECT coalesce(max(RUN_ID), 0) FROM CTL_AUDIT_LOG")[0][0])
        )
        quality = validate(con, deployment.quality)
        path = report(deployment, quality, run_id, job)
        if save:
            with db.transaction(con):
                record(con, run_id, job, quality)
                audit(con, AuditWriter(run_id, job), quality)
        return quality, path
    finally:
        con.close()


def audit(con, writer: AuditWriter, quality: QualityRun) -> None:
    """The run's `quality` audit row: suites run, rows checked, expectations failed."""
    status = "failed" if not quality.ok else "warned" if quality.warnings else "ok"
    figures = StepFigures(Step.QUALITY, len(quality.rows), sum(quality.rows.values()), 0, 0, len(quality.failures),
                          quality.summary())  # fmt: skip
    writer.write(con, figures, status)
