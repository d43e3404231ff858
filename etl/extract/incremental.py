"""Incremental extraction of one source IDB into the cycle's work tables.

The window of a source is what ICON committed since the last cycle: sequences `(SEQ_FROM, SEQ_TO]`
with SEQ_TO = `G_PROV_CONTROL.SEQCURRENT` (the highest GSYS_SEQ / GSYS_USEQ safely committed, so a
row that commits late is never skipped: the mark stays below it until it lands), and the source's own
clock `(TIME_FROM, TIME_TO]` with TIME_TO = its last stored event, for interactions crossing the
stuck threshold. An entity touched in the window and finished is extracted whole, again if it was
extracted before: extraction is a function of (source, window), and re-extraction replaces.

Large windows are read in chunks of sequences; each chunk is a window of its own, so a chunked read
ends exactly where one big read would, with memory bounded by the chunk.

Nothing here writes to the mart's tables: rows land in the work tables `work._X_*`, an in-memory
database attached to the mart's connection, which the cycle merges in its one transaction
(etl/cycle.py). Sources are read a few at a time (`extract_all`), each by its own reader and its own
cursor of the mart's connection, in a transaction of its own: a source that fails part-way is rolled
back and leaves nothing behind, and one commit per source puts its rows in the work tables (DuckDB
appends many small inserts into a large table slowly, one transaction's worth quickly).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

import duckdb
import pyarrow as pa
from sqlglot import exp

from etl import sqlfile
from etl.config import EtlOptions, Source
from etl.errors import SourceError
from etl.extract.entities import Kind, kinds_for
from etl.extract.sources import IdbReader, _first_line, model_select, open_source
from etl.idb.schema import dss_table, tables, tables_for_roles
from etl.load.mart import create_empty, extracted_tables, run

CHUNK_SEQS = 2_000_000
SECURE_TABLE = "G_SECURE_USERDATA_HISTORY"
HELD_READY = "_idbmart_ready"  # the ready entities of the kind being read, held in the source session
# Sources read at once: a source's fixed cost (connect, schema, small queries) overlaps another's work;
# two are enough to keep two cores busy, and each holds at most one chunk in memory.
EXTRACT_THREADS = min(2, os.cpu_count() or 1)
# A DuckDB snapshot's window of at least this many sequences (a nightly run, a backfill, a source
# catching up) is read attached to the mart's connection: its rows go to the work tables without an
# Arrow copy in Python (1M-call nightly: peak 4.16 -> 3.29 GB in extract, time unchanged). Smaller
# windows go through Arrow (attaching every snapshot made a busy 250k intraday cycle's extract slower).
ATTACH_FROM_SEQS = 500_000
WORK = "work"  # the in-memory database of the work tables, attached to the mart's connection


@dataclass(frozen=True)
class Window:
    seq_from: int
    seq_to: int
    time_from: int
    time_to: int

    @property
    def empty(self) -> bool:
        return self.seq_to <= self.seq_from and self.time_to <= self.time_from

    def chunks(self, size: int) -> list[Window]:
        """Consecutive sub-windows of at most `size` sequences; the clock window goes with the last."""
        bounds = list(range(self.seq_from, self.seq_to, size)) + [self.seq_to]
        if len(bounds) == 1:
            bounds = [self.seq_from, self.seq_to]
        out = []
        for i, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)):
            last = i == len(bounds) - 2
            out.append(Window(lo, hi, self.time_from, self.time_to if last else self.time_from))
        return out


@dataclass
class SourceExtract:
    source: Source
    window: Window | None = None
    icon_dbid: int | None = None
    dss_id: int | None = None
    entities: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # table → rows read
    error: str | None = None
    started: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def work_table(name: str) -> str:
    """The work table of an extracted table (`G_CALL`), or of `ENTITY` or `DSS`."""
    return f"{WORK}._X_{name}"


def work_tables() -> list[str]:
    """The cycle's work tables: the rows of each extracted table, the entities read, the DSS records."""
    return [work_table(t.name) for t in extracted_tables()] + [work_table("ENTITY"), work_table("DSS")]


def create_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The cycle's work tables, empty: like STG_*, plus the chunk that read each row. They live in an
    in-memory database every cursor of `con` sees (a temporary table is seen by one cursor only)."""
    run(con, f"DETACH DATABASE IF EXISTS {WORK}")
    run(con, f"ATTACH ':memory:' AS {WORK}")
    for t in extracted_tables():
        create_empty(con, work_table(t.name), f"SELECT *, FALSE AS STUCK, 0 AS CHUNK FROM STG_{t.name}")
    run(
        con,
        f"""CREATE TABLE {work_table("ENTITY")} (
        SOURCE_NAME VARCHAR, HA_SET VARCHAR, ENTITY_KIND VARCHAR, ENTITY_ID VARCHAR, ENTITY_KEY VARCHAR,
        START_TS BIGINT, END_TS BIGINT, STUCK BOOLEAN, CHUNK INTEGER)""",
    )
    run(
        con,
        f"""CREATE TABLE {work_table("DSS")} (
        SOURCE_NAME VARCHAR, ROLE VARCHAR, DSS_ID BIGINT, ICON_DBID INTEGER, DS_DBID INTEGER, DS2_DBID INTEGER,
        DS_TYPE SMALLINT, DSCONN_TYPE SMALLINT, START_TS BIGINT, END_TS BIGINT, LAST_EVENT_TS BIGINT)""",
    )


def previous_marks(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Source → (SEQ_TO, TIME_TO) of its last committed window."""
    rows = con.execute(
        "SELECT SOURCE_NAME, max(SEQ_TO), max(TIME_TO) FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'ok' GROUP BY 1"
    ).fetchall()
    return {name: (int(seq), int(t)) for name, seq, t in rows}


def extract_all(
    con: duckdb.DuckDBPyConnection,
    sources: Iterable[Source],
    marks: dict[str, tuple[int, int] | None],
    options: EtlOptions,
    chunk_seqs: int = CHUNK_SEQS,
    progress: Callable[[str], None] = lambda _: None,
    threads: int = EXTRACT_THREADS,
) -> list[SourceExtract]:
    """Every source's window into the work tables, `threads` sources at a time, each on its own cursor
    of `con`; results in source order. `progress` is called by one thread at a time (two prints at
    once interleave their lines)."""
    telling = threading.Lock()

    def one(source: Source) -> SourceExtract:
        with con.cursor() as cursor:
            r = extract_source(cursor, source, marks.get(source.name), options, chunk_seqs)
        with telling:
            progress(f"extract {source.name}: {describe(r)}")
        return r

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="extract") as pool:
        return list(pool.map(one, sources))


def describe(r: SourceExtract) -> str:
    if not r.ok:
        return f"skipped: {r.error}"
    w = r.window
    if w is None or w.empty:
        return "nothing new"
    rows = sum(r.rows.values())
    return (
        f"sequences ({w.seq_from}, {w.seq_to}]: {r.entities} entities, {rows} rows in {r.seconds:.2f} s"
        f" ({rows / r.seconds if r.seconds else 0:,.0f} rows/s)"
    )


def extract_source(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    mark: tuple[int, int] | None,
    options: EtlOptions,
    chunk_seqs: int = CHUNK_SEQS,
    attach_from_seqs: int = ATTACH_FROM_SEQS,
) -> SourceExtract:
    """Read the source's window into the work tables in one transaction of `con` (a cursor no other
    thread uses); on any SourceError, roll back and say why. A DuckDB snapshot's window of
    `attach_from_seqs` sequences or more is read attached to `con`."""
    result = SourceExtract(source, started=time.time())
    clock = time.perf_counter()
    attached: list[str] = []
    run(con, "BEGIN TRANSACTION")
    try:
        with open_source(source) as reader:
            _extract(con, reader, source, mark, options, chunk_seqs, result, attach_from_seqs, attached)
        run(con, "COMMIT")
    except SourceError as e:
        run(con, "ROLLBACK")
        result.error = str(e)
    except BaseException:
        run(con, "ROLLBACK")
        raise
    finally:
        for catalog in attached:  # only once the transaction that read it has ended
            run(con, f"DETACH DATABASE IF EXISTS {catalog}")
    result.seconds = time.perf_counter() - clock
    return result


def _extract(
    con, reader: IdbReader, source: Source, mark, options: EtlOptions, chunk_seqs: int, result, attach_from_seqs,
    attached: list[str],
) -> None:  # fmt: skip
    seq_from, time_from = mark or (0, 0)
    prov = reader.read_table(tables()["G_PROV_CONTROL"])
    marks = [v for v in prov.column("SEQCURRENT").to_pylist() if v is not None]
    if not marks:
        raise SourceError(source.name, "no SEQCURRENT: nothing is known to be safely committed", "G_PROV_CONTROL")
    seq_to = min(marks)
    if seq_to < seq_from:
        raise SourceError(
            source.name,
            f"SEQCURRENT went back from {seq_from} to {seq_to}: the IDB was restored or replaced; "
            "rebuild its window with `idbmart backfill`",
            "G_PROV_CONTROL",
            "SEQCURRENT",
        )
    sessions = [(role, reader.read_table(tables()[dss_table(role)])) for role in source.roles]
    _stage_dss(con, sessions, source)
    last_event, result.icon_dbid, result.dss_id = con.execute(
        f"SELECT max(LAST_EVENT_TS), any_value(ICON_DBID), max(DSS_ID) FROM {work_table('DSS')} WHERE SOURCE_NAME = ?",
        [source.name],
    ).fetchall()[0]
    window = Window(seq_from, seq_to, time_from, max(time_from, int(last_event or 0)))
    result.window = window
    if window.empty:
        return
    secure_keys = options.secure_userdata_keys
    catalog = None
    if window.seq_to - window.seq_from >= attach_from_seqs:
        catalog = reader.attach(con)  # a DuckDB file: read by the mart's connection (ATTACH_FROM_SEQS)
        attached += [catalog] if catalog else []
    for chunk_no, chunk in enumerate(window.chunks(chunk_seqs)):
        params = {
            "lo": chunk.seq_from,
            "hi": chunk.seq_to,
            "t_lo": chunk.time_from,
            "t_hi": chunk.time_to,
            "stuck_s": options.stuck_threshold_s,
        }
        for kind in kinds_for(source.roles):
            present = _present(reader, kind, secure_keys)
            if not present or (chunk.seq_to <= chunk.seq_from and not kind.can_stick):
                continue  # nothing of this kind can be touched in an empty sequence window
            if catalog:
                _read_attached(con, catalog, reader, kind, present, params, chunk_no, result, secure_keys)
            else:
                _read_through_arrow(con, reader, kind, present, params, chunk_no, result, secure_keys)
    (result.entities,) = con.execute(
        f"SELECT count(DISTINCT (ENTITY_KIND, ENTITY_KEY)) FROM {work_table('ENTITY')} WHERE SOURCE_NAME = ?",
        [source.name],
    ).fetchall()[0]


def _read_through_arrow(con, reader: IdbReader, kind: Kind, present, params, chunk_no, result, secure_keys):
    """The kind's ready entities and their rows, read by the source's own session into Arrow tables
    (a live PostgreSQL IDB, a Parquet folder, a small window), then inserted by `con`."""
    source = reader.source
    ready = reader.run_sql(sqlfile.bind(_ready_sql(kind, present, reader.dialect), reader.dialect, params))
    if ready.num_rows == 0:
        return
    _stage(con, work_table("ENTITY"), ready, source, chunk_no, ENTITY_KIND=kind.name)
    held = HELD_READY if reader.hold(HELD_READY, ready.select(["ENTITY_ID", "ENTITY_KEY", "STUCK"])) else None
    for name in present:
        table = tables()[name]
        sql = _rows_sql(kind, name, present, reader.dialect, reader.casts(table), secure_keys, held)
        rows = reader.read_model_rows(table, sqlfile.bind(sql, reader.dialect, params), name)
        result.rows[name] = result.rows.get(name, 0) + rows.num_rows
        _stage(con, work_table(name), rows, source, chunk_no)


def _read_attached(con, catalog: str, reader: IdbReader, kind: Kind, present, params, chunk_no, result, secure_keys):
    """The kind's ready entities and their rows, read by the mart's connection from the source attached
    to it as `catalog`: the same queries, but the rows go from the source's file to the work tables
    without a copy into Python (half the extraction's time went to that round trip)."""
    source = reader.source
    try:
        ready = sqlfile.bind(_ready_sql(kind, present, "duckdb", catalog), "duckdb", params)
        run(con, f"CREATE OR REPLACE TEMP TABLE {HELD_READY} AS {ready}")
        if _stage(con, work_table("ENTITY"), HELD_READY, source, chunk_no, ENTITY_KIND=kind.name):
            for name in present:
                casts = reader.casts(tables()[name])
                sql = _rows_sql(kind, name, present, "duckdb", casts, secure_keys, HELD_READY, catalog)
                rows = _stage(con, work_table(name), f"({sqlfile.bind(sql, 'duckdb', params)})", source, chunk_no)
                result.rows[name] = result.rows.get(name, 0) + rows
        run(con, f"DROP TABLE {HELD_READY}")
    except duckdb.Error as e:  # the source's transaction is void now: extract_source rolls it back
        raise SourceError(source.name, f"reading {kind.name} entities failed: {_first_line(e)}") from e


@cache
def _ready_sql(kind: Kind, present: tuple[str, ...], dialect: str, catalog: str | None = None) -> str:
    return sqlfile.template(_in_catalog(kind.ready(list(present)), catalog), dialect)


@cache
def _rows_sql(
    kind: Kind, table: str, present: tuple[str, ...], dialect: str, casts, secure_keys, held, catalog=None
) -> str:
    """The rows of `table` for the kind's ready entities (secure user data: allowed keys only)."""
    query = kind.rows(table, model_select(tables()[table], casts, "t"), list(present), held)
    if table == SECURE_TABLE:
        query = query.where(exp.column("KEYNAME", "t").isin(*secure_keys))
    return sqlfile.template(_in_catalog(query, catalog), dialect)


def _in_catalog(query: exp.Expression, catalog: str | None) -> exp.Expression:
    """The query with every IDB table read from `catalog` (a source attached to the mart's connection)."""
    if catalog is None:
        return query
    query, idb = query.copy(), tables()
    for table in query.find_all(exp.Table):
        if table.name in idb and not table.args.get("catalog"):
            table.set("catalog", exp.to_identifier(catalog))
            table.set("db", exp.to_identifier("main"))
    return query


def _present(reader: IdbReader, kind: Kind, secure_keys) -> tuple[str, ...]:
    """The kind's tables this source has (an absent optional table has no rows to give)."""
    report = reader.schema_report()
    expected = {t.name for t in tables_for_roles(reader.source.roles)}
    return tuple(
        t
        for t in kind.tables
        if t in expected and t not in report.missing_optional and (t != SECURE_TABLE or secure_keys)
    )


def _stage(con, work_table: str, rows: pa.Table | str, source: Source, chunk: int, **constants) -> int:
    """Insert `rows` (Arrow, or a relation of the mart's connection) into a work table; how many."""
    extra = {"SOURCE_NAME": source.name, "HA_SET": source.ha_set, "CHUNK": chunk, **constants}
    arrow = isinstance(rows, pa.Table)
    if arrow:
        con.register("_arrow", rows)
    literals = ", ".join(f"? AS {name}" for name in extra)
    relation = "_arrow" if arrow else rows
    (n,) = run(con, f"INSERT INTO {work_table} BY NAME SELECT *, {literals} FROM {relation}", list(extra.values()))[0]
    if arrow:
        con.unregister("_arrow")
    return n


def _stage_dss(con, sessions: list[tuple[str, pa.Table]], source: Source) -> None:
    for role, dss in sessions:
        con.register("_arrow", dss)
        run(
            con,
            f"""INSERT INTO {work_table("DSS")} SELECT ?, ?, DSS_ID, ICON_DBID, DS_DBID, DS2_DBID, DS_TYPE, DSCONN_TYPE,
                      epoch(DSCONN_STIME)::BIGINT, epoch(coalesce(DSCONN_ETIME, ICON_ETIME))::BIGINT,
                      epoch(LEVENT_ITIME)::BIGINT
               FROM _arrow WHERE DSCONN_STIME IS NOT NULL""",
            [source.name, role],
        )
        con.unregister("_arrow")
