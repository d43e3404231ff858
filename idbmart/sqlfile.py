"""SQL files of `sql/`: written once in the project's dialect, rendered for the database that runs them.

Queries read from an IDB write parameters `:name`, bound as literals by sqlglot while rendering, so
one text serves every driver (DuckDB, libpq, and later T-SQL or Oracle IDBs) whatever its parameter
style. The mart's own SQL (transform, aggregates, quality) writes run-level values `$name`, DuckDB's
parameter syntax, and `with_values` writes them in as literals: DuckDB macros cannot take parameters,
one file may hold several statements, and a literal bound lets DuckDB skip row groups by zone maps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import sqlglot
from sqlglot import exp

from idbmart.errors import IdbmartError
from idbmart.idb.enums import named_codes
from idbmart.idb.schema import SOURCE_DIALECT
from idbmart.paths import SQL_DIR


@cache
def text(relpath: str) -> str:
    """`sql/<relpath>` with its IDB codes named (idbmart.idb.enums.named_codes), read once."""
    return named_codes((SQL_DIR / relpath).read_text())


@cache
def parse(relpath: str) -> exp.Expression:
    """Parse `sql/<relpath>` once; callers get a copy to render."""
    return sqlglot.parse_one(text(relpath), read=SOURCE_DIALECT)


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


# A `$name` outside comments and string literals (those are matched first and kept as they are).
_VALUE = re.compile(r"(--[^\n]*)|('(?:[^']|'')*')|\$([a-z_][a-z0-9_]*)")


def literal(value) -> str:
    """A Python value as a DuckDB literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"no SQL literal for {value!r}")


def with_values(sql: str, values: Mapping[str, object], what: str) -> str:
    """`sql` with each `$name` written in as the literal of values[name]; `what` names the SQL in the
    error raised when a value is missing."""

    def bind(m: re.Match) -> str:
        if not m.group(3):
            return m.group(0)
        if m.group(3) not in values:
            raise IdbmartError(f"{what}: the run-level value ${m.group(3)} was not given")
        return literal(values[m.group(3)])

    return _VALUE.sub(bind, sql)
