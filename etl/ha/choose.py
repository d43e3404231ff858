"""The HA choice: for each entity touched this cycle, which member of its HA set its rows come from.

Set-based (sql/ha/decide.sql), in the cycle's transaction. Decisions are recomputed for every entity
a member (re)delivered this cycle, from every member's version staged so far, so the choice is a
function of what the members hold, not of the order cycles saw it in. GIDB_* then gets the chosen
member's rows of those entities whose choice or chosen version changed (the rest are there already).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from etl import sqlfile
from etl.config import Deployment
from etl.extract.entities import KINDS
from etl.extract.stage import register_kinds
from etl.load.mart import extracted_tables, run, run_many, sql_list


@dataclass
class HaCounts:
    decided: int = 0
    changed: int = 0
    inserted: int = 0
    deleted: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def choose(con: duckdb.DuckDBPyConnection, run_id: int, deployment: Deployment) -> HaCounts:
    _register_inputs(con, deployment)
    decide = sqlfile.render("ha/decide.sql", "duckdb", {"run_id": run_id})
    run(con, f"CREATE OR REPLACE TEMP TABLE _HA_NEW AS {decide}")
    counts = HaCounts()
    counts.decided, counts.changed = con.execute("SELECT count(*), count(PREV_SOURCE) FROM _HA_NEW").fetchall()[0]
    counts.reasons = dict(con.execute("SELECT REASON, count(*) FROM _HA_NEW GROUP BY 1 ORDER BY 1").fetchall())
    run(
        con,
        """DELETE FROM CTL_HA_DECISION d USING _HA_NEW n WHERE d.HA_SET = n.HA_SET
                   AND d.ENTITY_KIND = n.ENTITY_KIND AND d.ENTITY_KEY = n.ENTITY_KEY""",
    )
    run(con, "INSERT INTO CTL_HA_DECISION BY NAME SELECT * EXCLUDE (REFRESH, STAGED_RUN_ID) FROM _HA_NEW")
    # GIDB changes only where another member was chosen or the chosen member's version was staged by
    # this run. Its rows are found among the rows staged by the runs that staged those versions (this
    # one, nearly always): the scan reads those runs' row groups, not all of STG_* (which grows all day).
    runs = [r for (r,) in run(con, "SELECT DISTINCT STAGED_RUN_ID FROM _HA_NEW WHERE REFRESH ORDER BY 1")]
    touched_kinds = {k for (k,) in run(con, "SELECT DISTINCT ENTITY_KIND FROM _HA_NEW WHERE REFRESH")}
    for t in extracted_tables():
        table_kinds = [k.name for k in KINDS if t.name in k.tables]
        if not touched_kinds.intersection(table_kinds):
            continue
        kinds = sql_list(table_kinds)
        counts.deleted += run(
            con,
            f"""DELETE FROM GIDB_{t.name} g USING _HA_NEW n
            WHERE g.HA_SET = n.HA_SET AND g.ENTITY_KEY = n.ENTITY_KEY AND n.ENTITY_KIND IN ({kinds}) AND n.REFRESH""",
        )[0][0]
        counts.inserted += run(
            con,
            f"""INSERT INTO GIDB_{t.name}
            SELECT s.* FROM STG_{t.name} s JOIN _HA_NEW n ON s.HA_SET = n.HA_SET AND s.ENTITY_KEY = n.ENTITY_KEY
            AND s.SOURCE_NAME = n.SOURCE_NAME AND n.ENTITY_KIND IN ({kinds}) AND n.REFRESH
            WHERE s.EXTRACT_RUN_ID IN ({", ".join(map(str, runs))})""",
        )[0][0]
    return counts


def _register_inputs(con, deployment: Deployment) -> None:
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _HA_TOUCHED AS
                   SELECT DISTINCT HA_SET, ENTITY_KIND, ENTITY_KEY FROM _X_LATEST""",
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
