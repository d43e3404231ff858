"""The jobs the Airflow DAGs and the command line run, each a function of (deployment, window).

Intraday, as Airflow runs it: `plan` deals the sources, with their marks, into lanes, at most
[extract] connections_per_server per database server, the HA sets' other members into lanes of their
own that run after the primaries' (`[extract] backup_rows`); `extract_lane` reads a lane's sources one
after another, each window into a file of its own (a failing site does not hold the others back, and a
lane's retry reads only what it has not read yet), an other member's rows only where its primary's
file leaves the choice open; `commit_extracts` merges the files that are there, makes the HA choice,
transforms, aggregates and passes the quality gate in one transaction; `publish` gives readers the
new state.
The command line's `idbmart run` does the same in one process (idbmart.cycle.run_cycle).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb

from idbmart.config import Deployment
from idbmart.cycle import CycleResult, open_cycle, run_cycle
from idbmart.errors import IdbmartError
from idbmart.extract import incremental
from idbmart.extract.handover import Handover, scratch
from idbmart.extract.incremental import SourceExtract, Window
from idbmart.load import db, mart, retention
from idbmart.load.db import run
from idbmart.load.mart import extracted_tables
from idbmart.quality import gate

log = logging.getLogger(__name__)
RESULT_TABLE = "_EXTRACT_RESULT"


def plan(deployment: Deployment) -> dict[str, list[dict]]:
    """The cycle's extraction lanes: each database server's sources (Source.server) dealt out in turn
    over at most [extract] connections_per_server lanes, each source with the mark its next window
    starts from. A lane reads its sources one after another, so however many lanes run at once (one
    mapped Airflow task each), no server has more of the cycle's sessions open than its bound.
    "first": the lanes of every source but the HA sets' other members; "then": those members', each
    naming its primary, read once the first lanes are done (with `[extract] backup_rows = "always"`,
    none: every source is read first)."""
    con = mart.connect(deployment.mart_path, deployment.memory_limit)
    try:
        marks, rereads = incremental.previous_marks(con), incremental.previous_rereads(con)
    finally:
        con.close()
    others = incremental.primaries(deployment.sources) if deployment.extract.backup_rows == "when_chosen" else {}

    def item(s) -> dict:
        read = {"source": s.name, "mark": list(marks[s.name]) if s.name in marks else None,
                "rereads": rereads.get(s.name, {})}  # fmt: skip
        return {**read, "primary": others[s.name]} if s.name in others else read

    def lanes(sources) -> list[dict]:
        dealt: dict[str, list[dict]] = {}
        per_server = deployment.extract.connections_per_server
        for server in sorted({s.server for s in sources}):
            on_it = [s for s in sources if s.server == server]
            width = min(per_server, len(on_it))
            for k, s in enumerate(on_it):
                dealt.setdefault(f"{server} #{k % width + 1}" if width > 1 else server, []).append(item(s))
        return [{"lane": name, "sources": items} for name, items in dealt.items()]

    return {
        "first": lanes([s for s in deployment.sources if s.name not in others]),
        "then": lanes([s for s in deployment.sources if s.name in others]),
    }


def extract_lane(deployment: Deployment, lane: dict, location: str | Path) -> list[str]:
    """Read a lane's sources one after another (`extract_to_file`), each not yet at the run's shared
    `location` (idbmart.extract.handover) from an earlier try of this lane; raise at the end, naming each
    that could not be read, if any."""
    shared = Handover(location)
    failed = []
    for item in lane["sources"]:
        if shared.has(f"{item['source']}.duckdb"):
            continue
        try:
            extract_to_file(deployment, item["source"], item["mark"], shared, item.get("rereads"), item.get("primary"))
        except Exception as e:  # a source's failure is its own: the lane goes on with the next
            log.warning("extract %s failed: %s", item["source"], e)
            failed.append(f"{item['source']}: {e}")
    if failed:
        raise IdbmartError(f"lane {lane['lane']}: {len(failed)} source(s) not read: " + "; ".join(failed))
    return [item["source"] for item in lane["sources"]]


def extract_to_file(
    deployment: Deployment,
    source: str,
    mark: list[int] | None,
    shared: Handover,
    rereads: dict | None = None,
    primary: str | None = None,
) -> None:
    """Read the source's window after `mark` (and the entities `rereads` asks for again) into a local
    file, then to `<source>.duckdb` at the shared location; raise if it cannot be read (the reason left
    there as `<source>.error`). `primary`: the source's HA primary, whose file at the shared location,
    where it is there, is what this member's version of each entity is weighed against (its rows read
    only where the primary's may lose); without it, every row is read."""
    with scratch() as folder:
        local = Path(folder) / f"{source}.duckdb"
        con = duckdb.connect()
        try:
            mart.ensure_schema(con)
            incremental.create_work_tables(con)
            weighed = primary if primary and _primary_version(con, shared, primary, Path(folder)) else None
            result = incremental.extract_source(
                con, deployment.source(source), tuple(mark) if mark else None, deployment.etl, rereads=rereads,
                primary=weighed,
            )  # fmt: skip
            (log.info if result.ok else log.warning)("extract %s: %s", source, incremental.describe(result))
            if not result.ok:  # the reason stays beside the extracts, for the cycle's history and the run's verdict
                shared.write_text(f"{source}.error", result.error)
                raise IdbmartError(result.error)
            run(con, f"ATTACH '{local}' AS out")
            for table in incremental.work_tables():  # this source's rows: not the primary's it was weighed against
                run(con, f"CREATE TABLE out.{table} AS SELECT * FROM {table} WHERE SOURCE_NAME = ?", [source])
            run(con, f"CREATE TABLE out.{RESULT_TABLE} AS SELECT ? AS MARK, ? AS RESULT",
                [json.dumps(mark), _dump(result)])  # fmt: skip
            run(con, "DETACH out")
        finally:
            con.close()
        shared.remove(f"{source}.error")
        shared.put(local, f"{source}.duckdb")


def _primary_version(con, shared: Handover, primary: str, folder: Path) -> bool:
    """From the primary's extract file, what `incremental._judge` weighs a member against, into the work
    tables: its entities, its data source sessions and, of its rows, the entity, chunk and conversion
    mark alone. False where the primary has no file (its read failed or is not done): nothing to weigh."""
    path = shared.local_copy(f"{primary}.duckdb", folder)
    if path is None:
        return False
    rows = [f"_X_{t.name}" for t in extracted_tables()]
    with _extract_file(con, path) as held:
        for table in ("_X_ENTITY", "_X_DSS", *rows):
            cols = "SOURCE_NAME, HA_SET, ENTITY_KEY, CHUNK, UNCONVERTED" if table in rows else "*"
            if table in held:
                run(con, f"INSERT INTO {table} BY NAME SELECT {cols} FROM x.{table}")
    return True


def commit_extracts(deployment: Deployment, location: str | Path, job: str = "intraday") -> CycleResult:
    """Merge the sources' extract files at the run's shared `location` and commit the cycle. A source
    without a file, or whose mark moved since it was read (another job committed its window), is skipped
    and read next cycle."""
    shared = Handover(location)
    with open_cycle(deployment, job) as cycle, scratch() as folder:
        cycle.result.sources = [_read_extract_file(cycle, s, shared, Path(folder)) for s in deployment.sources]
        return cycle.commit()


def _read_extract_file(cycle, source, shared: Handover, folder: Path) -> SourceExtract:
    """The source's extract file into the cycle's work tables, as if it had been read in this process."""
    con = cycle.con
    path = shared.local_copy(f"{source.name}.duckdb", folder)
    if path is None:
        why = shared.read_text(f"{source.name}.error") or "its task failed"
        return SourceExtract(source, error=f"not extracted this cycle: {why}")
    with _extract_file(con, path) as held:
        mark, dumped = run(con, f"SELECT MARK, RESULT FROM x.{RESULT_TABLE}")[0]
        current = list(cycle.marks[source.name]) if source.name in cycle.marks else None
        if json.loads(mark) != current:
            return SourceExtract(source, error="its mark moved since it was extracted")
        for table in sorted(held):
            # by name: a file written before a work table gained a column (an upgrade mid-run) gets its default
            run(con, f"INSERT INTO {table} BY NAME SELECT * FROM x.{table}")
        return _load(source, dumped)


@contextmanager
def _extract_file(con, path: Path) -> Iterator[set[str]]:
    """An extract file attached read-only as `x` while the block runs; the work tables it holds."""
    run(con, f"ATTACH '{path}' AS x (READ_ONLY)")
    try:
        yield {t for (t,) in run(con, "SELECT table_name FROM duckdb_tables() WHERE database_name = 'x'")} - {
            RESULT_TABLE
        }
    finally:
        run(con, "DETACH x")


def _dump(r: SourceExtract) -> str:
    fields = {f.name: getattr(r, f.name) for f in dataclasses.fields(r) if f.name != "source"}
    fields["window"] = dataclasses.asdict(r.window) if r.window else None
    return json.dumps(fields)


def _load(source, dumped: str) -> SourceExtract:
    fields = json.loads(dumped)
    fields["window"] = Window(**fields["window"]) if fields["window"] else None
    return SourceExtract(source, **fields)


def backfill(deployment: Deployment, first: date, last: date, progress=lambda _: None) -> CycleResult:
    """Rebuild the local days [first, last] from the sources as they are now (or the snapshots the
    deployment names): every source is read again from its start, the entities that began in the
    window are merged (identical versions change nothing), chosen, transformed, and the window's
    aggregates recomputed; the gate checks what changed. Marks do not move: the intraday cycles go on
    where they were, and nothing outside the window is touched."""
    if last < first:
        raise IdbmartError(f"--to {last} is before --from {first}")
    with open_cycle(deployment, "backfill", mark_status="backfill") as cycle:
        con, result = cycle.con, cycle.result
        tz = deployment.etl.time_zone  # local days, as the aggregates count them
        local_day = "epoch(timezone(?, ?::TIMESTAMP + INTERVAL (?) DAY))::BIGINT"
        lo, hi = run(con, f"SELECT {local_day}, {local_day}", [tz, first, 0, tz, last, 1])[0]
        result.reaggregate_window = (lo, hi)
        log.info("backfill %s to %s: read every source again ...", first, last)
        progress("read every source again ...")
        result.sources = incremental.extract_all(
            con,
            deployment.sources,
            {},
            deployment.etl,
            progress=progress,
            threads=deployment.extract.threads,
            per_server=deployment.extract.connections_per_server,
            backup_rows=deployment.extract.backup_rows,
        )
        _keep_window(con, lo, hi)
        for r in result.sources:  # what is left of each source's read, for the merge and the history
            if r.ok:
                r.rows = {t: n for t, n in _rows_left(con, r.source.name).items() if n}
        progress(f"commit backfill run {result.run_id} ...")
        return cycle.commit()


def _keep_window(con, lo: int, hi: int) -> None:
    """Drop from the work tables every entity that did not begin in [lo, hi)."""
    run(con, "DELETE FROM _X_ENTITY WHERE NOT (START_TS >= ? AND START_TS < ?)", [lo, hi])
    for t in extracted_tables():
        run(con, f"""DELETE FROM _X_{t.name} x WHERE NOT EXISTS (SELECT 1 FROM _X_ENTITY e
                     WHERE e.SOURCE_NAME = x.SOURCE_NAME AND e.ENTITY_KEY = x.ENTITY_KEY)""")  # fmt: skip


def _rows_left(con, source: str) -> dict[str, int]:
    return {
        t.name: run(con, f"SELECT count(*) FROM _X_{t.name} WHERE SOURCE_NAME = ?", [source])[0][0]
        for t in extracted_tables()
    }


def maintain(deployment: Deployment, now: int | None = None) -> dict:
    """The nightly housekeeping, in one transaction: retention, the calendar ahead; then a checkpoint."""
    con = mart.connect(deployment.mart_path, deployment.memory_limit)
    try:
        with db.transaction(con):
            purged = retention.purge(con, deployment)
            days = retention.fill_ahead(con, deployment, int(now if now is not None else time.time()))
        run(con, "CHECKPOINT")
        return {"retention": purged.detail(), "deleted": purged.deleted, "date_time": list(days)}
    finally:
        con.close()


def publish_readers(deployment: Deployment) -> dict:
    """Bring the readers' stores to the mart's state: the DuckDB readers' copy (idbmart.load.publish), then
    the PostgreSQL readers' mart (idbmart.load.publish_postgresql, whose ReadersError fails the task once
    the copy is published); how, JSON-safe ({} if neither is configured)."""
    from idbmart.load.publish import publish
    from idbmart.load.publish_postgresql import publish_postgresql

    out: dict = {}
    done = publish(deployment)
    if done is not None:
        out = {"reader_path": str(deployment.reader_path), "buffer": done.path.name, "mode": done.mode,
               "why": done.why, "rows": done.rows, "seconds": round(done.seconds, 2)}  # fmt: skip
    pg = publish_postgresql(deployment)
    if pg is not None:
        out["postgresql"] = {"schema": pg.schema, "mode": pg.mode, "why": pg.why, "rows": pg.rows,
                             "seconds": round(pg.seconds, 2)}  # fmt: skip
    return out


def full_check(deployment: Deployment, job: str = "nightly") -> dict:
    """Every suite on the whole mart, recorded; raise QualityGateFailed (the task fails) if any fails."""
    quality, report = gate.check(deployment, job, save=True)
    if not quality.ok:
        raise gate.QualityGateFailed(quality, report, "the full quality run failed; the readers' copy was not updated")
    return {"summary": quality.summary(), "warnings": [o.label for o in quality.warnings], "report": str(report)}


def sweep(deployment: Deployment) -> CycleResult:
    """The nightly late-data sweep: one more cycle over every source, so what arrived after the last
    intraday cycle, and the interactions whose sources' clocks passed the stuck threshold (closed at
    the sentinel, flagged), are in before the full checks. Over-long states are capped by the
    transform (`max_state_duration_s`) in every cycle."""
    return run_cycle(deployment, job="nightly")


def summary(result: CycleResult) -> dict:
    """What a cycle did, small and JSON-safe (an Airflow XCom, a log line)."""
    return {
        "run_id": result.run_id,
        "sources_ok": [s.source.name for s in result.sources if s.ok],
        "sources_skipped": {s.source.name: s.error for s in result.skipped},
        "entities": result.staged.entities if result.staged else 0,
        "facts_changed": (result.transformed.inserted + result.transformed.changed + result.transformed.deleted)
        if result.transformed
        else 0,
        "aggregates": result.aggregated.detail() if result.aggregated else "",
        "quality": result.quality.summary() if result.quality else "gate off",
        "report": str(result.report) if result.report else None,
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
    }
