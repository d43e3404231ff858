"""The mart's data dictionary (`sql/mart/dictionary.toml`): COMMENTs on every mart table and column,
the reporting schema `report`, and `docs/mart.md`, all from that one file.

`report` holds one view per star-schema and aggregate table (not the working GIDB_*, STG_* and CTL_*
layers), with the same comments: what a BI tool browsing the readers' copy should see. `apply` runs
in each cycle's transaction and changes only what differs (nothing, once a mart is described: one
catalog query), so the readers' copy always carries the dictionary of the code that wrote it.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache

import duckdb

from idbmart.config import QUEUE_TIME_BUCKETS
from idbmart.load.db import run
from idbmart.paths import SQL_DIR

REPORT_SCHEMA = "report"
WORKING = ("GIDB_", "STG_", "CTL_")  # layers of the ETL's own, not for reports
LEVEL = re.compile(r"^(AG2_\w+?)_(SUBHR|HOUR|DAY|WEEK|MONTH|QRTR|YEAR)$")
# IRF measure columns: <family><state>_<COUNT|DURATION> (Info Mart's families, DBCompatibility VOICE_IXN_FACT_EXT)
IRF_MEASURE = re.compile(
    r"^(CUSTOMER_|CONS_INIT_|CONS_RCV_|CONF_INIT_|CONF_JOIN_|POST_CONS_XFER_)?"
    r"(DIAL|RING|TALK|HOLD|ACW|AFTER_CALL_WORK)_(COUNT|DURATION)$"
)
USER_DATA_DIM = re.compile(r"^USER_DATA_CUST_DIM_\d+$")
WAIT_BUCKET = re.compile(r"^(ABANDONED|ACCEPTED_AGENT)_STI_(\d+)$")


@cache
def dictionary() -> dict:
    with (SQL_DIR / "mart" / "dictionary.toml").open("rb") as f:
        return tomllib.load(f)


def family(table: str) -> str:
    """The dictionary's name of a table: AG2_<FAMILY>_* for every level of an aggregate family,
    USER_DATA_CUST_DIM_* for every user-data dimension."""
    m = LEVEL.match(table)
    if m:
        return f"{m.group(1)}_*"
    return "USER_DATA_CUST_DIM_*" if USER_DATA_DIM.match(table) else table


def describe_table(table: str) -> str | None:
    return dictionary()["tables"].get(family(table), {}).get("description")


def describe_column(table: str, column: str) -> str | None:
    """The table's own entry, else the shared one of the name, else a rule (IRF measures, wait buckets)."""
    d = dictionary()
    entry = d["tables"].get(family(table), {})
    own = entry.get("columns", {})
    if column in own:
        return own[column]
    if "columns_of" in entry and column in d["tables"][entry["columns_of"]].get("columns", {}):
        return d["tables"][entry["columns_of"]]["columns"][column]  # a view, or a family by group: the source's
    if column in d["columns"]:
        return d["columns"][column]
    if "other_columns" in d["tables"].get(family(table), {}):  # columns a setting adds (etl.cust_1_keys)
        return d["tables"][family(table)]["other_columns"]
    if m := IRF_MEASURE.match(column):
        prefix, state, what = m.group(1) or "", m.group(2), m.group(3)
        doing = d["irf_measure_states"][state]
        where = d["irf_measure_families"][prefix]
        return (f"Times the resource was {doing} {where}." if what == "COUNT"
                else f"Seconds the resource was {doing} {where}.")  # fmt: skip
    if m := WAIT_BUCKET.match(column):
        n, bounds = int(m.group(2)), (0, *QUEUE_TIME_BUCKETS)
        what = "abandoned directly from the queue" if m.group(1) == "ABANDONED" else "accepted directly from the queue"
        span = (f"more than {bounds[n - 1]} s" if n > len(QUEUE_TIME_BUCKETS)
                else f"more than {bounds[n - 1]} s and at most {bounds[n]} s")  # fmt: skip
        return f"Calls {what} after waiting {span} (bucket {n} of etl.queue_time_buckets_s)."
    return None


def mart_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    """(table, column, comment) of every table of the mart (schema main) that the dictionary covers."""
    return [
        (t, c, comment)
        for t, c, comment in run(
            con,
            """SELECT c.table_name, c.column_name, c.comment FROM duckdb_columns() c
               JOIN duckdb_tables() t USING (database_name, schema_name, table_name)
               WHERE c.database_name = current_database() AND c.schema_name = 'main' AND NOT t.temporary
               ORDER BY c.table_name, c.column_index""",
        )
        if not t.startswith(("GIDB_", "STG_"))
    ]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def apply(con: duckdb.DuckDBPyConnection) -> int:
    """Put the dictionary on the mart: comments where they differ, the `report` views where missing or
    out of step with their table. The number of statements run (0 on a described mart)."""
    statements = []
    table_comments = dict(
        run(
            con,
            "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary",
        )
    )
    columns = mart_columns(con)
    reporting = sorted({t for t, _, _ in columns if not t.startswith(WORKING)})
    views = {
        (v, c): comment
        for v, c, comment in run(
            con,
            f"""SELECT table_name, column_name, comment FROM duckdb_columns()
                WHERE database_name = current_database() AND schema_name = '{REPORT_SCHEMA}'""",
        )
    }
    view_comments = dict(
        run(
            con,
            f"SELECT view_name, comment FROM duckdb_views() WHERE database_name = current_database() "
            f"AND schema_name = '{REPORT_SCHEMA}'",
        )
    )
    schemas = {
        s for (s,) in run(con, "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database()")
    }
    if reporting and REPORT_SCHEMA not in schemas:
        statements.append(f"CREATE SCHEMA {REPORT_SCHEMA}")
    table_columns: dict[str, list[str]] = {}
    for t, c, _ in columns:
        table_columns.setdefault(t, []).append(c)
    view_columns: dict[str, list[str]] = {}
    for v, c in views:
        view_columns.setdefault(v, []).append(c)
    for table in sorted(table_columns):
        wanted = describe_table(table)
        if wanted and table_comments.get(table) != wanted:
            statements.append(f"COMMENT ON TABLE {table} IS {_literal(wanted)}")
        if table not in reporting:
            continue
        fresh = view_columns.get(table, []) != table_columns[table]
        if fresh:  # missing, or its columns no longer the table's (a user-data column added)
            statements.append(f"CREATE OR REPLACE VIEW {REPORT_SCHEMA}.{table} AS SELECT * FROM main.{table}")
        if wanted and (fresh or view_comments.get(table) != wanted):
            statements.append(f"COMMENT ON VIEW {REPORT_SCHEMA}.{table} IS {_literal(wanted)}")
    for table, column, comment in columns:
        wanted = describe_column(table, column)
        if wanted is None:
            continue
        if comment != wanted:
            statements.append(f'COMMENT ON COLUMN {table}."{column}" IS {_literal(wanted)}')
        if table in reporting and views.get((table, column)) != wanted:
            statements.append(f'COMMENT ON COLUMN {REPORT_SCHEMA}.{table}."{column}" IS {_literal(wanted)}')
    for sql in statements:
        run(con, sql)
    return len(statements)


def markdown(con: duckdb.DuckDBPyConnection) -> str:
    """docs/mart.md: every table of a mart (one level per aggregate family) with its columns' types and
    descriptions, as the dictionary gives them."""
    types = {(t, c): ty for t, c, ty in run(
        con, "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
             "AND schema_name = 'main'")}  # fmt: skip
    by_family: dict[str, list[tuple[str, str]]] = {}
    for table, column, _ in mart_columns(con):
        name = family(table)
        if name.startswith("AG2_") and not table.endswith("_HOUR"):
            continue  # one level shows the family's columns (SUBHR to YEAR are alike)
        by_family.setdefault(name, []).append((table, column))
    out = [
        "# The mart: tables and columns",
        "",
        "Generated from `sql/mart/dictionary.toml` by `python -m idbmart.load.dictionary` (a test fails when it",
        "is stale). The same descriptions are the mart's COMMENTs (`duckdb_columns().comment`). The star",
        "schema and the aggregates are also views in the schema `report` of the mart and its readers' copy;",
        "`GIDB_*`, `STG_*` (the extracted IDB rows) and `CTL_*` (control) are the ETL's working layers.",
        "Times are UTC epoch seconds unless a name says otherwise; durations are seconds.",
    ]
    order = sorted(by_family, key=lambda n: (n.startswith("CTL_"), n.startswith("AG2_"), n))
    for name in order:
        out += ["", f"## {name}", "", describe_table(name) or "", ""]
        out += ["| column | type | description |", "| --- | --- | --- |"]
        for table, column in by_family[name]:
            out.append(f"| `{column}` | {types[(table, column)]} | {describe_column(table, column) or ''} |")
    return "\n".join(out) + "\n"


def built_mart(folder) -> duckdb.DuckDBPyConnection:
    """A mart built by one cycle from the tiny hand-made IDB (idbmart/fixtures/tiny) in `folder`, read only:
    every table a cycle makes, for docs/mart.md."""
    from pathlib import Path

    from idbmart import config
    from idbmart.cycle import run_cycle
    from idbmart.fixtures import idb_writer, tiny

    idb = idb_writer.write_duckdb(Path(folder) / "tiny.duckdb", tiny.ROLES, script=tiny.SCRIPT)
    with duckdb.connect(str(idb)) as con:
        con.execute("UPDATE G_PROV_CONTROL SET SEQCOUNTER = 50, SEQCURRENT = 50")
    source = config.Source(name="site1", uri=f"duckdb://{idb}", ha_set="site1", primary=True, roles=tuple(tiny.ROLES))
    (Path(folder) / "deployment.toml").write_text(config.render(str(Path(folder) / "mart.duckdb"), [source]))
    deployment = config.load(Path(folder) / "deployment.toml")
    run_cycle(deployment)
    return duckdb.connect(str(deployment.mart_path), read_only=True)


if __name__ == "__main__":  # python -m idbmart.load.dictionary > docs/mart.md
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as folder, built_mart(folder) as con:
        sys.stdout.write(markdown(con))
