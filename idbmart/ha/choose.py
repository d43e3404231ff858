"""The HA choice: for each entity touched this cycle, which member of its HA set its rows come from.

Set-based (sql/ha/decide.sql), in the cycle's transaction. Decisions are recomputed for every entity
a member (re)delivered this cycle, from every member's version staged so far, so the choice is a
function of what the members hold, not of the order cycles saw it in. Those versions and the decisions
before are read within the cycle's reach (idbmart/extract/reach.py), not from every entity kept.

Each version's rows are kept once: the chosen member's in GIDB_*, the others' in STG_* (staging
writes a new version straight to the one its member's choice says, after this step). Where the
choice changed, the formerly chosen version moves from GIDB_* to STG_* and the newly chosen one,
if an earlier run staged it, from STG_* to GIDB_*.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from idbmart import sqlfile
from idbmart.config import Deployment
from idbmart.extract import reach
from idbmart.extract.entities import KINDS
from idbmart.extract.stage import register_kinds
from idbmart.load.db import run, run_many, sql_list
from idbmart.load.mart import extracted_tables


@dataclass
class HaCounts:
    decided: int = 0
    changed: int = 0
    inserted: int = 0  # rows moved into GIDB_* because the choice changed
    deleted: int = 0  # rows moved out of GIDB_* (or dropped: their version is no longer staged)
    reasons: dict[str, int] = field(default_factory=dict)


def choose(con: duckdb.DuckDBPyConnection, run_id: int, deployment: Deployment) -> HaCounts:
    _register_inputs(con, reach.read(con), run_id, deployment)
    decide = sqlfile.render("ha/decide.sql", "duckdb", {"run_id": run_id})
    run(con, f"CREATE OR REPLACE TEMP TABLE _HA_NEW AS {decide}")
    counts = HaCounts()
    counts.decided, counts.changed = run(con, "SELECT count(*), count(PREV_SOURCE) FROM _HA_NEW")[0]
    counts.reasons = dict(run(con, "SELECT REASON, count(*) FROM _HA_NEW GROUP BY 1 ORDER BY 1"))
    run(con, "DELETE FROM CTL_HA_DECISION WHERE rowid IN (SELECT OLD_ROW_ID FROM _HA_NEW)")
    run(
        con,
        "INSERT INTO CTL_HA_DECISION BY NAME "
        "SELECT * EXCLUDE (OLD_ROW_ID, OLD_SOURCE, STAGED_RUN_ID, OLD_RUN_ID) FROM _HA_NEW",
    )
    _move_changed_choices(con, run_id, counts)
    return counts


def _move_changed_choices(con, run_id: int, counts: HaCounts) -> None:
    """Versions staged by earlier runs whose member's choice changed: the formerly chosen one's rows
    out of GIDB_* into STG_*, the newly chosen one's the other way. (Versions this run staged are
    placed by staging, and the ones they replace deleted there.) Each move names the run that staged
    the version, so DuckDB reads those runs' row groups only. A formerly chosen version that is no
    longer staged (retention removed it with its STG_ENTITY row) is dropped from GIDB_*, not moved."""
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _HA_MOVE AS
        SELECT HA_SET, ENTITY_KIND, ENTITY_KEY, OLD_SOURCE AS SOURCE_NAME, OLD_RUN_ID AS RUN, 'out' AS MOVE
        FROM _HA_NEW WHERE OLD_SOURCE <> SOURCE_NAME AND OLD_RUN_ID IS DISTINCT FROM {run_id}
        UNION ALL
        SELECT HA_SET, ENTITY_KIND, ENTITY_KEY, SOURCE_NAME, STAGED_RUN_ID, 'in'
        FROM _HA_NEW WHERE SOURCE_NAME IS DISTINCT FROM OLD_SOURCE AND STAGED_RUN_ID <> {run_id}""",
    )
    moves = run(con, "SELECT MOVE, ENTITY_KIND, list(DISTINCT RUN ORDER BY RUN) FROM _HA_MOVE GROUP BY ALL")
    for t in extracted_tables():
        table_kinds = {k.name for k in KINDS if t.name in k.tables}
        match = f"""s.HA_SET = m.HA_SET AND s.ENTITY_KEY = m.ENTITY_KEY AND s.SOURCE_NAME = m.SOURCE_NAME
                    AND m.ENTITY_KIND IN ({sql_list(sorted(table_kinds))})"""
        for move, src, dst in (("out", "GIDB", "STG"), ("in", "STG", "GIDB")):
            runs = sorted({r for m, kind, rs in moves if m == move and kind in table_kinds for r in rs} - {None})
            if not runs:
                continue
            named = ", ".join(map(str, runs))  # a literal list: zone maps skip the other runs' row groups
            these = f"{match} AND m.MOVE = '{move}' AND s.EXTRACT_RUN_ID = m.RUN AND s.EXTRACT_RUN_ID IN ({named})"
            moving = f"FROM {src}_{t.name} s JOIN _HA_MOVE m ON {these}"
            (moved,) = run(con, f"INSERT INTO {dst}_{t.name} SELECT s.* {moving}")[0]
            run(con, f"DELETE FROM {src}_{t.name} s USING _HA_MOVE m WHERE {these}")
            if move == "in":
                counts.inserted += moved
            else:
                counts.deleted += moved
        if any(None in rs for m, kind, rs in moves if m == "out" and kind in table_kinds):
            (dropped,) = run(con, f"DELETE FROM GIDB_{t.name} s USING _HA_MOVE m WHERE {match} AND m.RUN IS NULL")[0]
            counts.deleted += dropped


def _register_inputs(con, bound: reach.Reach, run_id: int, deployment: Deployment) -> None:
    """decide.sql's inputs: the touched entities' versions and decisions, read within the cycle's reach
    (the versions this run staged are named by its run), and the configured members."""
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _HA_TOUCHED AS
                   SELECT DISTINCT HA_SET, ENTITY_KIND, ENTITY_KEY FROM _X_LATEST""",
    )
    for name, table, also in (("_HA_STAGED", "STG_ENTITY", (run_id,)), ("_HA_DECIDED", "CTL_HA_DECISION", ())):
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE {name} AS SELECT s.* FROM {bound.rows(table, also)} s
            JOIN _HA_TOUCHED USING (HA_SET, ENTITY_KIND, ENTITY_KEY)""",
        )
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE _HA_MEMBER (SOURCE_NAME VARCHAR, HA_SET VARCHAR, PRIMARY_MEMBER BOOLEAN, "
        "SET_SIZE INTEGER)",
    )
    rows = [(s.name, name, s.primary, len(members)) for name, members in deployment.ha_sets().items() for s in members]
    if rows:
        run_many(con, "INSERT INTO _HA_MEMBER VALUES (?, ?, ?, ?)", rows)
    register_kinds(con)
