"""The readers' store: two buffer files kept in step with what each good cycle changed, the readers'
path switched between them atomically.

DuckDB lets one process write a database file and, while it does, no other process open it, not even to
read: BI tools and analysts never open the mart the pipeline writes. They open `[mart] reader_path`, a
hard link to one of two buffers beside it (`.<name>.a.duckdb`, `.<name>.b.duckdb`). After each good
cycle (or nightly job, backfill, GDPR request) the buffer readers are not on is brought to the mart's
state while publishing holds the mart's write lock, and linked over `reader_path` with a rename: a
reader opening the path sees the previous state or the new one, never half of one, and a reader already
connected keeps the buffer it opened until it reconnects. A cycle that fails, or fails its gate,
publishes nothing: readers keep the last good state.

Bringing a buffer up costs what changed since it was last published, not the mart's size (`changes`):
the rows of the tables `merge.replace` writes whose UPDATE_AUDIT_KEY is newer than the buffer's run and
the keys it deleted since (`CTL_PUBLISH_GONE`); for the tables whose rows name the run that wrote them
(`RUN_ID`: the control tables, the HA decisions, the discards), the runs whose row count differs between
mart and buffer (an HA decision made again is deleted by key from the run it left: RUN_KEYS); the other
tables (dimensions and the calendar) where their checksum differs: by their primary key the rows that
differ, or whole where they have none. Then the buffer's row counts must
equal the mart's, table by table. The whole mart is copied into a new buffer instead where that costs
less (CHANGES_PER_COPY) or the changes cannot be trusted: the first two publishes, a table, column,
comment or view the mart changed, a count that differs, a buffer a reader still holds open (DuckDB
will not write a file another process reads), a GDPR request (its redactions keep their audit keys).
The ETL's working layers (`GIDB_*`, `STG_*` but the discards) are not published.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from idbmart.config import Deployment
from idbmart.load import dictionary
from idbmart.load.db import run
from idbmart.load.mart import primary_keys

log = logging.getLogger(__name__)

GONE = "CTL_PUBLISH_GONE"  # the keys merge.replace deleted (sql/mart/control.sql)
STATE = "CTL_PUBLISHED"  # in a buffer only: the run and GDPR request it holds, and how it was made
READERS = "CTL_PUBLISHED_READERS"  # the run each readers' store outside the mart's folder holds (PostgreSQL)
GDPR_SINCE = "a GDPR request since the buffer was published"
# Writing a changed row into a buffer costs about as much as copying this many rows' share of the file
# (100k-call day, 460 MB mart: a whole copy 0.83 s, 420 thousand changed rows of 2.6 million 2.36 s):
# where the runs since a buffer's changed more than 1/CHANGES_PER_COPY of the rows, it is copied whole.
# A young mart's busy cycles are copied; an older mart's, holding days, take their changes.
CHANGES_PER_COPY = 16
# The tables whose rows name their run and hold one row per key, a newer run's row replacing an older
# run's (an entity decided again): publishing deletes a moved key from the run that lost it, reading
# that run's keys, instead of writing the whole run again (a nightly run holds a day of decisions).
RUN_KEYS = {"CTL_HA_DECISION": ("HA_SET", "ENTITY_KIND", "ENTITY_KEY")}


class CopyCheaper(Exception):
    """The changes to write outweigh a whole copy."""


@dataclass(frozen=True)
class Published:
    path: Path  # the buffer `reader_path` now links to
    mode: str  # "changes" or "whole"
    seconds: float
    rows: int  # rows written into the buffer (changes: upserted and deleted; whole: the file's tables')
    why: str = ""  # why the whole mart was copied
    tables: dict[str, int] = field(default_factory=dict)  # changes: rows written per table

    def __bool__(self) -> bool:
        return True


def published_tables(con: duckdb.DuckDBPyConnection, schema: str = "main", db: str | None = None) -> list[str]:
    """The tables readers get: all but the ETL's working layers and the publishing log."""
    where = f"database_name = '{db}' AND " if db else "database_name = current_database() AND "
    names = run(con, f"SELECT table_name FROM duckdb_tables() WHERE {where}schema_name = '{schema}' ORDER BY 1")
    return [n for (n,) in names if _is_published(n)]


def _is_published(name: str) -> bool:
    working = name.startswith("GIDB_") or (name.startswith("STG_") and name != "STG_TRANSFORM_DISCARDS")
    return not working and name not in (GONE, STATE, READERS)


def replaced_tables() -> dict[str, tuple[str, ...]]:
    """The mart tables `merge.replace` writes, with their keys: the transform's models and the aggregates."""
    from idbmart.aggregate.build import FAMILIES, LEVELS
    from idbmart.transform.graph import mart_keys

    return mart_keys() | {f.table(level): f.keys for f in FAMILIES for level in LEVELS}


def buffers(target: Path) -> tuple[Path, Path]:
    return tuple(target.with_name(f".{target.stem}.{side}{target.suffix}") for side in "ab")  # type: ignore[return-value]


def publish(deployment: Deployment, whole: str = "", changes_per_copy: int = CHANGES_PER_COPY) -> Published | None:
    """Bring the buffer readers are not on to the mart's state and link `reader_path` to it; the whole
    mart is copied where `whole` says why (or the changes cannot be trusted). After a GDPR request (its
    redactions keep their rows' audit keys) the whole mart is copied and the other buffer deleted: no
    new reader opens what it removed. `changes_per_copy`: see CHANGES_PER_COPY (0: the changes always).
    None if not configured."""
    target = deployment.reader_path
    if target is None or not deployment.mart_path.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()
    current = _linked(target)
    spare = next((b for b in buffers(target) if b != current), buffers(target)[0])
    with duckdb.connect(str(deployment.mart_path)) as mart:  # the lock: no other writer until it is done
        run(mart, "CHECKPOINT")
        request = _gdpr_request(mart)
        why, written = whole or _attach(mart, spare, request), {}
        if not why:
            try:
                written = _apply_changes(mart, changes_per_copy)
                rows = sum(written.values())
                why = _differs(mart)
            except CopyCheaper as e:
                why = str(e)
            except duckdb.Error as e:  # a buffer the changes do not fit: a table or view the mart changed
                why, rows = f"the changes did not apply ({str(e).splitlines()[0]})", 0
            run(mart, "DETACH buf")
        if why:
            rows = _copy_whole(mart, deployment.mart_path, spare, request)
        _link(spare, target)
        states = _states(target)
        forget_gone(mart, deployment, states)
    for other, state in states.items():  # no buffer keeps what a GDPR request removed
        if other != spare and state is not None and state[1] != request:
            other.unlink()
    done = Published(spare, "whole" if why else "changes", time.perf_counter() - clock, rows, why,
                     {} if why else written)  # fmt: skip
    log.info("published %s (%s%s) in %.2f s: %d rows", target, done.mode, f": {why}" if why else "",
             done.seconds, rows)  # fmt: skip
    return done


def _linked(target: Path) -> Path | None:
    """The buffer `target` links to (the same file), if any."""
    if not target.exists():
        return None
    return next((b for b in buffers(target) if b.exists() and os.path.samefile(b, target)), None)


def _gdpr_request(con: duckdb.DuckDBPyConnection) -> int:
    """The last GDPR forget request the mart applied (CTL_GDPR_SUBJECT), 0 for none."""
    return run(con, "SELECT coalesce(max(REQUEST_ID), 0) FROM CTL_GDPR_SUBJECT")[0][0]


def _attach(mart: duckdb.DuckDBPyConnection, spare: Path, request: int) -> str:
    """Attach the spare buffer as `buf`; or say why the whole mart must be copied."""
    if not spare.exists():
        return "no buffer yet"
    try:
        run(mart, f"ATTACH '{spare}' AS buf")
    except duckdb.Error as e:  # most often a reader still holds the buffer open
        return f"the buffer could not be opened for writing ({str(e).splitlines()[0]})"
    held = run(mart, f"SELECT count(*) FROM duckdb_tables() WHERE database_name = 'buf' AND table_name = '{STATE}'")
    if not held[0][0]:
        run(mart, "DETACH buf")
        return "the buffer has no publishing state"
    if shape(mart, "buf") != shape(mart, None):
        run(mart, "DETACH buf")
        return "the mart's tables or views changed"
    try:
        held_request = run(mart, f"SELECT GDPR_REQUEST FROM buf.{STATE}")[0][0]
    except duckdb.Error:
        held_request = None
    if held_request != request:
        run(mart, "DETACH buf")
        return GDPR_SINCE if held_request is not None else "the buffer has no publishing state"
    return ""


def shape(con: duckdb.DuckDBPyConnection, db: str | None) -> list[tuple]:
    """Every published table's comment, columns and types, and every view's definition: what a buffer
    must share with the mart for the changes to apply."""
    where = f"database_name = '{db}'" if db else "database_name = current_database()"
    tables = [t for t in run(con, f"SELECT table_name, comment FROM duckdb_tables() WHERE {where} ORDER BY ALL")
              if _is_published(t[0])]  # fmt: skip
    published = {n for n, _ in tables}
    cols = run(con, f"SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE {where} ORDER BY ALL")
    views = run(
        con, f"SELECT schema_name, view_name, sql FROM duckdb_views() WHERE {where} AND NOT internal ORDER BY ALL"
    )
    return tables + [c for c in cols if c[0] in published] + views


@dataclass
class Changes:
    """What the runs after a readers' store's run changed in the mart's published tables, found for all
    tables at once: the time range and count of each `merge.replace` table's newer rows and of the keys it
    deleted (NULL bounds: the table has no time); the tables whose rows name their run; the others."""

    newest: int  # the mart's last run: the store's run once the changes are written
    after: int  # the last audit key of the store's run (AUDIT_KEY = RUN_ID * 100 + step)
    types: dict[str, dict[str, str]]  # table → column → DuckDB type
    keyed: dict[str, tuple[str, ...]]  # the merge.replace tables and their keys
    prune: dict[str, str | None]  # their time column (START_TS, DATE_TIME_KEY), if any
    newer: dict[str, tuple]  # table → (first, last, rows) of its rows newer than the store's run
    gone: dict[str, tuple]  # table → (first, last, keys) of the keys deleted since
    by_run: list[str]  # tables whose rows name the run that wrote them (RUN_ID)
    whole: list[str]  # the rest: dimensions of fixed or slowly growing size

    def key_selects(self, table: str) -> dict[str, str]:
        """DuckDB queries of the keys to delete from a store's `table` before its newer rows are inserted:
        those deleted since (typed from CTL_PUBLISH_GONE) and those of the newer rows."""
        keys = self.keyed[table]
        typed = ", ".join(f"CAST(json_extract_string(KEY_JSON, '$.{k}') AS {self.types[table][k]})" for k in keys)
        named = ", ".join(f'"{k}"' for k in keys)
        return {
            "gone": f"SELECT {typed} FROM {GONE} WHERE TABLE_NAME = '{table}' AND AUDIT_KEY > {self.after}",
            "newer": f"SELECT {named} FROM {table} WHERE UPDATE_AUDIT_KEY > {self.after}",
        }

    def newer_rows(self, table: str) -> str:
        return f"SELECT * FROM {table} WHERE UPDATE_AUDIT_KEY > {self.after}"


def changes(mart: duckdb.DuckDBPyConnection, since: int, changes_per_copy: int) -> Changes:
    """What changed in the mart after run `since`; CopyCheaper where the changed rows, times
    `changes_per_copy`, outnumber the rows the merge.replace tables hold (0: never)."""
    types = column_types(mart)
    tables = published_tables(mart)
    keyed = {t: k for t, k in replaced_tables().items() if t in tables}
    by_run = [t for t in tables if t not in keyed and "RUN_ID" in types[t]]
    after = since * 100 + 99
    prune = {t: next((c for c in ("START_TS", "DATE_TIME_KEY") if c in types[t]), None) for t in keyed}
    newer = {
        t: (lo, hi, n)
        for t, lo, hi, n in union_rows(
            mart,
            [
                f"""SELECT '{t}', min({f'"{prune[t]}"' if prune[t] else "NULL::BIGINT"}),
                       max({f'"{prune[t]}"' if prune[t] else "NULL::BIGINT"}), count(*)
                FROM {t} WHERE UPDATE_AUDIT_KEY > {after} HAVING count(*) > 0"""
                for t in keyed
            ],
        )  # fmt: skip
    }
    gone = {
        t: (lo, hi, n)
        for t, lo, hi, n in run(
            mart,
            f"SELECT TABLE_NAME, min(PRUNE_VALUE), max(PRUNE_VALUE), count(*) FROM {GONE} WHERE AUDIT_KEY > {after} "
            "GROUP BY 1",
        )  # fmt: skip
        if t in keyed
    }
    changed = sum(n for *_, n in newer.values()) + sum(n for *_, n in gone.values())
    if changes_per_copy:
        held = sum(n for _, n in union_rows(mart, [f"SELECT '{t}', count(*) FROM {t}" for t in keyed]))
        if changed * changes_per_copy > held:
            raise CopyCheaper(f"the runs since changed {changed:,} of {held:,} rows: a copy costs less")
    return Changes(
        newest=run(mart, "SELECT coalesce(max(RUN_ID), 0) FROM CTL_AUDIT_LOG")[0][0], after=after, types=types,
        keyed=keyed, prune=prune, newer=newer, gone=gone, by_run=by_run,
        whole=[t for t in tables if t not in keyed and t not in by_run],
    )  # fmt: skip


def column_types(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Table → column → DuckDB type, in column order, of the current database's main schema."""
    types: dict[str, dict[str, str]] = {}
    for table, column, kind in run(
        con, "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = "
             "current_database() AND schema_name = 'main' ORDER BY table_name, column_index"):  # fmt: skip
        types.setdefault(table, {})[column] = kind
    return types


def checksums(con: duckdb.DuckDBPyConnection, tables: list[str], db: str = "") -> dict[str, tuple[int, int]]:
    """Table → (rows, a checksum of every row) in `db` (`buf.`, or the current database)."""
    sums = [f"SELECT '{t}', count(*), bit_xor(hash(x)) FROM {{db}}{t} AS x" for t in tables]
    return {t: (n, h) for t, n, h in union_rows(con, sums, db)}


def forget_gone(mart: duckdb.DuckDBPyConnection, deployment: Deployment, states: dict | None = None) -> None:
    """Forget the deleted keys every readers' store has applied: both buffers (`states`, where the caller
    has just read them) and the PostgreSQL readers' mart where they are configured (a store whose run
    cannot be read now keeps them all)."""
    runs: list[int | None] = []
    if deployment.reader_path is not None:
        states = _states(deployment.reader_path) if states is None else states
        runs += [s[0] if s else None for s in states.values()] if len(states) == 2 else [None]
    if deployment.readers.postgresql:
        held = run(mart, f"SELECT max(RUN_ID) FROM {READERS} WHERE READER = 'postgresql'")
        runs.append(held[0][0])
    if runs and None not in runs:
        run(mart, f"DELETE FROM {GONE} WHERE AUDIT_KEY <= {min(runs) * 100 + 99}")  # type: ignore[type-var]


def _apply_changes(mart: duckdb.DuckDBPyConnection, changes_per_copy: int) -> dict[str, int]:
    """Write into `buf` what changed in the mart since the run it holds, in one transaction; rows written
    per table. Only the tables that changed are written."""
    plan = changes(mart, run(mart, f"SELECT RUN_ID FROM buf.{STATE}")[0][0], changes_per_copy)
    ours, theirs = checksums(mart, plan.whole), checksums(mart, plan.whole, "buf.")
    differ = {t for t in plan.whole if ours.get(t) != theirs.get(t)}
    rows: dict[str, int] = {}
    run(mart, "BEGIN TRANSACTION")
    try:
        for table in sorted(plan.newer.keys() | plan.gone.keys()):
            rows[table] = _apply_keyed(mart, plan, table)
        for table in plan.by_run:
            rows[table] = _apply_runs(mart, table)
        keys = primary_keys(mart)
        for table in sorted(differ):
            rows[table] = _apply_differing(mart, table, keys.get(table, []))
        run(mart, f"UPDATE buf.{STATE} SET RUN_ID = {plan.newest}, MODE = 'changes', PUBLISHED_AT = now()::TIMESTAMP")
        run(mart, "COMMIT")
    except BaseException:
        run(mart, "ROLLBACK")
        raise
    run(mart, "CHECKPOINT buf")
    return rows


def union_rows(con, selects: list[str], db: str | None = None) -> list[tuple]:
    """The rows of `selects` (formatted with `db` where given), in one statement."""
    if not selects:
        return []
    return run(con, " UNION ALL ".join(f"({q.format(db=db) if db is not None else q})" for q in selects))


def _apply_keyed(mart, plan: Changes, table: str) -> int:
    """The rows of a table merge.replace writes: those it deleted since the buffer's run, then those newer,
    by key. Where the table has a time its rows lie by (START_TS, DATE_TIME_KEY), the buffer's rows are
    looked for within the changed rows' times (merge.replace logs a changed row's old time where it
    moved), so DuckDB skips the other row groups by their zone maps."""
    keys, prune = plan.keyed[table], plan.prune[table]
    key_list = ", ".join(f'"{k}"' for k in keys)
    match = " AND ".join(f'b."{k}" = f."{k}"' for k in keys)
    found = plan.key_selects(table)
    written = 0
    for kind, bounds in (("gone", plan.gone.get(table)), ("newer", plan.newer.get(table))):
        if bounds is None:
            continue
        within = f'b."{prune}" BETWEEN {bounds[0]} AND {bounds[1]} AND ' if prune and bounds[0] is not None else ""
        written += run(
            mart, f"DELETE FROM buf.{table} AS b USING ({found[kind]}) AS f({key_list}) WHERE {within}{match}"
        )[0][0]
    if table in plan.newer:
        written += run(mart, f"INSERT INTO buf.{table} BY NAME {plan.newer_rows(table)}")[0][0]
    return written


def _apply_differing(mart, table: str, key: list[str]) -> int:
    """A table without audit keys whose checksum differs (a dimension, the calendar): by its primary key,
    the rows that are not the same on both sides (a new interval of DATE_TIME, a renamed resource); whole
    where it has no key. Rewritten whole every cycle, the calendar alone cost a cycle as many rows as the
    days it holds."""
    if not key:
        deleted = run(mart, f"DELETE FROM buf.{table}")[0][0]
        return deleted + run(mart, f"INSERT INTO buf.{table} BY NAME SELECT * FROM {table}")[0][0]
    named = ", ".join(f'"{k}"' for k in key)
    run(mart, f"""CREATE OR REPLACE TEMP TABLE _PUB_DIFF AS SELECT DISTINCT {named} FROM (
                    (SELECT * FROM {table} EXCEPT SELECT * FROM buf.{table})
                    UNION ALL (SELECT * FROM buf.{table} EXCEPT SELECT * FROM {table}))""")  # fmt: skip
    match = " AND ".join(f'x."{k}" = d."{k}"' for k in key)
    deleted = run(mart, f"DELETE FROM buf.{table} AS x USING _PUB_DIFF AS d WHERE {match}")[0][0]
    inserted = run(mart, f"INSERT INTO buf.{table} BY NAME SELECT x.* FROM {table} AS x SEMI JOIN _PUB_DIFF AS d "
                         f"ON {match}")[0][0]  # fmt: skip
    return deleted + inserted


def _apply_runs(mart, table: str) -> int:
    """A table whose rows name the run that wrote them and never change after it: the runs whose row
    count differs (new runs, and runs the retention purge or a newer decision took rows from) again.
    Where a newer run's row replaces an older run's by key (RUN_KEYS), the keys the new runs bring are
    deleted first from the runs that lost rows, which then need no rewrite."""
    differing = f"""CREATE OR REPLACE TEMP TABLE _PUB_RUNS AS
        SELECT RUN_ID, m.N AS N_MART, b.N AS N_BUF FROM (SELECT RUN_ID, count(*) AS N FROM {table} GROUP BY 1) AS m
        FULL JOIN (SELECT RUN_ID, count(*) AS N FROM buf.{table} GROUP BY 1) AS b USING (RUN_ID)
        WHERE m.N IS DISTINCT FROM b.N"""  # fmt: skip
    run(mart, differing)
    written = 0
    if table in RUN_KEYS:
        keys = ", ".join(f'"{k}"' for k in RUN_KEYS[table])
        ((moved,),) = run(mart, f"""DELETE FROM buf.{table}
            WHERE RUN_ID IN (SELECT RUN_ID FROM _PUB_RUNS WHERE coalesce(N_MART, 0) < N_BUF)
              AND ({keys}) IN (SELECT ({keys}) FROM {table}
                               WHERE RUN_ID IN (SELECT RUN_ID FROM _PUB_RUNS WHERE N_BUF IS NULL))""")  # fmt: skip
        if moved:
            written += moved
            run(mart, differing)
    written += run(mart, f"DELETE FROM buf.{table} WHERE RUN_ID IN (SELECT RUN_ID FROM _PUB_RUNS)")[0][0]
    return (
        written
        + run(
            mart,
            f"INSERT INTO buf.{table} BY NAME SELECT * FROM {table} WHERE RUN_ID IN (SELECT RUN_ID FROM _PUB_RUNS)",
        )[0][0]
    )


def _differs(mart: duckdb.DuckDBPyConnection) -> str:
    """Why the buffer cannot be trusted: a published table whose row count differs from the mart's."""
    tables = published_tables(mart)
    counts = [f"SELECT '{t}', (SELECT count(*) FROM {t}), (SELECT count(*) FROM buf.{t})" for t in tables]
    for table, a, b in run(mart, " UNION ALL ".join(counts)) if counts else []:
        if a != b:
            log.warning("publishing: %s holds %d rows in the mart and %d in the buffer: copying the whole mart",
                        table, a, b)  # fmt: skip
            return f"{table} held {b} rows, the mart {a}"
    return ""


def _copy_whole(mart: duckdb.DuckDBPyConnection, mart_path: Path, spare: Path, request: int) -> int:
    """The mart's file copied into a new `spare` (a reader holding the old one keeps it), less the working
    layers, with its publishing state; rows of the tables it holds."""
    partial = spare.with_name(f"{spare.name}.publishing")
    shutil.copyfile(mart_path, partial)
    with duckdb.connect(str(partial)) as buf:
        for (name,) in run(buf, "SELECT table_name FROM duckdb_tables() ORDER BY 1"):
            if not _is_published(name):
                run(buf, f"DROP TABLE {name}")
        run(buf, f"CREATE TABLE {STATE} (RUN_ID BIGINT, GDPR_REQUEST BIGINT, MODE VARCHAR, PUBLISHED_AT TIMESTAMP)")
        newest = run(mart, "SELECT coalesce(max(RUN_ID), 0) FROM CTL_AUDIT_LOG")[0][0]
        run(buf, f"INSERT INTO {STATE} VALUES ({newest}, {request}, 'whole', now()::TIMESTAMP)")
        dictionary.apply(buf)  # the publishing state's comments (the copied tables have theirs)
        run(buf, "CHECKPOINT")
        rows = sum(n for _, n in union_rows(buf, [f"SELECT '{t}', count(*) FROM {t}" for t in published_tables(buf)]))
    os.replace(partial, spare)  # a new file: one a reader held stays its until it reconnects
    return rows


def _states(target: Path) -> dict[Path, tuple[int, int] | None]:
    """Each buffer's (run, GDPR request), None where it cannot be read (a reader holding it, locked)."""
    out: dict[Path, tuple[int, int] | None] = {}
    for b in buffers(target):
        if b.exists():
            try:
                with duckdb.connect(str(b), read_only=True) as held:
                    out[b] = run(held, f"SELECT RUN_ID, GDPR_REQUEST FROM {STATE}")[0]
            except duckdb.Error:
                out[b] = None
    return out


def _link(spare: Path, target: Path) -> None:
    """`target` becomes `spare` (a hard link), atomically: a rename over it."""
    linking = target.with_name(f".{target.name}.linking")
    linking.unlink(missing_ok=True)
    os.link(spare, linking)
    os.replace(linking, target)
