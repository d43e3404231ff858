"""Incremental extraction of one source IDB into the cycle's work tables.

The window of a source is what ICON committed since the last cycle: sequences `(SEQ_FROM, SEQ_TO]`
with SEQ_TO = `G_PROV_CONTROL.SEQCURRENT` (the highest GSYS_SEQ / GSYS_USEQ safely committed, so a
row that commits late is never skipped: the mark stays below it until it lands), and the source's own
clock `(TIME_FROM, TIME_TO]` with TIME_TO = its last stored event, for interactions crossing the
stuck threshold. An entity touched in the window and finished is extracted whole, again if it was
extracted before: extraction is a function of (source, window), and re-extraction replaces.

The tables read after a kind's anchor (an interaction's calls, a login session's record) are read
from the anchor rows' earliest time on, less an hour: an IDB that keeps days of history is not read
whole at every cycle to find a quarter of an hour's interactions (`entities.TIME_COLUMNS`).

Large windows are read in chunks of sequences; each chunk is a window of its own, so a chunked read
ends exactly where one big read would, with memory bounded by the chunk.

Nothing here writes to the mart's tables: rows land in the connection's temporary `_X_*` tables,
which the cycle merges in its one transaction (idbmart/cycle.py). A source that fails part-way leaves
nothing behind. Sources are read a few at a time (`extract_all`): each has its own reader, and only
the inserts into the work tables take turns on the mart's connection.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from idbmart import sqlfile
from idbmart.config import EtlOptions, Source
from idbmart.errors import SourceError, first_line
from idbmart.extract.entities import BOUND_SLACK_S, TABLES_NOT_EVIDENCE, TIME_COLUMNS, Kind, kinds_for
from idbmart.extract.reach import SLACK_S as REACH_SLACK_S
from idbmart.extract.reach import Reach
from idbmart.extract.sources import UNCONVERTED, IdbReader, model_select, open_source
from idbmart.idb.schema import dss_table, tables, tables_for_roles
from idbmart.load.db import create_empty, run
from idbmart.load.mart import extracted_tables

CHUNK_SEQS = 2_000_000
log = logging.getLogger(__name__)
SECURE_TABLE = "G_SECURE_USERDATA_HISTORY"
HELD_READY = "_idbmart_ready"  # the ready entities of the kind being read, held in the source session
# Sources read at once: a source's fixed cost (connect, schema, small queries) overlaps another's work;
# two are enough to keep two cores busy, and each holds at most one chunk in memory.
EXTRACT_THREADS = min(2, os.cpu_count() or 1)
# A DuckDB snapshot's window of at least this many sequences (a nightly run, a backfill, a source
# catching up) is read attached to the mart's connection: its rows go to the work tables without an
# Arrow copy in Python (1M-call nightly: peak 4.16 -> 3.29 GB in extract, time unchanged). Smaller
# windows go through Arrow: attached reads take the mart's connection for the whole read, so two
# sources no longer overlap, and a busy intraday cycle's extract took 1-1.5 s longer (250k calls).
ATTACH_FROM_SEQS = 500_000
# An HA set's other member read from a session that holds nothing (a live PostgreSQL IDB) names the
# entities whose rows it reads in the query: up to this many; more, and it reads them all.
ONLY_KEYS = 2_000


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
    since: dict[str, int] = field(default_factory=dict)  # kind → earliest time its rows were read from
    error: str | None = None
    started: float = 0.0
    seconds: float = 0.0
    # table → what was wrong with values read and how they were read (CTL_EXTRACT_HISTORY.MESSAGE)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    rereads: dict[str, list[str]] = field(default_factory=dict)  # kind → keys asked for again (STG_HA_REREAD)
    not_read: int = 0  # entities whose rows were not read: their primary's version is chosen (`_judge`)

    @property
    def ok(self) -> bool:
        return self.error is None


def work_tables() -> list[str]:
    """The names of the cycle's temporary work tables: the rows of each extracted table, entities, DSS."""
    return [f"_X_{t.name}" for t in extracted_tables()] + ["_X_ENTITY", "_X_EVIDENCE", "_X_DSS", "_X_ORPHAN"]


def create_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The cycle's temporary tables: like STG_*, plus the chunk that read each row. Until they are
    dropped (`drop_work_tables`), DuckDB checkpoints nothing by itself: it checkpoints a database at
    a commit that wrote more than `checkpoint_threshold` (16 MiB), the temporary one too, and every
    insert of a chunk's rows then compressed the work tables again (0.3-2.8 s each time a large table
    had grown by a row group: half the 1M-call nightly's extraction)."""
    run(con, "SET checkpoint_threshold = '1TB'")  # a setting of the whole database: reset on drop
    for t in extracted_tables():
        create_empty(
            con,
            f"_X_{t.name}",
            f"SELECT *, FALSE AS STUCK, 0 AS CHUNK, FALSE AS {UNCONVERTED} FROM STG_{t.name}",
            temp=True,
        )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _X_ENTITY (
        SOURCE_NAME VARCHAR, HA_SET VARCHAR, ENTITY_KIND VARCHAR, ENTITY_ID VARCHAR, ENTITY_KEY VARCHAR,
        START_TS BIGINT, END_TS BIGINT, STUCK BOOLEAN, CHUNK INTEGER, ROWS_READ BOOLEAN DEFAULT TRUE)""",
    )
    run(  # the tables a version whose rows were not read has rows in (`_judge`)
        con,
        """CREATE OR REPLACE TEMP TABLE _X_EVIDENCE (
        SOURCE_NAME VARCHAR, HA_SET VARCHAR, ENTITY_KIND VARCHAR, ENTITY_KEY VARCHAR, TABLE_NAME VARCHAR,
        FIRST_TS BIGINT, CHUNK INTEGER)""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _X_DSS (
        SOURCE_NAME VARCHAR, ROLE VARCHAR, DSS_ID BIGINT, ICON_DBID INTEGER, DS_DBID INTEGER, DS2_DBID INTEGER,
        DS_TYPE SMALLINT, DSCONN_TYPE SMALLINT, START_TS BIGINT, END_TS BIGINT, LAST_EVENT_TS BIGINT)""",
    )
    run(  # rows that belong to no entity (Kind.orphans): listed in STG_TRANSFORM_DISCARDS at staging
        con,
        """CREATE OR REPLACE TEMP TABLE _X_ORPHAN (
        SOURCE_NAME VARCHAR, HA_SET VARCHAR, TABLE_NAME VARCHAR, COLUMN_NAME VARCHAR, ROW_KEY VARCHAR,
        ROW_JSON VARCHAR, CHUNK INTEGER, REASON VARCHAR)""",
    )


def drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the work tables once merged into staging, in the cycle's transaction, and give the
    database DuckDB's checkpoint threshold again for the cycle's commit. Never checkpointed, the
    work tables left in place made that commit checkpoint them (1M-call nightly: 19.1 s, not 8.6 s).
    Each judged source's `_chosen`, made as the sources are read, goes with them."""
    chosen = run(
        con, "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, '_X_CHOSEN ')"
    )
    for table in work_tables() + [_quoted(name) for (name,) in chosen]:
        run(con, f"DROP TABLE {table}")
    run(con, "RESET checkpoint_threshold")


def previous_marks(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Source → (SEQ_TO, TIME_TO) of its last committed window."""
    rows = run(
        con, "SELECT SOURCE_NAME, max(SEQ_TO), max(TIME_TO) FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'ok' GROUP BY 1"
    )
    return {name: (int(seq), int(t)) for name, seq, t in rows}


def previous_rereads(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, list[str]]]:
    """Source → kind → the keys of the entities the HA choice asked it to deliver again (STG_HA_REREAD)."""
    asked: dict[str, dict[str, list[str]]] = {}
    for source, kind, keys in run(
        con, "SELECT SOURCE_NAME, ENTITY_KIND, list(DISTINCT ENTITY_KEY ORDER BY ENTITY_KEY) FROM STG_HA_REREAD "
        "GROUP BY ALL ORDER BY ALL"
    ):  # fmt: skip
        asked.setdefault(source, {})[kind] = keys
    return asked


def extract_all(
    con: duckdb.DuckDBPyConnection,
    sources: Iterable[Source],
    marks: dict[str, tuple[int, int] | None],
    options: EtlOptions,
    chunk_seqs: int = CHUNK_SEQS,
    progress: Callable[[str], None] = lambda _: None,
    threads: int = EXTRACT_THREADS,
    per_server: int | None = None,
    rereads: dict[str, dict[str, list[str]]] | None = None,
    backup_rows: str = "when_chosen",
) -> list[SourceExtract]:
    """Every source's window into the work tables, `threads` sources at a time and at most `per_server`
    of them on one database server (Source.server); results in source order. `rereads`: the entities
    each source is asked to deliver again (`previous_rereads`). `progress` is called by one thread at a
    time (two prints at once interleave their lines). `backup_rows` "when_chosen": an HA set's other
    member is read after its primary, and its rows only where the primary's version may not be chosen
    (`_judge`); "always": every member's rows."""
    mart_turn, telling = threading.Lock(), threading.Lock()
    sources = list(sources)
    servers = {s.server: threading.BoundedSemaphore(per_server or threads) for s in sources}
    primary_of = primaries(sources) if backup_rows == "when_chosen" else {}
    read = {s.name: threading.Event() for s in sources}

    def one(source: Source) -> SourceExtract:
        primary = primary_of.get(source.name)
        if primary:  # its primary's rows are in the work tables first (backups are started last: no deadlock)
            read[primary].wait()
        try:
            with servers[source.server]:
                again = (rereads or {}).get(source.name)
                r = extract_source(
                    con, source, marks.get(source.name), options, chunk_seqs, mart_turn, rereads=again,
                    primary=primary,
                )  # fmt: skip
        finally:
            read[source.name].set()
        with telling:
            (log.info if r.ok else log.warning)("extract %s: %s", source.name, describe(r))
            progress(f"extract {source.name}: {describe(r)}")
        return r

    # Taken in turns across servers, so that a thread waiting for its server's turn seldom holds up a
    # source on another server; the HA sets' other members after every primary.
    order = sorted(range(len(sources)), key=lambda i: (sources[i].name in primary_of, *_turn(sources, i)))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="extract") as pool:
        done = dict(zip(order, pool.map(one, [sources[i] for i in order]), strict=True))
    return [done[i] for i in range(len(sources))]


def primaries(sources: Iterable[Source]) -> dict[str, str]:
    """Each source of an HA set whose primary is among `sources` → that primary's name."""
    sources = list(sources)
    primary = {s.ha_set: s.name for s in sources if s.primary}
    return {s.name: primary[s.ha_set] for s in sources if not s.primary and s.ha_set in primary}


def _turn(sources: list[Source], i: int) -> tuple[int, int]:
    """Source i's place in the reading order: its rank among its server's sources, then its own order."""
    return sum(1 for s in sources[:i] if s.server == sources[i].server), i


def describe(r: SourceExtract) -> str:
    if not r.ok:
        return f"skipped: {r.error}"
    w = r.window
    asked = sum(len(keys) for keys in r.rereads.values())
    again = f"; {asked} entities asked for again (HA choice)" if asked else ""
    if r.not_read:
        again += f"; {r.not_read} entities' rows not read (their primary's version is chosen)"
    if w is None or (w.empty and not asked):
        return "nothing new"
    rows = sum(r.rows.values())
    since = "".join(
        f"; {kind} rows from {datetime.fromtimestamp(ts, UTC):%Y-%m-%d %H:%M}" for kind, ts in sorted(r.since.items())
    )
    return (
        f"sequences ({w.seq_from}, {w.seq_to}]: {r.entities} entities, {rows} rows in {r.seconds:.2f} s"
        f" ({rows / r.seconds if r.seconds else 0:,.0f} rows/s){since}{again}"
    )


def extract_source(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    mark: tuple[int, int] | None,
    options: EtlOptions,
    chunk_seqs: int = CHUNK_SEQS,
    mart_turn: AbstractContextManager | None = None,
    attach_from_seqs: int = ATTACH_FROM_SEQS,
    rereads: dict[str, list[str]] | None = None,
    primary: str | None = None,
) -> SourceExtract:
    """Read the source's window into the work tables, and the entities of `rereads` (kind → keys)
    whatever the window; on any SourceError, leave nothing and say why. `mart_turn` is held around
    every use of `con` when other sources are read at the same time; a DuckDB snapshot's window of
    `attach_from_seqs` sequences or more is read attached to `con`. `primary`: the HA set's primary,
    read into the work tables already; the rows of entities whose version it will have chosen
    are not read (`_judge`)."""
    turn = mart_turn or threading.Lock()
    result = SourceExtract(source, started=time.time(), rereads=dict(rereads or {}))
    clock = time.perf_counter()
    try:
        with open_source(source) as reader:
            _extract(con, turn, reader, source, mark, options, chunk_seqs, result, attach_from_seqs, primary)
    except SourceError as e:
        with turn:
            _forget(con, source)
        result.error = str(e)
    result.seconds = time.perf_counter() - clock
    return result


def _extract(
    con,
    turn,
    reader: IdbReader,
    source: Source,
    mark,
    options: EtlOptions,
    chunk_seqs: int,
    result,
    attach_from_seqs,
    primary: str | None = None,
) -> None:
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
    with turn:
        _stage_dss(con, sessions, source)
        last_event, result.icon_dbid, result.dss_id = run(
            con,
            "SELECT max(LAST_EVENT_TS), any_value(ICON_DBID), max(DSS_ID) FROM _X_DSS WHERE SOURCE_NAME = ?",
            [source.name],
        )[0]
    window = Window(seq_from, seq_to, time_from, max(time_from, int(last_event or 0)))
    result.window = window
    if window.empty and not result.rereads:
        return
    secure_keys = options.secure_userdata_keys
    catalog = None
    if window.seq_to - window.seq_from >= attach_from_seqs:
        with turn:
            catalog = reader.attach(con)  # a DuckDB file: read by the mart's connection (ATTACH_FROM_SEQS)
    whole = {"lo": window.seq_from, "hi": window.seq_to, "t_lo": window.time_from, "t_hi": window.time_to}
    try:
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
                again = tuple(result.rereads.get(kind.name, ())) if chunk_no == 0 else ()
                if not present or (chunk.seq_to <= chunk.seq_from and not kind.can_stick and not again):
                    continue  # nothing of this kind can be touched in an empty sequence window
                if chunk_no == 0:
                    _find_orphans(con, turn, reader, catalog, kind, present, {**params, **whole})
                judged = primary if _can_judge(reader, kind, present) else None
                if catalog:
                    with turn:
                        _read_attached(con, catalog, reader, kind, present, params, chunk_no, result, secure_keys,
                                       again, judged)  # fmt: skip
                else:
                    _read_through_arrow(
                        con, turn, reader, kind, present, params, chunk_no, result, secure_keys, again, judged
                    )
    finally:
        if catalog:
            with turn:
                run(con, f"DETACH {catalog}")
    for finding in reader.schema_report().warnings:
        result.warnings.setdefault(finding.table, []).append(f"{finding.column}: {finding.message}")
    with turn:
        (result.entities,) = run(
            con, "SELECT count(DISTINCT (ENTITY_KIND, ENTITY_KEY)) FROM _X_ENTITY WHERE SOURCE_NAME = ?", [source.name]
        )[0]


def _read_through_arrow(
    con, turn, reader: IdbReader, kind: Kind, present, params, chunk_no, result, secure_keys, again=(), primary=None
):
    """The kind's ready entities (and those of keys `again`) and their rows, read by the source's own
    session into Arrow tables (a live PostgreSQL IDB, a Parquet folder): the mart's connection is taken
    only to insert them. With `primary`, the rows of those whose primary's version is chosen are not read."""
    source = reader.source
    ready_sql = sqlfile.bind(_ready_sql(kind, present, reader.dialect, None, again), reader.dialect, params)
    ready = reader.run_sql(ready_sql, f"finding the ready {kind.name} entities")
    if ready.num_rows == 0:
        return
    with turn:
        _stage(con, "_X_ENTITY", ready, source, chunk_no, ENTITY_KIND=kind.name)
    held = HELD_READY if reader.hold(HELD_READY, ready.select(["ENTITY_ID", "ENTITY_KEY", "STUCK"])) else None
    only = None  # the keys of the entities whose rows are read, where the source's session holds nothing
    if primary and _judge(con, turn, reader, None, kind, present, params, chunk_no, result, primary, again, held):
        with turn:
            chosen = con.sql(f"SELECT ENTITY_KEY FROM {_chosen(source)}").to_arrow_table().column(0).combine_chunks()
        rest = ready.filter(pc.invert(pc.is_in(ready["ENTITY_KEY"], value_set=chosen)))
        if held or rest.num_rows <= ONLY_KEYS:
            with turn:
                _rows_not_read(con, source, kind, chunk_no, result)
            if rest.num_rows == 0:
                return
            if held:
                reader.hold(HELD_READY, rest.select(["ENTITY_ID", "ENTITY_KEY", "STUCK"]))
            else:
                only = tuple(rest["ENTITY_KEY"].drop_null().to_pylist())  # a key-less entity is discarded unread
    bounded, since = _bounded(reader, kind), None
    for name in present:
        table = tables()[name]
        bounds = bounded if since is not None else frozenset()
        casts = reader.casts(table)
        args = (kind, name, present, reader.dialect, casts, secure_keys, held, bounds, None, again)
        sql = _rows_sql(*args) if only is None else _rows_sql.__wrapped__(*args, only=only)  # not cached: one-off
        rows = reader.read_model_rows(table, sqlfile.bind(sql, reader.dialect, {**params, "since": since}), name)
        result.rows[name] = result.rows.get(name, 0) + rows.num_rows
        with turn:
            _stage(con, f"_X_{name}", rows, source, chunk_no)
            if name == kind.anchor:
                since = _since(con, result, kind, source, chunk_no)


def _read_attached(
    con, catalog: str, reader: IdbReader, kind: Kind, present, params, chunk_no, result, secure_keys, again=(),
    primary=None,
):  # fmt: skip
    """The kind's ready entities and their rows, read by the mart's connection from the source attached
    to it as `catalog`: the same queries, but the rows go from the source's file to the work tables
    without a copy into Python (half the extraction's time went to that round trip). With `primary`,
    the rows of those whose primary's version is chosen are not read."""
    source = reader.source
    try:
        ready = sqlfile.bind(_ready_sql(kind, present, "duckdb", catalog, again), "duckdb", params)
        run(con, f"CREATE OR REPLACE TEMP TABLE {HELD_READY} AS {ready}")
        if not _stage(con, "_X_ENTITY", HELD_READY, source, chunk_no, ENTITY_KIND=kind.name):
            return
        if primary and _judge(con, nullcontext(), reader, catalog, kind, present, params, chunk_no, result, primary,
                              again, HELD_READY):  # fmt: skip
            _rows_not_read(con, source, kind, chunk_no, result)
            run(con, f"DELETE FROM {HELD_READY} WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM {_chosen(source)})")
            if not run(con, f"SELECT count(*) FROM {HELD_READY}")[0][0]:
                return
        bounded, since = _bounded(reader, kind), None
        for name in present:
            casts = reader.casts(tables()[name])
            bounds = bounded if since is not None else frozenset()
            sql = _rows_sql(kind, name, present, "duckdb", casts, secure_keys, HELD_READY, bounds, catalog, again)
            read = f"({sqlfile.bind(sql, 'duckdb', {**params, 'since': since})})"
            rows = _stage(con, f"_X_{name}", read, source, chunk_no)
            result.rows[name] = result.rows.get(name, 0) + rows
            if name == kind.anchor:
                since = _since(con, result, kind, source, chunk_no)
    except duckdb.Error as e:
        raise SourceError(source.name, f"reading {kind.name} entities failed: {first_line(e)}") from e
    finally:
        run(con, f"DROP TABLE IF EXISTS {HELD_READY}")


def _can_judge(reader: IdbReader, kind: Kind, present: tuple[str, ...]) -> bool:
    """Whether this member's version of the kind's entities can be weighed without reading its rows: a
    kind of several tables (a single row is its own evidence) with no value converted after reading
    (whether one did not is known only then)."""
    if kind.single_row or not present:
        return False
    report = reader.schema_report()
    return not any(report.converted(t) for t in present)


def _judge(
    con, turn, reader: IdbReader, catalog, kind: Kind, present, params, chunk_no, result, primary: str, again, held
) -> int:
    """The ready entities (held as `held`, or computed again where None) whose version of the HA set's
    primary, read into the work tables this cycle, sql/ha/decide.sql will rank first whatever this
    member's rows hold: it ended if this one did, it has rows in every table this one has, and the
    primary's data source sessions cover both versions' lifetimes whole, so the rule's first three
    steps never prefer this member and the fourth names the primary. Every version's tables are
    recorded (_X_EVIDENCE: the choice weighs them); those entities' keys go to `_chosen`, how many
    returned. Their rows need not be read (`_rows_not_read`); the others', and those of the entities
    asked for again, are: the choice then weighs both members' rows."""
    source, dialect = reader.source, "duckdb" if catalog else reader.dialect
    bounded, since = _bounded(reader, kind), None
    for name in present:
        if name in TABLES_NOT_EVIDENCE:
            continue
        first = TIME_COLUMNS[name] if name == kind.anchor and name in bounded else None
        bounds = bounded if since is not None else frozenset()
        sql = _evidence_sql(kind, name, present, dialect, held, bounds, first, catalog, again)
        bound = sqlfile.bind(sql, dialect, {**params, "since": since})
        found = f"({bound})" if catalog else reader.run_sql(bound, f"weighing {kind.name} entities by {name}")
        with turn:
            _stage(con, "_X_EVIDENCE", found, source, chunk_no, ENTITY_KIND=kind.name, TABLE_NAME=name)
            if first:
                since = _earliest(con, "_X_EVIDENCE", "FIRST_TS", source, chunk_no, name)
    evidence = [t for t in present if t not in TABLES_NOT_EVIDENCE]
    covered_to = "coalesce(d.END_TS, d.LAST_EVENT_TS + 1, d.START_TS)"  # CTL_DSS_SESSION.COVERED_TO_TS
    values = {"source": source.name, "primary": primary, "kind": kind.name, "chunk": chunk_no, "role": kind.role,
              "again": list(again)}  # fmt: skip
    this = """SELECT ENTITY_KEY, START_TS, END_TS, STUCK FROM _X_ENTITY
              WHERE SOURCE_NAME = $source AND ENTITY_KIND = $kind AND CHUNK = $chunk AND ENTITY_KEY IS NOT NULL
                AND NOT list_contains($again, ENTITY_KEY)"""
    with turn:
        # A member catching up (back after an outage) delivers entities whose primary's version an earlier
        # run read: the version chosen then, its rows in GIDB_*, is weighed instead (found within the reach).
        # The chunks holding the primary's versions bound its rows' read by their zone maps: a nightly's
        # chunk would read every row the primary staged before it, once per chunk of each member weighed.
        catching_up, lo, hi = run(con, f"""WITH this AS ({this}),
            theirs AS (SELECT ENTITY_KEY, CHUNK FROM _X_ENTITY WHERE SOURCE_NAME = $primary AND ENTITY_KIND = $kind
                       AND ENTITY_KEY IN (SELECT ENTITY_KEY FROM this))
            SELECT (SELECT min(START_TS) FROM this t
                    WHERE NOT EXISTS (SELECT 1 FROM theirs p WHERE p.ENTITY_KEY = t.ENTITY_KEY)),
                   (SELECT min(CHUNK) FROM theirs), (SELECT max(CHUNK) FROM theirs)""",
            {k: v for k, v in values.items() if k != "role"})[0]  # fmt: skip
        bound = Reach(int(catching_up) - REACH_SLACK_S, (), 1) if catching_up is not None else None
        chunks = f"x.CHUNK BETWEEN {lo} AND {hi}" if lo is not None else "FALSE"
        primary_tables = " UNION ALL ".join(
            f"""SELECT x.ENTITY_KEY, '{t}' FROM _X_{t} x
                JOIN pair p ON p.ENTITY_KEY = x.ENTITY_KEY AND p.P_CHUNK = x.CHUNK
                WHERE x.SOURCE_NAME = $primary AND {chunks}
                GROUP BY ALL HAVING NOT bool_or(coalesce(x.{UNCONVERTED}, FALSE))"""
            for t in evidence
        )
        earlier = (
            f"""UNION ALL
              SELECT s.ENTITY_KEY, s.START_TS, s.END_TS, s.STUCK, NULL, s.TABLES FROM {bound.rows("STG_ENTITY")} s
              WHERE s.SOURCE_NAME = $primary AND s.ENTITY_KIND = $kind
                AND s.ENTITY_KEY IN (SELECT ENTITY_KEY FROM this) AND s.ENTITY_KEY NOT IN (SELECT ENTITY_KEY FROM now)
                AND EXISTS (SELECT 1 FROM {bound.rows("CTL_HA_DECISION")} d WHERE d.HA_SET = s.HA_SET
                            AND d.ENTITY_KIND = s.ENTITY_KIND AND d.ENTITY_KEY = s.ENTITY_KEY
                            AND d.SOURCE_NAME = s.SOURCE_NAME)"""
            if bound
            else ""
        )
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE {_chosen(source)} AS
            WITH this AS ({this}),
            now AS (  -- the primary's version read this cycle: its latest chunk's
              SELECT ENTITY_KEY, START_TS, END_TS, STUCK, CHUNK, NULL::VARCHAR[] AS TABLES FROM _X_ENTITY
              WHERE SOURCE_NAME = $primary AND ENTITY_KIND = $kind AND ENTITY_KEY IN (SELECT ENTITY_KEY FROM this)
              QUALIFY row_number() OVER (PARTITION BY ENTITY_KEY ORDER BY CHUNK DESC) = 1
            ),
            latest AS (  -- or, where it read none, the one chosen before (with the tables staging recorded)
              SELECT * FROM now
              {earlier}
            ),
            pair AS (  -- the primary's version ended if this one did; the lifetime both know
              SELECT t.ENTITY_KEY, least(t.START_TS, p.START_TS) AS LO,
                     greatest(t.START_TS, t.END_TS, p.START_TS, p.END_TS) AS HI, p.CHUNK AS P_CHUNK,
                     p.TABLES AS P_TABLES
              FROM this t JOIN latest p USING (ENTITY_KEY)
              WHERE t.STUCK OR NOT p.STUCK
            ),
            covered AS (  -- in whole seconds, as decide.sql counts them
              SELECT p.ENTITY_KEY FROM pair p
              JOIN _X_DSS d ON d.SOURCE_NAME = $primary AND d.ROLE = $role AND d.START_TS <= p.HI
               AND {covered_to} > p.LO
              GROUP BY p.ENTITY_KEY, p.LO, p.HI
              HAVING sum(least(p.HI + 1, {covered_to}) - greatest(p.LO, d.START_TS)) >= p.HI + 1 - p.LO
            ),
            missing AS (  -- a table this member has rows in and the primary has not (or lost a value of)
              SELECT ENTITY_KEY, TABLE_NAME FROM _X_EVIDENCE
              WHERE SOURCE_NAME = $source AND ENTITY_KIND = $kind AND CHUNK = $chunk
              EXCEPT
              ({primary_tables}
               UNION ALL SELECT ENTITY_KEY, unnest(P_TABLES) FROM pair WHERE P_TABLES IS NOT NULL)
            )
            SELECT ENTITY_KEY FROM covered WHERE ENTITY_KEY NOT IN (SELECT ENTITY_KEY FROM missing)""",
            values,
        )
        return run(con, f"SELECT count(*) FROM {_chosen(source)}")[0][0]


def _chosen(source: Source) -> str:
    """The temporary table of the entities `_judge` found for `source`: one per source, since two
    sources are read at once and each takes the mart's connection in turns between its statements."""
    return _quoted(f"_X_CHOSEN {source.name}")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rows_not_read(con, source: Source, kind: Kind, chunk_no: int, result: SourceExtract) -> None:
    """The versions of `_chosen` recorded as read without their rows (ROWS_READ: the HA choice takes
    none of them as held)."""
    (n,) = run(
        con,
        f"""UPDATE _X_ENTITY SET ROWS_READ = FALSE WHERE SOURCE_NAME = ? AND ENTITY_KIND = ? AND CHUNK = ?
           AND ENTITY_KEY IN (SELECT ENTITY_KEY FROM {_chosen(source)})""",
        [source.name, kind.name, chunk_no],
    )[0]
    result.not_read += n


@cache
def _evidence_sql(kind: Kind, table: str, present, dialect: str, held, bounded, first, catalog=None, again=()) -> str:
    query = kind.evidence(table, list(present), held, bounded, first, again)
    return sqlfile.template(_in_catalog(query, catalog), dialect)


@cache
def _ready_sql(kind: Kind, present: tuple[str, ...], dialect: str, catalog: str | None = None, again=()) -> str:
    return sqlfile.template(_in_catalog(kind.ready(list(present), again), catalog), dialect)


@cache
def _rows_sql(
    kind: Kind,
    table: str,
    present: tuple[str, ...],
    dialect: str,
    casts,
    secure_keys,
    held,
    bounded,
    catalog=None,
    again=(),
    only=None,
) -> str:
    """The rows of `table` for the kind's ready entities (`only`: of these keys; secure user data:
    allowed keys only)."""
    query = kind.rows(table, model_select(tables()[table], casts, "t"), list(present), held, bounded, again, only)
    if table == SECURE_TABLE:
        query = query.where(exp.column("KEYNAME", "t").isin(*secure_keys))
    return sqlfile.template(_in_catalog(query, catalog), dialect)


def _find_orphans(con, turn, reader: IdbReader, catalog: str | None, kind: Kind, present, params) -> None:
    """The rows of the kind's tables in the window (`params`: the whole window, not a chunk) that
    belong to no entity, staged as discards to be (`_stage_orphans`). Looked for once per window: each
    look joins the rows to every parent the IDB holds (per chunk, a 250k-call nightly joined its day of
    `G_PARTY` once per chunk of `G_PARTY_HISTORY`: 4.1 s of its statements, 1.3 s once per window). Where
    the source's clock at its last cycle bounds the parents (`_orphan_bounds`), candidates are found
    first, and the exact check runs only where there are some (a row whose parent is older is no orphan)."""
    source = reader.source
    dialect = "duckdb" if catalog else reader.dialect
    bounds, candidates = _orphan_bounds(reader, kind, params)
    for name in present:
        table, casts = tables()[name], reader.casts(tables()[name])
        exact = _orphans_sql(kind, name, dialect, casts, catalog)
        if not exact:
            continue
        found = _orphans_sql(kind, name, dialect, casts, catalog, bounds) if bounds else None
        if catalog:
            with turn:
                try:
                    if (
                        found
                        and not run(con, f"SELECT count(*) FROM ({sqlfile.bind(found[0], dialect, candidates)})")[0][0]
                    ):
                        continue
                    rows = f"({sqlfile.bind(exact[0], dialect, params)})"
                    _stage_orphans(con, rows, source, name, *exact[1:], 0)
                except duckdb.Error as e:
                    raise SourceError(source.name, f"finding {name} rows of no entity failed: {first_line(e)}") from e
            continue
        rows = reader.read_model_rows(table, sqlfile.bind((found or exact)[0], dialect, candidates), name)
        if rows.num_rows and found:
            rows = reader.read_model_rows(table, sqlfile.bind(exact[0], dialect, params), name)
        if rows.num_rows:
            with turn:
                _stage_orphans(con, rows, source, name, *exact[1:], 0)


@cache
def _orphans_sql(
    kind: Kind, table: str, dialect: str, casts, catalog=None, bounded: frozenset[str] = frozenset()
) -> tuple[str, tuple, tuple] | None:
    """The rows of `table` in the window that belong to no entity, the columns that say so and the
    tables they lead through (Kind.orphans; with `bounded`, candidates). Secure user data is never
    listed (its values are personal data)."""
    found = None if table == SECURE_TABLE else kind.orphans(table, model_select(tables()[table], casts, "t"), bounded)
    if found is None:
        return None
    query, keys, via = found
    return sqlfile.template(_in_catalog(query, catalog), dialect), keys, via


# The end of the reason of a row that belongs to no entity (stage.py finds those listings by it).
NO_ENTITY = "the row belongs to no entity and is not extracted"


def _stage_orphans(
    con, rows: pa.Table | str, source: Source, table: str, keys: tuple[str, ...], via: tuple[str, ...], chunk: int
) -> int:
    """Rows that belong to no entity, as discards to be: the column (NULL, else leading to no row), the
    row's sequence, the row, the reason."""
    tests = [(f'o."{k}" IS NULL', k) for k in keys]
    column = "CASE " + " ".join(f"WHEN {test} THEN '{k}'" for test, k in tests) + f" ELSE '{'/'.join(keys)}' END"
    reason = (
        "CASE "
        + " ".join(f"WHEN {test} THEN '{k} is NULL'" for test, k in tests)
        + f" ELSE '{'/'.join(keys)} matches no {'/'.join(via)} row of this IDB (not recorded here, as in an ICON"
        + " gap; its HA partner may hold it)' END"
        + f" || ': {NO_ENTITY}'"
    )
    with _relation(con, rows) as relation:
        sql = f"""INSERT INTO _X_ORPHAN SELECT ?, ?, ?, {column}, 'GSYS_SEQ ' || o.GSYS_SEQ, to_json(o)::VARCHAR, ?,
                         {reason}
                  FROM {relation} AS o"""
        return run(con, sql, [source.name, source.ha_set, table, chunk])[0][0]


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


def _orphan_bounds(reader: IdbReader, kind: Kind, params: dict) -> tuple[frozenset[str], dict]:
    """The tables a row's path leads through that the orphan check joins from a time on, and the
    parameters with that time (:orphan_since): the source's clock at its last cycle less the stuck
    threshold and the clocks' slack. A row's call and party began after it, unless stuck: the check
    reads a few hours of them, not every day the IDB keeps (a month's G_PARTY, twice a cycle). The
    bound only finds candidates; where there are any, the check is made again without it, so a row
    whose parent is older (a stuck call's) is never taken for an orphan. None before a first cycle."""
    if not params.get("t_lo"):
        return frozenset(), params
    since = params["t_lo"] - params["stuck_s"] - BOUND_SLACK_S
    return _bounded(reader, kind), {**params, "orphan_since": since}


def _bounded(reader: IdbReader, kind: Kind) -> frozenset[str]:
    """The kind's tables whose rows can be read from a time on: the kind has an anchor, and the
    source stores the table's time column as a number (another type family is converted after
    reading, and a comparison in the source would compare text)."""
    if kind.anchor is None:
        return frozenset()
    report = reader.schema_report()
    return frozenset(
        t
        for t in kind.tables
        if t in TIME_COLUMNS
        and report.source_type(t, TIME_COLUMNS[t]) is not None
        and report.same_family(t, TIME_COLUMNS[t])
    )


def _since(con, result: SourceExtract, kind: Kind, source: Source, chunk_no: int) -> int | None:
    """From the earliest time of the anchor rows just staged: when the rest of the chunk's rows are
    read from (None: all)."""
    since = _earliest(con, f"_X_{kind.anchor}", TIME_COLUMNS[kind.anchor], source, chunk_no)
    if since is not None:
        result.since[kind.name] = min(since, result.since.get(kind.name, since))
    return since


def _earliest(con, work: str, column: str, source: Source, chunk_no: int, table: str | None = None) -> int | None:
    """The earliest `column` of the chunk's rows of `source` in the work table `work` (of `table`'s
    rows only, where given), less the clocks' slack: when the chunk's other rows lie (None: no rows)."""
    where = " AND TABLE_NAME = ?" if table else ""
    (first,) = run(
        con,
        f"SELECT min({column}) FROM {work} WHERE SOURCE_NAME = ? AND CHUNK = ?{where}",
        [source.name, chunk_no, *([table] if table else [])],
    )[0]
    return None if first is None else int(first) - BOUND_SLACK_S


def _present(reader: IdbReader, kind: Kind, secure_keys) -> tuple[str, ...]:
    """The kind's tables this source has (an absent optional table has no rows to give)."""
    report = reader.schema_report()
    expected = {t.name for t in tables_for_roles(reader.source.roles)}
    return tuple(
        t
        for t in kind.tables
        if t in expected and t not in report.missing_optional and (t != SECURE_TABLE or secure_keys)
    )


@contextmanager
def _relation(con, rows: pa.Table | str) -> Iterator[str]:
    """`rows` as a relation the mart's connection can read: Arrow registered for the statement, or as is."""
    if not isinstance(rows, pa.Table):
        yield rows
        return
    con.register("_arrow", rows)
    try:
        yield "_arrow"
    finally:
        con.unregister("_arrow")


def _stage(con, work_table: str, rows: pa.Table | str, source: Source, chunk: int, **constants) -> int:
    """Insert `rows` (Arrow, or a relation of the mart's connection) into a work table; how many."""
    extra = {"SOURCE_NAME": source.name, "HA_SET": source.ha_set, "CHUNK": chunk, **constants}
    literals = ", ".join(f"? AS {name}" for name in extra)
    with _relation(con, rows) as relation:
        sql = f"INSERT INTO {work_table} BY NAME SELECT *, {literals} FROM {relation}"
        return run(con, sql, list(extra.values()))[0][0]


def _stage_dss(con, sessions: list[tuple[str, pa.Table]], source: Source) -> None:
    for role, dss in sessions:
        con.register("_arrow", dss)
        run(
            con,
            """INSERT INTO _X_DSS SELECT ?, ?, DSS_ID, ICON_DBID, DS_DBID, DS2_DBID, DS_TYPE, DSCONN_TYPE,
                      epoch(DSCONN_STIME)::BIGINT, epoch(coalesce(DSCONN_ETIME, ICON_ETIME))::BIGINT,
                      epoch(LEVENT_ITIME)::BIGINT
               FROM _arrow WHERE DSCONN_STIME IS NOT NULL""",
            [source.name, role],
        )
        con.unregister("_arrow")


def _forget(con, source: Source) -> None:
    for table in work_tables():
        run(con, f"DELETE FROM {table} WHERE SOURCE_NAME = ?", [source.name])
