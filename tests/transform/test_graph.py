"""The transform's models declare themselves and their order comes from their SQL (idbmart/transform/graph.py);
a model runs alone on a few input rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from idbmart.config import EtlOptions
from idbmart.errors import IdbmartError
from idbmart.load import mart
from idbmart.transform import graph
from idbmart.transform.build import user_data_map, user_data_tables
from idbmart.transform.graph import ModelError


def _model(tmp_path: Path, layer: str, name: str, body: str) -> graph.Model:
    path = tmp_path / layer / f"{name}.sql"
    path.parent.mkdir(exist_ok=True)
    path.write_text(body)
    return graph.model_from(body, path)


def _position(plan: graph.Plan) -> dict[str, int]:
    return {m.name: i for i, m in enumerate(plan.models)}


def test_every_file_of_sql_transform_is_a_model_of_its_folders_layer_and_none_is_left_out_of_the_plan():
    on_disk = {p.stem for p in graph.MODELS_DIR.glob("*/*.sql")}
    models = graph.models(EtlOptions())
    assert on_disk <= {m.name for m in models}
    assert {p.name for p in graph.MODELS_DIR.glob("*.sql")} == {"macros.sql", "calendar.sql", "date_time.sql"}
    plan = graph.plan(models)
    assert sorted(m.name for m in plan.models) == sorted(m.name for m in models)


def test_each_model_runs_after_every_model_that_writes_a_table_it_reads():
    models = graph.models(EtlOptions())
    plan = graph.plan(models)
    at = _position(plan)
    for b in models:
        for a in models:
            shared = (b.reads - b.reads_previous) & a.writes - (b.writes - a.creates)
            if a is not b and shared:
                assert at[a.name] < at[b.name], f"{b.name} reads {sorted(shared)} before {a.name} writes it"
            if a is not b and b.reads_previous & a.writes:
                assert at[b.name] < at[a.name], f"{b.name} must read {sorted(b.reads_previous)} before {a.name}"


def test_a_new_model_is_one_file_and_finds_its_place_from_the_tables_it_reads(tmp_path):
    """A per-slice model reading the parties runs in each slice after party.sql; a fact replacing a
    table from it runs after it; no Python names either."""
    rows = _model(
        tmp_path, "intermediate", "party_kinds",
        "-- model: party_kinds\n-- layer: intermediate\n-- runs: slice\n-- target: _T_PARTY_KIND\n"
        "SELECT KIND, count(*) AS N FROM _T_PARTY GROUP BY KIND",
    )  # fmt: skip
    fact = _model(
        tmp_path, "fact", "party_kind_fact",
        "-- model: party_kind_fact\n-- layer: fact\n-- target: PARTY_KIND_FACT\n-- key: KIND\n-- scope: TRUE\n"
        "SELECT * FROM _T_PARTY_KIND",
    )  # fmt: skip
    plan = graph.plan([*graph.models(EtlOptions()), rows, fact])
    assert rows in plan.per_slice and fact in plan.after
    at = _position(plan)
    assert at["party"] < at["party_kinds"] < at["party_kind_fact"]
    assert rows.reads == {"_T_PARTY"} and rows.creates == {"_T_PARTY_KIND"}
    assert fact.kind == "replace" and fact.key == ("KIND",)


def test_a_header_that_does_not_match_its_file_is_refused(tmp_path):
    with pytest.raises(ModelError, match="model other of layer fact"):
        _model(tmp_path, "intermediate", "mine", "-- model: other\n-- layer: fact\nSELECT 1")
    with pytest.raises(ModelError, match="begins with a header"):
        _model(tmp_path, "intermediate", "bare", "SELECT 1")
    with pytest.raises(ModelError, match="names its key"):
        _model(tmp_path, "fact", "keyless", "-- model: keyless\n-- layer: fact\n-- target: SOME_FACT\nSELECT 1")


def test_two_models_modifying_one_table_must_say_which_runs_first(tmp_path):
    a = _model(tmp_path, "control", "a", "-- model: a\n-- layer: control\nINSERT INTO LOG SELECT 1")
    b = _model(tmp_path, "control", "b", "-- model: b\n-- layer: control\nDELETE FROM LOG WHERE x = 1")
    with pytest.raises(ModelError, match="a and b both modify LOG"):
        graph.plan([a, b])
    b_after = _model(tmp_path, "control", "b", "-- model: b\n-- layer: control\n-- depends_on: a\nDELETE FROM LOG")
    assert [m.name for m in graph.plan([b_after, a]).models] == ["a", "b"]


def test_models_that_read_each_others_tables_are_a_cycle_named_in_the_error(tmp_path):
    x = _model(
        tmp_path, "intermediate", "x", "-- model: x\n-- layer: intermediate\n-- target: _T_X\nSELECT * FROM _T_Y"
    )
    y = _model(
        tmp_path, "intermediate", "y", "-- model: y\n-- layer: intermediate\n-- target: _T_Y\nSELECT * FROM _T_X"
    )
    with pytest.raises(ModelError, match="x, y depend on each other"):
        graph.plan([x, y])


def test_a_missing_run_level_value_is_named_with_the_model():
    con = duckdb.connect()
    with pytest.raises(Exception, match=r"slice_interactions.sql: the run-level value \$slice was not given"):
        model = next(m for m in graph.models(EtlOptions()) if m.name == "slice_interactions")
        graph.execute(con, model, {}, graph.Results())


def test_irf_anchor_alone_marks_the_first_resource_that_handled_the_customer_and_each_agents_first_engagement():
    """MART.md: IRF_ANCHOR is 1 on the interaction's first resource that handled the customer, else on
    its first resource: interaction 1's IVR (ordinal 1) never handled the customer, its agent did.
    ANCHOR_FLAGS' FIRST_ENGAGE_FOR_AGENT_IXN (bit 1) marks "the first participation of an agent in a
    particular interaction" (Table-ANCHOR_FLAGS): agent 101's first attempt of interaction 1 in which it
    talked, not its second; agent 102's consultation; not agent 101's unanswered ring in interaction 2."""
    con = duckdb.connect()
    con.execute(
        """CREATE TEMP TABLE _T_IRF AS SELECT * FROM (VALUES
             (11, 1, 1, 0, 0, 5, 'not_agent_dn', 0, 0),  -- the IVR
             (12, 1, 2, 1, 0, 101, 'reported', 60, 0),   -- agent 101 talks
             (13, 1, 3, 0, 0, 102, 'recovered', 0, 30),  -- agent 102 receives a consultation
             (14, 1, 4, 1, 0, 101, 'reported', 20, 0),   -- agent 101 again
             (21, 2, 1, 0, 0, 5, 'not_agent_dn', 0, 0),  -- abandoned before any handling
             (22, 2, 2, 0, 0, 101, 'reported', 0, 0)     -- agent 101's unanswered ring
           ) AS v(INTERACTION_RESOURCE_ID, INTERACTION_ID, INTERACTION_RESOURCE_ORDINAL, CUSTOMER_HANDLE_COUNT,
                  IRF_ANCHOR, RESOURCE_KEY, AGENT_MATCH, TALK_DURATION, CONS_RCV_TALK_DURATION)"""
    )
    con.execute("""ALTER TABLE _T_IRF ADD COLUMN ANCHOR_FLAGS_KEY INTEGER DEFAULT 0;
                   ALTER TABLE _T_IRF ADD COLUMN CONS_INIT_TALK_DURATION BIGINT DEFAULT 0;
                   ALTER TABLE _T_IRF ADD COLUMN POST_CONS_XFER_TALK_DURATION BIGINT DEFAULT 0;
                   ALTER TABLE _T_IRF ADD COLUMN CONF_JOIN_TALK_DURATION BIGINT DEFAULT 0""")
    graph.run_alone(con, "irf_anchor")
    anchored = con.execute("SELECT INTERACTION_RESOURCE_ID FROM _T_IRF WHERE IRF_ANCHOR = 1 ORDER BY 1").fetchall()
    assert anchored == [(12,), (21,)]
    engaged = con.execute("SELECT INTERACTION_RESOURCE_ID FROM _T_IRF WHERE ANCHOR_FLAGS_KEY & 1 = 1 ORDER BY 1")
    assert engaged.fetchall() == [(12,), (13,)]


def test_outbound_dimension_rows_alone_keep_what_configuration_lacks_until_it_is_configured():
    """An object an OCS names that configuration lacks is a row without a name (CONFIGURED_FLAG false)
    from when it was first seen, kept across cycles (star.sql, "Outbound Contact"); once configured it
    is the configured row, ending where configuration deleted it."""
    con = duckdb.connect()
    mart.ensure_schema(con)
    sentinel = mart.SENTINEL_TS
    con.execute(
        """CREATE TEMP TABLE _T_OB_CFG AS SELECT * FROM (VALUES
             ('campaign', 7, 1, 'Renewals', NULL, NULL, 1, NULL, 1000),
             ('calling_list', 8, 1, 'Old list', NULL, NULL, 2, 5000, 900)
           ) AS v(KIND, DBID, TENANTID, NAME, CAMPAIGNID, GROUPID, STATUS, DELETED_TS, FIRST_TS)"""
    )
    con.execute(
        "CREATE TEMP TABLE _T_OB_SEEN AS SELECT * FROM (VALUES ('campaign', 9, 3000), ('campaign', 7, 50)) "
        "AS v(KIND, DBID, TS)"
    )
    # campaign 5 was seen by an earlier cycle and never configured; 9 was seen then too, earlier than now
    con.execute(
        "INSERT INTO CAMPAIGN VALUES (1, NULL, NULL, 5, FALSE, 100, ?, 1, 1), (2, NULL, NULL, 9, FALSE, 2000, ?, 1, 1)",
        [sentinel, sentinel],
    )
    graph.run_alone(con, "outbound_dimension_rows")
    rows = con.execute(
        "SELECT KIND, DBID, NAME, CONFIGURED_FLAG, START_TS, END_TS FROM _T_OB_DIM ORDER BY KIND, DBID"
    ).fetchall()
    assert rows == [
        ("calling_list", 8, "Old list", True, 900, 5000),  # deleted (Status.DELETED) at 5000
        ("campaign", 5, None, False, 100, sentinel),
        ("campaign", 7, "Renewals", True, 1000, sentinel),  # configured: seen before, it is still the configured row
        ("campaign", 9, None, False, 2000, sentinel),  # first seen by the earlier cycle
    ]


def test_no_sql_reads_a_session_variable():
    """Run-level values are passed to the SQL (`$name`, idbmart.sqlfile.with_values): an unset DuckDB
    variable reads as NULL without a word, so a check comparing with it would pass whatever the rows."""
    root = graph.MODELS_DIR.parents[1]
    found = [
        str(p.relative_to(root))
        for folder in ("sql", "expectations", "idbmart")
        for p in (root / folder).rglob("*")
        if p.suffix in (".sql", ".json", ".py", ".md")
        and ("getvariable(" in p.read_text() or "SET VARIABLE" in p.read_text())
    ]
    assert found == []


@pytest.mark.parametrize(
    ("given", "refused"),
    [
        ("'Acme' AS TENANT_NAME, 'blue' AS TENANT_COLOUR", "its model gives TENANT_COLOUR, which the table does"),
        (
            "'Acme' AS TENANT_NAME, 7 AS TENANT_CFG_DBID, 0 AS START_TS, 9 AS END_TS, 'blue' AS TENANT_COLOUR",
            "its model gives TENANT_COLOUR, which the table does",
        ),
        ("'Acme' AS TENANT_NAME", "its model does not give TENANT_CFG_DBID, START_TS, END_TS, which the table has"),
    ],
    ids=["lacking others too", "every other given", "lacking"],
)
def test_a_column_a_model_gives_and_its_table_lacks_fails_the_model_naming_both(tmp_path, given, refused):
    """A column added to a model and not to sql/mart/ would be lost without a word: the merge refuses it,
    whether the model gives every column of the table besides or not; and a model that leaves out one of
    its table's columns is refused, naming them."""
    con = duckdb.connect()
    mart.ensure_schema(con)
    model = _model(
        tmp_path, "dimension", "tenant_colour",
        "-- model: tenant_colour\n-- layer: dimension\n-- target: TENANT\n-- key: TENANT_KEY\n-- scope: TRUE\n"
        f"SELECT 1::BIGINT AS TENANT_KEY, {given}",
    )  # fmt: skip
    with pytest.raises(IdbmartError, match=f"mart table TENANT: {refused}"):
        graph.execute(con, model, {"audit_key": 101}, graph.Results())
    assert con.execute("SELECT count(*) FROM TENANT").fetchall() == [(0,)]


def test_irf_user_data_alone_follows_each_columns_propagation_rule():
    """Info Mart's propagation rules (a rule per mapped column, CTL_UD_TO_UDE_MAPPING:
    https://docs.genesys.com/Documentation/GIM/latest/PDMPostgre/Table-CTL_UD_TO_UDE_MAPPING): CALL, the
    default, the latest value the interaction held when it left the IRF's resource, whoever changed it
    (https://docs.genesys.com/Documentation/GIM/latest/Dep/GIMPropagationRules); IRF, the latest change
    made while the resource had it; IRF_FIRST_UPDATE, the first such change. One interaction: the IVR has
    it 0-100, agent A 100-200, agent B 200-300; CustomerID is set at 50, changed at 150 and 180 and
    deleted (CHANGETYPE 3) at 250; IVR_APP is set once, at 10."""
    o = EtlOptions(
        cust_1_keys=(("IVR_APPLICATION", "IVR_APP"), ("CUSTOMER_ID", "CustomerID")),
        gen_1_keys=(("CASE_ID", "IVR_APP"), ("CUSTOMER_ID", "CustomerID")),
        propagation=(("IRF_USER_DATA_GEN_1.CASE_ID", "IRF"), ("IRF_USER_DATA_GEN_1.CUSTOMER_ID", "IRF_FIRST_UPDATE")),
    )
    con = duckdb.connect()
    mart.ensure_schema(con)
    user_data_map(con, o)
    user_data_tables(con, o)
    con.execute(
        """CREATE TEMP TABLE _T_UD_UNIT AS
           SELECT *, 'R1' AS ROOT, 7::BIGINT AS INTERACTION_ID, 0 AS START_DATE_TIME_KEY, NULL::BIGINT AS TENANT_KEY
           FROM (VALUES (71, 0, 100), (72, 100, 200), (73, 200, 300)) AS v(ID, START_TS, END_TS)"""
    )
    con.execute("CREATE TEMP TABLE _T_IXN_IDS AS SELECT 7::BIGINT AS INTERACTION_ID")
    con.execute(
        """CREATE TEMP TABLE _T_UD_CHANGE AS SELECT * FROM (VALUES
             ('R1', 'IVR_APP', 'IVR_Sales', 1, 10, 1), ('R1', 'CustomerID', 'C1', 1, 50, 2),
             ('R1', 'CustomerID', 'C2', 2, 150, 3), ('R1', 'CustomerID', 'C3', 2, 180, 4),
             ('R1', 'CustomerID', 'C3', 3, 250, 5)
           ) AS v(ROOT, KEYNAME, VALUE, CHANGETYPE, ADDED_TS, CSEQ)"""
    )
    for model in ("irf_user_data", "irf_user_data_cust_1", "irf_user_data_gen_1"):
        graph.run_alone(con, model, o, audit_key=101)
    rows = con.execute(
        """SELECT c.INTERACTION_RESOURCE_ID, c.IVR_APPLICATION, c.CUSTOMER_ID, g.CASE_ID, g.CUSTOMER_ID
           FROM IRF_USER_DATA_CUST_1 AS c JOIN IRF_USER_DATA_GEN_1 AS g USING (INTERACTION_RESOURCE_ID) ORDER BY 1"""
    ).fetchall()
    assert rows == [
        (71, "IVR_Sales", "C1", "IVR_Sales", "C1"),  # CALL, CALL, IRF: set while the IVR had it, IRF_FIRST_UPDATE
        (72, "IVR_Sales", "C3", None, "C2"),  # the last change by 200; no IVR_APP change while A had it; the first
        (73, "IVR_Sales", None, None, None),  # deleted by 300; none; the first change while B had it: the deletion
    ]
