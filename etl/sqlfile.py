"""SQL files of `sql/`: written once in the project's dialect, rendered for the database that runs them.

Parameters are written `:name` and bound as literals by sqlglot while rendering, so one text serves
every driver (DuckDB, libpq, and later T-SQL or Oracle IDBs) whatever its parameter style.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp

from etl.idb.enums import named_codes
from etl.idb.schema import SOURCE_DIALECT
from etl.paths import SQL_DIR


@cache
def parse(relpath: str) -> exp.Expression:
    """Parse `sql/<relpath>` once; callers get a copy to render."""
    path = SQL_DIR / relpath
    return sqlglot.parse_one(named_codes(path.read_text()), read=SOURCE_DIALECT)


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


_MARK = "\x1fidbmart:{}\x1f"


def template(query: exp.Expression, dialect: str) -> str:
    """The query as `dialect` SQL with each `:name` left as a marker for `bind`: generate once, bind
    many times (generating SQL from a large tree costs more than running a small query)."""

    def mark(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name:
            return exp.Literal.string(_MARK.format(node.name))
        return node

    return query.copy().transform(mark).sql(dialect=dialect)


def bind(sql: str, dialect: str, params: dict) -> str:
    """Fill a `template`'s markers with literal values."""
    for name, value in params.items():
        sql = sql.replace(exp.Literal.string(_MARK.format(name)).sql(dialect=dialect), exp.convert(value).sql(dialect))
    if "\x1fidbmart:" in sql:
        raise KeyError(f"SQL parameter missing in {sql[:200]!r}")
    return sql
