"""Build the star schema from GIDB for what this cycle's HA choice republished, in the cycle's transaction.

The models are the files of `sql/transform/<layer>/` (idbmart/transform/graph.py says how they declare
themselves and how their order is found). Intermediate models fill temporary tables `_T_*`; the facts
of exactly the interactions and login sessions in scope are then replaced (idbmart.load.merge.replace) so
that a rebuild is a function of GIDB alone: the same GIDB gives the same rows, whatever cycles led to
it. A row whose content did not change keeps its UPDATE_AUDIT_KEY; a changed one (late data) gets this
step's audit key, and keeps the CREATE_AUDIT_KEY of its first load. The cycle's interactions are built
a slice at a time (etl.transform_slice_interactions), so memory follows the slice, not the backlog.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

import duckdb

from idbmart.config import MAX_DIM_ATTRIBUTES, Deployment, EtlOptions, user_data_columns
from idbmart.load.audit import run_of
from idbmart.load.db import columns, run, run_many, sql_list
from idbmart.load.merge import TOUCHED_TABLES, start_touched
from idbmart.logs import progress
from idbmart.paths import SQL_DIR
from idbmart.transform import calendar, graph
from idbmart.transform.values import option_values, state_priority

# The slices of the cycle's interactions: one row per interaction, its SLICE, and the slice's
# SLICE_FROM_TS, the $ixn_from of the slice's models (sql/transform/scope/interaction_slices.sql).
SLICES = "_T_IXN_ALL"
log = logging.getLogger(__name__)


@cache
def aggregated_facts() -> frozenset[str]:
    """The facts the aggregates read (sql/aggregate/touched_all.sql): their models record the rows they
    change in _T_TOUCHED (idbmart.load.merge.replace), which is what the aggregate stage re-aggregates."""
    path = SQL_DIR / "aggregate" / "touched_all.sql"
    return frozenset(graph.tables_of(path.read_text(), str(path))[0])


@dataclass
class TransformCounts:
    interactions: int = 0
    sessions: int = 0
    inserted: int = 0
    deleted: int = 0
    changed: int = 0
    discarded: int = 0
    read_from: int = 0  # the earliest time GIDB rows of the interactions were read from (0: all were read)
    tables: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # table → inserted, deleted, changed
    agent_match: dict[str, int] = field(default_factory=dict)  # cluster agent-DN parties by outcome

    @property
    def recovery_rate(self) -> float | None:
        """Share of the cycle's SIP Cluster agent-DN parties whose agent was recovered."""
        total = sum(self.agent_match.values())
        return self.agent_match.get("recovered", 0) / total if total else None

    def read_detail(self) -> str:
        """Said after the count of interactions: from when their GIDB rows were read (the time bound)."""
        if not self.interactions:
            return ""
        if not self.read_from:
            return " (every GIDB row read)"
        return f" (GIDB rows read from {datetime.fromtimestamp(self.read_from, UTC):%Y-%m-%d %H:%M} UTC on)"

    def recovery_detail(self) -> str:
        total = sum(self.agent_match.values())
        if not total:
            return "agent recovery: no SIP Cluster agent-DN parties"
        m = self.agent_match
        return (
            f"agent recovery: {m.get('recovered', 0)} of {total} SIP Cluster agent-DN parties"
            f" ({100 * self.recovery_rate:.2f} %), {m.get('ambiguous', 0)} ambiguous,"
            f" {m.get('no_session', 0)} with no session"
        )


def transform(con: duckdb.DuckDBPyConnection, deployment: Deployment, audit_key: int) -> TransformCounts:
    """Run the transform's models (idbmart/transform/graph.py) in the order their SQL gives: those the slices
    need, each slice of the cycle's interactions, the slice's scope once more for all of them, the rest."""
    o = deployment.etl
    values = option_values(o) | {"audit_key": audit_key, "run_id": run_of(audit_key), "slice": None, "ixn_from": 0}
    _inputs(con, deployment)
    plan = graph.plan(graph.models(o))
    results = graph.Results()
    touched = aggregated_facts()
    for m in plan.before:
        graph.execute(con, m, values, results, touched)
    slices = run(con, f"SELECT SLICE, min(SLICE_FROM_TS) FROM {SLICES} GROUP BY SLICE ORDER BY SLICE")
    for k, from_ts in progress(slices, "transform: slices of interactions"):
        for m in plan.per_slice:
            graph.execute(con, m, values | {"slice": k, "ixn_from": from_ts}, results, touched)
    values["ixn_from"] = int(run(con, f"SELECT coalesce(min(SLICE_FROM_TS), 0) FROM {SLICES}")[0][0])
    for m in plan.for_all + plan.after:
        graph.execute(con, m, values, results, touched)

    counts = TransformCounts(
        interactions=results.rows.get("_T_IXN_SCOPE", 0), sessions=results.rows.get("_T_SESSION", 0),
        discarded=results.rows.get("_T_DISCARD", 0), read_from=values["ixn_from"],
    )  # fmt: skip
    for table, result in results.tables.items():
        counts.tables[table] = result
        counts.inserted += result[0]
        counts.deleted += result[1]
        counts.changed += result[2]
    counts.agent_match = dict(run(con, "SELECT AGENT_MATCH, sum(N)::BIGINT FROM _T_AGENT_MATCH GROUP BY 1"))
    log.info("transform: slowest models: %s", results.slowest())
    return counts


def drop_transform_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the transform's temporary tables but the log of changed rows once the aggregates have read
    them: the cycle's commit then
    does not write them (a 250k-call nightly's commit, two runs each: 5.5 and 6.4 s with them, 4.1 and 4.2 s
    without)."""
    work = run(con, "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, '_T_') "
                    f"AND table_name NOT IN ({sql_list(TOUCHED_TABLES)})")  # fmt: skip
    for (table,) in work:
        run(con, f'DROP TABLE "{table}"')


def _inputs(con, deployment: Deployment) -> None:
    """What the models read besides the mart: the macros, and the deployment's sources, state priority
    and user-data mappings as tables; the log of changed fact rows (_T_TOUCHED) started empty."""
    o = deployment.etl
    calendar.load_calendar(con, o)
    start_touched(con)
    run(con, "CREATE OR REPLACE TEMP TABLE _T_SRC (SOURCE_NAME VARCHAR, SIP_CLUSTER BOOLEAN)")
    run_many(con, "INSERT INTO _T_SRC VALUES (?, ?)", [(s.name, s.sip_cluster) for s in deployment.sources])
    run(con, "CREATE OR REPLACE TEMP TABLE _T_PRIORITY (STATE INTEGER, PRIORITY INTEGER)")
    run_many(con, "INSERT INTO _T_PRIORITY VALUES (?, ?)", state_priority(o))
    user_data_map(con, o)
    user_data_tables(con, o)


def user_data_map(con, o: EtlOptions) -> None:
    """_T_UD_MAP: every mapped KVP, the table and column it fills, and the rule that picks its value on a
    resource fact (the interaction's descriptor and IVR application take its last value, LAST)."""
    run(con, "CREATE OR REPLACE TEMP TABLE _T_UD_MAP (TABLE_NAME VARCHAR, COLUMN_NAME VARCHAR, KEYNAME VARCHAR, "
             "RULE VARCHAR)")  # fmt: skip
    rows = [("INTERACTION_DESCRIPTOR", c, k, "LAST") for c, k in o.descriptor_keys]
    rows.append(("IVR_APPLICATION", "IVR_APPLICATION", o.ivr_application_key, "LAST"))
    rows += [(*t.split("."), k, rule) for t, (k, rule) in user_data_columns(o).items()]
    run_many(con, "INSERT INTO _T_UD_MAP VALUES (?, ?, ?, ?)", rows)


def user_data_tables(con, o: EtlOptions) -> None:
    """The user-data tables and columns the mappings name and the mart lacks: a column per etl.cust_1_keys
    mapping, per etl.user_data_dims entry n USER_DATA_CUST_DIM_<n> and IRF_USER_DATA_KEYS.CUSTOM_KEY_<n>, and
    a CONTACT_ATTEMPT_FACT column per etl.record_fields mapping."""
    have = set(columns(con, "IRF_USER_DATA_CUST_1"))
    for c, _ in o.cust_1_keys:
        if c not in have:
            run(con, f'ALTER TABLE IRF_USER_DATA_CUST_1 ADD COLUMN "{c}" VARCHAR')
    have = set(columns(con, "CONTACT_ATTEMPT_FACT"))
    for c, _ in o.record_fields:
        if c not in have:
            run(con, f'ALTER TABLE CONTACT_ATTEMPT_FACT ADD COLUMN "{c}" VARCHAR')
    have = set(columns(con, "IRF_USER_DATA_KEYS"))
    for n in range(1, len(o.user_data_dims) + 1):
        attributes = ", ".join(f"DIM_ATTRIBUTE_{i} VARCHAR" for i in range(1, MAX_DIM_ATTRIBUTES + 1))
        run(con, f"CREATE TABLE IF NOT EXISTS USER_DATA_CUST_DIM_{n} (ID BIGINT NOT NULL, TENANT_KEY BIGINT, "
                 f"{attributes}, CREATE_AUDIT_KEY BIGINT, UPDATE_AUDIT_KEY BIGINT)")  # fmt: skip
        if f"CUSTOM_KEY_{n}" not in have:
            run(con, f"ALTER TABLE IRF_USER_DATA_KEYS ADD COLUMN CUSTOM_KEY_{n} BIGINT")
