"""The mart's DuckDB file: connection, schema of its control, GIDB and star-schema layers, run ids.

Each HA member's version of each entity is staged once: `GIDB_<TABLE>` holds the rows of the member
the HA choice took (MART.md layer 1), `STG_<TABLE>` the other members' (kept so a later choice can
take them without reading the source again; `STG_ENTITY` lists every version). Both have the IDB
model's columns (integer `*_TS` widened to BIGINT, so a stuck row can end at the sentinel) and:
SOURCE_NAME, HA_SET, ENTITY_KEY (the entity's identity across members), DSS_ID (the data source
session ICON wrote the row under, its GSYS_DOMAIN), STUCK_FLAG (closed by idbmart at the sentinel,
not by ICON), EXTRACT_RUN_ID.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import cache
from pathlib import Path

import duckdb
from sqlglot import exp

from etl.errors import IdbmartError, KeyConflict
from etl.extract.entities import KINDS
from etl.idb.schema import Table, tables
from etl.measure import Stages
from etl.paths import SQL_DIR

# A still-open fact or a stuck row ends here, never NULL (MART.md): 9999-12-31 23:59:59 UTC.
SENTINEL_TS = 253_402_300_799

LINEAGE_COLUMNS = {
    "SOURCE_NAME": "VARCHAR NOT NULL",
    "HA_SET": "VARCHAR NOT NULL",
    "ENTITY_KEY": "VARCHAR NOT NULL",
    "DSS_ID": "BIGINT",
    "STUCK_FLAG": "BOOLEAN NOT NULL",
    "EXTRACT_RUN_ID": "BIGINT NOT NULL",
}


def extracted_tables() -> list[Table]:
    """The IDB tables the pipeline extracts: every operational table (control tables are read, not kept)."""
    return [t for t in tables().values() if t.role != "control"]


def column_type(table: Table, column: str) -> str:
    col = table.column(column)
    if col.name.endswith("_TS") and col.family == "integer":
        return "BIGINT"
    return col.type.sql(dialect="duckdb")


def layer_ddl(prefix: str, table: Table) -> str:
    cols = [f'"{c}" {column_type(table, c)}' for c in table.column_names]
    cols += [f"{name} {kind}" for name, kind in LINEAGE_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS {prefix}_{table.name} (\n  " + ",\n  ".join(cols) + "\n)"


def connect(path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """The mart, its schema ensured; `memory_limit` caps DuckDB's memory (it spills to disk beyond)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), config={"memory_limit": memory_limit} if memory_limit else {})
    except duckdb.IOException as e:
        if "lock" in str(e):  # the error a site meets most: a BI tool or an overlapping job holds the file
            held = re.search(r"\(PID \d+\)", str(e))
            raise IdbmartError(
                f"the mart {path} is open in another process{' ' + held[0] if held else ''}: DuckDB allows one "
                "writer and no reader beside it; wait for that job, or point readers at [mart] reader_path"
            ) from None
        raise IdbmartError(f"cannot open the mart {path}: {str(e).splitlines()[0]}") from None
    except OSError as e:  # its folder cannot be made
        raise IdbmartError(f"cannot open the mart {path}: {e.strerror}") from None
    # The mart's SQL never reads the session's time zone (the host's, by default), and this makes sure.
    con.execute("SET TimeZone = 'UTC'")
    ensure_schema(con)
    return con


@cache
def mart_ddl(layer: str) -> str:
    """sql/mart/<layer>.sql: "control" (control and staging tables) or "star" (dimensions and facts)."""
    return (SQL_DIR / "mart" / f"{layer}.sql").read_text()


@cache
def unkeyed() -> tuple[str, ...]:
    """The tables of sql/mart/*.sql made without a PRIMARY KEY, those whose rows have a key included.

    Their writers keep one row per key: staging's merge and the HA choice delete a key's row before
    inserting it (STG_ENTITY, CTL_HA_DECISION), `replace` refuses a key already there (the facts).
    DuckDB's index cost more than it guarded: over the control tables' three text columns 20 times the
    rows' own size and more than the rows at every insert and checkpoint (3 million keys: a load 1.9 s
    -> 9.0 s); on the facts 0.2 s to insert 5 thousand rows into a fact of 1.6 million, at every cycle.
    Marts made before have the keys: `ensure_schema` moves those tables over, rows kept."""
    names = []
    for layer in ("control", "star"):
        for name, body in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", mart_ddl(layer), re.S):
            if "PRIMARY KEY" not in body:
                names.append(name)
    return tuple(names)


@cache
def declared_columns() -> dict[str, dict[str, str]]:
    """Every table of sql/mart/*.sql → its columns and their definitions (type, and default where the
    DDL gives one), as the DDL makes them (in memory, once)."""
    con = duckdb.connect()
    for layer in ("control", "star"):
        con.execute(mart_ddl(layer))
    out: dict[str, dict[str, str]] = {}
    for table, column, kind, default in con.execute(
        "SELECT table_name, column_name, data_type, column_default FROM duckdb_columns() "
        "WHERE schema_name = 'main' ORDER BY table_name, column_index"
    ).fetchall():
        out.setdefault(table, {})[column] = kind + (f" DEFAULT {default}" if default is not None else "")
    con.close()
    return out


def _add_declared_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A column added to sql/mart/*.sql reaches a mart made before it (its default, else NULL, in the rows
    already there: CTL_QUALITY_RESULT.SEVERITY is 'block' for the results recorded before severities)."""
    declared = declared_columns()
    have: dict[str, set[str]] = {}
    for table, column in run(con, "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'"):
        have.setdefault(table, set()).add(column)
    for table, cols in declared.items():
        for name, kind in cols.items():
            if table in have and name not in have[table]:
                run(con, f'ALTER TABLE {table} ADD COLUMN "{name}" {kind}')


# STG_<TABLE>'s comment, which says its rows are the versions not chosen: marts made before kept the
# chosen versions there too (and copied them to GIDB_*); `ensure_schema` drops those copies once.
STAGING_COMMENT = "versions of members the HA choice did not take (the chosen ones are in GIDB_*)"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create whatever part of the mart is missing (idempotent; a complete mart costs three queries)."""
    comments = dict(run(con, "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'"))
    have = set(comments)
    rekey = _keyed(con, unkeyed()) if have else []
    copies = [t for t in extracted_tables() if f"STG_{t.name}" in have and comments[f"STG_{t.name}"] != STAGING_COMMENT]
    old_calendar = "DATE_TIME" in have and "LABEL_YYYY" not in columns(con, "DATE_TIME")
    with transaction(con) if rekey or copies or old_calendar else nullcontext():  # moved over whole or not at all
        if old_calendar:  # made before the calendar's labels: its keys kept, its rows made again at the next fill
            run(con, "ALTER TABLE DATE_TIME RENAME TO DATE_TIME_OLD")
            have.discard("DATE_TIME")
        for table in rekey:  # made by an earlier version, with the key: moved aside, made again, refilled
            run(con, f"ALTER TABLE {table} RENAME TO {table}_KEYED")
            have.discard(table)
        for layer in ("control", "star"):  # control tables, then dimensions and facts
            ddl = mart_ddl(layer)
            if not set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", ddl)) <= have:
                run(con, ddl)
        for table in rekey:
            made = set(columns(con, table))
            for name, kind in run(con, f"SELECT column_name, column_type FROM (DESCRIBE {table}_KEYED)"):
                if name not in made:  # a column added since the DDL (IRF_USER_DATA_CUST_1's user-data keys)
                    run(con, f'ALTER TABLE {table} ADD COLUMN "{name}" {kind}')
            run(con, f"INSERT INTO {table} BY NAME SELECT * FROM {table}_KEYED")
            run(con, f"DROP TABLE {table}_KEYED")
        for t in extracted_tables():
            for prefix in ("STG", "GIDB"):
                if f"{prefix}_{t.name}" not in have:
                    run(con, layer_ddl(prefix, t))
            if f"STG_{t.name}" not in have:
                run(con, f"COMMENT ON TABLE STG_{t.name} IS '{STAGING_COMMENT}'")
        for t in copies:
            _drop_chosen_copies(con, t)
        _add_declared_columns(con)
        if old_calendar:  # no comment: etl.transform.calendar computes every row again
            run(con, "INSERT INTO DATE_TIME (DATE_TIME_KEY) SELECT DATE_TIME_KEY FROM DATE_TIME_OLD")
            run(con, "DROP TABLE DATE_TIME_OLD")


def _drop_chosen_copies(con: duckdb.DuckDBPyConnection, t: Table) -> None:
    """A mart made before each version was staged once: its STG_<TABLE> also holds the chosen
    members' rows, which GIDB_<TABLE> has. They are deleted (GIDB keeps them) and the table marked."""
    kinds = sql_list(k.name for k in KINDS if t.name in k.tables)
    if kinds:
        run(
            con,
            f"""DELETE FROM STG_{t.name} s USING CTL_HA_DECISION d
            WHERE s.HA_SET = d.HA_SET AND s.ENTITY_KEY = d.ENTITY_KEY AND s.SOURCE_NAME = d.SOURCE_NAME
              AND d.ENTITY_KIND IN ({kinds})""",
        )
    run(con, f"COMMENT ON TABLE STG_{t.name} IS '{STAGING_COMMENT}'")


def _keyed(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> list[str]:
    """Those of `names` that have a PRIMARY KEY in this mart."""
    return [
        t
        for (t,) in con.execute(
            "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE schema_name = 'main'"
            f" AND constraint_type = 'PRIMARY KEY' AND table_name IN ({sql_list(names)}) ORDER BY 1"
        ).fetchall()
    ]


def run(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[tuple]:
    """Execute a statement to completion (DuckDB keeps a connection busy until a result is consumed)."""
    return con.execute(sql, params).fetchall()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, stages: Stages | None = None) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back (a crash mid-cycle leaves the mart as it was).
    With `stages`, the COMMIT itself is measured as stage "commit" (DuckDB writes the changes then)."""
    run(con, "BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        run(con, "ROLLBACK")
        raise
    with stages.measure("commit") if stages else nullcontext():
        run(con, "COMMIT")


def run_many(con: duckdb.DuckDBPyConnection, sql: str, rows, batch: int = 500) -> None:
    """Insert rows by "INSERT INTO t VALUES (?, ...)", a few hundred per statement: executemany runs
    the statement once per row (~2 ms each; 143 quality outcomes took 0.3 s a cycle)."""
    head, values, group = sql.rpartition("VALUES")
    if not values:
        raise ValueError(f"run_many needs an INSERT ... VALUES (?, ...) statement, not: {sql}")
    rows = [tuple(r) for r in rows]
    for i in range(0, len(rows), batch):
        part = rows[i : i + batch]
        run(con, f"{head}VALUES {', '.join([group.strip()] * len(part))}", [v for r in part for v in r])


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The column names of a table (or `catalog.table`), in order. Asking the empty result of the
    table costs ~1 ms; a duckdb_columns() lookup costs ~14 ms on a mart of 140 tables."""
    return [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]


def create_empty(con: duckdb.DuckDBPyConnection, table: str, query: str, temp: bool = False) -> None:
    """Create `table` (a TEMP one replaced, a lasting one if missing) with the columns of `query`, empty.

    By DDL, never `CREATE TABLE ... AS ... LIMIT 0`: in DuckDB 2.0.0 a table that a CTAS created empty
    inside a transaction does not see, until the commit, what a later INSERT ... SELECT of a row group or
    more (122,880 rows) put in it; the 1M-call nightly's agent aggregates rolled up from an empty
    15-minute table that way (tests/load/test_mart.py).
    """
    cols = ", ".join(f'"{name}" {kind}' for name, kind, *_ in run(con, f"DESCRIBE {query}"))
    create = "CREATE OR REPLACE TEMP TABLE" if temp else "CREATE TABLE IF NOT EXISTS"
    run(con, f"{create} {table} ({cols})")


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    """One more than any run that committed (a run that did not commit left no id behind)."""
    (last,) = con.execute(
        "SELECT greatest(coalesce(max(RUN_ID), 0), (SELECT coalesce(max(RUN_ID), 0) FROM CTL_EXTRACT_HISTORY)) "
        "FROM CTL_AUDIT_LOG"
    ).fetchall()[0]
    return int(last) + 1


def sql_list(values) -> str:
    """A SQL list of string literals (for names the code itself owns: kinds, sources)."""
    return ", ".join(exp.Literal.string(v).sql() for v in values)


def _in_rows_of(con: duckdb.DuckDBPyConnection, table: str, scope: str) -> str:
    """`scope`, and the range of rowids its rows hold, found first by reading the scope's columns alone.
    A scope of keys `IN (...)` is a semi join, for which DuckDB reads every column of every row; the
    rows of a cycle's scope are nearly always in the last row groups (recent cycles wrote them), and a
    constant rowid range lets the scan skip the others (the 22:00 cycle's IRF rows on five days of 250k
    calls: 0.12 s whole, 0.03 s so). Exact whatever the range: the scope still filters the rows."""
    lo, hi = run(con, f"SELECT min(rowid), max(rowid) FROM {table} WHERE {scope}")[0]
    if lo is None:
        return "FALSE"
    return f"rowid BETWEEN {int(lo)} AND {int(hi)} AND ({scope})"


def start_touched(con: duckdb.DuckDBPyConnection) -> None:
    """An empty _T_TOUCHED, where `replace(..., touched=True)` records the fact rows it changes."""
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE _T_TOUCHED "
        "(FACT VARCHAR, INTERACTION_ID BIGINT, RESOURCE_KEY BIGINT, START_TS BIGINT, END_TS BIGINT)",
    )


def replace(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key: str | tuple[str, ...],
    new: str,
    scope: str,
    audit_key: int,
    touched: bool = False,
    ranged: bool = False,
) -> tuple[int, int, int]:
    """Make `table`'s rows in `scope` the rows of `new` (a table or a parenthesised query) and return
    (inserted, deleted, changed).

    Rows are matched by `key` (one column or several, never NULL, unique in the table: new rows that
    repeat a key, or bring one the table holds outside `scope`, raise KeyConflict before anything is
    written). Only what changed is written: an unchanged row is left as it is, with its
    UPDATE_AUDIT_KEY; a changed one is updated in place, in the columns that changed, with `audit_key`
    as UPDATE_AUDIT_KEY (its CREATE_AUDIT_KEY stays that of its first load); a row gone from `new` is
    deleted. A cycle rebuilds far more rows than change (every call of an agent's shift when the agent
    logs out), and deleted rows pile up in a table's row groups until DuckDB's checkpoint merges them
    into fewer, rewriting them all: deleting and inserting the rebuilt rows, changed or not, rewrote
    the largest facts whole.
    With `touched`, the old and new versions of every row inserted, changed or deleted are recorded in
    the temp table _T_TOUCHED (FACT, INTERACTION_ID, RESOURCE_KEY, START_TS, END_TS), which is what
    the aggregate stage re-aggregates.
    With `ranged`, the scope's old rows are read within the rowids they hold (_in_rows_of): for a
    large table whose scope's keys give DuckDB's zone maps nothing to skip (hashed interaction keys).
    """
    keys = (key,) if isinstance(key, str) else tuple(key)
    cols = [c for c in columns(con, table) if c not in ("CREATE_AUDIT_KEY", "UPDATE_AUDIT_KEY")]
    brought = [c for (c, *_) in run(con, f"DESCRIBE SELECT * FROM {new} AS n")]
    dropped = [c for c in brought if c not in cols]
    if dropped:  # a column added to a model and not to its table would be lost without a word
        raise IdbmartError(
            f"mart table {table}: its model gives {', '.join(dropped)}, which the table does not have: "
            "declare them in sql/mart/ (or leave them out of the model)"
        )
    values = [c for c in cols if c not in keys]
    select = ", ".join(f'n."{c}"' for c in cols)
    same = " AND ".join(f'n."{c}" IS NOT DISTINCT FROM o."{c}"' for c in cols)
    on = " AND ".join(f'o."{k}" = n."{k}"' for k in keys)
    key_list = ", ".join(f'"{k}"' for k in keys)
    select_keys = ", ".join(f'n."{k}"' for k in keys)
    where = _in_rows_of(con, table, scope) if ranged else scope
    run(con, f"CREATE OR REPLACE TEMP TABLE _OLD AS SELECT * FROM {table} WHERE {where}")
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _NEW AS
        SELECT {select}, coalesce(o.CREATE_AUDIT_KEY, {audit_key}) AS CREATE_AUDIT_KEY,
               CASE WHEN o."{keys[0]}" IS NOT NULL AND {same} THEN o.UPDATE_AUDIT_KEY ELSE {audit_key} END
                 AS UPDATE_AUDIT_KEY,
               CASE WHEN o."{keys[0]}" IS NULL THEN 'inserted' WHEN {same} THEN 'kept' ELSE 'changed' END AS _FATE
        FROM {new} AS n LEFT JOIN _OLD AS o ON {on}""",
    )
    run(con, f"CREATE OR REPLACE TEMP TABLE _GONE AS SELECT * FROM _OLD AS o ANTI JOIN _NEW AS n ON {on}")
    inserted, changed, deleted = run(
        con,
        "SELECT count(*) FILTER (_FATE = 'inserted'), count(*) FILTER (_FATE = 'changed'), "
        "(SELECT count(*) FROM _GONE) FROM _NEW",
    )[0]
    # What a PRIMARY KEY refused (the facts have none), checked before anything is written.
    twice = run(con, f"SELECT {key_list} FROM _NEW GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT 1")
    if twice:
        raise KeyConflict(table, keys, twice[0], "the new rows repeat it")
    if inserted:
        there = run(con, f"SELECT {select_keys} FROM _NEW AS n SEMI JOIN {table} AS o ON {on} "
                         "WHERE n._FATE = 'inserted' ORDER BY ALL LIMIT 1")  # fmt: skip
        if there:
            raise KeyConflict(table, keys, there[0], "a new row's key is in the table already, outside the scope")
    if deleted:
        if len(keys) == 1:
            run(con, f'DELETE FROM {table} WHERE "{keys[0]}" IN (SELECT "{keys[0]}" FROM _GONE)')
        else:
            run(con, f"DELETE FROM {table} AS n USING _GONE AS o WHERE {on}")
    if changed:
        # Only the columns that differ in some changed row: DuckDB rewrites an updated column's segments.
        differ = ", ".join(f'bool_or(n."{c}" IS DISTINCT FROM o."{c}")' for c in values)
        flags = run(con, f"SELECT {differ} FROM _NEW AS n JOIN _OLD AS o ON {on} WHERE n._FATE = 'changed'")[0]
        sets = [f'"{c}" = n."{c}"' for c, differs in zip(values, flags, strict=True) if differs]
        match = " AND ".join(f'{table}."{k}" = n."{k}"' for k in keys)
        run(
            con,
            f"""UPDATE {table} SET {", ".join([*sets, "UPDATE_AUDIT_KEY = n.UPDATE_AUDIT_KEY"])}
            FROM (SELECT * FROM _NEW WHERE _FATE = 'changed') AS n WHERE {match}""",
        )
    if inserted:
        run(con, f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (_FATE) FROM _NEW WHERE _FATE = 'inserted'")
    if touched:
        ixn, res = (c if c in cols else "NULL" for c in ("INTERACTION_ID", "RESOURCE_KEY"))
        run(
            con,
            f"""INSERT INTO _T_TOUCHED
            SELECT '{table}', {ixn}, {res}, START_TS, END_TS FROM _NEW WHERE _FATE <> 'kept'
            UNION ALL
            SELECT '{table}', {ixn}, {res}, START_TS, END_TS FROM _OLD AS o
            ANTI JOIN (SELECT {key_list} FROM _NEW WHERE _FATE = 'kept') AS n ON {on}""",
        )
    return inserted, deleted, changed
