"""Merge the cycle's work tables into staging, inside the cycle's transaction, in two steps around
the HA choice (idbmart/ha/choose.py), which needs every member's version of an entity but not its rows.

`merge`: each member's version of an entity replaces the version it gave before (the latest chunk
wins) in STG_ENTITY, and the replaced version's rows are deleted; an entity without an identity is
not staged but listed in STG_TRANSFORM_DISCARDS. `place`, once the choice is made: the new versions'
rows go to GIDB_* where their member was chosen, and nowhere where another member was: STG_ENTITY
keeps the version (the HA choice's evidence), its member keeps the rows, and a later choice of it
reads them again from there (idbmart/ha/choose.py). So each row is written once, and an HA pair's
rows once between its members. Rows ICON delivered twice are kept once; a stuck entity's open rows are
closed at the sentinel and flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from idbmart.extract import reach
from idbmart.extract.entities import HISTORY_TABLES, KINDS, ROW_ID_COLUMNS, TABLES_NOT_EVIDENCE
from idbmart.extract.incremental import NO_ENTITY, SourceExtract
from idbmart.extract.sources import UNCONVERTED
from idbmart.load.db import run, run_many, sql_list
from idbmart.load.mart import SENTINEL_TS, extracted_tables


@dataclass
class StageCounts:
    entities: int = 0
    rows_in: int = 0  # rows read (every chunk's)
    inserted: int = 0  # the new versions' rows written: to GIDB_*, or STG_* where no choice was made
    deleted: int = 0  # the replaced versions' rows, from either
    duplicates: int = 0
    discarded: int = 0
    to_gidb: int = 0  # of `inserted`, those written to GIDB_* (their member is the chosen one)
    not_kept: int = 0  # new versions whose rows were not written: another member was chosen
    from_gidb: int = 0  # of `deleted`, those deleted from GIDB_*


# The tables whose rows find their entity through another table (Kind.orphans lists those that find none).
PATH_TABLES = frozenset(t for k in KINDS if not k.single_row for t in k.tables[1:])


def merge(con: duckdb.DuckDBPyConnection, run_id: int) -> StageCounts:
    """The new versions in STG_ENTITY, the rows of the versions they replace deleted, the data source
    sessions recorded: what the HA choice reads."""
    counts = StageCounts()
    register_kinds(con)
    counts.discarded = _discard_unidentified(con, run_id) + _discard_orphans(con, run_id)
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _X_LATEST AS
                   SELECT * FROM _X_ENTITY WHERE ENTITY_KEY IS NOT NULL
                   QUALIFY row_number() OVER (
                     PARTITION BY SOURCE_NAME, ENTITY_KIND, ENTITY_KEY ORDER BY CHUNK DESC) = 1""",
    )
    (counts.entities,) = run(con, "SELECT count(*) FROM _X_LATEST")[0]
    prior = _prior_runs(con, reach.measure(con))
    for t in extracted_tables():
        table_kinds = [k.name for k in KINDS if t.name in k.tables]
        runs = ", ".join(map(str, sorted({r for k in table_kinds for r in prior.get(k, ())})))
        if not runs:  # no entity of these kinds was staged before: nothing to replace
            continue
        for layer in ("STG", "GIDB"):  # a version's rows are in one of them, by its member's choice
            deleted = _changed(
                con,
                f"""DELETE FROM {layer}_{t.name} s USING _X_LATEST l
                WHERE s.SOURCE_NAME = l.SOURCE_NAME AND s.ENTITY_KEY = l.ENTITY_KEY
                  AND l.ENTITY_KIND IN ({sql_list(table_kinds)}) AND s.EXTRACT_RUN_ID IN ({runs})""",
            )
            counts.deleted += deleted
            counts.from_gidb += deleted if layer == "GIDB" else 0
    all_runs = sorted({r for runs in prior.values() for r in runs})
    if all_runs:
        run(
            con,
            f"""DELETE FROM STG_ENTITY s USING _X_LATEST l WHERE s.SOURCE_NAME = l.SOURCE_NAME
                       AND s.ENTITY_KIND = l.ENTITY_KIND AND s.ENTITY_KEY = l.ENTITY_KEY
                       AND s.RUN_ID IN ({", ".join(map(str, all_runs))})""",
        )
    run(
        con,
        f"""INSERT INTO STG_ENTITY SELECT l.SOURCE_NAME, l.HA_SET, l.ENTITY_KIND, l.ENTITY_KEY, l.START_TS, l.END_TS,
                    l.STUCK, {run_id}, t.TABLES
        FROM _X_LATEST AS l LEFT JOIN ({_tables_held()}) AS t USING (SOURCE_NAME, ENTITY_KIND, ENTITY_KEY)""",
    )
    reach.keep_open(con, run_id)
    _record_sessions(con, run_id)
    return counts


def place(
    con: duckdb.DuckDBPyConnection, run_id: int, results: list[SourceExtract], counts: StageCounts, status: str = "ok"
) -> None:
    """The new versions' rows into GIDB_* where their member was chosen (_HA_NEW), nowhere where another
    was, into STG_* where no choice was made; the windows read into CTL_EXTRACT_HISTORY. `status` "ok"
    moves each source's mark; a backfill's re-read records "backfill", which leaves the marks where
    they are."""
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _X_PLACE AS
        SELECT l.SOURCE_NAME, l.ENTITY_KIND, l.ENTITY_KEY, l.CHUNK,
               CASE WHEN n.SOURCE_NAME IS NULL THEN 'STG' WHEN l.SOURCE_NAME = n.SOURCE_NAME THEN 'GIDB' END AS LAYER
        FROM _X_LATEST l LEFT JOIN _HA_NEW n USING (HA_SET, ENTITY_KIND, ENTITY_KEY)""",
    )
    sides = set(run(con, "SELECT DISTINCT ENTITY_KIND, LAYER FROM _X_PLACE"))  # a set of one member: GIDB
    (counts.not_kept,) = run(con, "SELECT count(*) FROM _X_PLACE WHERE LAYER IS NULL")[0]
    duplicates: dict[tuple[str, str], int] = {}  # (source, table) -> rows delivered twice, kept once
    for t in extracted_tables():
        if not any(r.rows.get(t.name) for r in results):
            continue  # no source gave rows of this table
        table_kinds = [k.name for k in KINDS if t.name in k.tables]
        kinds = sql_list(table_kinds)
        latest = f"""FROM _X_{t.name} x JOIN _X_PLACE l ON x.SOURCE_NAME = l.SOURCE_NAME
                     AND x.ENTITY_KEY = l.ENTITY_KEY AND x.CHUNK = l.CHUNK AND l.ENTITY_KIND IN ({kinds})
                     AND l.LAYER IS NOT NULL"""  # the rows written (copies are looked for among them)
        dups: dict[str, int] = {}
        if t.name in HISTORY_TABLES:
            content = [c for c in t.column_names if not c.startswith("GSYS_") and c not in ROW_ID_COLUMNS]
            dups = _find_redelivered(con, latest, content)
        stuck_open = "x.STUCK AND x.TERMINATED_TS IS NULL" if "TERMINATED_TS" in t.column_names else "FALSE"
        closed = {
            "TERMINATED_TS": f"CASE WHEN {stuck_open} THEN {SENTINEL_TS} ELSE x.TERMINATED_TS END",
            "TERMINATED": f"CASE WHEN {stuck_open} THEN to_timestamp({SENTINEL_TS})::TIMESTAMP ELSE x.TERMINATED END",
        }
        closes = stuck_open != "FALSE"
        cols = [f'{closed[c]} AS "{c}"' if c in closed and closes else f'x."{c}"' for c in t.column_names]
        not_twice = " AND x.rowid NOT IN (SELECT R FROM _X_DUP)" if dups else ""
        for layer in ("GIDB", "STG"):
            if not any((kind, layer) in sides for kind in table_kinds):
                continue
            inserted = _changed(
                con,
                f"""INSERT INTO {layer}_{t.name} BY NAME
                SELECT {", ".join(cols)}, x.SOURCE_NAME, x.HA_SET, x.ENTITY_KEY, x.GSYS_DOMAIN AS DSS_ID,
                       coalesce({stuck_open}, FALSE) AS STUCK_FLAG, {run_id} AS EXTRACT_RUN_ID
                {latest} WHERE l.LAYER = '{layer}'{not_twice}""",
            )
            counts.inserted += inserted
            counts.to_gidb += inserted if layer == "GIDB" else 0
        duplicates.update({(source, t.name): n for source, n in dups.items()})
    counts.duplicates = sum(duplicates.values())
    counts.rows_in = sum(sum(r.rows.values()) for r in results)
    _record_history(con, run_id, results, duplicates, status)


def _prior_runs(con, bound: reach.Reach) -> dict[str, list[int]]:
    """Entity kind → the runs that staged the versions this cycle replaces, found within the cycle's
    reach. A version's rows in every STG_* table carry the run that staged it (EXTRACT_RUN_ID), as its
    STG_ENTITY row does (RUN_ID), so the deletes name those runs: DuckDB then skips the other runs' row
    groups by their zone maps, where matching text keys read every row STG_* holds (`gidb_days` of them)."""
    return dict(
        run(
            con,
            f"""SELECT s.ENTITY_KIND, list(DISTINCT s.RUN_ID ORDER BY s.RUN_ID) FROM {bound.rows("STG_ENTITY")} s
            JOIN _X_LATEST l
            ON s.SOURCE_NAME = l.SOURCE_NAME AND s.ENTITY_KIND = l.ENTITY_KIND AND s.ENTITY_KEY = l.ENTITY_KEY
            GROUP BY 1""",
        )
    )


def _find_redelivered(con, latest: str, content: list[str]) -> dict[str, int]:
    """The rows ICON delivered twice to one entity (same content, another GSYS_SEQ) but the first, as
    `_X_DUP(SOURCE_NAME, R)` (R: the work table's rowid); the count per source. Only rows sharing a
    hash of their content are compared column by column and sorted: the rest, nearly all, cannot be
    copies (sorting every row by every column took 5 of the 250k nightly's 30 s of staging)."""
    cols = ", ".join(f'x."{c}"' for c in content)
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _X_DUP AS
          WITH twin AS (
            SELECT x.SOURCE_NAME, x.ENTITY_KEY, hash({cols}) AS H {latest} GROUP BY ALL HAVING count(*) > 1
          )
          SELECT x.SOURCE_NAME, x.rowid AS R {latest}
          JOIN twin t ON t.SOURCE_NAME = x.SOURCE_NAME AND t.ENTITY_KEY = x.ENTITY_KEY AND t.H = hash({cols})
          QUALIFY row_number() OVER (PARTITION BY x.SOURCE_NAME, x.ENTITY_KEY, {cols} ORDER BY x.GSYS_SEQ) > 1""",
    )
    return dict(run(con, "SELECT SOURCE_NAME, count(*) FROM _X_DUP GROUP BY 1"))


def _changed(con, statement: str) -> int:
    """Run an INSERT or DELETE; the number of rows it changed."""
    return int(run(con, statement)[0][0])


def register_kinds(con) -> None:
    """`_KIND`: each entity kind's coverage role, root table and nullable identity column."""
    run(con, "CREATE OR REPLACE TEMP TABLE _KIND (ENTITY_KIND VARCHAR, ROLE VARCHAR, ROOT_TABLE VARCHAR, "
        "IDENTITY_COLUMN VARCHAR)")  # fmt: skip
    run_many(
        con, "INSERT INTO _KIND VALUES (?, ?, ?, ?)", [(k.name, k.role, k.tables[0], k.identity_column) for k in KINDS]
    )


def _tables_held() -> str:
    """Each new version of a kind of several tables → the tables it has whole rows in. A member that lost
    a table's rows (an IDB whose G_PARTY is empty), or a value of one that did not convert to the
    contract's type (read as NULL, UNCONVERTED), holds versions without it: the HA choice prefers the
    member whose version has every table another member's has (sql/ha/decide.sql). A version whose rows
    were not read (its primary's version is chosen whatever it holds) has its tables in _X_EVIDENCE.
    A version's tables are gathered as bits of a number and named once per set of tables: with a list
    built per version (a million at 250k calls) the statement took 3.75 s, this way 1.70 s."""
    kind_tables = [(k, t) for k in KINDS if not k.single_row for t in k.tables if t not in TABLES_NOT_EVIDENCE]
    names = sorted({t for _, t in kind_tables})
    if len(names) > 62:
        raise ValueError(f"{len(names)} tables do not fit the bits of a BIGINT")
    bit = {t: 1 << i for i, t in enumerate(names)}
    parts = [
        f"SELECT SOURCE_NAME, '{k.name}' AS ENTITY_KIND, ENTITY_KEY, {bit[t]}::BIGINT AS BIT, "
        f"bool_or(coalesce({UNCONVERTED}, FALSE)) AS LOST FROM _X_{t} GROUP BY ALL"
        for k, t in kind_tables
    ]
    listed = f"[{sql_list(names)}]"
    parts.append(
        f"SELECT SOURCE_NAME, ENTITY_KIND, ENTITY_KEY, 1::BIGINT << (list_position({listed}, TABLE_NAME) - 1) AS BIT, "
        "FALSE AS LOST FROM _X_EVIDENCE"
    )
    return f"""WITH held AS (
          SELECT SOURCE_NAME, ENTITY_KIND, ENTITY_KEY, coalesce(bit_or(BIT) FILTER (NOT LOST), 0) AS HELD
          FROM ({" UNION ALL ".join(parts)}) GROUP BY ALL
        ),
        named AS (
          SELECT HELD, list_filter({listed}, lambda t, i: (HELD >> (i - 1)) & 1 = 1) AS TABLES
          FROM (SELECT DISTINCT HELD FROM held)
        )
        SELECT h.SOURCE_NAME, h.ENTITY_KIND, h.ENTITY_KEY, n.TABLES FROM held AS h JOIN named AS n USING (HELD)"""


def _discard_unidentified(con, run_id: int) -> int:
    """Entities whose identity column is NULL cannot be matched across members or keyed: listed, not staged."""
    return _changed(
        con,
        f"""INSERT INTO STG_TRANSFORM_DISCARDS
        SELECT {run_id}, x.SOURCE_NAME, k.ROOT_TABLE, k.IDENTITY_COLUMN, x.ENTITY_ID,
               'no identity across IDBs (' || coalesce(k.IDENTITY_COLUMN, 'key') || ' is NULL): not extracted',
               to_json(struct_pack(x.START_TS, x.END_TS, x.STUCK))::VARCHAR
        FROM _X_ENTITY x JOIN _KIND k USING (ENTITY_KIND) WHERE x.ENTITY_KEY IS NULL
        QUALIFY row_number() OVER (PARTITION BY x.SOURCE_NAME, x.ENTITY_KIND, x.ENTITY_ID ORDER BY x.CHUNK DESC) = 1""",
    )


def _discard_orphans(con, run_id: int) -> int:
    """Rows that belong to no entity (a column on their path NULL or leading to no row, Kind.orphans)
    cannot be extracted: listed with the column, once per row (the latest reading replaces an earlier one)."""
    run(
        con,
        """DELETE FROM STG_TRANSFORM_DISCARDS d USING _X_ORPHAN o
        WHERE d.SOURCE_NAME = o.SOURCE_NAME AND d.TABLE_NAME = o.TABLE_NAME AND d.ROW_KEY = o.ROW_KEY""",
    )
    # a row listed as belonging to no entity that now does (its call committed after it): no longer a discard
    listed = run(
        con,
        f"SELECT DISTINCT TABLE_NAME FROM STG_TRANSFORM_DISCARDS WHERE REASON LIKE '%: {NO_ENTITY}'",
    )
    for (t,) in listed:
        if t not in PATH_TABLES:
            continue
        run(
            con,
            f"""DELETE FROM STG_TRANSFORM_DISCARDS d USING _X_{t} x
            WHERE d.TABLE_NAME = '{t}' AND d.SOURCE_NAME = x.SOURCE_NAME AND d.ROW_KEY = 'GSYS_SEQ ' || x.GSYS_SEQ
              AND d.REASON LIKE '%: {NO_ENTITY}'""",
        )
    return _changed(
        con,
        f"""INSERT INTO STG_TRANSFORM_DISCARDS
        SELECT {run_id}, SOURCE_NAME, TABLE_NAME, COLUMN_NAME, ROW_KEY, REASON, ROW_JSON
        FROM _X_ORPHAN
        QUALIFY row_number() OVER (PARTITION BY SOURCE_NAME, TABLE_NAME, ROW_KEY ORDER BY CHUNK DESC) = 1""",
    )


def _record_sessions(con, run_id: int) -> None:
    run(con, "DELETE FROM CTL_DSS_SESSION WHERE SOURCE_NAME IN (SELECT SOURCE_NAME FROM _X_DSS)")
    run(
        con,
        f"""INSERT INTO CTL_DSS_SESSION
        SELECT SOURCE_NAME, ROLE, DSS_ID, ICON_DBID, DS_DBID, DS2_DBID, DS_TYPE, DSCONN_TYPE, START_TS, END_TS,
               LAST_EVENT_TS, coalesce(END_TS, LAST_EVENT_TS + 1, START_TS), {run_id}
        FROM _X_DSS""",
    )


def _record_history(con, run_id: int, results: list[SourceExtract], duplicates, status: str) -> None:
    rows = []
    for r in results:
        w = r.window
        common = [run_id, r.source.name]
        stamps = [_ts(r.started), _ts(r.started + r.seconds)]
        if not r.ok:
            rows.append(
                [*common, "*", r.icon_dbid, r.dss_id, None, None, None, None, 0, 0, 0, *stamps, "skipped", r.error]
            )
            continue
        if w is None or w.empty:
            continue
        for table, n in sorted(r.rows.items()):
            dups = duplicates.get((r.source.name, table), 0)
            rows.append(
                [*common, table, r.icon_dbid, r.dss_id, w.seq_from, w.seq_to, w.time_from, w.time_to,
                 None, n, dups, *stamps, status, "; ".join(r.warnings.get(table, ())) or None]
            )  # fmt: skip
        rows.append(
            [*common, "*", r.icon_dbid, r.dss_id, w.seq_from, w.seq_to, w.time_from, w.time_to,
             r.entities, sum(r.rows.values()), 0, *stamps, status, None]
        )  # fmt: skip
    if rows:
        run_many(con, "INSERT INTO CTL_EXTRACT_HISTORY VALUES (" + ", ".join("?" * 16) + ")", rows)


def _ts(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)
