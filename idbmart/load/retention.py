"""Nightly maintenance of the mart: retention of working layers and history, the calendar ahead.

Retention is measured on the sources' own clock (the newest TIME_TO any source reported), so a mart
rebuilt from old snapshots keeps what those snapshots hold. The facts, dimensions and aggregates are
reporting data and are never removed here; what goes is the working state behind them:
- GIDB_*, STG_* rows, STG_ENTITY and CTL_HA_DECISION of entities that ended before the GIDB horizon.
  An entity is only rebuilt when a source delivers it again; one that does so after this horizon is
  rebuilt from what is left (set `gidb_days` beyond any late delivery you expect). Configuration is
  not among them: every cycle rebuilds the dimensions from all of it, and the facts, which stay, point
  at those rows (an agent unchanged for `gidb_days` would otherwise leave RESOURCE_, and the next
  cycle's gate would fail). Info Mart, too, keeps configuration until it is deleted, and then for
  `days-to-keep-cfg-facts` (400 days by default); here a deleted object's row is kept as well;
- STG_TRANSFORM_DISCARDS rows older than `discards_days` (by the run that wrote them);
- CTL_AUDIT_LOG, CTL_QUALITY_RESULT and CTL_EXTRACT_HISTORY older than `history_days`, except each
  source's latest window, which is its mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from idbmart.config import Deployment
from idbmart.extract.entities import KINDS
from idbmart.load.db import run, sql_list
from idbmart.load.mart import extracted_tables
from idbmart.transform.calendar import fill_date_time

DAY = 86_400
PURGED_KINDS = tuple(k for k in KINDS if k.role != "cfg")  # the entities `gidb_days` applies to


@dataclass
class RetentionCounts:
    as_of: int | None = None  # the sources' clock the horizons are measured from
    deleted: dict[str, int] = field(default_factory=dict)  # table → rows removed

    def detail(self) -> str:
        gone = ", ".join(f"{t} {n}" for t, n in self.deleted.items() if n) or "nothing"
        return f"as of source clock {self.as_of}: removed {gone}"


def purge(con: duckdb.DuckDBPyConnection, deployment: Deployment) -> RetentionCounts:
    counts = RetentionCounts(run(con, "SELECT max(TIME_TO) FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'ok'")[0][0])
    if counts.as_of is None:
        return counts
    r = deployment.retention
    gidb_cut, discard_cut, history_cut = (
        counts.as_of - days * DAY for days in (r.gidb_days, r.discards_days, r.history_days)
    )

    def delete(table: str, where: str, params=()) -> None:
        counts.deleted[table] = counts.deleted.get(table, 0) + int(
            con.execute(f"DELETE FROM {table} WHERE {where}", list(params)).fetchall()[0][0]
        )

    for t in extracted_tables():
        kinds = sql_list(k.name for k in PURGED_KINDS if t.name in k.tables)
        if kinds == "":  # a configuration table
            continue
        delete(f"GIDB_{t.name}", f"""(HA_SET, ENTITY_KEY) IN (SELECT HA_SET, ENTITY_KEY FROM CTL_HA_DECISION
                                     WHERE END_TS < ? AND ENTITY_KIND IN ({kinds}))""", [gidb_cut])  # fmt: skip
        delete(f"STG_{t.name}", f"""(SOURCE_NAME, ENTITY_KEY) IN (SELECT SOURCE_NAME, ENTITY_KEY FROM STG_ENTITY
                                    WHERE END_TS < ? AND ENTITY_KIND IN ({kinds}))""", [gidb_cut])  # fmt: skip
    purged = f"END_TS < ? AND ENTITY_KIND IN ({sql_list(k.name for k in PURGED_KINDS)})"
    delete("CTL_HA_DECISION", purged, [gidb_cut])
    delete("STG_ENTITY", purged, [gidb_cut])
    old_runs = "RUN_ID IN (SELECT RUN_ID FROM CTL_AUDIT_LOG WHERE epoch(STARTED_AT) < ?)"
    delete("STG_TRANSFORM_DISCARDS", old_runs, [discard_cut])
    delete("CTL_QUALITY_RESULT", "epoch(CHECKED_AT) < ?", [history_cut])
    delete("CTL_EXTRACT_HISTORY", """epoch(STARTED_AT) < ? AND RUN_ID < (SELECT max(RUN_ID) FROM CTL_EXTRACT_HISTORY h
              WHERE h.SOURCE_NAME = CTL_EXTRACT_HISTORY.SOURCE_NAME AND h.STATUS = 'ok')""", [history_cut])  # fmt: skip
    delete("CTL_AUDIT_LOG", "epoch(STARTED_AT) < ?", [history_cut])
    return counts


def fill_ahead(con: duckdb.DuckDBPyConnection, deployment: Deployment, now: int) -> tuple[int, int]:
    """DATE_TIME from the newest data's day to at least `date_time_ahead_days` past the later of now
    and the newest data, so that reports of today and the coming weeks find their calendar rows."""
    newest = run(con, "SELECT max(TIME_TO) FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'ok'")[0][0] or now
    lo, hi = newest // DAY * DAY, max(now, newest) + deployment.retention.date_time_ahead_days * DAY
    fill_date_time(con, deployment.etl, lo, hi)
    return lo, hi
