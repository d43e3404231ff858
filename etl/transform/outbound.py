"""Outbound Contact facts and dimensions (ICON outbound integration guide), in the cycle's transaction.

It runs after the interaction facts are written, because a contact attempt points at the interaction
and the IRF its call produced. OCS and the telephony server write to different IDBs, so either side
may be loaded first: an attempt whose call is not loaded yet has no link (LINK_PATH NULL), and is
rebuilt, linked, in the cycle that loads the call (sql/transform/outbound_chains.sql). Campaign
sessions end after the day's dialling, so a session's dialing mode and OCS reach its attempts when the
session is loaded, the same way. Every fact is replaced by scope like the others (etl.load.mart.replace).
"""

from __future__ import annotations

import duckdb

from etl.idb.enums import CALL_RESULT_TYPES, CallResult, CampaignState, DialMode
from etl.load.mart import create_empty, replace, run, run_many
from etl.transform.models import model, temp

# The user data key in which the telephony server carries OCS's call attempt GUID: the only link of
# preview, push-preview and power-GVP calls to their attempt.
ATTEMPT_GUID_KEY = "GSW_CALL_ATTEMPT_GUID"

# Outbound dimension kind → (dimension table: <TABLE>_KEY, <TABLE>_NAME, <TABLE>_CFG_DBID; its
# configuration table; that table's DBID column; its columns giving CAMPAIGNID and GROUPID, if any).
DIMENSIONS = {
    "campaign": ("CAMPAIGN", "GIDB_GC_CAMPAIGN", "CAMPAIGNID", "NULL", "NULL"),
    "calling_list": ("CALLING_LIST", "GIDB_GC_CALLING_LIST", "LISTID", "NULL", "NULL"),
    "campaign_group": ("CAMPAIGN_GROUP", "GIDB_GC_CAMPAIGN_GROUP", "CAMPGROUPID", "CAMPAIGNID", "GROUPID"),
}


def outbound(con: duckdb.DuckDBPyConnection, audit_key: int) -> dict[str, tuple[int, int, int]]:
    """Rebuild the outbound facts in this cycle's scope and the outbound dimensions; table → counts."""
    run(con, f"SET VARIABLE attempt_guid_key = '{ATTEMPT_GUID_KEY}'")
    _fixed_dimensions(con)
    _configuration(con)
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE _T_CAMPAIGN_SESSION AS "
        "SELECT DISTINCT ENTITY_KEY AS SESSID FROM _HA_NEW WHERE ENTITY_KIND = 'campaign_session'",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _T_METRIC_SCOPE AS
        SELECT DISTINCT m.OBJECTTYPE, m.OBJECTID, m.ADDED_TS FROM GIDB_GO_METRICS AS m
        JOIN _HA_NEW AS n ON n.ENTITY_KIND = 'ocs_metric' AND n.HA_SET = m.HA_SET AND n.ENTITY_KEY = m.ENTITY_KEY""",
    )
    temp(con, "_T_CHAIN", "outbound_chains")
    temp(con, "_T_CAF", "contact_attempt_fact")
    temp(con, "_T_CGS", "campaign_group_session_fact")
    temp(con, "_T_CGST", "campaign_group_state_fact")
    temp(con, "_T_OCS_METRIC", "ocs_metric_fact")
    _unknown_codes(con)

    in_metric_scope = (
        "{fact}_KEY IN (SELECT idb_key('{kind}_metric|' || OBJECTID || '|' || ADDED_TS) FROM _T_METRIC_SCOPE "
        "WHERE OBJECTTYPE = {object_type})"
    )
    in_session_scope = "CAMPAIGN_GROUP_SESSION_ID IN (SELECT SESSID FROM _T_CAMPAIGN_SESSION)"
    facts = [
        ("CONTACT_ATTEMPT_FACT", "_T_CAF", "CHAIN_GUID IN (SELECT CHAINGUID FROM _T_CHAIN)"),
        ("CAMPAIGN_GROUP_SESSION_FACT", "_T_CGS", in_session_scope),
        ("CAMPAIGN_GROUP_STATE_FACT", "_T_CGST", in_session_scope),
        ("CALLING_LIST_METRIC_FACT", f"({model('calling_list_metric_fact')})",
         in_metric_scope.format(fact="CALLING_LIST_METRIC_FACT", kind="calling_list", object_type=1)),
        ("CAMP_GROUP_METRIC_FACT", f"({model('camp_group_metric_fact')})",
         in_metric_scope.format(fact="CAMP_GROUP_METRIC_FACT", kind="campaign_group", object_type=2)),
    ]  # fmt: skip
    # Contact attempts are aggregated (AG2_CAMPAIGN_*): their changed rows are recorded in _T_TOUCHED.
    counts = {
        table: replace(con, table, f"{table}_KEY", new, scope, audit_key, touched=table == "CONTACT_ATTEMPT_FACT")
        for table, new, scope in facts
    }

    temp(con, "_T_OB_SEEN", "outbound_seen")
    for kind, (table, *_) in DIMENSIONS.items():
        run(con, f"SET VARIABLE ob_kind = '{kind}'")
        run(con, f"CREATE OR REPLACE TEMP TABLE _T_OB_CFG AS SELECT * FROM _T_OB_CFG_{kind}")
        run(
            con,
            f"CREATE OR REPLACE TEMP TABLE _T_OB_KEPT AS SELECT {table}_CFG_DBID AS DBID, START_TS FROM {table} "
            "WHERE NOT CONFIGURED_FLAG",
        )
        extra = ", CAMPAIGN_KEY, GROUP_KEY" if kind == "campaign_group" else ""
        new = (
            f"(SELECT KEY AS {table}_KEY, TENANT_KEY, NAME AS {table}_NAME, DBID AS {table}_CFG_DBID{extra}, "
            f"CONFIGURED_FLAG, START_TS, END_TS FROM ({model('outbound_dimension')}))"
        )
        counts[table] = replace(con, table, f"{table}_KEY", new, "TRUE", audit_key)
    counts["GROUP_TO_CAMPAIGN_FACT_"] = replace(
        con, "GROUP_TO_CAMPAIGN_FACT_", "GROUP_TO_CAMPAIGN_FACT_KEY", f"({model('group_to_campaign_fact')})", "TRUE",
        audit_key,
    )  # fmt: skip
    return counts


def _fixed_dimensions(con) -> None:
    """DIALING_MODE, CALL_RESULT and CAMPAIGN_GROUP_STATE rows of the codes etl/idb/enums.py knows."""
    for table, rows in (
        ("DIALING_MODE", [(int(m), m.name) for m in DialMode]),
        ("CALL_RESULT", [(int(r), r.name, CALL_RESULT_TYPES.get(r, "OTHER")) for r in CallResult]),
        ("CAMPAIGN_GROUP_STATE", [(int(s), s.name) for s in CampaignState]),
    ):
        width = len(rows[0])
        create_empty(con, "_T_FIXED", f"SELECT * FROM {table}", temp=True)
        run_many(con, f"INSERT INTO _T_FIXED VALUES ({', '.join('?' * width)})", rows)
        key = f"{table}_KEY"
        run(con, f"INSERT INTO {table} SELECT * FROM _T_FIXED WHERE {key} NOT IN (SELECT {key} FROM {table})")


def _configuration(con) -> None:
    """_T_OB_CFG_<kind>: the latest version of each configured campaign, calling list and campaign group,
    with when it was first configured (FIRST_TS); and the names the facts' SQL uses for them."""
    for kind, (_, cfg, dbid, campaign, group) in DIMENSIONS.items():
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _T_OB_CFG_{kind} AS
            SELECT {dbid} AS DBID, TENANTID, NAME, {campaign} AS CAMPAIGNID, {group} AS GROUPID, STATUS,
                   DELETED_TS, min(CREATED_TS) OVER (PARTITION BY {dbid}) AS FIRST_TS
            FROM {cfg} QUALIFY row_number() OVER (PARTITION BY {dbid} ORDER BY CREATED_TS DESC) = 1""",
        )
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE _T_CAMPAIGN_CFG AS SELECT DBID AS CAMPAIGNID, TENANTID FROM _T_OB_CFG_campaign",
    )
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE _T_CAMPAIGN_GROUP_CFG AS "
        "SELECT DBID AS CAMPGROUPID, TENANTID, CAMPAIGNID, GROUPID FROM _T_OB_CFG_campaign_group",
    )


def _unknown_codes(con) -> None:
    """Codes an OCS reported that etl/idb/enums.py does not know still get a dimension row (no fact
    points at a missing key): 'DIALING_MODE_<n>', 'CALL_RESULT_<n>' of type OTHER."""
    run(
        con,
        """INSERT INTO DIALING_MODE SELECT DISTINCT k, 'DIALING_MODE_' || k FROM (
             SELECT DIALING_MODE_KEY AS k FROM _T_CAF UNION SELECT DIALING_MODE_KEY FROM _T_CGS)
           WHERE k IS NOT NULL AND k NOT IN (SELECT DIALING_MODE_KEY FROM DIALING_MODE)""",
    )
    run(
        con,
        """INSERT INTO CALL_RESULT SELECT DISTINCT CALL_RESULT_KEY, 'CALL_RESULT_' || CALL_RESULT_KEY, 'OTHER'
           FROM _T_CAF WHERE CALL_RESULT_KEY IS NOT NULL
             AND CALL_RESULT_KEY NOT IN (SELECT CALL_RESULT_KEY FROM CALL_RESULT)""",
    )
