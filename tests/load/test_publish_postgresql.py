"""The PostgreSQL readers' mart ([readers] postgresql): after each good cycle, the published tables in
PostgreSQL equal the mart's row for row (names lower case, nested values as JSON text); Info Mart report SQL
written for PostgreSQL runs there as written and gives the rows it gives on the DuckDB readers' copy; an
unreachable server is a one-line error that leaves the mart and the readers' copy published, and the next
run catches up. Against the PostgreSQL server of IDBMART_TEST_PG, like the live-IDB tests."""

from __future__ import annotations

import dataclasses
import decimal
import uuid
from pathlib import Path

import adbc_driver_postgresql.dbapi as adbc_pg
import duckdb
import pytest

from idbmart import config
from idbmart.cli import EXIT_PARTIAL, main
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, SnapshotSeries
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.load import gdpr, mart
from idbmart.load.publish import GONE, column_types, publish, published_tables
from idbmart.load.publish_postgresql import NESTED, TABLES, publish_postgresql
from idbmart.report_sql import run_report
from tests.conftest import without_gate
from tests.test_report_sql import CORPUS, header

pytestmark = pytest.mark.postgres

P = Params(calls=300, seed=5, media=("voice", "chat", "email"))
SCHEMA = "idbmart"


def fetch(uri: str, sql: str, role: str = "") -> list[tuple]:
    with adbc_pg.connect(uri) as pg, pg.cursor() as cur:
        if role:
            cur.execute(f"SET ROLE {role}")
        cur.execute(sql)
        return cur.fetchall()


def pg_differences(deployment) -> dict[str, tuple[int, int]]:
    """Published table → (rows only in the mart, rows only in PostgreSQL), every column compared as text;
    a table whose columns differ in name or order is (-1, -1)."""
    out = {}
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con, adbc_pg.connect(
        deployment.readers.postgresql
    ) as pg, pg.cursor() as cur:  # fmt: skip
        types = column_types(con)
        for table in published_tables(con):
            cur.execute(f'SELECT * FROM {SCHEMA}."{table.lower()}"')
            theirs = cur.fetch_arrow_table()
            if theirs.column_names != [c.lower() for c in types[table]]:
                out[table] = (-1, -1)
                continue
            con.register("theirs", theirs)
            ours = ", ".join(
                f'to_json("{c}")::VARCHAR' if any(n in kind for n in NESTED) else f'"{c}"::VARCHAR'
                for c, kind in types[table].items()
            )  # fmt: skip
            as_text = ", ".join(f'"{c.lower()}"::VARCHAR' for c in types[table])
            a = f"SELECT {ours} FROM {table}"
            b = f"SELECT {as_text} FROM theirs"
            only = con.execute(f"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b})), "
                               f"(SELECT count(*) FROM ({b} EXCEPT ALL {a}))").fetchall()[0]  # fmt: skip
            con.unregister("theirs")
            if only != (0, 0):
                out[table] = only
    return out


@pytest.fixture
def reader_role(pg_server, pg_database):
    """A role BI tools would log in as; dropped afterwards (roles belong to the server, not the database)."""
    role = f"idbmart_bi_{uuid.uuid4().hex[:8]}"
    with adbc_pg.connect(pg_server, autocommit=True) as pg, pg.cursor() as cur:
        cur.execute(f"CREATE ROLE {role}")
    yield role
    with adbc_pg.connect(pg_database, autocommit=True) as pg, pg.cursor() as cur:
        cur.execute(f"DROP OWNED BY {role}")
    with adbc_pg.connect(pg_server, autocommit=True) as pg, pg.cursor() as cur:
        cur.execute(f"DROP ROLE {role}")


@pytest.fixture
def day(tmp_path, pg_database):
    series = SnapshotSeries(tmp_path / "day", P)
    deployment = without_gate(config.load(series.path))  # the gate has tests of its own
    readers = config.ReadersOptions(postgresql=pg_database, postgresql_schema=SCHEMA)
    return series, dataclasses.replace(deployment, readers=readers)


@pytest.mark.slow  # a blended day in three cycles
def test_each_cycle_writes_its_changes_in_one_transaction_and_postgresql_equals_the_mart(day, reader_role):
    """The first publish copies the mart (no readers' mart yet); from then on each writes what the cycle
    changed, and a cycle with nothing new writes its control rows only. The role named by postgresql_grant reads every
    table; the tables carry the dictionary's descriptions; the mart forgets the deleted keys both stores
    have applied."""
    series, deployment = day
    deployment = dataclasses.replace(
        deployment, readers=dataclasses.replace(deployment.readers, postgresql_grant=reader_role)
    )
    modes = []
    for hour in (9, 12, 20):
        series.advance(DAY0 + hour * 3600)
        assert not run_cycle(deployment).skipped
        assert publish(deployment)
        done = publish_postgresql(deployment, changes_per_copy=0)  # by the changes wherever they can be trusted
        modes.append(done.mode)
        if done.mode == "changes":
            assert done.rows > 0, hour
        assert pg_differences(deployment) == {}, hour
    assert modes == ["whole", "changes", "changes"], modes
    repeat = run_cycle(deployment)  # the same snapshot again: a repeat changes nothing but the control tables
    publish(deployment)
    again = publish_postgresql(deployment, changes_per_copy=0)
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        logged = [t for t, kinds in column_types(con).items() if "RUN_ID" in kinds and t in published_tables(con)]
        its_rows = sum(con.execute(f"SELECT count(*) FROM {t} WHERE RUN_ID = {repeat.run_id}").fetchall()[0][0]
                       for t in logged)  # fmt: skip
    # the new run's rows of the tables that name their run are written, each replacing at most one older
    # row (a data-source session seen again); no row of the star schema or the aggregates
    assert again.mode == "changes" and 0 < its_rows <= again.rows <= 2 * its_rows, (again, its_rows)
    uri = deployment.readers.postgresql
    counted = fetch(uri, f"SELECT count(*) FROM {SCHEMA}.interaction_fact", role=reader_role)[0][0]
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        assert counted == con.execute("SELECT count(*) FROM INTERACTION_FACT").fetchall()[0][0] > 0
        described = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'INTERACTION_FACT'").fetchall()
        newest = con.execute("SELECT max(RUN_ID) FROM CTL_AUDIT_LOG").fetchall()[0][0]
        unapplied = con.execute(f"SELECT count(*) FROM {GONE} WHERE AUDIT_KEY <= {newest - 1} * 100 + 99").fetchall()
    assert fetch(uri, f"SELECT obj_description('{SCHEMA}.interaction_fact'::regclass)")[0][0] == described[0][0]
    assert fetch(uri, f"SELECT run_id FROM {SCHEMA}.ctl_published")[0][0] == newest
    assert unapplied[0][0] == 0  # both stores hold the last run: nothing older is kept
    assert fetch(uri, f"SELECT count(*) FROM {SCHEMA}.{TABLES.lower()}")[0][0] == len(pg_tables(deployment))


def pg_tables(deployment) -> list[str]:
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        return published_tables(con)


def normal(rows: list[tuple]) -> list[tuple]:
    """Rows comparable across engines: numbers as floats rounded to the cent (the driver gives PostgreSQL's
    NUMERIC, a sum's type, as text), dates and text as text."""

    def value(v):
        if isinstance(v, str):
            try:
                v = decimal.Decimal(v)
            except decimal.InvalidOperation:
                return v
        if isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool):
            return round(float(v), 2)
        return v if v is None else str(v)

    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


@pytest.mark.slow  # a blended day
def test_info_mart_report_sql_for_postgresql_runs_there_as_written_with_the_rows_of_the_duckdb_copy(day):
    """The corpus's PostgreSQL reports (tests/infomart_sql/*.postgres.sql, each following a public report
    it names) run on the readers' mart untouched, the readers' schema on the search path as an Info Mart
    user's would be, and return exactly the rows `idbmart sql` gives on the DuckDB readers' copy."""
    series, deployment = day
    series.advance(DAY0 + 20 * 3600)
    assert not run_cycle(deployment).skipped
    assert publish(deployment) and publish_postgresql(deployment)
    reports = [p for p in CORPUS if header(p)["dialect"] == "postgres" and "missing" not in header(p)]
    assert len(reports) >= 3
    for path in reports:
        sql = path.read_text()
        theirs = fetch(f"{deployment.readers.postgresql}?options=-csearch_path%3D{SCHEMA}", sql)
        _, ours = run_report(deployment, sql, "postgres")
        assert theirs, path.name
        assert normal(theirs) == normal(ours), path.name


@pytest.mark.slow  # two runs with their gates
def test_an_unreachable_server_is_one_line_the_rest_is_published_and_the_next_run_catches_up(
    tiny_deployment, pg_database, tmp_path, capsys
):  # fmt: skip
    """`idbmart run` with the readers' mart's server down: the cycle commits, the readers' copy is
    published, the exit code is 2 (partial, as for a skipped source) with one line naming the server and
    schema; with the server back, the next run copies the mart there."""
    _, tiny = tiny_deployment
    path: Path = tiny.path
    base = config.render(str(tiny.mart_path), list(tiny.sources), reader_path=str(tmp_path / "read.duckdb"))
    path.write_text(base + '\n[readers]\npostgresql = "postgresql://postgres@127.0.0.1:1/nowhere"\n')
    assert main(["run", "--config", str(path)]) == EXIT_PARTIAL
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if "not published" in x)
    assert line.startswith("idbmart run: committed, but not published: PostgreSQL readers' mart "
                           "postgresql://postgres@127.0.0.1:1/nowhere schema idbmart: ")  # fmt: skip
    with duckdb.connect(str(tmp_path / "read.duckdb"), read_only=True) as con:  # the readers' copy
        assert con.execute("SELECT count(*) FROM INTERACTION_FACT").fetchall()[0][0] > 0
    path.write_text(base + f'\n[readers]\npostgresql = "{pg_database}"\n')
    assert main(["run", "--config", str(path)]) == 0
    assert "published the PostgreSQL readers' mart, schema idbmart (the whole mart: no readers' mart yet)" in (
        capsys.readouterr().err
    )
    assert pg_differences(config.load(path)) == {}


def test_a_password_in_the_uri_is_refused(tmp_path):
    path = tmp_path / "d.toml"
    path.write_text('[mart]\npath = "m.duckdb"\n[readers]\npostgresql = "postgresql://bi:secret@db/mart"\n'
                    '[[source]]\nname = "a"\nuri = "duckdb:///x.duckdb"\nha_set = "a"\nroles = ["gcc"]\n')  # fmt: skip
    with pytest.raises(config.ConfigError, match="readers.postgresql: uri carries a password"):
        config.load(path)


@pytest.mark.slow  # a blended day
def test_a_gdpr_forget_request_reaches_postgresql_as_a_whole_copy_that_keeps_no_old_schema(day, tmp_path):
    """A forget request redacts rows without changing their audit keys, so the next publish cannot take
    it as changes: it copies the mart whole, and no copy of the old schema stays where a value could
    (GDPR: the data subject's values are gone from every store)."""
    series, deployment = day
    series.advance(DAY0 + 20 * 3600)
    assert not run_cycle(deployment).skipped
    assert publish_postgresql(deployment).mode == "whole"
    uri = deployment.readers.postgresql
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        (ani,) = con.execute("SELECT min(SOURCE_ADDRESS) FROM INTERACTION_FACT WHERE SOURCE_ADDRESS LIKE '+1555%'"
                             ).fetchall()[0]  # fmt: skip
    assert pg_occurrences(uri, ani)
    (tmp_path / "forget.toml").write_text(f'action = "forget"\n[customer]\nnumbers = ["{ani}"]\n')
    with mart.connect(deployment.mart_path) as con:
        assert gdpr.forget(con, gdpr.load_request(tmp_path / "forget.toml"))
    done = publish_postgresql(deployment)
    assert (done.mode, done.why) == ("whole", "a GDPR request since the readers' mart was published"), done
    assert pg_occurrences(uri, ani) == {}
    schemas = {s for (s,) in fetch(uri, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'idbmart%'")}
    assert schemas == {SCHEMA}
    assert pg_differences(deployment) == {}


def pg_occurrences(uri: str, value: str) -> dict[str, int]:
    """Rows of any text column of the readers' schema that hold `value`, by table.column."""
    columns = fetch(uri, f"SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                         f"'{SCHEMA}' AND data_type = 'text' ORDER BY 1, 2")  # fmt: skip
    found = {}
    for table, column in columns:
        n = fetch(uri, f'SELECT count(*) FROM {SCHEMA}."{table}" WHERE strpos("{column}", \'{value}\') > 0')[0][0]
        if n:
            found[f"{table}.{column}"] = n
    return found
