"""SQL files of `sql/`: written once in the project's dialect, rendered for the database that runs them.

Parameters are written `:name` and bound as literals by sqlglot while rendering, so one text serves
every driver (DuckDB, libpq, and later T-SQL or Oracle IDBs) whatever its parameter style.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp

from etl.idb.schema import SOURCE_DIALECT
from etl.paths import SQL_DIR


@cache
def parse(relpath: str) -> exp.Expression:
    """Parse `sql/<relpath>` once; callers get a copy to render."""
    path = SQL_DIR / relpath
    return sqlglot.parse_one(path.read_text(), read=SOURCE_DIALECT)


def render(query: str | exp.Expression, dialect: str, params: dict | None = None) -> str:
    """The query as `dialect` SQL with every `:name` placeholder bound to params[name]."""
    tree = parse(query).copy() if isinstance(query, str) else query.copy()
    params = params or {}

    def bind(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name:
            if node.name not in params:
                raise KeyError(f"SQL parameter :{node.name} has no value")
            return exp.convert(params[node.name])
        return node

    return tree.transform(bind).sql(dialect=dialect)
