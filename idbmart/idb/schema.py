"""The IDB model, read from the DDL in `sql/idb/` (written once, transpiled per dialect by sqlglot).

Each `sql/idb/<file>.sql` holds the tables of one ICON role (`control.sql` the tables every IDB has).
Two shapes are stated once and expanded here: `G_DSS_PROVIDER` becomes one `G_DSS_<ROLE>_PROVIDER`
per role, and `GSYS_SYSTEM_BLOCK` is appended to every operational table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlglot import exp

from idbmart.paths import SQL_DIR

ROLES = ("cfg", "gcc", "gud", "gls", "gos")
# The dialect the DDL and extraction SQL are written in; everything else is transpiled from it.
SOURCE_DIALECT = "postgres"

# Tables an ICON creates but only some deployments write to: a source may lack them (read as empty).
OPTIONAL_TABLES = {
    "G_VIRTUAL_QUEUE": "written only by the ICON of a virtual-queue SIP Server",
    "G_IS_LINK": "written only for multi-site (ISCC) calls",
    "G_SECURE_USERDATA_HISTORY": "written only where secure user data is configured",
    "G_AGENT_STATE_RC": "written only where agent reason codes are configured",
    "GO_METRICS": "written only where OCS precalculated metrics are enabled",
    "GO_CAMPPROP_HIST": "written only where ICON keeps campaign property history",
    "GO_CUSTOM_FIELDS": "written only where ICON is configured to keep calling-list fields",
    "GO_FIELDHIST": "written only where ICON is configured to keep calling-list fields",
    "GC_CAMPAIGN": "configuration of Outbound Contact, where it is deployed",
    "GC_CALLING_LIST": "configuration of Outbound Contact, where it is deployed",
    "GC_CAMPAIGN_GROUP": "configuration of Outbound Contact, where it is deployed",
    "GCX_GROUP_ENDPOINT": "DN groups' members, where the ICON stores them",
    "GCX_GROUP_PLACE": "place groups' members, where the ICON stores them",
    "GC_SKILL": "skills, where the ICON stores them",
    "GCX_SKILL_LEVEL": "agents' skills, where the ICON stores them",
}

_DSS_TEMPLATE = "G_DSS_PROVIDER"
_SYSTEM_BLOCK = "GSYS_SYSTEM_BLOCK"


@dataclass(frozen=True)
class Column:
    name: str
    type: exp.DataType
    nullable: bool

    @property
    def family(self) -> str:
        return type_family(self.type)


@dataclass(frozen=True)
class Table:
    name: str
    role: str  # one of ROLES, or "control"
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()

    @property
    def optional(self) -> bool:
        return self.name in OPTIONAL_TABLES

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def create_statement(self) -> exp.Create:
        defs: list[exp.Expression] = [
            exp.ColumnDef(
                this=exp.to_identifier(c.name),
                kind=c.type.copy(),
                constraints=[] if c.nullable else [exp.ColumnConstraint(kind=exp.NotNullColumnConstraint())],
            )
            for c in self.columns
        ]
        if self.primary_key:
            defs.append(exp.PrimaryKey(expressions=[exp.to_identifier(k) for k in self.primary_key]))
        return exp.Create(
            this=exp.Schema(this=exp.to_table(self.name), expressions=defs),
            kind="TABLE",
        )

    def ddl(self, dialect: str) -> str:
        return self.create_statement().sql(dialect=dialect)


def type_family(dtype: exp.DataType) -> str:
    """integer, decimal, float, text, timestamp, date, boolean or other: what a type check compares."""
    t = dtype.this
    if t in exp.DataType.INTEGER_TYPES:
        return "integer"
    if t in (exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL, exp.DataType.Type.MONEY):
        scale = dtype.expressions[1] if len(dtype.expressions) > 1 else None
        # NUMERIC(16) / NUMBER(10,0) hold integers; that is how Oracle and some IDBs store IDs.
        if dtype.expressions and (scale is None or scale.sql() == "0"):
            return "integer"
        return "decimal"
    if t in exp.DataType.REAL_TYPES:
        return "float"
    if t in exp.DataType.TEXT_TYPES:
        return "text"
    if t in exp.DataType.TEMPORAL_TYPES:
        return "date" if t == exp.DataType.Type.DATE else "timestamp"
    if t == exp.DataType.Type.BOOLEAN:
        return "boolean"
    return "other"


def _parse_file(path) -> list[exp.Create]:
    return [stmt for stmt in sqlglot.parse(path.read_text(), read=SOURCE_DIALECT) if isinstance(stmt, exp.Create)]


def _table_name(create: exp.Create) -> str:
    return create.this.this.name.upper()


def _columns_and_key(create: exp.Create) -> tuple[tuple[Column, ...], tuple[str, ...]]:
    cols: list[Column] = []
    key: tuple[str, ...] = ()
    for item in create.this.expressions:
        if isinstance(item, exp.ColumnDef):
            not_null = any(isinstance(c.kind, exp.NotNullColumnConstraint) for c in item.constraints)
            cols.append(Column(item.name.upper(), item.args["kind"], nullable=not not_null))
        elif isinstance(item, exp.PrimaryKey):
            key = tuple(e.name.upper() for e in item.expressions)
    return tuple(cols), key


@cache
def tables() -> dict[str, Table]:
    """Every IDB table the pipeline knows, by name."""
    control = {_table_name(c): c for c in _parse_file(SQL_DIR / "idb" / "control.sql")}
    dss_cols, dss_key = _columns_and_key(control.pop(_DSS_TEMPLATE))
    system_cols, _ = _columns_and_key(control.pop(_SYSTEM_BLOCK))

    out: dict[str, Table] = {}
    for name, create in control.items():
        out[name] = Table(name, "control", *_columns_and_key(create))
    for role in ROLES:
        out[dss_table(role)] = Table(dss_table(role), "control", dss_cols, dss_key)
        for create in _parse_file(SQL_DIR / "idb" / f"{role}.sql"):
            cols, key = _columns_and_key(create)
            name = _table_name(create)
            out[name] = Table(name, role, cols + system_cols, key)
    return out


def dss_table(role: str) -> str:
    return f"G_DSS_{role.upper()}_PROVIDER"


def tables_for_roles(roles) -> list[Table]:
    """The tables a source with these ICON roles must (or, if optional, may) have."""
    wanted = {"G_PROV_CONTROL"} | {dss_table(r) for r in roles}
    return [t for t in tables().values() if t.role in roles or t.name in wanted]
