"""The mart's DuckDB helpers (idbmart/load/mart.py)."""

from __future__ import annotations

import duckdb
import pytest

from idbmart.errors import IdbmartError, KeyConflict
from idbmart.load import mart, merge, scans
from idbmart.load.db import create_empty, run
from tests.conftest import ROW_GROUP


def test_a_table_created_empty_in_a_transaction_sees_a_row_group_inserted_into_it(tmp_path):
    """In DuckDB 2.0.0, a table `CREATE TABLE ... AS ... LIMIT 0` made inside a transaction reads as
    empty, until the commit, after an INSERT ... SELECT of a row group or more: the aggregates rolled up
    from such a table and got nothing. create_empty makes it by DDL, which sees its rows."""
    con = duckdb.connect(str(tmp_path / "mart.duckdb"))
    rows = ROW_GROUP + 7_120
    run(con, f"CREATE TABLE SOURCE_ROWS AS SELECT i AS K, i % 96 * 900 AS DATE_TIME_KEY FROM range({rows}) t(i)")
    run(con, "BEGIN TRANSACTION")
    query = "SELECT *, NULL::BIGINT AS UPDATE_AUDIT_KEY FROM SOURCE_ROWS"
    create_empty(con, "LASTING", query)
    create_empty(con, "_WORK", query, temp=True)
    for table in ("LASTING", "_WORK"):
        run(con, f"INSERT INTO {table} SELECT *, 1 FROM SOURCE_ROWS")
        assert run(con, f"SELECT count(*), max(K), sum(DATE_TIME_KEY >= 900 * 48) FROM {table}")[0] == (
            rows,
            rows - 1,
            sum(1 for i in range(rows) if i % 96 >= 48),
        ), table
    assert [c for c, *_ in run(con, "DESCRIBE LASTING")] == ["K", "DATE_TIME_KEY", "UPDATE_AUDIT_KEY"]
    run(con, "COMMIT")
    con.close()


def test_a_mart_made_with_keyed_tables_keeps_their_rows_without_the_keys(tmp_path):
    """Marts made before had a PRIMARY KEY on the control tables STG_ENTITY and CTL_HA_DECISION and
    on every fact; connecting moves them over whole, rows and user-data columns added since kept."""
    path = tmp_path / "mart.duckdb"
    con = mart.connect(path)
    run(con, "INSERT INTO STG_ENTITY (SOURCE_NAME, HA_SET, ENTITY_KIND, ENTITY_KEY, START_TS, END_TS, STUCK, RUN_ID) "
             "SELECT 'a', 'set', 'interaction', 'k' || i, i, i + 1, FALSE, 1 FROM range(50) r(i)")  # fmt: skip
    run(con, """INSERT INTO CTL_HA_DECISION (HA_SET, ENTITY_KIND, ENTITY_KEY, SOURCE_NAME, REASON, STUCK_FLAG,
                MEMBERS, RUN_ID) SELECT 'set', 'interaction', 'k' || i, 'a', 'single_member_set', FALSE, 1, 1
                FROM range(30) t(i)""")  # fmt: skip
    run(con, """INSERT INTO INTERACTION_RESOURCE_FACT (INTERACTION_RESOURCE_ID, INTERACTION_ID, START_TS,
                RESOURCE_GROUP_COMBINATION_KEY) SELECT i, i // 3, 1000 + i, -2 FROM range(40) t(i)""")  # fmt: skip
    run(con, 'ALTER TABLE IRF_USER_DATA_CUST_1 ADD COLUMN "CUSTOMER_ID" VARCHAR')  # a mapped key
    run(con, """INSERT INTO IRF_USER_DATA_CUST_1 (INTERACTION_RESOURCE_ID, INTERACTION_ID, CUSTOMER_ID)
                SELECT i, i // 3, 'c' || i FROM range(40) t(i)""")  # fmt: skip
    keys = {
        "STG_ENTITY": "SOURCE_NAME, ENTITY_KIND, ENTITY_KEY",
        "CTL_HA_DECISION": "HA_SET, ENTITY_KIND, ENTITY_KEY",
        "INTERACTION_RESOURCE_FACT": "INTERACTION_RESOURCE_ID",
        "IRF_USER_DATA_CUST_1": "INTERACTION_RESOURCE_ID",
        "SM_RES_STATE_FACT": "SM_RES_STATE_FACT_KEY",
    }
    for table, key in keys.items():
        run(con, f"ALTER TABLE {table} ADD PRIMARY KEY ({key})")
    before = {t: run(con, f"SELECT * FROM {t} ORDER BY ALL") for t in keys}
    assert mart._keyed(con, mart.unkeyed()) == sorted(keys)
    con.close()

    con = mart.connect(path)
    assert mart._keyed(con, mart.unkeyed()) == []
    assert {t: run(con, f"SELECT * FROM {t} ORDER BY ALL") for t in keys} == before
    assert [c for c, *_ in run(con, "DESCRIBE IRF_USER_DATA_CUST_1")][-1] == "CUSTOMER_ID"
    assert not run(con, "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%_KEYED'")
    con.close()


def test_a_mart_that_staged_the_chosen_versions_twice_keeps_them_in_gidb_only(tmp_path):
    """Marts made before kept every member's version in STG_* and copied the chosen one to GIDB_*;
    connecting drops the copies from STG_* once (the versions not chosen stay), GIDB_* untouched."""
    path = tmp_path / "mart.duckdb"
    con = mart.connect(path)
    chosen = {f"k{i}": "a" if i < 7 else "b" for i in range(10)}  # k0-k6 from member a, k7-k9 from b
    run(con, """INSERT INTO CTL_HA_DECISION (HA_SET, ENTITY_KIND, ENTITY_KEY, SOURCE_NAME, REASON, STUCK_FLAG,
                MEMBERS, RUN_ID) SELECT 'set', 'interaction', k, s, 'both_cover_primary', FALSE, 2, 1
                FROM (VALUES """ + ", ".join(f"('{k}', '{m}')" for k, m in chosen.items()) + ") v(k, s)")  # fmt: skip
    calls = "(CALLID, SOURCE_NAME, HA_SET, ENTITY_KEY, STUCK_FLAG, EXTRACT_RUN_ID)"
    for member in ("a", "b"):  # the old layout: both members' calls in STG, the chosen ones in GIDB too
        run(con, f"INSERT INTO STG_G_CALL {calls} SELECT 'call-' || k, '{member}', 'set', k, FALSE, 1 "
                 f"FROM (SELECT unnest({list(chosen)}) AS k)")  # fmt: skip
    for k, member in chosen.items():
        run(con, f"INSERT INTO GIDB_G_CALL {calls} VALUES ('call-{k}', '{member}', 'set', '{k}', FALSE, 1)")
    for t in mart.extracted_tables():
        run(con, f"COMMENT ON TABLE STG_{t.name} IS NULL")
    gidb = run(con, "SELECT * FROM GIDB_G_CALL ORDER BY ALL")
    con.close()

    for _ in range(2):  # moved over once; a second connect finds nothing to do
        con = mart.connect(path)
        assert run(con, "SELECT ENTITY_KEY, SOURCE_NAME FROM STG_G_CALL ORDER BY 1") == [
            (k, "b" if member == "a" else "a") for k, member in sorted(chosen.items())
        ]
        assert run(con, "SELECT * FROM GIDB_G_CALL ORDER BY ALL") == gidb
        marked = run(con, "SELECT DISTINCT comment FROM duckdb_tables() WHERE table_name LIKE 'STG_G%'")
        assert marked == [(mart.STAGING_COMMENT,)]
        con.close()


def test_the_facts_and_the_control_tables_kept_by_key_are_made_without_a_primary_key(tmp_path):
    con = mart.connect(tmp_path / "mart.duckdb")
    facts = {t for (t,) in run(con, "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%FACT%'")}
    assert len(facts) == 17  # 13 facts and 4 relations kept over time (*_FACT_)
    assert {*facts, "IRF_USER_DATA_CUST_1", "STG_ENTITY", "CTL_HA_DECISION"} <= set(mart.unkeyed())
    assert mart._keyed(con, mart.unkeyed()) == []
    assert {"RESOURCE_", "DATE_TIME", "TENANT"} <= set(mart._keyed(con, ("RESOURCE_", "DATE_TIME", "TENANT")))
    con.close()


@pytest.mark.parametrize("key", ["K", ("A", "B")])
@pytest.mark.parametrize("start", [0, 100], ids=["scope with rows", "scope without rows"])
def test_replace_refuses_a_key_twice_and_writes_nothing(tmp_path, key, start):
    """Without a PRIMARY KEY, replace itself refuses a second row with a key: one repeated among the new
    rows, or one already in the table outside the scope replaced. It names the table and the key.
    Rows 0-9 rebuilt (the scope holds them), or rows 100-109 new (it holds none: no old row to compare)."""
    con = duckdb.connect(str(tmp_path / "mart.duckdb"))
    run(con, """CREATE TABLE FACT (K BIGINT NOT NULL, A BIGINT, B BIGINT, V VARCHAR,
                CREATE_AUDIT_KEY BIGINT, UPDATE_AUDIT_KEY BIGINT)""")  # fmt: skip
    run(con, "INSERT INTO FACT SELECT i, i // 10, i % 10, 'v' || i, 100, 100 FROM range(100) r(i)")
    before = run(con, "SELECT * FROM FACT ORDER BY K")
    keys = (key,) if isinstance(key, str) else key
    scope, last = f"K >= {start} AND K < {start + 10}", start + 9
    rows = f"SELECT i AS K, i // 10 AS A, i % 10 AS B, 'w' || i AS V FROM range({start}, {start + 10}) r(i)"
    # the last new row twice (the second one changed)
    twice = f"{rows} UNION ALL SELECT {last}, {last // 10}, 9, 'x'"
    with pytest.raises(KeyConflict, match="the new rows repeat it") as refused:
        merge.replace(con, "FACT", key, f"({twice})", scope, 200)
    assert (refused.value.table, refused.value.keys) == ("FACT", keys)
    assert refused.value.values == ((last,) if key == "K" else (last // 10, 9))
    # and a row 55 (A 5, B 5), which the table has outside the scope
    there = f"{rows} UNION ALL SELECT 55, 5, 5, 'y'"
    with pytest.raises(KeyConflict, match="in the table already, outside the scope") as refused:
        merge.replace(con, "FACT", key, f"({there})", scope, 200)
    assert refused.value.values == ((55,) if key == "K" else (5, 5))
    assert "mart table FACT: two rows with the key" in str(refused.value)
    assert run(con, "SELECT * FROM FACT ORDER BY K") == before


@pytest.mark.parametrize("key", ["K", ("A", "B")])
def test_replace_writes_only_the_rows_that_changed(tmp_path, key):
    """A scope of 100 rows rebuilt: 90 the same, 5 changed, 5 gone, 3 new. The 90 stay as they were
    with their audit keys, the 5 changed are updated where they are (same rowid: not deleted and
    inserted again; deleted rows make DuckDB merge and rewrite row groups) and keep their first load's
    CREATE_AUDIT_KEY; the old and new versions of all 13 others are recorded as touched."""
    con = duckdb.connect(str(tmp_path / "mart.duckdb"))
    run(con, """CREATE TABLE FACT (K BIGINT PRIMARY KEY, A BIGINT, B BIGINT, INTERACTION_ID BIGINT, V VARCHAR,
                START_TS BIGINT, END_TS BIGINT, CREATE_AUDIT_KEY BIGINT, UPDATE_AUDIT_KEY BIGINT)""")  # fmt: skip
    run(con, "INSERT INTO FACT SELECT i, i // 10, i % 10, i, 'v' || i, i, i + 1, 100, 100 FROM range(1000) r(i)")
    run(con, """CREATE TEMP TABLE _N AS
                SELECT i AS K, i // 10 AS A, i % 10 AS B, i AS INTERACTION_ID,
                       CASE WHEN i BETWEEN 90 AND 94 THEN 'changed' ELSE 'v' || i END AS V, i AS START_TS,
                       i + 1 AS END_TS
                FROM (SELECT * FROM range(95) UNION ALL SELECT * FROM range(1000, 1003)) r(i)""")  # fmt: skip
    merge.start_touched(con)
    rowids = run(con, "SELECT K, rowid FROM FACT ORDER BY K")

    result = merge.replace(con, "FACT", key, "_N", "K < 100 OR K >= 1000", 200, touched=True)

    assert result == (3, 5, 5)  # inserted, deleted, changed
    assert run(con, "SELECT K, rowid FROM FACT WHERE K < 95 OR K BETWEEN 100 AND 999 ORDER BY K") == [
        (k, rowid) for k, rowid in rowids if k < 95 or k >= 100
    ]
    audit = dict(
        run(con, "SELECT CREATE_AUDIT_KEY::VARCHAR || '/' || UPDATE_AUDIT_KEY, list(K ORDER BY K) FROM FACT GROUP BY 1")
    )
    assert audit == {
        "100/100": [*range(90), *range(100, 1000)],
        "100/200": list(range(90, 95)),
        "200/200": [1000, 1001, 1002],
    }
    assert run(con, "SELECT V FROM FACT WHERE K = 92") == [("changed",)]
    assert sorted(run(con, "SELECT INTERACTION_ID FROM _T_TOUCHED")) == sorted(
        (k,) for k in [*range(90, 95), *range(90, 100), 1000, 1001, 1002]
    )
    assert run(con, "SELECT DISTINCT FACT FROM _T_TOUCHED") == [("FACT",)]


def test_replace_reads_its_scope_wherever_the_rows_lie(tmp_path):
    """`ranged`, replace reads the scope's old rows within a rowid range it finds first: rows
    in every row group, rows written earlier in the same transaction (DuckDB numbers those far above
    the others), rows updated there and rows deleted there are all read as they now are."""
    con = duckdb.connect(str(tmp_path / "mart.duckdb"))
    run(con, "CREATE TABLE FACT (K BIGINT, G BIGINT, V VARCHAR, CREATE_AUDIT_KEY BIGINT, UPDATE_AUDIT_KEY BIGINT)")
    committed = 3 * ROW_GROUP
    run(con, f"INSERT INTO FACT SELECT i, i % 1000, 'v', 100, 100 FROM range({committed}) r(i)")
    run(con, "CHECKPOINT")
    run(con, "BEGIN TRANSACTION")
    run(con, "DELETE FROM FACT WHERE K % 7 = 0")
    run(con, f"INSERT INTO FACT SELECT i, 5, 'v', 150, 150 FROM range({committed}, {committed + 10}) r(i)")
    group = [k for k in range(committed) if k % 1000 == 5 and k % 7] + list(range(committed, committed + 10))
    for audit_key, value in ((200, "rebuilt"), (300, "again")):
        run(con, f"CREATE OR REPLACE TEMP TABLE _N AS SELECT K, G, '{value}' AS V FROM FACT WHERE G = 5")
        assert merge.replace(con, "FACT", "K", "_N", "G = 5", audit_key, ranged=True) == (0, 0, len(group))
    run(con, "COMMIT")
    assert run(con, "SELECT list(K ORDER BY K), min(V), max(V), min(UPDATE_AUDIT_KEY) FROM FACT WHERE G = 5") == [
        (group, "again", "again", 300)
    ]
    assert run(con, "SELECT count(*), min(V), max(V) FROM FACT WHERE G <> 5")[0] == (
        sum(1 for k in range(committed) if k % 1000 != 5 and k % 7),
        "v",
        "v",
    )


def test_replace_reads_deletes_and_updates_within_the_row_groups_its_scope_holds(tmp_path):
    """`ranged`, with the scope's rows in the last of three row groups: finding them, and deleting the
    row gone from the new rows and updating the one changed, each read that row group alone (keys in
    insertion order would let zone maps skip the others anyway; here the key is a hash, as the facts')."""
    con = mart.connect(tmp_path / "mart.duckdb")
    run(con, "CREATE TABLE FACT (K UBIGINT, G BIGINT, V VARCHAR, CREATE_AUDIT_KEY BIGINT, UPDATE_AUDIT_KEY BIGINT)")
    run(con, f"INSERT INTO FACT SELECT hash(i), i // 1000, 'v', 100, 100 FROM range({3 * ROW_GROUP}) r(i)")
    run(con, "CHECKPOINT")
    last = (3 * ROW_GROUP - 1) // 1000  # a scope of 1,000 rows in the last row group
    run(con, f"""CREATE TEMP TABLE _N AS SELECT K, G, CASE WHEN row_number() OVER (ORDER BY K DESC) = 1 THEN 'changed'
                 ELSE V END AS V FROM FACT WHERE G = {last} ORDER BY K OFFSET 1""")  # fmt: skip
    with scans.recording() as log:
        scans.watch(con)
        assert merge.replace(con, "FACT", "K", "_N", f"G = {last}", 200, ranged=True) == (0, 1, 1)
    reads = [(s.statement.split()[0], s.row_groups, s.of_row_groups) for s in log.scans if s.table.endswith("FACT")]
    assert {r[0] for r in reads} >= {"DELETE", "UPDATE"}
    assert all(groups == 1 for _, groups, of in reads) and {of for _, _, of in reads} == {3}, reads
    con.close()


def test_a_mart_made_before_the_open_versions_were_listed_lists_them_when_next_opened(tmp_path):
    """STG_ENTITY_OPEN (idbmart/extract/reach.py) made for a mart that has none, from its STG_ENTITY: the
    versions still open (END_TS NULL) with their runs, the ended ones not."""
    path = tmp_path / "mart.duckdb"
    con = mart.connect(path)
    run(con, "INSERT INTO STG_ENTITY VALUES ('a', 's', 'interaction', 'open', 100, NULL, TRUE, 7, NULL), "
             "('a', 's', 'interaction', 'ended', 100, 200, FALSE, 8, NULL)")  # fmt: skip
    run(con, "DROP TABLE STG_ENTITY_OPEN")
    con.close()
    con = mart.connect(path)
    assert run(con, "SELECT * FROM STG_ENTITY_OPEN") == [("a", "s", "interaction", "open", 7)]
    con.close()


def test_a_column_added_to_the_mart_ddl_reaches_a_mart_made_before_it(tmp_path):
    """A mart made before TECHNICAL_DESCRIPTOR's display names and the IRF's POST_CONS_XFER_ACW_*
    columns gets them on connecting, its rows kept (NULL in the new columns)."""
    path = tmp_path / "mart.duckdb"
    con = mart.connect(path)
    run(con, "INSERT INTO TECHNICAL_DESCRIPTOR (TECHNICAL_DESCRIPTOR_KEY, RESOURCE_ROLE_CODE) VALUES (1, 'RECEIVED')")
    run(con, "INSERT INTO INTERACTION_RESOURCE_FACT (INTERACTION_RESOURCE_ID, INTERACTION_ID) VALUES (7, 8)")
    run(con, "ALTER TABLE TECHNICAL_DESCRIPTOR DROP COLUMN RESOURCE_ROLE")
    run(con, "ALTER TABLE INTERACTION_RESOURCE_FACT DROP COLUMN POST_CONS_XFER_ACW_DURATION")
    run(
        con,
        "INSERT INTO CTL_QUALITY_RESULT (RUN_ID, JOB, SCOPE, SUITE, EXPECTATION, SUCCESS) "
        "VALUES (1, 'run', 'cycle', 's', 'e', TRUE)",
    )
    run(con, "ALTER TABLE CTL_QUALITY_RESULT DROP COLUMN SEVERITY")  # recorded before severities
    con.close()
    con = mart.connect(path)
    assert run(con, "SELECT RESOURCE_ROLE_CODE, RESOURCE_ROLE FROM TECHNICAL_DESCRIPTOR") == [("RECEIVED", None)]
    assert run(con, "SELECT INTERACTION_RESOURCE_ID, POST_CONS_XFER_ACW_DURATION FROM INTERACTION_RESOURCE_FACT") == [
        (7, None)
    ]
    assert run(con, "SELECT RUN_ID, SEVERITY FROM CTL_QUALITY_RESULT") == [(1, "block")]  # the DDL's default
    con.close()


def test_replace_refuses_a_column_its_table_does_not_have(tmp_path):
    """A column added to a model and not to its table's DDL would be dropped silently: replace refuses
    it, naming the table and the column, and writes nothing."""
    con = duckdb.connect(str(tmp_path / "mart.duckdb"))
    run(con, "CREATE TABLE FACT (K BIGINT NOT NULL, V VARCHAR, CREATE_AUDIT_KEY BIGINT, UPDATE_AUDIT_KEY BIGINT)")
    with pytest.raises(IdbmartError, match="mart table FACT: its model gives NEW_MEASURE, which the table does not"):
        merge.replace(con, "FACT", "K", "(SELECT 1 AS K, 'v' AS V, 7 AS NEW_MEASURE)", "TRUE", 100)
    assert run(con, "SELECT count(*) FROM FACT") == [(0,)]


def test_a_mart_made_before_no_group_gives_its_facts_in_no_group_the_no_group_combination(tmp_path):
    """Info Mart files a fact whose resource was in no group under the group -2, No Group (its GROUP_
    rows -1 UNKNOWN and -2 No Group); a mart made before left those facts' RESOURCE_GROUP_COMBINATION_KEY
    NULL: on connecting they get -2, once, and a fact in a group keeps its combination."""
    path = tmp_path / "mart.duckdb"
    con = mart.connect(path)
    run(con, "INSERT INTO INTERACTION_RESOURCE_FACT (INTERACTION_RESOURCE_ID, INTERACTION_ID, "
             "RESOURCE_GROUP_COMBINATION_KEY) VALUES (7, 8, NULL), (9, 8, 55)")  # fmt: skip
    run(con, "INSERT INTO SM_RES_SESSION_FACT (SM_RES_SESSION_FACT_KEY) VALUES (3)")
    con.close()
    con = mart.connect(path)
    assert run(con, "SELECT INTERACTION_RESOURCE_ID, RESOURCE_GROUP_COMBINATION_KEY FROM INTERACTION_RESOURCE_FACT "
                    "ORDER BY 1") == [(7, -2), (9, 55)]  # fmt: skip
    assert run(con, "SELECT RESOURCE_GROUP_COMBINATION_KEY FROM SM_RES_SESSION_FACT") == [(-2,)]
    assert run(con, "SELECT GROUP_NAME, GROUP_TYPE_CODE FROM GROUP_") == [("No Group", "NO_VALUE")]
    run(
        con,
        "UPDATE INTERACTION_RESOURCE_FACT SET RESOURCE_GROUP_COMBINATION_KEY = NULL WHERE INTERACTION_RESOURCE_ID = 9",
    )
    con.close()
    con = mart.connect(path)  # done once: a later NULL is the transform's to explain, not the migration's
    assert run(con, "SELECT count(*) FROM INTERACTION_RESOURCE_FACT WHERE RESOURCE_GROUP_COMBINATION_KEY IS NULL") == [
        (1,)
    ]
    con.close()
