"""The merge of a model's rows into a mart table (`replace`): only what changed is written, with its audit
key; the changes of the facts the aggregates read are recorded in _T_TOUCHED."""

from __future__ import annotations

import weakref

import duckdb

from idbmart.errors import IdbmartError, KeyConflict
from idbmart.load.db import columns, run


def _rows_of(con: duckdb.DuckDBPyConnection, table: str, scope: str) -> tuple[int, int]:
    """The range of rowids `scope`'s rows hold, found first by reading the scope's columns alone.
    A scope of keys `IN (...)` is a semi join, for which DuckDB reads every column of every row; the
    rows of a cycle's scope are nearly always in the last row groups (recent cycles wrote them), and a
    constant rowid range lets the scan skip the others (the 22:00 cycle's IRF rows on five days of 250k
    calls: 0.12 s whole, 0.03 s so). Exact whatever the range: the scope still filters the rows, and the
    rows replace deletes or updates are among them. (-1, -1) where it has none."""
    lo, hi = run(con, f"SELECT min(rowid), max(rowid) FROM {table} WHERE {scope}")[0]
    return (-1, -1) if lo is None else (int(lo), int(hi))


def _log_gone(con: duckdb.DuckDBPyConnection, table: str, keys: tuple[str, ...], cols: list[str], audit_key: int,
              on: str, gone: bool) -> None:  # fmt: skip
    """In CTL_PUBLISH_GONE, for the readers' buffers (idbmart.load.publish): the keys of the rows gone
    (_GONE, made where `gone`), and of the changed rows whose START_TS or DATE_TIME_KEY changed (with the
    old one: where the buffer holds them). A connection without the control tables (no mart) keeps none."""
    if not _keeps_gone(con):
        return
    key_json = "to_json(struct_pack(" + ", ".join(f'"{k}" := o."{k}"' for k in keys) + "))::VARCHAR"
    prune = next((c for c in ("START_TS", "DATE_TIME_KEY") if c in cols), None)
    logged = []
    if gone:
        logged.append(f"""SELECT '{table}', {key_json}, {f'o."{prune}"' if prune else "NULL"}, {audit_key}
                          FROM _GONE AS o""")  # fmt: skip
    if prune:
        logged.append(f"""SELECT '{table}', {key_json}, o."{prune}", {audit_key} FROM _OLD AS o JOIN _NEW AS n ON {on}
                          WHERE n._FATE = 'changed' AND n."{prune}" IS DISTINCT FROM o."{prune}" """)  # fmt: skip
    if logged:
        run(con, "INSERT INTO CTL_PUBLISH_GONE " + " UNION ALL ".join(logged))


def _refuse_columns(table: str, given: list[str], cols: list[str]) -> None:
    """A model gives every column of its table, and no other: one added to a model and not to its table
    would be lost without a word."""
    if dropped := [c for c in given if c not in cols]:
        raise IdbmartError(
            f"mart table {table}: its model gives {', '.join(dropped)}, which the table does not have: "
            "declare them in sql/mart/ (or leave them out of the model)"
        )
    if missing := [c for c in cols if c not in given]:
        raise IdbmartError(f"mart table {table}: its model does not give {', '.join(missing)}, which the table has")


_KEEPS_GONE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection → it has CTL_PUBLISH_GONE


def _keeps_gone(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's database has CTL_PUBLISH_GONE (a mart's), asked once per connection: the
    catalog query costs milliseconds, and a cycle's replaces asked it some forty times (0.35 s a cycle)."""
    if con not in _KEEPS_GONE:
        _KEEPS_GONE[con] = bool(
            run(
                con,
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'CTL_PUBLISH_GONE' "
                "AND database_name = current_database()",
            )[0][0]
        )
    return _KEEPS_GONE[con]


# The log of the facts' changed rows start_touched makes: the aggregates and the gate scope on it.
TOUCHED_TABLES = ("_T_TOUCHED", "_T_TOUCHED_FROM")


def start_touched(con: duckdb.DuckDBPyConnection) -> None:
    """An empty _T_TOUCHED, where `replace(..., touched=True)` records the fact rows it changes, and an empty
    _T_TOUCHED_FROM, where a ranged one records the least rowid its scope's rows hold (FACT, FROM_ROW)."""
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE _T_TOUCHED (FACT VARCHAR, INTERACTION_ID BIGINT, RESOURCE_KEY BIGINT, "
        "MEDIA_RESOURCE_KEY BIGINT, START_TS BIGINT, END_TS BIGINT)",
    )
    run(con, "CREATE OR REPLACE TEMP TABLE _T_TOUCHED_FROM (FACT VARCHAR, FROM_ROW BIGINT)")


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
    deleted, its key logged for the readers' buffers (CTL_PUBLISH_GONE, idbmart.load.publish). A cycle
    rebuilds far more rows than change (every call of an agent's shift when the agent logs out), and
    deleted rows pile up in a table's row groups until DuckDB's checkpoint merges them into fewer,
    rewriting them all: deleting and inserting the rebuilt rows, changed or not, rewrote the largest
    facts whole.
    With `touched`, the old and new versions of every row inserted, changed or deleted are recorded in
    the temp table _T_TOUCHED (FACT, INTERACTION_ID, RESOURCE_KEY, MEDIA_RESOURCE_KEY, START_TS, END_TS;
    NULL where the table has no such column), which is what the aggregate stage re-aggregates and the
    resources' first-seen times follow (sql/transform/control/resource_seen_refresh.sql).
    With `ranged`, the scope's old rows are read, deleted and updated within the rowids they hold
    (_rows_of): for a large table whose scope's keys give DuckDB's zone maps nothing to skip (hashed
    interaction keys). With both, the least rowid the scope's rows hold after the replace (old or
    appended) goes to _T_TOUCHED_FROM: the aggregates read the rows of the cycle's interactions from
    there on (sql/aggregate/touched.sql), not the scope's column of the whole table again.
    """
    keys = (key,) if isinstance(key, str) else tuple(key)
    cols = [c for c in columns(con, table) if c not in ("CREATE_AUDIT_KEY", "UPDATE_AUDIT_KEY")]
    values = [c for c in cols if c not in keys]
    same = " AND ".join(f'n."{c}" IS NOT DISTINCT FROM o."{c}"' for c in cols)
    on = " AND ".join(f'o."{k}" = n."{k}"' for k in keys)
    key_list = ", ".join(f'"{k}"' for k in keys)
    select_keys = ", ".join(f'n."{k}"' for k in keys)
    lo, hi = _rows_of(con, table, scope) if ranged else (0, None)

    def within(rows: str) -> str:  # `rows`' rowid in the scope's range
        return f"{rows}.rowid BETWEEN {lo} AND {hi}" if hi is not None else "TRUE"

    # A CREATE ... AS returns its row count. Many of a cycle's replaces have no old rows (a period
    # touched holds none of an aggregate family's rows yet; a model has none in the scope): their new
    # rows need no comparison, and planning one over every column of a wide table is most of a small
    # replace's cost (~10 ms of ~25).
    old_rows = run(
        con, f"CREATE OR REPLACE TEMP TABLE _OLD AS SELECT * FROM {table} WHERE {within(table)} AND ({scope})"
    )[0][0]
    if old_rows:
        made = f"""CREATE OR REPLACE TEMP TABLE _NEW AS
            SELECT * EXCLUDE (_SAME, _OLD_KEY, _OLD_UPDATE),
                   CASE WHEN _SAME THEN _OLD_UPDATE ELSE {audit_key} END AS UPDATE_AUDIT_KEY,
                   CASE WHEN _OLD_KEY IS NULL THEN 'inserted' WHEN _SAME THEN 'kept' ELSE 'changed' END AS _FATE
            FROM (SELECT n.*, coalesce(o.CREATE_AUDIT_KEY, {audit_key}) AS CREATE_AUDIT_KEY, o."{keys[0]}" AS _OLD_KEY,
                         o.UPDATE_AUDIT_KEY AS _OLD_UPDATE, o."{keys[0]}" IS NOT NULL AND {same} AS _SAME
                  FROM {new} AS n LEFT JOIN _OLD AS o ON {on})"""
    else:
        made = f"""CREATE OR REPLACE TEMP TABLE _NEW AS
            SELECT n.*, {audit_key} AS CREATE_AUDIT_KEY, {audit_key} AS UPDATE_AUDIT_KEY, 'inserted' AS _FATE
            FROM {new} AS n"""
    # _NEW has the model's columns as it gives them, checked against the table's once made (a DESCRIBE of
    # the model's query would cost 2-3 ms a replace, some 120 a cycle), or where it could not be made.
    try:
        new_rows = run(con, made)[0][0]
    except duckdb.BinderException:
        _refuse_columns(table, [c for (c, *_) in run(con, f"DESCRIBE SELECT * FROM {new} AS n")], cols)
        raise
    _refuse_columns(table, columns(con, "_NEW")[:-3], cols)
    # In one statement (a cycle runs some 120 replaces, a statement costing 1-3 ms however small): the
    # counts; a key the new rows repeat, what a PRIMARY KEY refused (the facts have none), checked before
    # anything is written; and the columns that differ in some changed row, the only ones updated
    # (DuckDB rewrites an updated column's segments). Without old rows, or new ones, only what can be.
    key_struct = "struct_pack(" + ", ".join(f'"{k}" := "{k}"' for k in keys) + ")"
    repeated = f"(SELECT {key_struct} FROM _NEW GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT 1)"
    differ = ", ".join(f'bool_or(n."{c}" IS DISTINCT FROM o."{c}")' for c in values)
    if old_rows and new_rows:
        inserted, changed, deleted, twice, flags = run(
            con,
            f"""SELECT count(*) FILTER (_FATE = 'inserted'), count(*) FILTER (_FATE = 'changed'),
                   (SELECT count(*) FROM _OLD AS o ANTI JOIN _NEW AS n ON {on}), {repeated},
                   (SELECT [{differ}] FROM _NEW AS n JOIN _OLD AS o ON {on} WHERE n._FATE = 'changed')
                FROM _NEW""",
        )[0]
    else:
        inserted, changed, deleted, flags = new_rows, 0, old_rows, None
        twice = run(con, f"SELECT {repeated}")[0][0] if new_rows > 1 else None
    if twice is not None:
        raise KeyConflict(table, keys, tuple(twice.values()), "the new rows repeat it")
    if deleted:
        run(con, f"CREATE OR REPLACE TEMP TABLE _GONE AS SELECT * FROM _OLD AS o ANTI JOIN _NEW AS n ON {on}")
    if inserted:
        there = run(con, f"SELECT {select_keys} FROM _NEW AS n SEMI JOIN {table} AS o ON {on} "
                         "WHERE n._FATE = 'inserted' ORDER BY ALL LIMIT 1")  # fmt: skip
        if there:
            raise KeyConflict(table, keys, there[0], "a new row's key is in the table already, outside the scope")
    if deleted or changed:
        _log_gone(con, table, keys, cols, audit_key, on, deleted > 0)
    if deleted:
        if len(keys) == 1:
            run(con, f'DELETE FROM {table} WHERE {within(table)} AND "{keys[0]}" IN (SELECT "{keys[0]}" FROM _GONE)')
        else:
            run(con, f"DELETE FROM {table} AS n USING _GONE AS o WHERE {within('n')} AND {on}")
    if changed:
        sets = [f'"{c}" = n."{c}"' for c, differs in zip(values, flags, strict=True) if differs]
        match = " AND ".join(f'{table}."{k}" = n."{k}"' for k in keys)
        run(
            con,
            f"""UPDATE {table} SET {", ".join([*sets, "UPDATE_AUDIT_KEY = n.UPDATE_AUDIT_KEY"])}
            FROM (SELECT * FROM _NEW WHERE _FATE = 'changed') AS n WHERE {within(table)} AND {match}""",
        )
    if touched and ranged:  # appended rows' rowids start at or after the count of rows before them
        start = lo if lo >= 0 else run(con, f"SELECT count(*) FROM {table}")[0][0]
        run(con, f"INSERT INTO _T_TOUCHED_FROM VALUES ('{table}', {start})")
    if inserted:
        run(con, f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (_FATE) FROM _NEW WHERE _FATE = 'inserted'")
    if touched and (inserted or deleted or changed):
        recorded = ", ".join(
            c if c in cols else "NULL"
            for c in ("INTERACTION_ID", "RESOURCE_KEY", "MEDIA_RESOURCE_KEY", "START_TS", "END_TS")
        )
        run(
            con,
            f"""INSERT INTO _T_TOUCHED
            SELECT '{table}', {recorded} FROM _NEW WHERE _FATE <> 'kept'
            UNION ALL
            SELECT '{table}', {recorded} FROM _OLD AS o
            ANTI JOIN (SELECT {key_list} FROM _NEW WHERE _FATE = 'kept') AS n ON {on}""",
        )
    return inserted, deleted, changed
