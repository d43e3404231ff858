"""The three source readers: same rows from DuckDB, Parquet and PostgreSQL; read-only; schema checks."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
import pyarrow as pa
import pytest
import sqlglot

from idbmart.errors import SourceError
from idbmart.extract.sources import _libpq_uri, arrow_schema, open_source, password_env
from idbmart.fixtures import idb_writer, tiny
from idbmart.idb.schema import tables, tables_for_roles
from tests.conftest import make_source


def _sorted(t: pa.Table) -> pa.Table:
    return t.sort_by([(c, "ascending") for c in t.column_names])


def _read_all(source) -> dict[str, pa.Table]:
    with open_source(source) as reader:
        return {t.name: _sorted(reader.read_table(t)) for t in tables_for_roles(source.roles)}


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_duckdb_reader_returns_the_tiny_idb_as_written(tiny_duckdb):
    got = _read_all(make_source("d", f"duckdb://{tiny_duckdb}"))
    # Counts stated in idbmart/fixtures/tiny/README.md.
    assert got["G_CALL"].num_rows == 3
    assert got["G_PARTY"].num_rows == 6
    assert got["G_AGENT_STATE_HISTORY"].num_rows == 6
    assert got["G_LOGIN_SESSION"].column("AGENTID").to_pylist() == [201]
    calls = {r["CALLID"]: r for r in got["G_CALL"].to_pylist()}
    assert calls["CALL-0003"]["TERMINATED_TS"] is None
    assert calls["CALL-0001"]["TERMINATED_TS"] - calls["CALL-0001"]["CREATED_TS"] == 140
    for name, t in got.items():
        assert t.schema == arrow_schema(tables()[name]), name


def test_parquet_reader_reads_the_same_rows_as_duckdb(tiny_duckdb, tiny_parquet):
    a = _read_all(make_source("d", f"duckdb://{tiny_duckdb}"))
    b = _read_all(make_source("p", f"parquet://{tiny_parquet}"))
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].equals(b[name]), name


@pytest.mark.postgres
def test_postgres_reader_reads_the_same_rows_as_duckdb(tiny_duckdb, tiny_postgres):
    a = _read_all(make_source("d", f"duckdb://{tiny_duckdb}"))
    b = _read_all(make_source("pg", tiny_postgres))
    for name in a:
        assert a[name].equals(b[name]), name


def test_snapshot_readers_never_write(tiny_duckdb, tiny_parquet):
    before = _digest(tiny_duckdb)
    files_before = sorted(p.name for p in tiny_parquet.iterdir())
    with open_source(make_source("d", f"duckdb://{tiny_duckdb}")) as reader:
        with pytest.raises(SourceError, match="read-only|read only"):
            reader.query(sqlglot.parse_one("CREATE TABLE X_SHOULD_FAIL (A INT)"))
    with open_source(make_source("p", f"parquet://{tiny_parquet}")) as reader:
        reader.read_table(tables()["G_CALL"])
    assert _digest(tiny_duckdb) == before
    assert sorted(p.name for p in tiny_parquet.iterdir()) == files_before


@pytest.mark.postgres
def test_postgres_sessions_are_read_only(tiny_postgres):
    with open_source(make_source("pg", tiny_postgres)) as reader:
        with pytest.raises(SourceError, match="read-only transaction"):
            reader.query(sqlglot.parse_one("DELETE FROM G_CALL"))
        assert reader.read_table(tables()["G_CALL"]).num_rows == 3


def test_postgres_password_comes_from_the_environment_only(monkeypatch):
    source = make_source("Site 1-A", "postgresql://icon@db.example:5432/idb")
    assert "password" not in _libpq_uri(source)
    monkeypatch.setenv(password_env("Site 1-A"), "s3cret")
    assert password_env("Site 1-A") == "IDBMART_PASSWORD_SITE_1_A"
    assert "password=s3cret" in _libpq_uri(source)
    assert "default_transaction_read_only%3Don" in _libpq_uri(source)


def test_unreachable_postgres_is_a_one_line_error_naming_the_source():
    with pytest.raises(SourceError) as err:
        open_source(make_source("site9", "postgresql://icon@127.0.0.1:1/idb"))
    message = str(err.value)
    assert message.startswith("source 'site9': cannot connect to postgresql://icon@127.0.0.1:1/idb")
    assert "\n" not in message


def _tiny_copy(tmp_path, *statements: str):
    """A DuckDB copy of the tiny IDB changed by `statements` (to break its schema)."""
    path = tmp_path / "broken.duckdb"
    con = idb_writer.build(tiny.ROLES, script=tiny.SCRIPT, con=duckdb.connect(str(path)))
    for s in statements:
        con.execute(s)
    con.close()
    return make_source("broken", f"duckdb://{path}")


def test_missing_required_table_names_source_and_table(tmp_path):
    source = _tiny_copy(tmp_path, "DROP TABLE G_PARTY_HISTORY")
    with pytest.raises(SourceError) as err:
        open_source(source)
    assert str(err.value) == (
        "source 'broken': G_PARTY_HISTORY: missing table G_PARTY_HISTORY (needed for roles cfg, gcc, gud, gls)"
    )


def test_missing_required_column_names_source_table_and_column(tmp_path):
    source = _tiny_copy(tmp_path, "ALTER TABLE G_CALL DROP COLUMN TERMINATED_TS")
    with pytest.raises(SourceError) as err:
        open_source(source)
    assert (err.value.source, err.value.table, err.value.column) == ("broken", "G_CALL", "TERMINATED_TS")
    assert str(err.value) == "source 'broken': G_CALL.TERMINATED_TS: missing column TERMINATED_TS"


def test_extra_columns_and_tables_are_ignored(tmp_path):
    source = _tiny_copy(
        tmp_path,
        "ALTER TABLE G_CALL ADD COLUMN SITE_SPECIFIC VARCHAR DEFAULT 'x'",
        "CREATE TABLE G_SOMETHING_NEWER (A INT)",
    )
    with open_source(source) as reader:
        calls = reader.read_table(tables()["G_CALL"])
        assert reader.schema_report().warnings == []
    assert calls.schema == arrow_schema(tables()["G_CALL"])
    assert calls.num_rows == 3


def test_missing_optional_table_reads_as_empty_and_is_reported(tmp_path):
    source = _tiny_copy(tmp_path, "DROP TABLE G_VIRTUAL_QUEUE")
    with open_source(source) as reader:
        vq = reader.read_table(tables()["G_VIRTUAL_QUEUE"])
        assert "G_VIRTUAL_QUEUE" in reader.schema_report().missing_optional
    assert vq.num_rows == 0 and vq.schema == arrow_schema(tables()["G_VIRTUAL_QUEUE"])


def test_wrong_type_is_reported_and_converted_not_crashed_on(tmp_path):
    source = _tiny_copy(
        tmp_path,
        "ALTER TABLE G_CALL ALTER COLUMN CREATED_TS SET DATA TYPE VARCHAR",
        "UPDATE G_CALL SET CREATED_TS = 'garbage' WHERE CALLID = 'CALL-0002'",
        # Same family, other width: converted silently (an IDB may use BIGINT or NUMERIC for ids).
        "ALTER TABLE G_CALL ALTER COLUMN SWITCHID SET DATA TYPE BIGINT",
    )
    with open_source(source) as reader:
        calls = {r["CALLID"]: r for r in reader.read_table(tables()["G_CALL"]).to_pylist()}
        warnings = [f.line("broken") for f in reader.schema_report().warnings]
    assert calls["CALL-0001"]["CREATED_TS"] == 1793607000  # converted from text
    assert calls["CALL-0002"]["CREATED_TS"] is None  # could not be converted
    assert calls["CALL-0001"]["SWITCHID"] == 1
    assert warnings == [
        "source 'broken': G_CALL.CREATED_TS: type VARCHAR is not integer as the IDB model has it; "
        "read with a conversion",
        "source 'broken': G_CALL.CREATED_TS: 1 values could not be converted and were read as NULL",
    ]


def test_parquet_folder_missing_a_table_file_is_a_schema_error(tmp_path, tiny_parquet):
    folder = tmp_path / "pq"
    shutil.copytree(tiny_parquet, folder)
    (folder / "G_IR.parquet").unlink()
    with pytest.raises(SourceError, match=r"^source 'pq': G_IR: missing table G_IR"):
        open_source(make_source("pq", f"parquet://{folder}"))


def test_sql_files_render_per_dialect_with_bound_parameters():
    from idbmart import sqlfile

    q = sqlglot.parse_one("SELECT CALLID FROM G_CALL WHERE GSYS_SEQ > :hwm AND ANI = :ani")
    assert sqlfile.render(q, "duckdb", {"hwm": 5, "ani": "o'brien"}) == (
        "SELECT CALLID FROM G_CALL WHERE GSYS_SEQ > 5 AND ANI = 'o''brien'"
    )
    with pytest.raises(KeyError, match=":hwm"):
        sqlfile.render(q, "postgres", {"ani": "x"})
    # a file's SQL is generated once per dialect, its values bound at each render
    for run_id in (7, 8):
        assert f"CASE WHEN e.RUN_ID = {run_id} THEN" in sqlfile.render("ha/decide.sql", "duckdb", {"run_id": run_id})
    with pytest.raises(KeyError, match=":run_id has no value"):
        sqlfile.render("ha/decide.sql", "duckdb")


def test_a_template_binds_each_value_as_its_own_literal():
    """Literals are generated once per value and reused: a flag and a number that Python holds equal
    (True == 1, 1.0 == 1) still bind as their own literals, and a list binds as a list."""
    from idbmart import sqlfile

    q = sqlglot.parse_one("SELECT * FROM G_CALL WHERE GSYS_SEQ > :hwm AND STUCK = :flag AND ID IN :ids")
    sql = sqlfile.template(q, "duckdb")
    assert sqlfile.bind(sql, "duckdb", {"hwm": 1, "flag": True, "ids": [1]}) == (
        "SELECT * FROM G_CALL WHERE GSYS_SEQ > 1 AND STUCK = TRUE AND ID IN [1]"
    )
    assert sqlfile.bind(sql, "duckdb", {"hwm": True, "flag": 1, "ids": [2]}) == (
        "SELECT * FROM G_CALL WHERE GSYS_SEQ > TRUE AND STUCK = 1 AND ID IN [2]"
    )
    assert "GSYS_SEQ > 1.0" in sqlfile.bind(sql, "duckdb", {"hwm": 1.0, "flag": None, "ids": []})
    with pytest.raises(KeyError, match=":ids has no value"):
        sqlfile.bind(sql, "duckdb", {"hwm": 1, "flag": True})


@pytest.mark.slow  # 10 s: `make test-fast` stays under two minutes
def test_a_parquet_value_that_is_not_utf8_is_repaired_never_failing_the_source(tiny_parquet, tmp_path):
    """Issue: one invalid UTF-8 byte in a Parquet user-data value skipped the source on every run.
    CALL-0001's CustomerSegment "Gold" (tiny/README.md) gets a stray 0xFF byte: the source is read,
    the value loads with U+FFFD for the byte, and the cycle's extract history counts the repaired value."""
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    from idbmart import config
    from idbmart.cycle import run_cycle

    folder = tmp_path / "pq"
    shutil.copytree(tiny_parquet, folder)
    path = folder / "G_USERDATA_HISTORY.parquet"
    table = pq.read_table(path)
    values = [v + b"\xff" if v == b"Gold" else v for v in table.column("VALUE").cast(pa.binary()).to_pylist()]
    assert values.count(b"Gold\xff") == 1, "the scenario's value must be there"
    raw = pa.array(values, pa.binary())
    not_utf8 = pa.Array.from_buffers(pa.string(), len(raw), raw.buffers(), null_count=raw.null_count)
    pq.write_table(table.set_column(table.schema.get_field_index("VALUE"), "VALUE", not_utf8), path)
    control = folder / "G_PROV_CONTROL.parquet"  # every row committed, as tiny_deployment has it
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * REPLACE (50 AS SEQCOUNTER, 50 AS SEQCURRENT) FROM '{control}') "
            f"TO '{control}.new' (FORMAT parquet)"
        )
    (folder / "G_PROV_CONTROL.parquet.new").replace(control)

    (tmp_path / "deployment.toml").write_text(
        config.render(str(tmp_path / "mart.duckdb"), [make_source("site1", f"parquet://{folder}")])
    )
    deployment = config.load(tmp_path / "deployment.toml")
    result = run_cycle(deployment)
    assert not result.skipped
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        assert con.execute(
            "SELECT VALUE FROM GIDB_G_USERDATA_HISTORY WHERE KEYNAME = 'CustomerSegment'"
        ).fetchall() == [("Gold\ufffd",)]
        assert con.execute(
            "SELECT STATUS, MESSAGE FROM CTL_EXTRACT_HISTORY WHERE TABLE_NAME = 'G_USERDATA_HISTORY'"
        ).fetchall() == [("ok", "VALUE: 1 values were not valid UTF-8: their invalid bytes were read as U+FFFD")]


def test_a_broken_parquet_file_is_a_source_error_naming_the_file(tiny_parquet, tmp_path):
    folder = tmp_path / "pq"
    shutil.copytree(tiny_parquet, folder)
    (folder / "G_CALL.parquet").write_bytes(b"not parquet")
    with pytest.raises(SourceError, match=r"^source 's': G_CALL: cannot read G_CALL.parquet: "):
        open_source(make_source("s", f"parquet://{folder}"))
