"""Check a source's schema against the IDB model for its roles.

Missing required tables or columns make a source unusable (one-line error naming source, table and
column). Extra tables and columns are ignored. A column of the wrong type family is a finding: it
is reported and read with a conversion, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import ParseError

from idbmart.config import Source
from idbmart.errors import SourceError
from idbmart.idb.schema import SOURCE_DIALECT, tables_for_roles, type_family


@dataclass(frozen=True)
class Finding:
    table: str
    column: str | None
    message: str

    def line(self, source: str) -> str:
        where = ".".join(p for p in (self.table, self.column) if p)
        return f"source {source!r}: {where}: {self.message}"


@dataclass
class SchemaReport:
    source: str
    errors: list[Finding] = field(default_factory=list)  # the source cannot serve these tables
    type_findings: list[Finding] = field(default_factory=list)  # served, read with a conversion
    missing_optional: set[str] = field(default_factory=set)
    failed_conversions: dict[tuple[str, str], int] = field(default_factory=dict)  # values read as NULL
    repaired_text: dict[tuple[str, str], int] = field(default_factory=dict)  # values not UTF-8, repaired
    _types: dict[str, dict[str, exp.DataType | None]] = field(default_factory=dict)
    _same_family: dict[tuple[str, str], bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def warnings(self) -> list[Finding]:
        return (
            self.type_findings
            + [
                Finding(t, c, f"{n} values could not be converted and were read as NULL")
                for (t, c), n in self.failed_conversions.items()
                if n
            ]
            + [
                Finding(t, c, f"{n} values were not valid UTF-8: their invalid bytes were read as U+FFFD")
                for (t, c), n in self.repaired_text.items()
            ]
        )

    def source_type(self, table: str, column: str) -> exp.DataType | None:
        return self._types.get(table, {}).get(column)

    def same_family(self, table: str, column: str) -> bool:
        return self._same_family.get((table, column), True)

    def converted(self, table: str) -> set[str]:
        """The columns of `table` read across type families: as text, converted after reading."""
        return {c for c, t in self._types.get(table, {}).items() if t is not None and not self.same_family(table, c)}

    @property
    def converts(self) -> bool:
        """Some column is of another type family than the model's (read as text, converted after)."""
        return not all(self._same_family.values())

    def raise_for_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more problems)" if len(self.errors) > 1 else ""
            raise SourceError(self.source, first.message + more, first.table, first.column)

    def raise_if_unusable(self, table: str) -> None:
        for f in self.errors:
            if f.table == table:
                raise SourceError(self.source, f.message, f.table, f.column)

    def note_conversion(self, table: str, column: str, failed: int) -> None:
        key = (table, column)
        self.failed_conversions[key] = self.failed_conversions.get(key, 0) + failed


@cache  # a few dozen distinct type names; sqlglot parses each in ~0.2 ms (read, never modified)
def _parse_type(text: str) -> exp.DataType | None:
    try:
        return exp.DataType.build(text, dialect=SOURCE_DIALECT)
    except (ParseError, ValueError):
        try:
            return exp.DataType.build(text, dialect="duckdb")
        except (ParseError, ValueError):
            return None


def check_schema(source: Source, columns: pa.Table) -> SchemaReport:
    """Compare `columns` (TABLE_NAME, COLUMN_NAME, DATA_TYPE rows of the source) with the model."""
    found: dict[str, dict[str, str]] = {}
    for t, c, d in zip(
        *(columns.column(n).to_pylist() for n in ("TABLE_NAME", "COLUMN_NAME", "DATA_TYPE")), strict=True
    ):
        found.setdefault(t.upper(), {})[c.upper()] = d

    report = SchemaReport(source.name)
    for table in tables_for_roles(source.roles):
        have = found.get(table.name)
        if have is None:
            if table.optional:
                report.missing_optional.add(table.name)
            else:
                report.errors.append(
                    Finding(
                        table.name, None, f"missing table {table.name} (needed for roles {', '.join(source.roles)})"
                    )
                )
            continue
        types = report._types.setdefault(table.name, {})
        for col in table.columns:
            if col.name not in have:
                report.errors.append(Finding(table.name, col.name, f"missing column {col.name}"))
                continue
            parsed = _parse_type(have[col.name])
            types[col.name] = parsed
            family = type_family(parsed) if parsed is not None else "other"
            same = family == col.family
            report._same_family[(table.name, col.name)] = same
            if not same:
                report.type_findings.append(
                    Finding(
                        table.name,
                        col.name,
                        f"type {have[col.name]} is not {col.family} as the IDB model has it; read with a conversion",
                    )
                )
    return report
