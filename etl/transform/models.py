"""The transform's SQL models: one file of `sql/transform/` each, run into a temporary table."""

from __future__ import annotations

from functools import cache

import duckdb

from etl.idb.enums import named_codes
from etl.load.mart import run
from etl.paths import SQL_DIR


@cache
def model(name: str) -> str:
    return named_codes((SQL_DIR / "transform" / f"{name}.sql").read_text())


def temp(con: duckdb.DuckDBPyConnection, table: str, name: str) -> int:
    run(con, f"CREATE OR REPLACE TEMP TABLE {table} AS {model(name)}")
    return run(con, f"SELECT count(*) FROM {table}")[0][0]
