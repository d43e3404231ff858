"""Build the star schema from GIDB for what this cycle's HA choice republished, in the cycle's transaction.

Each model is one SQL file of `sql/transform/`, run into a temporary table `_T_<MODEL>`; the facts of
exactly the interactions and login sessions in scope are then replaced (etl.load.mart.replace) so that a
rebuild is a function of GIDB alone: the same GIDB gives the same rows, whatever cycles led to it. A
row whose content did not change keeps its UPDATE_AUDIT_KEY; a changed one (late data) gets this
step's audit key, and keeps the CREATE_AUDIT_KEY of its first load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from etl.config import AGENT_STATES, Deployment
from etl.extract.entities import BOUND_SLACK_S, PLAUSIBLE_FROM_TS, PLAUSIBLE_SPAN_S
from etl.idb.enums import AgentState, CallType, PartyRole, PartyType
from etl.load.audit import run_of
from etl.load.mart import SENTINEL_TS, columns, create_empty, replace, run, run_many, start_touched
from etl.logs import progress
from etl.transform import calendar, outbound
from etl.transform.models import model, temp

# The facts the aggregates read: their changed rows are recorded in _T_TOUCHED (etl.load.mart.replace);
# CONTACT_ATTEMPT_FACT's too, by etl/transform/outbound.py.
AGGREGATED_FACTS = {
    "INTERACTION_FACT", "INTERACTION_RESOURCE_FACT", "MEDIATION_SEGMENT_FACT", "SM_RES_STATE_FACT",
    "SM_RES_STATE_REASON_FACT",
}  # fmt: skip
# etl.state_priority names (RESOURCE_STATE codes) → the IDB's agent STATE values
STATE_CODES = {
    "LOGGEDIN": AgentState.LOGGED_IN, "NOTREADY": AgentState.NOT_READY, "READY": AgentState.READY,
    "AFTERCALLWORK": AgentState.AFTER_CALL_WORK, "BUSY": AgentState.BUSY, "DND": AgentState.DO_NOT_DISTURB,
}  # fmt: skip

# The codes of IDB columns the transform reads, as the contract (etl/idb/enums.py) knows them: a row
# with another code is listed in STG_TRANSFORM_DISCARDS and read by a stated rule (discards.sql).
CONTRACT_CODES = {"codes_calltype": CallType, "codes_party_type": PartyType, "codes_prole": PartyRole}


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
    counts = TransformCounts()
    _setup(con, deployment)
    counts.sessions = temp(con, "_T_SESSION", "scope_sessions")
    counts.interactions = temp(con, "_T_IXN_SCOPE", "scope_interactions")
    run(con, f"SET VARIABLE slice_size = {int(deployment.etl.transform_slice_interactions)}")
    temp(con, "_T_IXN_ALL", "interaction_slices")
    create_empty(con, "_T_SEEN_SLICES", "SELECT * RENAME (FIRST_SEEN_TS AS SEEN_TS) FROM STG_RESOURCE_SEEN", temp=True)
    run(con, "CREATE OR REPLACE TEMP TABLE _T_SPAN (LO BIGINT, HI BIGINT)")
    (slices,) = run(con, "SELECT coalesce(max(SLICE) + 1, 0) FROM _T_IXN_ALL")[0]
    for k in progress(range(slices), "transform: slices of interactions"):
        _select_interactions(con, f"SLICE = {k}")
        _interactions(con, deployment, audit_key, counts)
    counts.read_from = _select_interactions(con, "TRUE")

    # Agents: sessions, summarised states, reasons.
    temp(con, "_T_SESSION_RES", "session_resource")
    temp(con, "_T_STATE_AGENT", "state_agents")
    temp(con, "_T_AGENT_SESSIONS", "agent_sessions")
    temp(con, "_T_SMS", "sm_res_session_fact")
    temp(con, "_T_STATE_PIECE", "state_pieces")
    temp(con, "_T_SMST", "sm_res_state_fact")
    temp(con, "_T_SMRS", "sm_res_state_reason_fact")

    counts.discarded = _discards(con, run_of(audit_key))
    session_scope = "LOGIN_SESSION_KEY IN (SELECT ENTITY_KEY FROM _T_SESSION)"
    reason_columns = "AGENTSTATE, KEYNAME, VALUE, WORKMODE, HWFLAG"
    facts = [
        ("SM_RES_SESSION_FACT", "SM_RES_SESSION_FACT_KEY", "_T_SMS", session_scope),
        ("SM_RES_STATE_FACT", "SM_RES_STATE_FACT_KEY", "_T_SMST", _agent_scope("SM_RES_STATE_FACT")),
        ("SM_RES_STATE_REASON_FACT", "SM_RES_STATE_REASON_FACT_KEY",
         f"(SELECT * EXCLUDE ({reason_columns}) FROM _T_SMRS)", _agent_scope("SM_RES_STATE_REASON_FACT")),
    ]  # fmt: skip
    run(
        con,
        f"""INSERT INTO RESOURCE_STATE_REASON SELECT DISTINCT RESOURCE_STATE_REASON_KEY,
        coalesce((SELECT STATE_TYPE_CODE FROM RESOURCE_STATE WHERE RESOURCE_STATE_KEY = AGENTSTATE), 'UNKNOWN'),
        KEYNAME, VALUE, WORKMODE, HWFLAG = 1 FROM (SELECT RESOURCE_STATE_REASON_KEY, {reason_columns} FROM _T_SMRS)
        WHERE RESOURCE_STATE_REASON_KEY NOT IN (SELECT RESOURCE_STATE_REASON_KEY FROM RESOURCE_STATE_REASON)""",
    )
    for table, key, new, scope in facts:
        _count(counts, table, replace(con, table, key, new, scope, audit_key, touched=table in AGGREGATED_FACTS))
    for table, result in outbound.outbound(con, audit_key).items():  # after the IRFs its attempts point at
        _count(counts, table, result)

    # Dimensions from configuration and from what the facts met.
    run(con, f"CREATE OR REPLACE TEMP TABLE _T_SEEN AS {model('resource_seen')}")
    run(
        con,
        """INSERT INTO STG_RESOURCE_SEEN BY NAME SELECT * FROM _T_SEEN
        ON CONFLICT (RESOURCE_KEY) DO UPDATE SET IDENTITY_RULE = EXCLUDED.IDENTITY_RULE,
          RESOURCE_NAME = EXCLUDED.RESOURCE_NAME, SWITCH_DBID = EXCLUDED.SWITCH_DBID, TENANTID = EXCLUDED.TENANTID,
          CFG_TYPE_ID = EXCLUDED.CFG_TYPE_ID, CFG_DBID = EXCLUDED.CFG_DBID, TYPE_CODE = EXCLUDED.TYPE_CODE""",
    )
    run(con, model("resource_seen_refresh"))
    for table, key, name in (
        ("TENANT", "TENANT_KEY", "tenant"),
        ("RESOURCE_", "RESOURCE_KEY", "resource"),
        ("GROUP_", "GROUP_KEY", "group"),
        ("RESOURCE_GROUP_FACT_", "RESOURCE_GROUP_FACT_KEY", "resource_group_fact"),
    ):
        temp(con, "_T_DIM", name)
        _count(counts, table, replace(con, table, key, "_T_DIM", "TRUE", audit_key))
    _fill_date_time(con, deployment)
    return counts


def _agent_scope(table: str) -> str:
    """The rows of a state or reason fact rebuilt: each agent's of _T_STATE_AGENT from its FROM_TS on (the
    least FROM_TS lets DuckDB skip older row groups)."""
    return (
        "RESOURCE_KEY IN (SELECT RESOURCE_KEY FROM _T_STATE_AGENT) "
        "AND START_TS >= (SELECT coalesce(min(FROM_TS), 0) FROM _T_STATE_AGENT) "
        f"AND START_TS >= (SELECT a.FROM_TS FROM _T_STATE_AGENT a WHERE a.RESOURCE_KEY = {table}.RESOURCE_KEY)"
    )


def _select_interactions(con, where: str) -> int:
    """_T_IXN: the interactions of _T_IXN_ALL `where` (a slice, or all), and getvariable('ixn_from')
    (macro in_ixn_time), returned: their first call's time less BOUND_SLACK_S, below which no GIDB row
    of theirs is read (extraction read none either); 0, every row read, where one of them has no call."""
    run(con, f"CREATE OR REPLACE TEMP TABLE _T_IXN AS SELECT ROOT, INTERACTION_ID FROM _T_IXN_ALL WHERE {where}")
    run(
        con,
        f"""SET VARIABLE ixn_from = (SELECT CASE WHEN count(*) = count(START_TS)
        THEN coalesce(min(START_TS) - {BOUND_SLACK_S}, 0) ELSE 0 END FROM _T_IXN_ALL WHERE {where})""",
    )
    temp(con, "_T_IXN_ENTITY", "interaction_entities")
    return int(run(con, "SELECT getvariable('ixn_from')")[0][0])


def _interactions(con, deployment: Deployment, audit_key: int, counts: TransformCounts) -> None:
    """The facts of one slice of interactions (_T_IXN): parties, their states, agents, after-call work,
    user data, mediation; what the slice's facts met is kept for the dimensions and DATE_TIME."""
    temp(con, "_T_PARTY", "party")
    temp(con, "_T_CUSTOMER", "customer_presence")
    temp(con, "_T_SEGMENT", "party_segment")
    temp(con, "_T_AGENT", "agent_recovery")
    temp(con, "_T_ACW", "after_call_work")
    temp(con, "_T_UD", "user_data")
    _pivot_user_data(con, deployment)
    temp(con, "_T_MSF", "mediation_segment")
    temp(con, "_T_IF", "interaction_fact")
    temp(con, "_T_IRF", "interaction_resource_fact")
    _anchor(con)
    _cust_1_rows(con, deployment)
    for outcome, n in run(
        con, "SELECT AGENT_MATCH, count(*) FROM _T_IRF WHERE AGENT_MATCH IN ('recovered', 'ambiguous', 'no_session') "
             "GROUP BY 1"
    ):  # fmt: skip
        counts.agent_match[outcome] = counts.agent_match.get(outcome, 0) + n
    run(con, model("interaction_descriptor"))
    # the slice's interactions, and those its own-IR consultations made before their main call was loaded
    ixn_scope = (
        "INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_IXN "
        "UNION ALL SELECT idb_key(ENTITY_KEY) FROM _T_IXN_ENTITY WHERE ENTITY_KEY <> ROOT)"
    )
    for table, key, new in (
        ("INTERACTION_FACT", "INTERACTION_ID", "_T_IF"),
        ("INTERACTION_RESOURCE_FACT", "INTERACTION_RESOURCE_ID", "_T_IRF"),
        ("MEDIATION_SEGMENT_FACT", "MEDIATION_SEGMENT_ID", f"({model('mediation_segment_fact')})"),
        ("IRF_USER_DATA_CUST_1", "INTERACTION_RESOURCE_ID", "_T_CUST_1"),
    ):
        result = replace(con, table, key, new, ixn_scope, audit_key, touched=table in AGGREGATED_FACTS, ranged=True)
        _count(counts, table, result)
    run(con, f"INSERT INTO _T_SEEN_SLICES BY NAME {model('resource_seen_slice')}")
    run(
        con,
        """INSERT INTO _T_SPAN SELECT min(t), max(t) FROM (
             SELECT START_TS AS t FROM _T_IF UNION ALL SELECT END_TS FROM _T_IF WHERE NOT STUCK_FLAG)""",
    )


def _setup(con, deployment: Deployment) -> None:
    run(con, model("macros"))
    o = deployment.etl
    for name, value in (
        ("tol", o.agent_match_tolerance_s),
        ("sentinel", SENTINEL_TS),
        ("max_call_s", o.max_call_duration_s),
        ("max_state_s", o.max_state_duration_s),
        ("short_abandon_s", o.short_abandon_threshold_s),
        ("introduced_transfer_s", o.introduced_transfer_threshold_s),
        ("stuck_s", o.stuck_threshold_s),
        ("bound_slack_s", BOUND_SLACK_S),
        ("plausible_from", PLAUSIBLE_FROM_TS),
        ("plausible_span", PLAUSIBLE_SPAN_S),
    ):
        run(con, f"SET VARIABLE {name} = {int(value)}")
    run(con, f"SET VARIABLE dnd_voice = {bool(o.factor_dnd_voice)}")
    run(con, f"SET VARIABLE dnd_multimedia = {bool(o.factor_dnd_multimedia)}")
    for variable, codes in CONTRACT_CODES.items():  # the codes the IDB contract knows (macro is_code)
        run(con, f"SET VARIABLE {variable} = {sorted(int(c) for c in codes)}")
    run(con, model("static_dimensions"))
    start_touched(con)
    run(con, "CREATE OR REPLACE TEMP TABLE _T_SRC (SOURCE_NAME VARCHAR, SIP_CLUSTER BOOLEAN)")
    run_many(con, "INSERT INTO _T_SRC VALUES (?, ?)", [(s.name, s.sip_cluster) for s in deployment.sources])
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _T_CLUSTER_SWITCH AS
        SELECT DISTINCT DS2_DBID AS SWITCHID FROM CTL_DSS_SESSION
        WHERE DS2_DBID IS NOT NULL AND SOURCE_NAME IN (SELECT SOURCE_NAME FROM _T_SRC WHERE SIP_CLUSTER)""",
    )
    run(con, "CREATE OR REPLACE TEMP TABLE _T_PRIORITY (STATE INTEGER, PRIORITY INTEGER)")
    ranked = list(o.state_priority) + [s for s in AGENT_STATES if s not in o.state_priority]
    run_many(con, "INSERT INTO _T_PRIORITY VALUES (?, ?)", [(int(STATE_CODES[s]), i) for i, s in enumerate(ranked)])
    run(con, "CREATE OR REPLACE TEMP TABLE _T_UD_MAP (TARGET VARCHAR, COLUMN_NAME VARCHAR, KEYNAME VARCHAR)")
    rows = [("descriptor", c, k) for c, k in o.descriptor_keys] + [("cust_1", c, k) for c, k in o.cust_1_keys]
    rows.append(("ivr", "IVR_APPLICATION", o.ivr_application_key))
    run_many(con, "INSERT INTO _T_UD_MAP VALUES (?, ?, ?)", rows)
    _cust_1_table(con, [c for c, _ in o.cust_1_keys])


def _cust_1_table(con, wanted: list[str]) -> None:
    """IRF_USER_DATA_CUST_1 has one column per configured KVP mapping (added when the mapping grows)."""
    have = set(columns(con, "IRF_USER_DATA_CUST_1"))
    for c in wanted:
        if c not in have:
            run(con, f'ALTER TABLE IRF_USER_DATA_CUST_1 ADD COLUMN "{c}" VARCHAR')


def _pivot_user_data(con, deployment: Deployment) -> None:
    """One row per interaction in scope: descriptor values, the IVR application, the custom columns."""
    o = deployment.etl
    descriptor = dict(o.descriptor_keys)
    cols = ", ".join(
        f"max(u.VALUE) FILTER (u.KEYNAME = {_lit(descriptor[c])}) AS {c}" if c in descriptor else f"NULL AS {c}"
        for c in ("CUSTOMER_SEGMENT", "SERVICE_TYPE", "SERVICE_SUBTYPE", "BUSINESS_RESULT")
    )
    cust = "".join(f', max(u.VALUE) FILTER (u.KEYNAME = {_lit(k)}) AS "{c}"' for c, k in o.cust_1_keys)
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _T_IXN_UD AS
        SELECT i.ROOT, {cols}, max(u.VALUE) FILTER (u.KEYNAME = {_lit(o.ivr_application_key)}) AS IVR_APPLICATION
        {cust}
        FROM _T_IXN AS i LEFT JOIN _T_UD AS u USING (ROOT) GROUP BY i.ROOT""",
    )
    run(
        con,
        """ALTER TABLE _T_IXN_UD ADD COLUMN INTERACTION_DESCRIPTOR_KEY BIGINT;
        UPDATE _T_IXN_UD SET INTERACTION_DESCRIPTOR_KEY = idb_key('descriptor|' || concat_ws('|',
          coalesce(CUSTOMER_SEGMENT, ''), coalesce(SERVICE_TYPE, ''), coalesce(SERVICE_SUBTYPE, ''),
          coalesce(BUSINESS_RESULT, '')))""",
    )


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _anchor(con) -> None:
    """IRF_ANCHOR: 1 on the first resource that handled the customer (else the interaction's first)."""
    run(
        con,
        """UPDATE _T_IRF AS i SET IRF_ANCHOR = 1 FROM (
             SELECT INTERACTION_RESOURCE_ID FROM _T_IRF QUALIFY row_number() OVER (
               PARTITION BY INTERACTION_ID ORDER BY CUSTOMER_HANDLE_COUNT DESC, INTERACTION_RESOURCE_ORDINAL) = 1
           ) AS a WHERE a.INTERACTION_RESOURCE_ID = i.INTERACTION_RESOURCE_ID""",
    )


def _cust_1_rows(con, deployment: Deployment) -> None:
    """IRF_USER_DATA_CUST_1 rows: each resource fact with its interaction's mapped KVP values."""
    custom = "".join(f', u."{c}"' for c, _ in deployment.etl.cust_1_keys)
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _T_CUST_1 AS SELECT i.INTERACTION_RESOURCE_ID, i.INTERACTION_ID,
        i.START_DATE_TIME_KEY{custom}
        FROM _T_IRF AS i JOIN _T_IXN AS x USING (INTERACTION_ID) JOIN _T_IXN_UD AS u ON u.ROOT = x.ROOT""",
    )


def _count(counts: TransformCounts, table: str, result: tuple[int, int, int]) -> None:
    counts.tables[table] = tuple(a + b for a, b in zip(counts.tables.get(table, (0, 0, 0)), result, strict=True))
    counts.inserted += result[0]
    counts.deleted += result[1]
    counts.changed += result[2]


def _discards(con, run_id: int) -> int:
    run(con, f"CREATE OR REPLACE TEMP TABLE _T_DISCARD AS {model('discards')}")
    run(
        con,
        """DELETE FROM STG_TRANSFORM_DISCARDS d USING _T_DISCARD n
        WHERE d.TABLE_NAME = n.TABLE_NAME AND d.ROW_KEY = n.ROW_KEY AND d.SOURCE_NAME = n.SOURCE_NAME""",
    )
    run(con, f"INSERT INTO STG_TRANSFORM_DISCARDS BY NAME SELECT {run_id} AS RUN_ID, * FROM _T_DISCARD")
    return run(con, "SELECT count(*) FROM _T_DISCARD")[0][0]


def _fill_date_time(con, deployment: Deployment) -> None:
    """DATE_TIME rows for every interval the cycle's facts touch (and FILL_AHEAD_DAYS ahead)."""
    lo, hi = run(
        con,
        """SELECT min(t), max(t) FROM (
             SELECT LO AS t FROM _T_SPAN UNION ALL SELECT HI FROM _T_SPAN
             UNION ALL SELECT START_TS FROM _T_SMST UNION ALL SELECT END_TS FROM _T_SMST
             UNION ALL SELECT START_TS FROM _T_SMS
             UNION ALL SELECT START_TS FROM _T_CAF UNION ALL SELECT END_TS FROM _T_CAF
             UNION ALL SELECT START_TS FROM _T_CGS UNION ALL SELECT METRIC_TS FROM _T_OCS_METRIC)""",
    )[0]
    if lo is not None:  # nothing touched: nothing to fill
        calendar.fill_date_time(con, deployment.etl, lo, hi + calendar.FILL_AHEAD_DAYS * 86_400)
