"""RAA-style aggregates `AG2_<FAMILY>_<LEVEL>`, re-aggregated exactly where the facts changed.

Each family is one SQL file of `sql/aggregate/` giving its 15-minute rows (SUBHR) for the touched
intervals; every higher level is rolled up from the level below (HOUR from SUBHR, DAY from HOUR, WEEK
and MONTH from DAY, since weeks straddle months, QRTR from MONTH, YEAR from QRTR). A cycle recomputes
the periods of every level that hold an interval its fact changes touched (the transform records the
old and the new version of every changed fact row in _T_TOUCHED), in the cycle's transaction, so an
aggregate row always equals the same aggregation computed from scratch. The families whose rows each
read one resource's facts (agents, states) recompute only the touched resources of those periods. A
level is a sum of the one below: where that one's rows did not change in the periods touched, a cycle
leaves it and the levels above it as they are (a quiet cycle's families mostly).

Hours and longer periods follow the contact center's clock (etl.time_zone): DATE_TIME_KEY is the UTC
second the local period begins, PERIOD_START_LOCAL its local wall-clock time. When the aggregate
settings or SQL change, every AG2 table is rebuilt from scratch in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache

import duckdb

from idbmart import sqlfile
from idbmart.config import Deployment, EtlOptions
from idbmart.idb.enums import named_codes
from idbmart.load.db import columns, create_empty, run, sql_list
from idbmart.load.merge import replace
from idbmart.paths import SQL_DIR
from idbmart.sqlfile import with_values
from idbmart.transform import calendar
from idbmart.transform.graph import ModelError, header
from idbmart.transform.values import option_values

LEVELS = ("SUBHR", "HOUR", "DAY", "WEEK", "MONTH", "QRTR", "YEAR")
ROLLUP_FROM = {"HOUR": "SUBHR", "DAY": "HOUR", "WEEK": "DAY", "MONTH": "DAY", "QRTR": "MONTH", "YEAR": "QRTR"}


@dataclass(frozen=True)
class Family:
    name: str  # AG2_<name>_<level>; its SUBHR rows come from sql/aggregate/<name lower-case>.sql
    source: str  # which touched intervals it recomputes: one of SOURCES
    dims: tuple[str, ...]  # its grain, besides DATE_TIME_KEY (never NULL: -1 where unknown)

    def table(self, level: str) -> str:
        return f"AG2_{self.name}_{level}"

    @property
    def by_resource(self) -> bool:
        """Re-aggregated per (period, RESOURCE_KEY) touched, not per period: each row reads only its own
        resource's fact rows (sql/aggregate/touched.sql)."""
        return self.source in RESOURCE_FACTS

    @property
    def keys(self) -> tuple[str, ...]:
        return ("DATE_TIME_KEY", *self.dims)


# The sources whose families re-aggregate per resource, and the facts holding those resources' rows.
RESOURCE_FACTS = {
    "agents": ("INTERACTION_RESOURCE_FACT",),
    "states": ("SM_RES_STATE_FACT", "SM_RES_STATE_REASON_FACT", "SM_RES_SESSION_FACT"),
    "handling": ("IXN_RESOURCE_STATE_FACT",),
}
SOURCES = ("interactions", "agents", "states", "handling", "attempts")


def _families() -> tuple[Family, ...]:
    """A family per file of sql/aggregate/ whose header declares it:

    -- family: AGENT                       its tables are AG2_AGENT_<LEVEL>
    -- source: agents                      which touched intervals it recomputes (SOURCES)
    -- grain: RESOURCE_KEY, TENANT_KEY     its dimensions, besides DATE_TIME_KEY
    """
    found = []
    for path in sorted((SQL_DIR / "aggregate").glob("*.sql")):
        h = header(path.read_text(), str(path.relative_to(SQL_DIR.parent)), ("family", "source", "grain"))
        if not h:
            continue  # a helper of the stage (touched.sql, periods.sql, the measures)
        if h.get("source") not in SOURCES or path.stem != h.get("family", "").lower() or not h.get("grain"):
            raise ModelError(f"{path}: a family's header names it after its file, its source "
                             f"({', '.join(SOURCES)}) and its grain")  # fmt: skip
        found.append(Family(h["family"], h["source"], tuple(c.strip() for c in h["grain"].split(","))))
    return tuple(found)


FAMILIES = _families()


@dataclass
class AggregateCounts:
    mode: str = "incremental"  # incremental, full (first run or settings changed), window
    reason: str = ""
    intervals: dict[str, int] = field(default_factory=dict)  # source → touched 15-minute intervals
    resources: dict[str, int] = field(default_factory=dict)  # source → resources whose rows were recomputed
    inserted: int = 0
    deleted: int = 0
    changed: int = 0
    tables: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def touched(self) -> int:
        return sum(self.intervals.values())

    def plus(self, other: AggregateCounts) -> AggregateCounts:
        """Two passes in one run (a backfill's cycle, then its window), counted together."""
        return AggregateCounts(
            f"{self.mode} + {other.mode}", self.reason or other.reason, _add(self.intervals, other.intervals),
            _add(self.resources, other.resources), self.inserted + other.inserted, self.deleted + other.deleted,
            self.changed + other.changed, {**self.tables, **other.tables},
        )  # fmt: skip

    def detail(self) -> str:
        what = ", ".join(
            f"{n} {s} intervals" + (f" ({self.resources[s]} resources)" if s in self.resources else "")
            for s, n in self.intervals.items()
        )
        return f"{self.mode}{f' ({self.reason})' if self.reason else ''}: {what or 'no intervals'} re-aggregated"


def model(name: str, o: EtlOptions | None = None) -> str:
    """sql/aggregate/<name>.sql with the run-level values it reads (idbmart/transform/values.py) written in."""
    return with_values(
        sqlfile.text(f"aggregate/{name}.sql"), option_values(o) if o else {}, f"sql/aggregate/{name}.sql"
    )


def aggregate(
    con: duckdb.DuckDBPyConnection,
    deployment: Deployment,
    audit_key: int,
    full: bool = False,
    window: tuple[int, int] | None = None,
) -> AggregateCounts:
    """Re-aggregate what the cycle's transform touched (in the caller's transaction); `full`
    recomputes everything from the facts, `window` = (from, to) UTC seconds every interval in it."""
    counts = AggregateCounts()
    load_macros(con, deployment.etl)
    fingerprint = _fingerprint(deployment)
    stored = run(con, "SELECT FINGERPRINT FROM CTL_AGGREGATE_SETTINGS")
    if full or not stored or stored[0][0] != fingerprint:
        counts.mode = "full"
        counts.reason = "requested" if full else "first run" if not stored else "aggregate settings changed"
        for f in FAMILIES:
            for level in LEVELS:
                run(con, f"DROP TABLE IF EXISTS {f.table(level)}")
        run(con, f"CREATE OR REPLACE TEMP TABLE _AG_TOUCHED AS {model('touched_all', deployment.etl)}")
        run(con, "DELETE FROM CTL_AGGREGATE_SETTINGS")
        run(
            con,
            "INSERT INTO CTL_AGGREGATE_SETTINGS VALUES (?, ?, ?, ?)",
            [fingerprint, deployment.etl.time_zone, _settings_text(deployment), audit_key],
        )
    elif window is not None:
        counts.mode = "window"
        lo, hi = window
        # Every interval of the window; for the per-resource sources, every resource with fact rows or
        # aggregate rows (which may be gone from the facts since) in any interval: all, to be sure.
        have = _aggregate_tables(con)
        per_resource = [
            f"SELECT '{source}' AS SOURCE, RESOURCE_KEY FROM {t}"
            for source, facts in RESOURCE_FACTS.items()
            for t in [*facts, *(f.table(v) for f in FAMILIES if f.source == source for v in LEVELS)]
            if t in facts or t in have
        ]
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _AG_TOUCHED AS
            WITH k AS (SELECT unnest(range({int(lo) // 900 * 900}, {int(hi)}, 900)) AS DATE_TIME_KEY)
            SELECT s.SOURCE, k.DATE_TIME_KEY, NULL::BIGINT AS RESOURCE_KEY
            FROM (VALUES ('interactions'), ('attempts')) AS s(SOURCE), k
            UNION ALL
            SELECT r.SOURCE, k.DATE_TIME_KEY, r.RESOURCE_KEY FROM k, ({" UNION ".join(per_resource)}) AS r""",
        )
    else:
        run(con, f"CREATE OR REPLACE TEMP TABLE _AG_TOUCHED AS {model('touched', deployment.etl)}")
    counts.intervals = dict(
        run(con, "SELECT SOURCE, count(DISTINCT DATE_TIME_KEY) FROM _AG_TOUCHED GROUP BY 1 ORDER BY 1")
    )
    counts.resources = dict(
        run(con, f"SELECT SOURCE, count(DISTINCT RESOURCE_KEY) FROM _AG_TOUCHED WHERE SOURCE IN "
                 f"({sql_list(RESOURCE_FACTS)}) GROUP BY 1 ORDER BY 1")
    )  # fmt: skip
    run(con, f"CREATE OR REPLACE TEMP TABLE _AG_PERIOD AS {model('periods', deployment.etl)}")
    run(con, f"CREATE OR REPLACE TEMP TABLE _AG_UD AS {_user_data_keys(con, deployment.etl)}")
    run(con, f"CREATE OR REPLACE TEMP TABLE _AG_IRF AS {model('irf_measures', deployment.etl)}")
    run(con, f"CREATE OR REPLACE TEMP TABLE _AG_MSF AS {model('msf_measures', deployment.etl)}")

    have = _aggregate_tables(con)
    for f in FAMILIES:
        rows = (
            "(SELECT DATE_TIME_KEY, local_time(DATE_TIME_KEY) AS PERIOD_START_LOCAL, * EXCLUDE (DATE_TIME_KEY) "
            f"FROM ({model(f.name.lower(), deployment.etl)}))"
        )
        if not {f.table(level) for level in LEVELS} <= have:
            _create_tables(con, f, rows)
        if not counts.intervals.get(f.source):
            continue  # nothing this family reads changed
        skip = {*f.keys, "PERIOD_START_LOCAL", "CREATE_AUDIT_KEY", "UPDATE_AUDIT_KEY"}
        measures = [c for (c,) in run(con, f"SELECT column_name FROM (DESCRIBE {f.table('SUBHR')})") if c not in skip]
        changed = set(LEVELS)  # the levels whose rows changed in the periods touched
        for level in LEVELS:
            if counts.mode == "incremental" and ROLLUP_FROM.get(level, level) not in changed:
                changed.discard(level)  # rolled up from rows that did not change: it holds the same rows
                continue
            new = rows if level == "SUBHR" else _rollup(f, level, measures)
            periods = f"_AG_PERIOD WHERE SOURCE = '{f.source}' AND LEVEL = '{level}'"
            if f.by_resource:
                scope = f"(DATE_TIME_KEY, RESOURCE_KEY) IN (SELECT PERIOD_START, RESOURCE_KEY FROM {periods})"
            else:
                scope = f"DATE_TIME_KEY IN (SELECT PERIOD_START FROM {periods})"
            result = replace(con, f.table(level), f.keys, new, scope, audit_key)
            counts.tables[f.table(level)] = result
            if not any(result):
                changed.discard(level)
            counts.inserted += result[0]
            counts.deleted += result[1]
            counts.changed += result[2]
    lo, hi = run(con, "SELECT min(PERIOD_START), max(PERIOD_START) FROM _AG_PERIOD")[0]
    if lo is not None:  # every period key resolves in DATE_TIME (local days, weeks, years included)
        calendar.fill_date_time(con, deployment.etl, lo, hi)
    return counts


def load_macros(con, o: EtlOptions) -> None:
    """The aggregate SQL's macros (time buckets, state time), beside the calendar's."""
    calendar.load_calendar(con, o)  # interval_key, overlap_s, the local periods
    run(con, model("macros", o))


def _settings_text(deployment: Deployment) -> str:
    o = deployment.etl
    return json.dumps(
        {
            "time_zone": o.time_zone,
            "week_start": o.week_start,
            "week_numbering": o.week_numbering,
            "service_level_threshold_s": o.service_level_threshold_s,
            "short_engage_threshold_s": o.short_engage_threshold_s,
            "queue_time_buckets_s": list(o.queue_time_buckets_s),
            "max_state_duration_s": o.max_state_duration_s,
            "aggregate_user_data_dims": list(o.aggregate_user_data_dims),
        },
        sort_keys=True,
    )


def _fingerprint(deployment: Deployment) -> str:
    """What the aggregates are a function of besides the facts: the settings and the SQL itself."""
    return hashlib.sha256((_settings_text(deployment) + _sql_digest()).encode()).hexdigest()[:16]


@cache
def _sql_digest() -> str:
    h = hashlib.sha256()
    for path in [*sorted((SQL_DIR / "aggregate").glob("*.sql")), SQL_DIR / "transform" / "calendar.sql"]:
        h.update(named_codes(path.read_text()).encode())
    return h.hexdigest()


def _user_data_keys(con, o: EtlOptions) -> str:
    """_AG_UD: the custom user-data dimension keys the agent and queue rows are split by (RAA's
    USER_DATA_KEY1/2: IRF_USER_DATA_KEYS.CUSTOM_KEY_<n> of etl.aggregate_user_data_dims) of the facts in
    the touched intervals, by INTERACTION_RESOURCE_ID (an IRF's, or an MSF's with etl.msf_user_data)."""
    have = set(columns(con, "IRF_USER_DATA_KEYS"))
    keys = [f"CUSTOM_KEY_{n}" if f"CUSTOM_KEY_{n}" in have else "NULL" for n in o.aggregate_user_data_dims]
    keys += ["NULL"] * (2 - len(keys))
    return f"""SELECT INTERACTION_RESOURCE_ID AS ID, {keys[0]}::BIGINT AS USER_DATA_KEY1,
          {keys[1]}::BIGINT AS USER_DATA_KEY2
        FROM IRF_USER_DATA_KEYS
        WHERE {"TRUE" if o.aggregate_user_data_dims else "FALSE"}
          AND START_DATE_TIME_KEY IN (SELECT DATE_TIME_KEY FROM _AG_TOUCHED)"""


def _create_tables(con, f: Family, rows: str) -> None:
    """Every level's table has the SUBHR query's columns plus the audit keys."""
    query = f"SELECT *, NULL::BIGINT AS CREATE_AUDIT_KEY, NULL::BIGINT AS UPDATE_AUDIT_KEY FROM {rows}"
    for level in LEVELS:
        create_empty(con, f.table(level), query)


def _rollup(f: Family, level: str, measures: list[str]) -> str:
    """The rows of `level` for its touched periods, summed from the level below."""
    child = f.table(ROLLUP_FROM[level])
    dims = "".join(f', c."{d}"' for d in f.dims)
    sums = "".join(f', sum(c."{m}")::BIGINT AS "{m}"' for m in measures)
    resource = " AND c.RESOURCE_KEY = p.RESOURCE_KEY" if f.by_resource else ""
    return f"""(SELECT p.PERIOD_START AS DATE_TIME_KEY, local_time(p.PERIOD_START) AS PERIOD_START_LOCAL{dims}{sums}
        FROM {child} AS c JOIN _AG_PERIOD AS p
          ON p.SOURCE = '{f.source}' AND p.LEVEL = '{level}'{resource}
         AND c.DATE_TIME_KEY >= p.PERIOD_START AND c.DATE_TIME_KEY < p.PERIOD_END
        GROUP BY ALL)"""


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in {**a, **b}}


def _aggregate_tables(con) -> set[str]:
    return {n for (n,) in run(con, "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, 'AG2_')")}
