"""Read-only readers for the three kinds of IDB source (INTERFACE.md): DuckDB file, Parquet folder,
live PostgreSQL. Each returns Arrow tables with the IDB model's column names and types, so what
follows never knows which kind a source was.

Read-only by construction: DuckDB files are opened `read_only`, Parquet folders are only scanned,
and PostgreSQL sessions run with `default_transaction_read_only=on`.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import duckdb
import pyarrow as pa
from sqlglot import exp

from idbmart import sqlfile
from idbmart.config import Source
from idbmart.errors import SourceError, first_line, redacted_uri
from idbmart.extract.schema_check import SchemaReport, check_schema
from idbmart.idb.schema import Table

_ARROW_TYPES = {
    exp.DataType.Type.TINYINT: pa.int8(),
    exp.DataType.Type.SMALLINT: pa.int16(),
    exp.DataType.Type.INT: pa.int32(),
    exp.DataType.Type.BIGINT: pa.int64(),
    exp.DataType.Type.VARCHAR: pa.string(),
    exp.DataType.Type.TEXT: pa.string(),
    exp.DataType.Type.TIMESTAMP: pa.timestamp("us"),
}


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema every reader returns for an IDB table."""
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.type.this]) for c in table.columns])


class IdbReader:
    """One open, read-only connection to one source IDB."""

    dialect: str

    def __init__(self, source: Source):
        self.source = source
        self._report: SchemaReport | None = None

    # -- what each kind provides -------------------------------------------------------------
    def _fetch(self, sql: str) -> pa.Table:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def hold(self, name: str, rows: pa.Table) -> bool:
        """Make `rows` queryable as relation `name` in this session, without writing to the source;
        False where the session cannot (a read-only PostgreSQL session creates nothing)."""
        return False

    def attach(self, con: duckdb.DuckDBPyConnection) -> str | None:
        """Attach this source, read-only, to another DuckDB connection (the mart's), so that queries
        there read it directly; the catalog's name, or None where this source cannot be attached."""
        return None

    # -- common behaviour ---------------------------------------------------------------------
    def __enter__(self) -> IdbReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def query(self, query: str | exp.Expression, params: dict | None = None) -> pa.Table:
        """Run a `sql/` file (by relative path) or expression; column names come back upper case."""
        return self.run_sql(sqlfile.render(query, self.dialect, params), query if isinstance(query, str) else "query")

    def run_sql(self, sql: str, label: str = "query") -> pa.Table:
        """Run SQL already rendered for this source's dialect."""
        try:
            result = self._fetch(sql)
        except Exception as e:  # driver errors differ per kind; name the source and the query
            raise SourceError(self.source.name, f"{label} failed: {first_line(e)}") from e
        return result.rename_columns([c.upper() for c in result.column_names])

    def schema_report(self) -> SchemaReport:
        """The source's schema checked against the IDB model for its roles (cached per reader)."""
        if self._report is None:
            self._report = check_schema(self.source, self.query("extract/source_columns.sql"))
        return self._report

    def read_table(
        self, table: Table, where: exp.Expression | str | None = None, params: dict | None = None
    ) -> pa.Table:
        """The model's columns of `table` (extra source columns ignored), typed as the model says.

        A column whose source type is of another family (text where an integer belongs, say) is
        read as text and converted here; values that do not convert become NULL and are counted in
        the schema report's findings, so the load goes on and the user sees what was wrong.
        """
        if self._absent(table):
            return arrow_schema(table).empty_table()
        if where is None:  # the control and session tables, read whole every cycle
            return self.read_model_rows(table, _whole_table_sql(table, self.casts(table), self.dialect), table.name)
        query = _table_select(table, self.casts(table)).where(where, dialect=sqlfile.SOURCE_DIALECT)
        return self.read_model_rows(table, sqlfile.render(query, self.dialect, params), table.name)

    def casts(self, table: Table) -> tuple[tuple[str, str], ...]:
        """(column, type) for each model column of `table` whose source type differs: read as that type
        (the model's own type within a family, text across families, converted afterwards)."""
        report = self.schema_report()
        out = []
        for col in table.columns:
            found = report.source_type(table.name, col.name)
            if found is not None and found.this != col.type.this:
                target = col.type if report.same_family(table.name, col.name) else exp.DataType.build("TEXT")
                out.append((col.name, target.sql(dialect=sqlfile.SOURCE_DIALECT)))
        return tuple(out)

    def read_model_rows(self, table: Table, query: exp.Expression | str, label: str = "query") -> pa.Table:
        """Run a query (an expression, or SQL rendered for this source) that selects
        `model_select(table, self.casts(table))` first, then any extra columns; type the result as the model says."""
        sql = query if isinstance(query, str) else sqlfile.render(query, self.dialect)
        return _conform(self.run_sql(sql, label), table, self.schema_report())

    def _absent(self, table: Table) -> bool:
        report = self.schema_report()
        report.raise_if_unusable(table.name)
        return table.name in report.missing_optional


def model_select(table: Table, casts: tuple[tuple[str, str], ...], alias: str | None = None) -> list[exp.Expression]:
    cast_to = dict(casts)
    selects = []
    for col in table.columns:
        ref = exp.column(col.name, alias)
        if col.name in cast_to:
            ref = exp.cast(ref, exp.DataType.build(cast_to[col.name], dialect=sqlfile.SOURCE_DIALECT))
        selects.append(exp.alias_(ref, col.name, quoted=True))
    return selects


def _table_select(table: Table, casts: tuple[tuple[str, str], ...]) -> exp.Select:
    return exp.select(*model_select(table, casts)).from_(exp.to_table(table.name))


@cache
def _whole_table_sql(table: Table, casts: tuple[tuple[str, str], ...], dialect: str) -> str:
    """A whole table's model columns as `dialect` SQL, generated once: sqlglot's copy and generation
    of a select list cost more than a small table's read."""
    return sqlfile.render(_table_select(table, casts), dialect)


# The extra column that marks a row with a value that did not convert (read as NULL).
UNCONVERTED = "UNCONVERTED"


def _conform(raw: pa.Table, table: Table, report: SchemaReport) -> pa.Table:
    """Convert cross-family columns with TRY_CAST (counting failures, marking the rows that lost a value
    in the extra column UNCONVERTED) and fix the Arrow schema."""
    schema = arrow_schema(table)
    converted = report.converted(table.name)
    wrong = [c for c in table.columns if c.name in converted]
    if wrong:
        con = duckdb.connect()
        con.register("raw", raw)
        casts = {c.name: f'TRY_CAST("{c.name}" AS {c.type.sql(dialect="duckdb")})' for c in wrong}
        failed = con.sql(
            "SELECT "
            + ", ".join(
                f'count(*) FILTER (WHERE "{name}" IS NOT NULL AND {cast} IS NULL)' for name, cast in casts.items()
            )
            + " FROM raw"
        ).fetchall()[0]
        for name, n in zip(casts, failed, strict=True):
            report.note_conversion(table.name, name, int(n))
        exprs = [f'{casts[c.name]} AS "{c.name}"' if c.name in casts else f'"{c.name}"' for c in table.columns]
        exprs += [f'"{n}"' for n in raw.column_names if n not in casts and n not in table.column_names]
        # which rows lost a value: the HA choice prefers a member whose rows all converted (stage.py)
        lost = " OR ".join(f'("{name}" IS NOT NULL AND {cast} IS NULL)' for name, cast in casts.items())
        exprs.append(f'coalesce({lost}, FALSE) AS "{UNCONVERTED}"')
        raw = con.sql(f"SELECT {', '.join(exprs)} FROM raw").to_arrow_table()
        con.close()
    extra = [n for n in raw.column_names if n not in schema.names]
    typed = raw.select(schema.names).cast(schema)
    for name in extra:
        typed = typed.append_column(name, raw.column(name))
    return typed


class DuckDBReader(IdbReader):
    dialect = "duckdb"

    def __init__(self, source: Source):
        super().__init__(source)
        if not source.path.is_file():
            raise SourceError(source.name, f"DuckDB snapshot {source.path} does not exist")
        try:
            self._con = duckdb.connect(str(source.path), read_only=True)
        except duckdb.Error as e:
            raise SourceError(source.name, f"cannot open DuckDB snapshot {source.path}: {e}") from e

    def _fetch(self, sql: str) -> pa.Table:
        return self._con.sql(sql).to_arrow_table()

    def hold(self, name: str, rows: pa.Table) -> bool:
        self._con.register(name, rows)  # a view over the Arrow table, in this process only
        return True

    def attach(self, con: duckdb.DuckDBPyConnection) -> str | None:
        if self.schema_report().converts:
            return None  # a column of another type family is converted on the way (_conform)
        catalog = "_idb_" + re.sub(r"\W", "_", self.source.name)
        path = str(self.source.path).replace("'", "''")
        try:
            con.execute(f"ATTACH '{path}' AS {catalog} (READ_ONLY)")
        except duckdb.Error:
            return None  # the file is attached there already (another source names it): read as before
        return catalog

    def close(self) -> None:
        self._con.close()


# DuckDB refuses a Parquet file holding text that is not valid UTF-8, naming the file.
_NOT_UTF8 = re.compile(r'Invalid string encoding found in Parquet file "(?P<file>[^"]+)"')


class ParquetReader(DuckDBReader):
    """A folder of `<TABLE>.parquet` files, scanned through views in an in-memory DuckDB. A file with
    text that is not valid UTF-8 is repaired per value (invalid bytes read as U+FFFD, counted in the
    schema report) and served from memory: one bad byte never fails the source."""

    def __init__(self, source: Source):
        IdbReader.__init__(self, source)
        folder = source.path
        if not folder.is_dir():
            raise SourceError(source.name, f"Parquet snapshot folder {folder} does not exist")
        self._con = duckdb.connect()
        for f in sorted(folder.glob("*.parquet")):
            table = f.stem.upper()
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", table):
                continue  # not an IDB table name; ignored like any extra table
            escaped = str(f).replace("'", "''")
            try:
                self._con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{escaped}')")
            except duckdb.Error as e:  # not a Parquet file, or a broken one: the source cannot be read
                self._con.close()
                raise SourceError(source.name, f"cannot read {f.name}: {first_line(e)}", table) from e

    def attach(self, con: duckdb.DuckDBPyConnection) -> str | None:
        return None  # a folder of files, not a database

    def _fetch(self, sql: str) -> pa.Table:
        repaired: set[str] = set()
        while True:
            try:
                return super()._fetch(sql)
            except duckdb.InvalidInputException as e:
                bad = _NOT_UTF8.search(str(e))
                if not bad or bad["file"] in repaired:
                    raise
                repaired.add(bad["file"])
                self._repair_text(Path(bad["file"]))

    def _repair_text(self, path: Path) -> None:
        """Serve `path` from memory with each text value that is not UTF-8 decoded with replacement."""
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        name = path.stem.upper()
        columns = []
        for field, column in zip(table.schema, table.columns, strict=True):
            if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
                raw = column.cast(pa.binary()).to_pylist()  # a rare file's repair, not the hot path
                fixed = [None if v is None else v.decode("utf-8", errors="replace") for v in raw]
                bad = sum(1 for v, f in zip(raw, fixed, strict=True) if v is not None and f.encode() != v)
                if bad:
                    self.schema_report().repaired_text[(name, field.name.upper())] = bad
                    column = pa.chunked_array([pa.array(fixed, pa.string())])
            columns.append(column)
        self._con.register(f"_repaired_{name}", pa.table(columns, names=table.column_names))
        self._con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM _repaired_{name}")


class PostgresReader(IdbReader):
    """A live IDB over libpq (ADBC, Arrow-native). The password comes from the environment only:
    `IDBMART_PASSWORD_<SOURCE NAME>` if set, else libpq's own PGPASSWORD / ~/.pgpass."""

    dialect = "postgres"

    def __init__(self, source: Source):
        super().__init__(source)
        import adbc_driver_postgresql.dbapi as adbc_pg

        try:
            self._con = adbc_pg.connect(_libpq_uri(source), autocommit=True)
        except Exception as e:
            # The message of a failed connect may quote the URI; ours never holds a password.
            raise SourceError(source.name, f"cannot connect to {redacted_uri(source.uri)}: {first_line(e)}") from e

    def _fetch(self, sql: str) -> pa.Table:
        with self._con.cursor() as cur:
            cur.execute(sql)
            return cur.fetch_arrow_table()

    def close(self) -> None:
        self._con.close()


def password_env(source_name: str) -> str:
    return "IDBMART_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", source_name.upper())


def _libpq_uri(source: Source) -> str:
    parts = urlsplit(source.uri)
    query = dict(parse_qsl(parts.query))
    # Every transaction of this session is read-only: the server refuses any write.
    options = query.get("options", "")
    query["options"] = (options + " -c default_transaction_read_only=on").strip()
    query.setdefault("application_name", "idbmart")
    netloc = parts.netloc
    password = os.environ.get(password_env(source.name))
    if password is not None:
        query["password"] = password
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, quote_via=quote), ""))


_READERS = {"duckdb": DuckDBReader, "parquet": ParquetReader, "postgresql": PostgresReader}


def open_source(source: Source) -> IdbReader:
    """Open a reader for the source's URI kind and check its schema.

    SourceError (one line, naming source, table and column) if it cannot be reached or lacks a
    required table or column.
    """
    reader = _READERS[source.scheme](source)
    try:
        reader.schema_report().raise_for_errors()
    except SourceError:
        reader.close()
        raise
    return reader
