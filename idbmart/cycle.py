"""One ETL cycle (`idbmart run`): extract every source's window, merge, choose HA members, commit.

Every job that writes the mart opens its run here (`open_cycle`: the connection, the run id, the
sources' marks, the extraction work tables, the audit writer): `idbmart run`, the nightly sweep, a
backfill, Airflow's commit of its extract files and a re-aggregation. Reading happens first, source by
source, into the connection's temporary work tables: a source that cannot be reached or fails its
schema check is reported and skipped (its window stays where it was, so its backlog is read when it
is back), and the others go on. Then one transaction merges staging, makes the HA choice, publishes
GIDB and writes the audit: a cycle that crashes or fails before the commit leaves the mart exactly as
it was, and rerunning it reads the same windows again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from idbmart.aggregate.build import AggregateCounts, aggregate
from idbmart.config import Deployment
from idbmart.errors import IdbmartError
from idbmart.extract import incremental, stage
from idbmart.extract.incremental import SourceExtract
from idbmart.ha.choose import HaCounts, choose
from idbmart.load import db, dictionary, gdpr, mart
from idbmart.load.audit import AuditWriter, Step, StepFigures
from idbmart.load.db import run
from idbmart.measure import Stages
from idbmart.quality import gate
from idbmart.quality.gate import QualityGateFailed
from idbmart.quality.suites import QualityRun
from idbmart.transform.build import TransformCounts, drop_transform_tables, transform

log = logging.getLogger(__name__)

INTERVAL = 900


@dataclass
class CycleResult:
    run_id: int
    sources: list[SourceExtract] = field(default_factory=list)
    staged: stage.StageCounts | None = None
    ha: HaCounts | None = None
    transformed: TransformCounts | None = None
    aggregated: AggregateCounts | None = None
    quality: QualityRun | None = None
    mark_status: str = "ok"  # "backfill": the windows read do not move the sources' marks
    reaggregate_window: tuple[int, int] | None = None  # also recompute the aggregates of [from, to)
    report: Path | None = None  # the HTML quality report
    stages: Stages = field(default_factory=Stages)  # stage → wall seconds and peak MB

    @property
    def seconds(self) -> dict[str, float]:
        return self.stages.seconds

    @property
    def skipped(self) -> list[SourceExtract]:
        return [s for s in self.sources if not s.ok]

    @property
    def gidb_rows(self) -> tuple[int, int]:
        """Rows into and out of GIDB_*: new versions of chosen members written there by staging, and
        the versions they replace, plus the formerly chosen versions a changed choice dropped."""
        st, ha = self.staged, self.ha
        return st.to_gidb, st.from_gidb + ha.deleted


@dataclass
class Cycle:
    """One run writing the mart: its connection, result (run id), the sources' marks when it began,
    and its audit writer."""

    con: duckdb.DuckDBPyConnection
    deployment: Deployment
    result: CycleResult
    marks: dict[str, tuple[int, int]]
    audit: AuditWriter
    rereads: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # source → kind → keys asked again

    def commit(self) -> CycleResult:
        """Merge what was extracted into the work tables, choose, transform, aggregate and pass the
        quality gate, in one transaction; a failed gate rolls it all back, records why and raises
        QualityGateFailed."""
        con, deployment, result, audit = self.con, self.deployment, self.result, self.audit
        if result.sources and not any(s.ok for s in result.sources):  # an empty run would say "all is well"
            reasons = "; ".join(s.error or "" for s in result.sources[:3])
            reasons += "; ..." if len(result.sources) > 3 else ""
            raise IdbmartError(f"no source could be read, nothing was committed: {reasons}")
        log.info("commit run %d (%s) ...", result.run_id, audit.job)
        try:
            with db.transaction(con, result.stages):
                _load(self)
        except QualityGateFailed as failed:
            with db.transaction(con):
                gate.record(con, result.run_id, audit.job, result.quality)
                gate.audit(con, audit, result.quality)
            result.report = gate.report(deployment, result.quality, result.run_id, audit.job)
            raise QualityGateFailed(result.quality, result.report, failed.what) from None
        if result.quality is not None:
            result.report = gate.report(deployment, result.quality, result.run_id, audit.job)
        return result


@contextmanager
def open_cycle(deployment: Deployment, job: str, extracting: bool = True, **result_fields) -> Iterator[Cycle]:
    """A run of `job` on the mart: its connection (closed after), next run id and marks, and, where it
    extracts, the empty work tables the extracts go into."""
    con = mart.connect(deployment.mart_path, deployment.memory_limit)
    try:
        result = CycleResult(mart.next_run_id(con), **result_fields)
        marks, rereads = incremental.previous_marks(con), incremental.previous_rereads(con)
        if extracting:
            incremental.create_work_tables(con)
        yield Cycle(con, deployment, result, marks, AuditWriter(result.run_id, job, time.time()), rereads)
    finally:
        con.close()


def run_cycle(
    deployment: Deployment,
    job: str = "run",
    progress: Callable[[str], None] = lambda _: None,
    chunk_seqs: int = incremental.CHUNK_SEQS,
) -> CycleResult:
    """Extract every source and commit the cycle (idbmart.load.publish makes it visible to readers)."""
    with open_cycle(deployment, job) as cycle:
        with cycle.result.stages.measure("extract"):
            cycle.result.sources = incremental.extract_all(
                cycle.con, deployment.sources, cycle.marks, deployment.etl, chunk_seqs, progress,
                deployment.extract.threads, deployment.extract.connections_per_server, cycle.rereads,
                deployment.extract.backup_rows,
            )  # fmt: skip
        progress(f"commit run {cycle.result.run_id} ...")
        return cycle.commit()


def _load(cycle: Cycle) -> None:
    con, deployment, result, audit = cycle.con, cycle.deployment, cycle.result, cycle.audit
    measure = result.stages.measure
    with measure("stage"):
        result.staged = stage.merge(con, result.run_id)
    with measure("ha"):
        result.ha = choose(con, result.run_id, deployment, result.sources)
    with measure("stage"):
        stage.place(con, result.run_id, result.sources, result.staged, result.mark_status)
        incremental.drop_work_tables(con)
        gdpr.reapply(con, result.run_id)  # what GDPR requests forgot stays forgotten when staged again
    with measure("transform"):
        result.transformed = transform(con, deployment, audit.key(Step.TRANSFORM))
    with measure("aggregate"):
        result.aggregated = aggregate(con, deployment, audit.key(Step.AGGREGATE))
        if result.reaggregate_window is not None:
            again = aggregate(con, deployment, audit.key(Step.AGGREGATE), window=result.reaggregate_window)
            result.aggregated = result.aggregated.plus(again)
        drop_transform_tables(con)
    if deployment.quality.gate:
        with measure("quality"):
            result.quality = gate.gate(con, deployment, result.run_id)
        if not result.quality.ok:
            raise QualityGateFailed(
                result.quality, None, f"run {result.run_id}: the quality gate failed, the cycle was rolled back"
            )
        gate.record(con, result.run_id, audit.job, result.quality)
        gate.audit(con, audit, result.quality)
    dictionary.apply(con)  # new tables or columns described, and in the report schema
    _audit(cycle)


def reaggregate(
    deployment: Deployment, full: bool = False, window: tuple[int, int] | None = None, job: str = "reaggregate"
) -> AggregateCounts:
    """Recompute the aggregates from the facts, all of them (`full`) or the periods holding the
    15-minute intervals of `window` (UTC seconds [from, to)), in one transaction with its audit row."""
    with open_cycle(deployment, job, extracting=False) as cycle:
        con = cycle.con
        with db.transaction(con):
            counts = aggregate(con, deployment, cycle.audit.key(Step.AGGREGATE), full=full, window=window)
            dictionary.apply(con)
            lo, hi = run(con, "SELECT min(DATE_TIME_KEY), max(DATE_TIME_KEY) FROM _AG_TOUCHED")[0]
            figures = StepFigures(Step.AGGREGATE, counts.touched, 0, counts.inserted, counts.deleted, counts.changed,
                                  counts.detail())  # fmt: skip
            cycle.audit.write(con, figures, touched=(lo, hi))
        return counts


def _audit(cycle: Cycle) -> None:
    con, result = cycle.con, cycle.result
    touched = run(
        con, f"SELECT min(START_TS) // {INTERVAL} * {INTERVAL}, max(START_TS) // {INTERVAL} * {INTERVAL} FROM _X_LATEST"
    )[0]
    ok = sum(1 for s in result.sources if s.ok)
    skipped = len(result.sources) - ok
    status = "ok" if not skipped else "partial"
    st, ha, tr, ag = result.staged, result.ha, result.transformed, result.aggregated
    gidb_in, gidb_out = result.gidb_rows
    skipped_detail = "; ".join(s.error for s in result.skipped)
    not_read = sum(s.not_read for s in result.sources)
    steps = [
        StepFigures(Step.EXTRACT, st.entities, st.rows_in, st.inserted, st.deleted, None,
                    f"{st.duplicates} duplicate rows kept once; {st.discarded} entities discarded; "
                    f"{st.not_kept} versions of members not chosen recorded without their rows"
                    + (f" ({not_read} of them not read: their primary's version chosen)" if not_read else "")
                    + (f"; skipped: {skipped_detail}" if skipped else "")),
        StepFigures(Step.HA, ha.decided, st.inserted, gidb_in, gidb_out, ha.changed,
                    ", ".join(f"{k}: {v}" for k, v in ha.reasons.items())
                    + (f"; {ha.rereads} asked of their other member again" if ha.rereads else "")
                    + (f"; {ha.not_held} versions their member no longer holds forgotten" if ha.not_held else "")),
        StepFigures(Step.TRANSFORM, tr.interactions + tr.sessions, gidb_in, tr.inserted, tr.deleted, tr.changed,
                    f"{tr.interactions} interactions{tr.read_detail()}, {tr.sessions} login sessions rebuilt; "
                    f"{tr.recovery_detail()}; {tr.discarded} rows discarded"),
        StepFigures(Step.AGGREGATE, ag.touched, tr.inserted + tr.deleted + tr.changed, ag.inserted, ag.deleted,
                    ag.changed, ag.detail()),
    ]  # fmt: skip
    for f in steps:
        cycle.audit.write(con, f, status, touched, (ok, skipped))
        log.info(
            "run %d %s: %s entities, %s rows in, %s inserted, %s deleted, %s changed; %s",
            result.run_id, f.step.label, f.entities, f.rows_in, f.inserted, f.deleted,
            f.changed if f.changed is not None else "-", f.detail,
        )  # fmt: skip
