"""The IDB model: every table of shared/domain/IDB.md, its DDL transpiled to the four IDB databases."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from idbmart.idb import enums
from idbmart.idb.schema import ROLES, tables, tables_for_roles, type_family

# The tables IDB.md lists, by role (the "Tables the pipeline reads" section).
IDB_MD_TABLES = {
    "control": {
        "G_PROV_CONTROL",
        "G_DSS_GCC_PROVIDER",
        "G_DSS_GLS_PROVIDER",
        "G_DSS_GUD_PROVIDER",
        "G_DSS_CFG_PROVIDER",
        "G_DSS_GOS_PROVIDER",
    },
    "cfg": {
        "GC_TENANT",
        "GC_SWITCH",
        "GC_ENDPOINT",
        "GC_AGENT",
        "GC_PLACE",
        "GC_GROUP",
        "GCX_GROUP_AGENT",
        "GC_APPLICATION",
    },
    "gcc": {"G_IR", "G_CALL", "G_PARTY", "G_PARTY_HISTORY", "G_ROUTE_RESULT", "G_VIRTUAL_QUEUE", "G_IS_LINK"},
    "gud": {"G_USERDATA_HISTORY", "G_SECURE_USERDATA_HISTORY"},
    "gls": {"G_LOGIN_SESSION", "GX_SESSION_ENDPOINT", "G_AGENT_STATE_HISTORY", "G_AGENT_STATE_RC"},
    "gos": {"GO_CAMPAIGN", "GO_CAMPAIGNHISTORY", "GO_CHAIN", "GO_CHAINREC_HIST", "GOX_CHAIN_CALL", "GO_METRICS"},
}
# Tables idbmart reads beyond IDB.md, all optional: the outbound configuration (campaigns, calling
# lists, campaign groups) its outbound dimensions come from (sql/idb/cfg.sql says which columns it
# expects), and outbound property and field history.
CONTRACT_TABLES = {
    "cfg": {
        "GC_CAMPAIGN",
        "GC_CALLING_LIST",
        "GC_CAMPAIGN_GROUP",
        # DN and place groups' members, skills and skill levels (GCX_SKILL_LEVEL at the ICON PDM's columns)
        "GCX_GROUP_ENDPOINT",
        "GCX_GROUP_PLACE",
        "GC_SKILL",
        "GCX_SKILL_LEVEL",
    },
    # the outbound tables the integration guide names "when present", at the ICON PDM's columns
    "gos": {"GO_CAMPPROP_HIST", "GO_CUSTOM_FIELDS", "GO_FIELDHIST"},
}
SYSTEM_BLOCK = [
    "GSYS_DOMAIN",
    "GSYS_PARTITION",
    "GSYS_SYS_ID",
    "GSYS_SEQ",
    "GSYS_USEQ",
    "GSYS_TS",
    "GSYS_TC",
    "GSYS_EXT_VCH1",
    "GSYS_EXT_VCH2",
    "GSYS_EXT_INT1",
    "GSYS_EXT_INT2",
]


def test_every_table_of_idb_md_is_modelled_under_its_role():
    by_role: dict[str, set[str]] = {}
    for t in tables().values():
        by_role.setdefault(t.role, set()).add(t.name)
    expected = {role: names | CONTRACT_TABLES.get(role, set()) for role, names in IDB_MD_TABLES.items()}
    assert by_role == expected
    assert all(tables()[name].optional for names in CONTRACT_TABLES.values() for name in names)


def test_operational_tables_end_with_the_system_block_and_control_tables_do_not():
    for t in tables().values():
        if t.role == "control":
            assert not set(SYSTEM_BLOCK) & set(t.column_names), t.name
        else:
            assert list(t.column_names[-len(SYSTEM_BLOCK) :]) == SYSTEM_BLOCK, t.name


def test_minimum_columns_of_idb_md_are_present():
    # A sample of IDB.md's minimum column sets, one table per role, as the document lists them.
    expected = {
        "G_DSS_GLS_PROVIDER": [
            "DSS_ID",
            "ICON_DBID",
            "DS_DBID",
            "DS2_DBID",
            "DS_TYPE",
            "ICON_STIME",
            "DSCONN_STIME",
            "DSCONN_TYPE",
            "ICON_ETIME",
            "DSCONN_ETIME",
            "FEVENT_ITIME",
            "LEVENT_ITIME",
        ],
        "GC_ENDPOINT": [
            "ENDPOINTID",
            "SWITCHID",
            "TENANTID",
            "DN",
            "TYPE",
            "ALIAS",
            "STATUS",
            "CREATED_TS",
            "DELETED_TS",
        ],
        "G_PARTY": [
            "PARTYID",
            "PARTYGUID",
            "TYPE",
            "PROLE",
            "PARENTPARTYID",
            "CALLID",
            "STATE",
            "PREVSTATE",
            "ENDPOINTDN",
            "ENDPOINTID",
            "ENDPOINTTYPE",
            "AGENTID",
            "CCEVENT",
            "CCEVENTCAUSE",
            "SWITCHID",
            "TENANTID",
            "CREATED",
            "CREATED_TS",
            "TERMINATED",
            "TERMINATED_TS",
        ],
        "G_USERDATA_HISTORY": [
            "ID",
            "CALLID",
            "PARTYID",
            "ENDPOINTID",
            "KEYNAME",
            "VALUE",
            "CHANGETYPE",
            "CSEQ",
            "ADDED",
            "ADDED_TS",
        ],
        "G_AGENT_STATE_RC": [
            "SESSIONID",
            "ENDPOINTID",
            "QUEUEID",
            "AGENTSTATE",
            "WORKMODE",
            "HWFLAG",
            "KEYNAME",
            "VALUE",
            "ADDED_TS",
            "TERMINATED_TS",
        ],
        "GOX_CHAIN_CALL": ["CALLID", "CHAINGUID", "CALLATTID", "ADDED", "ADDED_TS"],
    }
    for name, cols in expected.items():
        assert set(cols) <= set(tables()[name].column_names), name


def test_times_come_twice_as_timestamp_and_integer_seconds():
    for t in tables().values():
        for c in t.columns:
            if c.name.endswith("_TS") and c.name != "GSYS_TS":
                assert c.family == "integer", f"{t.name}.{c.name}"
            if c.name in ("CREATED", "TERMINATED", "ADDED"):
                assert c.family == "timestamp", f"{t.name}.{c.name}"


def test_tables_for_roles_adds_only_the_control_tables_of_those_roles():
    names = {t.name for t in tables_for_roles(["gls"])}
    assert names == {"G_PROV_CONTROL", "G_DSS_GLS_PROVIDER"} | IDB_MD_TABLES["gls"]


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "tsql", "oracle"])
def test_ddl_transpiles_and_reads_back_with_the_same_columns_and_type_families(dialect):
    for t in tables().values():
        sql = t.ddl(dialect)
        back = sqlglot.parse_one(sql, read=dialect)
        cols = [c for c in back.this.expressions if isinstance(c, exp.ColumnDef)]
        assert [c.name.upper() for c in cols] == list(t.column_names), (dialect, t.name)
        assert [type_family(c.args["kind"]) for c in cols] == [c.family for c in t.columns], (dialect, t.name)


def test_tsql_and_oracle_use_their_own_types():
    ddl_tsql = tables()["G_CALL"].ddl("tsql")
    ddl_oracle = tables()["G_CALL"].ddl("oracle")
    # In T-SQL, TIMESTAMP is a row version, not a time: the model's timestamps must become DATETIME2.
    assert "DATETIME2" in ddl_tsql and " TIMESTAMP" not in ddl_tsql
    assert "VARCHAR2(64)" in ddl_oracle and "VARCHAR(" not in ddl_oracle


def test_ddl_executes_in_duckdb():
    con = duckdb.connect()
    for role in ROLES:
        for t in tables_for_roles([role]):
            con.execute(t.ddl("duckdb").replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
    created = {r[0].upper() for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert created == set(tables())


@pytest.mark.postgres
def test_ddl_executes_in_postgres(pg_database):
    import adbc_driver_postgresql.dbapi as adbc_pg

    with adbc_pg.connect(pg_database, autocommit=True) as con, con.cursor() as cur:
        for t in tables().values():
            cur.execute(t.ddl("postgres"))
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        created = {r[0].upper() for r in cur.fetchall()}
    assert created == set(tables())


def test_contract_enumerations_hold_the_values_idb_md_fixes():
    # Spot checks against IDB.md's text; @unique on every enum guards against duplicate values.
    assert enums.PartyState.CONNECTED == 3 and enums.PartyState.AFTER_CALL_WORK == 8
    assert enums.AgentState.READY == 3 and enums.AgentState.DO_NOT_DISTURB == 6
    assert enums.DnType.VIRTUAL_QUEUE == 5 and enums.DnType.IVR_PORT == 9
    assert enums.CfgType.AGENT_LOGIN == 15 and enums.CfgType.ON_THE_FLY == 0
    assert enums.VqResult.REDIRECTED == 4 and enums.ChainState.PROCESSED == 3
