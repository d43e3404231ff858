"""Report SQL written for real Info Marts runs on the mart: the corpus of tests/infomart_sql/ (each file a
query in a dialect Info Mart runs on, in the shape of a public report it names) is transpiled to DuckDB
by `idbmart sql` and returns rows on a simulated day; a query that needs a table idbmart does not build
says so in its header (`-- missing:`) and fails naming that table, so building it makes this test say so.
docs/report-sql.md lists the corpus and its sources."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from idbmart import config
from idbmart.cli import main
from idbmart.cycle import run_cycle
from idbmart.errors import IdbmartError
from idbmart.fixtures.simulator import Params, simulate
from idbmart.load.publish import publish
from idbmart.report_sql import run_report, to_duckdb
from idbmart.transform import graph

# Slow (a simulated day): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

CORPUS = sorted((Path(__file__).parent / "infomart_sql").glob("*.sql"))
P = Params(calls=400, days=1, seed=11, classic=True)


def header(path: Path) -> dict[str, str]:
    """The file's header (dialect, follows, missing), read as the transform reads its models' headers."""
    return graph.header(path.read_text(), path.name, ("dialect", "follows", "missing"))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    deployment = config.load(simulate(tmp_path_factory.mktemp("day"), P, []))
    assert not run_cycle(deployment).skipped
    assert publish(deployment)
    return deployment


def test_the_corpus_is_there_and_every_file_names_its_dialect_and_the_report_it_follows():
    assert len(CORPUS) >= 13
    for path in CORPUS:
        h = header(path)
        assert h.get("dialect") == path.suffixes[0][1:], path.name
        assert len(h.get("follows", "")) > 40, path.name


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_each_report_runs_on_the_mart_unless_it_names_what_is_missing(deployment, path):
    h = header(path)
    sql = path.read_text()
    if "missing" in h:
        table = h["missing"].split(",")[0].split()[0]
        with pytest.raises(IdbmartError, match=f"(?i)Table with name {table} does not exist"):
            run_report(deployment, sql, h["dialect"])
        return
    names, rows = run_report(deployment, sql, h["dialect"])
    assert names and rows, f"{path.name}: no rows"


def test_schema_prefixes_are_dropped_and_a_query_that_cannot_be_read_is_a_one_line_error():
    assert to_duckdb("SELECT TOP 2 [x].[A] FROM [dbo].[RESOURCE_] AS [x]", "tsql") == (
        'SELECT "x"."A" FROM "RESOURCE_" AS "x" LIMIT 2'
    )
    assert to_duckdb("SELECT NVL(A, 0) FROM GIM.GROUP_", "oracle") == "SELECT COALESCE(A, 0) FROM GROUP_"
    with pytest.raises(IdbmartError, match=r"^report SQL \(tsql\): sqlglot cannot read it"):
        to_duckdb("SELECT FROM WHERE (", "tsql")
    with pytest.raises(IdbmartError, match="one query at a time, got 2"):
        to_duckdb("SELECT 1; SELECT 2", "postgres")


def test_the_command_prints_the_rows_as_csv(deployment, capsys):
    query = "SELECT TOP 1 GROUP_NAME FROM dbo.GROUP_ WHERE GROUP_KEY = -2"
    assert main(["sql", "--config", str(deployment.path), query]) == 0
    assert list(csv.reader(io.StringIO(capsys.readouterr().out))) == [["GROUP_NAME"], ["No Group"]]
    assert (
        main(["sql", "--config", str(deployment.path), "--dialect", "oracle", "--show", "SELECT NVL(1, 2) FROM dual"])
        == 0
    )
    assert capsys.readouterr().out.strip() == "SELECT COALESCE(1, 2)"
