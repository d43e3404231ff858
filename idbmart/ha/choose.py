"""The HA choice: for each entity touched this cycle, which member of its HA set its rows come from.

Set-based (sql/ha/decide.sql), in the cycle's transaction. Decisions are recomputed for every entity
a member (re)delivered this cycle, from every member's version staged so far, so the choice is a
function of what the members hold, not of the order cycles saw it in. Those versions and the decisions
before are read within the cycle's reach (idbmart/extract/reach.py), not from every entity kept.

Each version is recorded in STG_ENTITY (the evidence), but only the chosen member's rows are kept, in
GIDB_* (staging writes a new version's rows there after this step, and nowhere if another member was
chosen): an HA pair's rows are written once, not once per member. Where the choice changed to a
version this cycle delivered, the formerly chosen version's rows leave GIDB_*. Where the rule picks a
version whose rows are held nowhere (an earlier run's, of a member not chosen then), the member holding
rows stays chosen for now and the other is asked to deliver the entity again (STG_HA_REREAD): the next
cycle that reads that member reads it by key, and the choice moves with its rows. A member asked that
no longer holds the entity (ICON purged it) has its version forgotten.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import duckdb

from idbmart import sqlfile
from idbmart.config import Deployment
from idbmart.extract import reach
from idbmart.extract.entities import KINDS
from idbmart.extract.incremental import SourceExtract
from idbmart.extract.stage import register_kinds
from idbmart.load.db import run, run_many, sql_list
from idbmart.load.mart import extracted_tables

log = logging.getLogger(__name__)


@dataclass
class HaCounts:
    decided: int = 0
    changed: int = 0
    deleted: int = 0  # rows of formerly chosen versions dropped from GIDB_* because the choice changed
    reasons: dict[str, int] = field(default_factory=dict)
    rereads: int = 0  # entities a member is asked to deliver again (its version would be chosen)
    not_held: int = 0  # versions forgotten: their member, asked, no longer holds the entity


def choose(
    con: duckdb.DuckDBPyConnection, run_id: int, deployment: Deployment, asked: list[SourceExtract] = ()
) -> HaCounts:
    """Decide every touched entity; `asked`: the sources read this cycle, with the entities each was
    asked to deliver again (SourceExtract.rereads)."""
    counts = HaCounts()
    _forget_not_held(con, asked, counts)
    _register_inputs(con, reach.read(con), run_id, deployment)
    decide = sqlfile.render("ha/decide.sql", "duckdb", {"run_id": run_id})
    run(con, f"CREATE OR REPLACE TEMP TABLE _HA_NEW AS {decide}")
    counts.decided, counts.changed = run(con, "SELECT count(*), count(PREV_SOURCE) FROM _HA_NEW")[0]
    counts.reasons = dict(run(con, "SELECT REASON, count(*) FROM _HA_NEW GROUP BY 1 ORDER BY 1"))
    run(con, "DELETE FROM CTL_HA_DECISION WHERE rowid IN (SELECT OLD_ROW_ID FROM _HA_NEW)")
    run(
        con,
        "INSERT INTO CTL_HA_DECISION BY NAME "
        "SELECT * EXCLUDE (OLD_ROW_ID, OLD_SOURCE, STAGED_RUN_ID, OLD_RUN_ID, AWAIT_SOURCE) FROM _HA_NEW",
    )
    _drop_former_choices(con, run_id, counts)
    _ask_again(con, run_id, counts)
    return counts


def _drop_former_choices(con, run_id: int, counts: HaCounts) -> None:
    """Where the choice changed, the formerly chosen version's rows leave GIDB_* (the newly chosen one
    is this run's: staging writes it). A version this run replaced was deleted by staging already; the
    others are found by the run that staged them, so DuckDB reads those runs' row groups only. One that
    is no longer staged (retention removed its STG_ENTITY row) is found by key alone."""
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _HA_DROP AS
        SELECT HA_SET, ENTITY_KIND, ENTITY_KEY, OLD_SOURCE AS SOURCE_NAME, OLD_RUN_ID AS RUN
        FROM _HA_NEW WHERE OLD_SOURCE <> SOURCE_NAME AND OLD_RUN_ID IS DISTINCT FROM {run_id}""",
    )
    drops = run(con, "SELECT ENTITY_KIND, list(DISTINCT RUN ORDER BY RUN) FROM _HA_DROP GROUP BY ALL")
    for t in extracted_tables():
        table_kinds = {k.name for k in KINDS if t.name in k.tables}
        match = f"""s.HA_SET = m.HA_SET AND s.ENTITY_KEY = m.ENTITY_KEY AND s.SOURCE_NAME = m.SOURCE_NAME
                    AND m.ENTITY_KIND IN ({sql_list(sorted(table_kinds))})"""
        runs = sorted({r for kind, rs in drops if kind in table_kinds for r in rs} - {None})
        if runs:
            named = ", ".join(map(str, runs))  # a literal list: zone maps skip the other runs' row groups
            these = f"{match} AND s.EXTRACT_RUN_ID = m.RUN AND s.EXTRACT_RUN_ID IN ({named})"
            counts.deleted += run(con, f"DELETE FROM GIDB_{t.name} s USING _HA_DROP m WHERE {these}")[0][0]
        if any(None in rs for kind, rs in drops if kind in table_kinds):
            unstaged = f"DELETE FROM GIDB_{t.name} s USING _HA_DROP m WHERE {match} AND m.RUN IS NULL"
            counts.deleted += run(con, unstaged)[0][0]


def _forget_not_held(con, asked: list[SourceExtract], counts: HaCounts) -> None:
    """Before the choice: the requests of STG_HA_REREAD the members delivered cleared (asked or not: a
    backfill reads everything), and those asked of a source read this cycle that it did not deliver
    too: that member no longer holds the entity (ICON purged it), so its version is forgotten, and
    the choice is made among the versions whose rows can be had."""
    same = "s.SOURCE_NAME = g.SOURCE_NAME AND s.ENTITY_KIND = g.ENTITY_KIND AND s.ENTITY_KEY = g.ENTITY_KEY"
    if not run(con, "SELECT count(*) FROM STG_HA_REREAD")[0][0]:
        return
    run(con, f"DELETE FROM STG_HA_REREAD s USING _X_LATEST g WHERE {same}")
    rows = [(r.source.name, kind, key) for r in asked if r.ok for kind, keys in r.rereads.items() for key in keys]
    if not rows:
        return
    run(con, "CREATE OR REPLACE TEMP TABLE _HA_GONE (SOURCE_NAME VARCHAR, ENTITY_KIND VARCHAR, ENTITY_KEY VARCHAR)")
    run_many(con, "INSERT INTO _HA_GONE VALUES (?, ?, ?)", rows)
    run(con, "DELETE FROM _HA_GONE s USING _X_LATEST g WHERE " + same)
    gone = run(con, "SELECT SOURCE_NAME, ENTITY_KIND, ENTITY_KEY FROM _HA_GONE ORDER BY ALL")
    for source, kind, key in gone[:5]:
        log.warning("HA: %s, asked for %s %s again, no longer holds it: its version is forgotten", source, kind, key)
    if gone:
        (counts.not_held,) = run(con, f"DELETE FROM STG_ENTITY s USING _HA_GONE g WHERE {same}")[0]
        run(con, f"DELETE FROM STG_ENTITY_OPEN s USING _HA_GONE g WHERE {same}")
        run(con, f"DELETE FROM STG_HA_REREAD s USING _HA_GONE g WHERE {same}")


def _ask_again(con, run_id: int, counts: HaCounts) -> None:
    """The members whose versions the rule picks but whose rows are held nowhere asked to deliver the
    entity again (STG_HA_REREAD), once."""
    (counts.rereads,) = run(
        con,
        f"""INSERT INTO STG_HA_REREAD
        SELECT n.AWAIT_SOURCE, n.HA_SET, n.ENTITY_KIND, n.ENTITY_KEY, {run_id} FROM _HA_NEW n
        WHERE n.AWAIT_SOURCE IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM STG_HA_REREAD r WHERE r.SOURCE_NAME = n.AWAIT_SOURCE
                          AND r.ENTITY_KIND = n.ENTITY_KIND AND r.ENTITY_KEY = n.ENTITY_KEY)""",
    )[0]


def _register_inputs(con, bound: reach.Reach, run_id: int, deployment: Deployment) -> None:
    """decide.sql's inputs: the touched entities' versions and decisions, read within the cycle's reach
    (the versions this run staged are named by its run), and the configured members."""
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _HA_TOUCHED AS
                   SELECT DISTINCT HA_SET, ENTITY_KIND, ENTITY_KEY FROM _X_LATEST""",
    )
    run(  # this run's versions: whether their rows were read (an HA set's other member's may not be)
        con,
        f"""CREATE OR REPLACE TEMP TABLE _HA_STAGED AS
        SELECT s.*, NOT EXISTS (SELECT 1 FROM _X_LATEST l WHERE NOT l.ROWS_READ AND s.RUN_ID = {run_id}
                                AND l.SOURCE_NAME = s.SOURCE_NAME AND l.ENTITY_KIND = s.ENTITY_KIND
                                AND l.ENTITY_KEY = s.ENTITY_KEY) AS ROWS_READ
        FROM {bound.rows("STG_ENTITY", (run_id,))} s
        JOIN _HA_TOUCHED USING (HA_SET, ENTITY_KIND, ENTITY_KEY)""",
    )
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _HA_DECIDED AS SELECT s.* FROM {bound.rows("CTL_HA_DECISION")} s
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
