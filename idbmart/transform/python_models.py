"""The transform's models whose SQL follows the deployment's configuration, declared with
`python_model` (idbmart/transform/graph.py) and ordered with the SQL files' models."""

from __future__ import annotations

from idbmart.config import MAX_DIM_ATTRIBUTES, EtlOptions
from idbmart.idb.enums import CALL_RESULT_TYPES, CallResult, CampaignState, DialMode
from idbmart.load.db import run
from idbmart.sqlfile import literal
from idbmart.transform import calendar
from idbmart.transform.graph import python_model

SLICE_SCOPE = "INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_IXN_IDS)"
DESCRIPTOR_COLUMNS = ("CUSTOMER_SEGMENT", "SERVICE_TYPE", "SERVICE_SUBTYPE", "BUSINESS_RESULT")


@python_model("interaction_user_data", "intermediate", runs="slice", target="_T_IXN_UD")
def interaction_user_data(o: EtlOptions) -> str:
    """One row per interaction of the slice: the business attributes of its descriptor (etl.descriptor_keys)
    and the descriptor's key, its IVR application, and a column per etl.cust_1_keys mapping."""
    descriptor = dict(o.descriptor_keys)
    cols = ", ".join(
        f"max(u.VALUE) FILTER (u.KEYNAME = {literal(descriptor[c])}) AS {c}" if c in descriptor else f"NULL AS {c}"
        for c in DESCRIPTOR_COLUMNS
    )
    cust = "".join(f', max(u.VALUE) FILTER (u.KEYNAME = {literal(k)}) AS "{c}"' for c, k in o.cust_1_keys)
    key = ", ".join(f"coalesce({c}, '')" for c in DESCRIPTOR_COLUMNS)
    return f"""SELECT *, idb_key('descriptor|' || concat_ws('|', {key})) AS INTERACTION_DESCRIPTOR_KEY FROM (
      SELECT i.ROOT, {cols}, max(u.VALUE) FILTER (u.KEYNAME = {literal(o.ivr_application_key)}) AS IVR_APPLICATION
      {cust}
      FROM _T_IXN AS i LEFT JOIN _T_UD AS u USING (ROOT) GROUP BY i.ROOT)"""


@python_model(
    "irf_user_data_cust_1", "fact", runs="slice", target="IRF_USER_DATA_CUST_1", key=("INTERACTION_RESOURCE_ID",),
    scope=SLICE_SCOPE, ranged=True,
)  # fmt: skip
def irf_user_data_cust_1(o: EtlOptions) -> str:
    """IRF_USER_DATA_CUST_1: each resource fact (and mediation segment, with etl.msf_user_data) with the
    value of each KVP etl.cust_1_keys maps, a column each, by its propagation rule (irf_user_data.sql)."""
    custom = "".join(f', max(v.VALUE) FILTER (v.COLUMN_NAME = {literal(c)}) AS "{c}"' for c, _ in o.cust_1_keys)
    return f"""SELECT u.ID AS INTERACTION_RESOURCE_ID, u.INTERACTION_ID, u.START_DATE_TIME_KEY{custom}
      FROM _T_UD_UNIT AS u
      LEFT JOIN _T_IRF_UD AS v ON v.ID = u.ID AND v.TABLE_NAME = 'IRF_USER_DATA_CUST_1'
      GROUP BY u.ID, u.INTERACTION_ID, u.START_DATE_TIME_KEY"""


@python_model(
    "irf_user_data_keys", "fact", runs="slice", target="IRF_USER_DATA_KEYS", key=("INTERACTION_RESOURCE_ID",),
    scope=SLICE_SCOPE, ranged=True,
)  # fmt: skip
def irf_user_data_keys(o: EtlOptions) -> str:
    """IRF_USER_DATA_KEYS: each resource fact's (and mediation segment's) interaction descriptor and, per
    etl.user_data_dims entry n, CUSTOM_KEY_<n>: its row of USER_DATA_CUST_DIM_<n> (Table-IRF_USER_DATA_KEYS)."""
    keys = "".join(
        f", max(d.DIM_ID) FILTER (d.TABLE_NAME = 'USER_DATA_CUST_DIM_{n}') AS CUSTOM_KEY_{n}"
        for n in range(1, len(o.user_data_dims) + 1)
    )
    return f"""SELECT u.ID AS INTERACTION_RESOURCE_ID, u.INTERACTION_ID, u.START_DATE_TIME_KEY, u.TENANT_KEY,
        any_value(x.INTERACTION_DESCRIPTOR_KEY) AS INTERACTION_DESCRIPTOR_KEY{keys}
      FROM _T_UD_UNIT AS u
      LEFT JOIN _T_IXN_UD AS x ON x.ROOT = u.ROOT
      LEFT JOIN _T_UD_DIM AS d ON d.ID = u.ID
      GROUP BY u.ID, u.INTERACTION_ID, u.START_DATE_TIME_KEY, u.TENANT_KEY"""


@python_model("user_data_cust_dims", "dimension", runs="slice")
def user_data_cust_dims(o: EtlOptions) -> str:
    """USER_DATA_CUST_DIM_<n>: a row for every combination of its attributes the slice's facts met for the
    first time (Table-USER_DATA_CUST_DIM_1: "a new row is issued every time that a new combination of
    the attributes is encountered"), the combination with no value included."""
    attributes = ", ".join(f"DIM_ATTRIBUTE_{i}" for i in range(1, MAX_DIM_ATTRIBUTES + 1))
    return (
        ";\n".join(
            f"""INSERT INTO USER_DATA_CUST_DIM_{n} (ID, TENANT_KEY, {attributes}, CREATE_AUDIT_KEY, UPDATE_AUDIT_KEY)
          SELECT DISTINCT DIM_ID, TENANT_KEY, {attributes}, $audit_key, $audit_key FROM _T_UD_DIM
          WHERE TABLE_NAME = 'USER_DATA_CUST_DIM_{n}'
            AND DIM_ID NOT IN (SELECT ID FROM USER_DATA_CUST_DIM_{n})"""
            for n in range(1, len(o.user_data_dims) + 1)
        )
        or "SELECT 1 WHERE FALSE"
    )


@python_model("contact_attempt_record_fields", "intermediate", target="_T_CAF_FIELDS")
def contact_attempt_record_fields(o: EtlOptions) -> str:
    """Each contact attempt's calling-list custom fields etl.record_fields maps, a RECORD_FIELD_<n> column
    each: the record's value when the attempt began (Table-CONTACT_ATTEMPT_FACT: "Record-based columns
    are populated with data from the first record associated with the contact attempt"): the field's
    last change before it (GO_FIELDHIST); before its first change, the value that change replaced; a
    field ICON kept no history of, its value (GO_CUSTOM_FIELDS)."""
    if not o.record_fields:
        return "SELECT CONTACT_ATTEMPT_FACT_KEY FROM _T_CAF"
    ids = ", ".join(str(int(dbid)) for _, dbid in o.record_fields)
    cols = "".join(f', max(v.VALUE) FILTER (v.FIELDID = {int(dbid)}) AS "{c}"' for c, dbid in o.record_fields)
    return f"""WITH a AS (
        SELECT CONTACT_ATTEMPT_FACT_KEY, CHAIN_GUID AS CHAINGUID, RECORD_HANDLE AS RECORDHANDLE, START_TS, FIELDID
        FROM _T_CAF, (SELECT unnest([{ids}]) AS FIELDID)
      ),
      hist AS (  -- one change per moment (the last by SEQ), should two IDBs hold the same history
        SELECT CHAINGUID, RECORDHANDLE, FIELDID, ADDED_TS, OLDVALUE, NEWVALUE FROM GIDB_GO_FIELDHIST
        WHERE FIELDID IN ({ids}) AND CHAINGUID IN (SELECT CHAINGUID FROM a)
        QUALIFY row_number() OVER (PARTITION BY CHAINGUID, RECORDHANDLE, FIELDID, ADDED_TS ORDER BY SEQ DESC) = 1
      ),
      first_change AS (
        SELECT CHAINGUID, RECORDHANDLE, FIELDID, arg_min(OLDVALUE, ADDED_TS) AS BEFORE FROM hist GROUP BY ALL
      ),
      current AS (
        SELECT CHAINGUID, RECORDHANDLE, FIELDID, arg_max(VALUE, LASTCHANGED_TS) AS VALUE FROM GIDB_GO_CUSTOM_FIELDS
        WHERE FIELDID IN ({ids}) AND CHAINGUID IN (SELECT CHAINGUID FROM a) GROUP BY ALL
      ),
      v AS (
        SELECT a.CONTACT_ATTEMPT_FACT_KEY, a.FIELDID,
               CASE WHEN h.ADDED_TS IS NOT NULL THEN h.NEWVALUE WHEN f.FIELDID IS NOT NULL THEN f.BEFORE
                    ELSE c.VALUE END AS VALUE
        FROM a
        ASOF LEFT JOIN hist AS h ON h.CHAINGUID = a.CHAINGUID AND h.RECORDHANDLE = a.RECORDHANDLE
          AND h.FIELDID = a.FIELDID AND a.START_TS >= h.ADDED_TS
        LEFT JOIN first_change AS f ON f.CHAINGUID = a.CHAINGUID AND f.RECORDHANDLE = a.RECORDHANDLE
          AND f.FIELDID = a.FIELDID
        LEFT JOIN current AS c ON c.CHAINGUID = a.CHAINGUID AND c.RECORDHANDLE = a.RECORDHANDLE
          AND c.FIELDID = a.FIELDID
      )
      SELECT v.CONTACT_ATTEMPT_FACT_KEY{cols} FROM v GROUP BY v.CONTACT_ATTEMPT_FACT_KEY"""


def display_name(code: str) -> str:
    """A code's display name, as Info Mart's descriptor dimensions pair them: ANSWERING_MACHINE →
    Answering Machine (the code in <NAME>_CODE, this in <NAME>)."""
    return code.replace("_", " ").title()


@python_model("outbound_fixed_dimensions", "dimension")
def outbound_fixed_dimensions(o: EtlOptions) -> str:
    """DIALING_MODE, CALL_RESULT and CAMPAIGN_GROUP_STATE rows of the codes idbmart/idb/enums.py knows, each
    code with its display name; rows made before the display names get them."""
    statements = []
    for table, rows in (
        ("DIALING_MODE", [(int(m), m.name, display_name(m.name)) for m in DialMode]),
        (
            "CALL_RESULT",
            [(int(r), r.name, CALL_RESULT_TYPES.get(r, "OTHER"), display_name(r.name)) for r in CallResult],
        ),
        ("CAMPAIGN_GROUP_STATE", [(int(s), s.name, display_name(s.name)) for s in CampaignState]),
    ):
        names = [f"{table}_KEY", f"{table}_CODE", *(["CALL_RESULT_TYPE"] if table == "CALL_RESULT" else []), table]
        values = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
        statements.append(
            f"INSERT INTO {table} BY NAME SELECT * FROM (VALUES {values}) AS v({', '.join(names)}) "
            f"WHERE {table}_KEY NOT IN (SELECT {table}_KEY FROM {table})"
        )
        statements.append(
            f"UPDATE {table} AS t SET {table} = v.{table} FROM (VALUES {values}) AS v({', '.join(names)}) "
            f"WHERE v.{table}_KEY = t.{table}_KEY AND t.{table} IS NULL"
        )
    return ";\n".join(statements)


@python_model(
    "date_time", "dimension", reads=("_T_SPAN", "_T_SMST", "_T_SMS", "_T_CAF", "_T_CGS", "_T_OCS_METRIC", "DATE_TIME"),
    writes=("DATE_TIME",),
)  # fmt: skip
def date_time(con, o: EtlOptions, values) -> None:
    """DATE_TIME rows for every interval the cycle's facts touch (and calendar.FILL_AHEAD_DAYS ahead)."""
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
        calendar.fill_date_time(con, o, lo, hi + calendar.FILL_AHEAD_DAYS * 86_400)
