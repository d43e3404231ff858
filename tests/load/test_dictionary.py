"""The data dictionary (sql/mart/dictionary.toml): every mart table and column is described, as a
COMMENT on the mart and its readers' copy; the star schema and aggregates are views of the schema
`report`; docs/mart.md is the dictionary rendered."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from idbmart.cycle import run_cycle
from idbmart.load import dictionary
from idbmart.load.publish import publish

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def described(tiny_deployment, tmp_path):
    _, deployment = tiny_deployment
    deployment = dataclasses.replace(deployment, reader_path=tmp_path / "mart_read.duckdb")
    assert run_cycle(deployment).quality.ok
    assert publish(deployment)
    return deployment


def test_every_table_and_column_of_the_mart_and_its_readers_copy_has_its_description(described):
    for path in (described.mart_path, described.reader_path):
        with duckdb.connect(str(path), read_only=True) as con:
            columns = dictionary.mart_columns(con)
            tables = sorted({t for t, _, _ in columns})
            assert {"INTERACTION_FACT", "RESOURCE_", "AG2_AGENT_HOUR", "CTL_AUDIT_LOG"} <= set(tables)
            undescribed = [(t, c) for t, c, _ in columns if not dictionary.describe_column(t, c)]
            assert undescribed == [], "describe them in sql/mart/dictionary.toml"
            assert [(t, c) for t, c, comment in columns if comment != dictionary.describe_column(t, c)] == []
            comments = dict(con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'")
                            .fetchall())  # fmt: skip
            assert [t for t in tables if not comments.get(t) or comments[t] != dictionary.describe_table(t)] == []


def test_the_report_schema_shows_the_star_schema_and_aggregates_not_the_working_layers(described):
    with duckdb.connect(str(described.reader_path), read_only=True) as con:
        views = {
            v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = 'report'").fetchall()
        }
        tables = {t for t, _, _ in dictionary.mart_columns(con)}
        assert views == {t for t in tables if not t.startswith(("GIDB_", "STG_", "CTL_"))}
        assert {"INTERACTION_FACT", "INTERACTION_RESOURCE_FACT", "AG2_AGENT_HOUR", "DATE_TIME"} <= views
        assert (
            con.execute("SELECT count(*) FROM report.INTERACTION_FACT").fetchone()
            == con.execute("SELECT count(*) FROM main.INTERACTION_FACT").fetchone()
        )
        talk = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'report' AND table_name = "
            "'INTERACTION_RESOURCE_FACT' AND column_name = 'CONS_RCV_TALK_DURATION'"
        ).fetchone()[0]
        assert talk == "Seconds the resource was talking as the receiver of a consultation, while it was one."


def test_a_described_mart_is_not_changed_again_and_a_new_user_data_column_is_described(described):
    con = duckdb.connect(str(described.mart_path))
    try:
        assert dictionary.apply(con) == 0  # one catalog query, nothing to write
        con.execute('ALTER TABLE IRF_USER_DATA_CUST_1 ADD COLUMN "VIP_LEVEL" VARCHAR')  # a key etl.cust_1_keys maps
        assert dictionary.apply(con) > 0
        assert con.execute(
            "SELECT schema_name, comment FROM duckdb_columns() WHERE column_name = 'VIP_LEVEL' ORDER BY 1"
        ).fetchall() == [("main", "The value of a user-data key mapped by etl.cust_1_keys."),
                         ("report", "The value of a user-data key mapped by etl.cust_1_keys.")]  # fmt: skip
    finally:
        con.close()


def test_docs_mart_md_is_the_dictionary_rendered(tmp_path):
    with dictionary.built_mart(tmp_path) as con:
        fresh = dictionary.markdown(con)
    assert (ROOT / "docs" / "mart.md").read_text() == fresh, "python -m idbmart.load.dictionary > docs/mart.md"
