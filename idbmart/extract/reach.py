"""How far back a cycle reads the staged versions and HA decisions of the entities it touched.

Staging replaces a member's earlier version of each entity it delivers again, and the HA choice
weighs every member's version against the decision before; both look the cycle's entities up by
key. DuckDB uses no index for a join and the keys (call UUIDs, session keys) give its zone maps
nothing to skip, so a look-up by key alone reads all of STG_ENTITY and CTL_HA_DECISION: every
version `[retention] gidb_days` keeps. Time bounds them instead, by a rule of the data:

  Two versions of one entity overlap in time: the two members of an HA pair see one call (one
  login session, one campaign load), and a member that reads an entity again reads it from the
  same start. A version still open (END_TS NULL: stuck, or a chat still active) reaches on.

So a version of a touched entity either ended at or after `lo`, the earliest START_TS among the
versions the cycle delivered less SLACK_S, or is open. (The slack: each ICON stamps times by its
own host's clock, and Genesys documents no bound on how far an HA pair's clocks may disagree.)
Open versions are few but spread over every day kept (a call stuck for good stays until its
member sees it end), so STG_ENTITY_OPEN lists them with the run that staged each, and they are
read by run. An HA decision's END_TS is the latest end of the closed versions it weighed, so it
too ended at or after `lo`, unless it weighed open versions only; then the run that made it
staged the latest of them (every run decides every entity it staged), which is still open and
listed. Both tables are appended in run order and a version ends before the run that stages it,
so rows that ended before `lo` sit in older row groups, which the zone maps of END_TS skip; the
open versions' runs are named, which skips the other runs' row groups.
tests/extract/test_reach.py checks it on a mart holding other days.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from idbmart.load.db import run

SLACK_S = 3600  # an hour of clock disagreement between members: about one row group of a 1M-call day


@dataclass(frozen=True)
class Reach:
    """The cycle's bound: rows ending at or after `lo` (None: a version the cycle delivered has no
    START_TS, so nothing bounds it), and the runs that staged the open versions of its entities.
    A cycle that delivered nothing (`touched` 0) has nothing to look up."""

    lo: int | None
    open_runs: tuple[int, ...]
    touched: int

    def rows(self, table: str, also_runs: tuple[int, ...] = ()) -> str:
        """`table` (STG_ENTITY or CTL_HA_DECISION: END_TS, RUN_ID) as far as the cycle can need it,
        as a subquery with each row's ROW_ID (its rowid, for a delete by row). Two scans, not one with
        an OR: DuckDB skips row groups by one column's zone maps per filter."""
        if not self.touched or self.lo is None:
            return f"(SELECT *, rowid AS ROW_ID FROM {table}{'' if self.touched else ' WHERE FALSE'})"
        runs = sorted({*self.open_runs, *also_runs})
        named = f" UNION ALL SELECT *, rowid AS ROW_ID FROM {table} WHERE (END_TS >= {self.lo}) IS NOT TRUE " \
                f"AND RUN_ID IN ({', '.join(map(str, runs))})" if runs else ""  # fmt: skip
        return f"(SELECT *, rowid AS ROW_ID FROM {table} WHERE END_TS >= {self.lo}{named})"


def measure(con: duckdb.DuckDBPyConnection) -> Reach:
    """The bound of the versions in `_X_LATEST`, taken before staging replaces any (the open versions
    they replace are among those to read), kept in `_X_REACH` for the HA choice."""
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _X_REACH AS
        SELECT CASE WHEN count(*) = count(START_TS) THEN min(START_TS) - {SLACK_S} END AS LO,
               (SELECT coalesce(list(DISTINCT o.RUN_ID ORDER BY o.RUN_ID), []) FROM STG_ENTITY_OPEN o
                JOIN (SELECT DISTINCT HA_SET, ENTITY_KIND, ENTITY_KEY FROM _X_LATEST) AS t
                  USING (HA_SET, ENTITY_KIND, ENTITY_KEY)) AS OPEN_RUNS,
               count(*) AS TOUCHED
        FROM _X_LATEST""",
    )
    return read(con)


def read(con: duckdb.DuckDBPyConnection) -> Reach:
    lo, open_runs, touched = run(con, "SELECT LO, OPEN_RUNS, TOUCHED FROM _X_REACH")[0]
    return Reach(lo, tuple(open_runs), touched)


def keep_open(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """STG_ENTITY_OPEN after staging: the versions replaced gone, the new ones still open listed."""
    run(
        con,
        """DELETE FROM STG_ENTITY_OPEN o USING _X_LATEST l WHERE o.SOURCE_NAME = l.SOURCE_NAME
           AND o.ENTITY_KIND = l.ENTITY_KIND AND o.ENTITY_KEY = l.ENTITY_KEY""",
    )
    run(
        con,
        f"""INSERT INTO STG_ENTITY_OPEN SELECT SOURCE_NAME, HA_SET, ENTITY_KIND, ENTITY_KEY, {run_id}
        FROM _X_LATEST WHERE END_TS IS NULL""",
    )
