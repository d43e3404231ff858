"""The PostgreSQL readers' mart: the published tables kept in step with the mart after each good cycle,
for BI tools that do not speak DuckDB and report SQL written for an Info Mart on PostgreSQL, from any
machine (`[readers] postgresql`).

Each publish is one PostgreSQL transaction holding what the runs since the readers' mart's own run
changed (idbmart.load.publish.changes: newer rows and deleted keys of the `merge.replace` tables, the
runs whose row count differs, the small tables whose checksum differs), written by ADBC bulk ingest
(binary COPY of Arrow batches streamed from DuckDB): readers see the previous cycle or this one, never
half, and are never locked out (MVCC; rows deleted and inserted, no table dropped). Then the row counts
it tracks for every table must equal the mart's, or the transaction is rolled back. The whole mart is
copied instead, into a schema beside it renamed over the readers' schema in one short transaction,
where the changes cannot be trusted or cost more: the first publish, a table, column, comment or view
the mart changed, a GDPR request since (its redactions keep their audit keys), a count that differs.

Names are lower case (unquoted report SQL finds `interaction_fact.start_date_time_key`); nested values
(the HA decisions' candidates) are JSON text. The `merge.replace` tables are indexed on their keys, the
tables with RUN_ID on it; the views over the relation facts are transpiled by sqlglot. The mart's write
lock is held while publishing (what changed is read from the mart, whose deleted keys only it keeps):
the run written into CTL_PUBLISHED_READERS after PostgreSQL committed tells `forget_gone` what it holds.
An unreachable server fails this publish only: the mart and the DuckDB readers' copy are published, and
the next publish catches up from the run the readers' mart holds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import adbc_driver_postgresql.dbapi as adbc_pg
import pyarrow as pa
import sqlglot

from idbmart.config import READERS_PASSWORD, Deployment, ReadersOptions
from idbmart.errors import IdbmartError, first_line, redacted_uri
from idbmart.load import dictionary, mart
from idbmart.load.db import run
from idbmart.load.publish import (
    READERS,
    RUN_KEYS,
    STATE,
    Changes,
    CopyCheaper,
    changes,
    checksums,
    column_types,
    forget_gone,
    published_tables,
    replaced_tables,
    shape,
    union_rows,
)

log = logging.getLogger(__name__)

TABLES = "CTL_PUBLISHED_TABLES"  # in the readers' mart: each table's rows and checksum as published
# A changed row (its key deleted through the index, the row bulk-loaded) costs PostgreSQL about 2.5 times
# a row of a whole copy, which also pays ~2 s to build a schema (100k-call day, 8 cycles, local server:
# 450 thousand changes 4.9 s against a 2.6 million-row copy 8.7 s; 1.36 million changes 7.1 s against 2.0
# million rows 7.7 s): where the runs since changed more than a third of the rows, the mart is copied.
CHANGES_PER_COPY = 3
NESTED = ("STRUCT", "[]", "MAP", "UNION")  # DuckDB types published as JSON text


class ReadersError(IdbmartError):
    """The PostgreSQL readers' mart could not be published; the mart and its DuckDB readers' copy are."""


class CountsDiffer(Exception):
    """After the changes, a table's rows would not be the mart's: the transaction is rolled back."""


@dataclass(frozen=True)
class PublishedPostgres:
    schema: str
    mode: str  # "changes" or "whole"
    seconds: float
    rows: int  # rows written (changes: deleted and inserted; whole: every table's)
    why: str = ""  # why the whole mart was copied


def publish_postgresql(deployment: Deployment, whole: str = "", changes_per_copy: int = CHANGES_PER_COPY):
    """Bring the PostgreSQL readers' mart to the mart's state (see the module); None if not configured.
    Raises ReadersError, one line naming the server and schema, where it cannot."""
    readers = deployment.readers
    if not readers.postgresql or not deployment.mart_path.exists():
        return None
    where = f"PostgreSQL readers' mart {redacted_uri(readers.postgresql)} schema {readers.postgresql_schema}"
    clock = time.perf_counter()
    try:  # libpq's messages never quote the password
        with (
            adbc_pg.connect(_libpq_uri(readers)) as pg,
            mart.connect(deployment.mart_path, deployment.memory_limit) as con,
        ):
            done = _publish(con, pg, readers.postgresql_schema, readers.postgresql_grant, whole, changes_per_copy)
            run(con, f"DELETE FROM {READERS} WHERE READER = 'postgresql'")
            run(con, f"INSERT INTO {READERS} VALUES ('postgresql', {done[0]}, '{done[1]}', now()::TIMESTAMP)")
            forget_gone(con, deployment)
    except adbc_pg.Error as e:  # unreachable, a permission, a full disk: the next publish catches up
        raise ReadersError(f"{where}: {first_line(e)}") from None
    out = PublishedPostgres(readers.postgresql_schema, done[1], time.perf_counter() - clock, done[2], done[3])
    log.info("published the PostgreSQL readers' mart, schema %s (%s%s) in %.2f s: %d rows", out.schema, out.mode,
             f": {out.why}" if out.why else "", out.seconds, out.rows)  # fmt: skip
    return out


def _publish(mart, pg, schema: str, grant: str, whole: str, changes_per_copy: int) -> tuple[int, str, int, str]:
    """(run published, mode, rows, why whole)."""
    request = run(mart, "SELECT coalesce(max(REQUEST_ID), 0) FROM CTL_GDPR_SUBJECT")[0][0]
    shape = _digest(mart)
    why, forgetting = whole, False
    if not why:
        held = _held(pg, schema)
        if held is None:
            why = "no readers' mart yet"
        elif held[2] != shape:
            why = "the mart's tables or views changed"
        elif held[1] != request:
            why, forgetting = "a GDPR request since the readers' mart was published", True
        else:
            try:
                plan = changes(mart, held[0], changes_per_copy)
                return plan.newest, "changes", _apply_changes(mart, pg, schema, plan), ""
            except (CopyCheaper, CountsDiffer) as e:
                pg.rollback()
                why = str(e)
    newest = run(mart, "SELECT coalesce(max(RUN_ID), 0) FROM CTL_AUDIT_LOG")[0][0]
    return newest, "whole", _copy_whole(mart, pg, schema, grant, (newest, request, shape), forgetting), why


def _held(pg, schema: str) -> tuple[int, int, str] | None:
    """The readers' mart's (run, GDPR request, shape digest), None if it has none."""
    with pg.cursor() as cur:
        cur.execute(f"SELECT to_regclass('{schema}.{STATE.lower()}') IS NOT NULL")
        if not cur.fetchone()[0]:
            return None
        cur.execute(f"SELECT run_id, gdpr_request, shape FROM {schema}.{STATE.lower()}")
        row = cur.fetchone()
    return tuple(row) if row else None  # type: ignore[return-value]


def _digest(mart) -> str:
    """A digest of every published table's comment, columns and types and every view's definition."""
    return hashlib.sha256(repr(shape(mart, None)).encode()).hexdigest()


def _apply_changes(mart, pg, schema: str, plan: Changes) -> int:
    """The changes of `plan`, in the open transaction, committed once every table's tracked row count is
    the mart's; rows written."""
    with pg.cursor() as cur:
        return _write_changes(mart, pg, cur, schema, plan)


def _write_changes(mart, pg, cur, schema: str, plan: Changes) -> int:
    cur.execute(f"SELECT table_name, row_count, checksum FROM {schema}.{TABLES.lower()}")
    stored = {t: (n, h) for t, n, h in cur.fetchall()}
    counts = {t: n for t, (n, _) in stored.items()}
    rows = 0
    for table in sorted(plan.newer.keys() | plan.gone.keys()):
        keys = plan.keyed[table]
        names = ", ".join(f'"{k.lower()}"' for k in keys)
        found = plan.key_selects(table)
        kinds = [found[k] for k, held in (("gone", plan.gone), ("newer", plan.newer)) if table in held]
        cur.adbc_ingest("_pub_keys", _reader(mart, f"SELECT * FROM ({' UNION '.join(kinds)}) AS f({names})"),
                        mode="replace", temporary=True)  # fmt: skip
        match = " AND ".join(f'b."{k.lower()}" = k."{k.lower()}"' for k in keys)
        cur.execute(f'DELETE FROM {schema}."{table.lower()}" AS b USING _pub_keys AS k WHERE {match}')
        deleted = cur.rowcount
        inserted = _ingest(cur, mart, plan.types[table], table, schema, f"WHERE UPDATE_AUDIT_KEY > {plan.after}")
        counts[table] = counts.get(table, 0) - deleted + inserted
        rows += deleted + inserted
        log.debug("%s: %d rows deleted, %d inserted", table, deleted, inserted)
    for table, runs in _runs_differing(mart, cur, schema, plan.by_run).items():
        moved = _delete_moved_keys(mart, cur, schema, table, runs) if table in RUN_KEYS else {}
        rows += sum(moved.values())
        counts[table] = counts.get(table, 0) - sum(moved.values())
        differ = [r for r, (ours, theirs) in runs.items() if ours != theirs - moved.get(r, 0)]
        if not differ:
            continue
        listed = _ints(differ)
        cur.execute(f'DELETE FROM {schema}."{table.lower()}" WHERE run_id IN ({listed})')
        deleted = cur.rowcount
        inserted = _ingest(cur, mart, plan.types[table], table, schema, f"WHERE RUN_ID IN ({listed})")
        counts[table] = counts.get(table, 0) - deleted + inserted
        rows += deleted + inserted
        log.debug("%s, runs %s: %d rows deleted, %d inserted", table, listed, deleted, inserted)
    sums = {t: str(h) for t, (_, h) in checksums(mart, plan.whole).items()}
    for table in plan.whole:
        if stored.get(table, (None, None))[1] != sums[table]:
            cur.execute(f'DELETE FROM {schema}."{table.lower()}"')
            rows += cur.rowcount
            counts[table] = _ingest(cur, mart, plan.types[table], table, schema)
            rows += counts[table]
            log.debug("%s: its checksum differed, %d rows written", table, counts[table])
    held = dict(run(mart, " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in published_tables(mart))))
    differing = sorted(t for t in held if counts.get(t) != held[t])
    if differing:
        t = differing[0]
        log.warning("publishing to PostgreSQL: %s would hold %s rows, the mart %d: copying the whole mart",
                    t, counts.get(t), held[t])  # fmt: skip
        raise CountsDiffer(f"{t} would hold {counts.get(t)} rows, the mart {held[t]}")
    _write_state(cur, schema, held, sums)
    cur.execute(f"UPDATE {schema}.{STATE.lower()} SET run_id = {plan.newest}, mode = 'changes', "
                "published_at = (now() AT TIME ZONE 'UTC')")  # fmt: skip
    pg.commit()
    return rows


def _runs_differing(mart, cur, schema: str, tables: list[str]) -> dict[str, dict[int, tuple[int, int]]]:
    """Table → the runs whose row count differs between the mart and the readers' mart, with both counts
    (0 where a side has none of the run's rows)."""
    if not tables:
        return {}
    ours = {(t, r): n for t, r, n in union_rows(mart, [f"SELECT '{t}', RUN_ID, count(*) FROM {t} GROUP BY 2"
                                                          for t in tables])}  # fmt: skip
    cur.execute(" UNION ALL ".join(f'SELECT \'{t}\', run_id, count(*) FROM {schema}."{t.lower()}" GROUP BY 2'
                                   for t in tables))  # fmt: skip
    theirs = {(t, r): n for t, r, n in cur.fetchall()}
    out: dict[str, dict[int, tuple[int, int]]] = {}
    for t, r in sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k)):
        out.setdefault(t, {})[r] = (ours.get((t, r), 0), theirs.get((t, r), 0))
    return out


def _delete_moved_keys(mart, cur, schema: str, table: str, runs: dict[int, tuple[int, int]]) -> dict[int, int]:
    """The keys (RUN_KEYS) of the runs the readers' mart has none of, deleted from the runs it holds more
    rows of than the mart: rows a newer run replaced. Run → rows deleted."""
    new = [r for r, (_, theirs) in runs.items() if theirs == 0]
    lost = [r for r, (ours, theirs) in runs.items() if ours < theirs]
    if not new or not lost:
        return {}
    keys = RUN_KEYS[table]
    listed = ", ".join(f'"{k}" AS "{k.lower()}"' for k in keys)
    cur.adbc_ingest("_pub_keys", _reader(mart, f"SELECT {listed} FROM {table} WHERE RUN_ID IN ({_ints(new)})"),
                    mode="replace", temporary=True)  # fmt: skip
    match = " AND ".join(f'b."{k.lower()}" = k."{k.lower()}"' for k in keys)
    cur.execute(f"""WITH d AS (DELETE FROM {schema}."{table.lower()}" AS b USING _pub_keys AS k
                               WHERE b.run_id IN ({_ints(lost)}) AND {match} RETURNING b.run_id)
                    SELECT run_id, count(*) FROM d GROUP BY 1""")  # fmt: skip
    return dict(cur.fetchall())


def _ints(values) -> str:
    return ", ".join(str(int(v)) for v in values)


def _write_state(cur, schema: str, counts: dict[str, int], sums: dict[str, str]) -> None:
    """CTL_PUBLISHED_TABLES: every published table's rows, and the small tables' checksums."""
    cur.execute(f"DELETE FROM {schema}.{TABLES.lower()}")
    names = sorted(counts)
    state = pa.table({"table_name": names, "row_count": pa.array([counts[t] for t in names], pa.int64()),
                      "checksum": pa.array([sums.get(t) for t in names], pa.string())})  # fmt: skip
    cur.adbc_ingest(TABLES.lower(), state, mode="append", db_schema_name=schema)


def _copy_whole(mart, pg, schema: str, grant: str, state: tuple[int, int, str], forgetting: bool) -> int:
    """Every published table, index, comment and view built in `<schema>__next`, which is then renamed
    over `schema`; the old one is dropped after, without waiting long on a reader's query (then before
    the next whole copy), unless `forgetting` (a GDPR request: nothing it removed may stay); rows copied."""
    nxt, old = f"{schema}__next", f"{schema}__old"
    cur = pg.cursor()
    for name in (nxt, old):
        cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    cur.execute(f"CREATE SCHEMA {nxt}")
    types = column_types(mart)
    tables = published_tables(mart)
    for t in tables:
        _create(cur, mart, types[t], t, nxt)
    rows = {t: _ingest(cur, mart, types[t], t, nxt) for t in tables}
    keyed = replaced_tables()
    for t in tables:
        indexed = ", ".join(f'"{k.lower()}"' for k in keyed.get(t) or (("RUN_ID",) if "RUN_ID" in types[t] else ()))
        if indexed:
            cur.execute(f'CREATE INDEX ON {nxt}."{t.lower()}" ({indexed})')
    cur.execute(f"SET LOCAL search_path TO {nxt}")
    for (sql,) in run(mart, "SELECT sql FROM duckdb_views() WHERE database_name = current_database() "
                            "AND schema_name = 'main' AND NOT internal ORDER BY view_name"):  # fmt: skip
        cur.execute(sqlglot.transpile(sql, read="duckdb", write="postgres")[0])
    cur.execute(f"CREATE TABLE {STATE.lower()} (run_id BIGINT, gdpr_request BIGINT, mode TEXT, "
                "published_at TIMESTAMP, shape TEXT)")  # fmt: skip
    cur.execute(f"INSERT INTO {STATE.lower()} VALUES ({state[0]}, {state[1]}, 'whole', "
                f"now() AT TIME ZONE 'UTC', '{state[2]}')")  # fmt: skip
    cur.execute(f"CREATE TABLE {TABLES.lower()} (table_name TEXT, row_count BIGINT, checksum TEXT)")
    small = [t for t in tables if t not in keyed and "RUN_ID" not in types[t]]
    _write_state(cur, nxt, rows, {t: str(h) for t, (_, h) in checksums(mart, small).items()})
    _comment(cur, mart)
    if grant:
        cur.execute(f"GRANT USAGE ON SCHEMA {nxt} TO {grant}")
        cur.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {nxt} TO {grant}")
    pg.commit()
    cur.execute(f"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'")
    if cur.fetchone()[0]:
        cur.execute(f"ALTER SCHEMA {schema} RENAME TO {old}")
    cur.execute(f"ALTER SCHEMA {nxt} RENAME TO {schema}")
    pg.commit()
    try:  # a reader's query still on the old tables: they are dropped before the next whole copy instead
        cur.execute(f"SET LOCAL lock_timeout = '{0 if forgetting else 5}s'")  # 0: wait as long as it takes
        cur.execute(f"DROP SCHEMA IF EXISTS {old} CASCADE")
        pg.commit()
    except adbc_pg.Error as e:  # the lock timeout
        pg.rollback()
        log.warning("publishing to PostgreSQL: %s is still read (%s); dropped at the next whole copy", old,
                    first_line(e))  # fmt: skip
    cur.close()
    return sum(rows.values())


def _comment(cur, mart) -> None:
    """The mart's table, view and column descriptions, and the publishing state's (search_path: the new
    schema)."""
    statements = []
    here = "database_name = current_database() AND schema_name = 'main' AND comment IS NOT NULL"
    described = run(
        mart,
        f"SELECT table_name, comment, 'TABLE' FROM duckdb_tables() WHERE {here} UNION ALL "
        f"SELECT view_name, comment, 'VIEW' FROM duckdb_views() WHERE {here} AND NOT internal",
    )
    published = set(published_tables(mart))
    for name, comment, kind in described:
        if kind == "VIEW" or name in published:
            statements.append(f'COMMENT ON {kind} "{name.lower()}" IS {_literal(comment)}')
    for table, column, comment in run(
        mart, f"SELECT table_name, column_name, comment FROM duckdb_columns() WHERE {here}"
    ):
        if table in published:
            statements.append(f'COMMENT ON COLUMN "{table.lower()}"."{column.lower()}" IS {_literal(comment)}')
    for table, columns in ((STATE, ("RUN_ID", "GDPR_REQUEST", "MODE", "PUBLISHED_AT", "SHAPE")),
                           (TABLES, ("TABLE_NAME", "ROW_COUNT", "CHECKSUM"))):  # fmt: skip
        statements.append(f"COMMENT ON TABLE {table.lower()} IS {_literal(dictionary.describe_table(table) or '')}")
        for c in columns:
            text = dictionary.describe_column(table, c) or ""
            statements.append(f"COMMENT ON COLUMN {table.lower()}.{c.lower()} IS {_literal(text)}")
    for sql in statements:
        cur.execute(sql)


def _ingest(cur, mart, types: dict[str, str], table: str, schema: str, where: str = "") -> int:
    """The mart table's rows (`where`) bulk-loaded into the readers' schema; rows written."""
    return cur.adbc_ingest(table.lower(), _reader(mart, f"SELECT {_columns(types)} FROM {table} {where}"),
                           mode="append", db_schema_name=schema)  # fmt: skip


def _create(cur, mart, types: dict[str, str], table: str, schema: str) -> None:
    """The table, its columns typed by the driver from Arrow's types but decimals at the mart's precision
    and scale (the driver's `numeric` would drop a value's trailing zeros)."""
    cur.adbc_ingest(table.lower(), _reader(mart, f"SELECT {_columns(types)} FROM {table} LIMIT 0"), mode="create",
                    db_schema_name=schema)  # fmt: skip
    for column, kind in types.items():
        if kind.startswith("DECIMAL("):
            cur.execute(
                f'ALTER TABLE {schema}."{table.lower()}" ALTER COLUMN "{column.lower()}" TYPE NUMERIC{kind[7:]}'
            )


def _columns(types: dict[str, str]) -> str:
    """The mart's columns as the readers' mart names and holds them."""
    return ", ".join(
        (f'to_json("{c}")::VARCHAR' if any(n in kind for n in NESTED) else f'"{c}"') + f' AS "{c.lower()}"'
        for c, kind in types.items()
    )


def _reader(mart, query: str):
    """The query's rows as Arrow batches, streamed."""
    return mart.sql(query).to_arrow_reader()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _libpq_uri(readers: ReadersOptions) -> str:
    parts = urlsplit(readers.postgresql)
    query = dict(parse_qsl(parts.query))
    query.setdefault("application_name", "idbmart-publish")
    if os.environ.get(READERS_PASSWORD):  # in Airflow, set from the Connection idbmart_readers
        query["password"] = os.environ[READERS_PASSWORD]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, quote_via=quote), ""))
