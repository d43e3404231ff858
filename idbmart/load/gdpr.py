"""GDPR requests (`idbmart gdpr`): forget or export a customer (by phone number or a user-data value) or
an employee, everywhere the mart holds them, as Info Mart 8.5.010 does (CTL_GDPR_HISTORY).

A forget request replaces each occurrence with REDACTED in the GIDB and staging layers (every HA
member's version), the facts and dimensions made from them, and then the readers' copy, in one
transaction; CTL_GDPR_HISTORY gets one row per field it changed. The subject is kept in
CTL_GDPR_SUBJECT only as the SHA-256 of the value, never the value itself, and every later cycle
redacts what it stages that matches (`reapply`): an IDB still holds the value, and a late version of a
call, a backfill or a re-chosen HA member would otherwise bring it back. Facts are rebuilt from GIDB,
so they stay redacted. An export request writes every row that holds the subject to a JSON file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from idbmart.errors import IdbmartError
from idbmart.load.db import run, run_many, transaction

log = logging.getLogger(__name__)
REDACTED = "REDACTED"

# Where each kind of personal data lives: (table without its layer prefix, column). The IDB tables are
# held twice, GIDB_ (the chosen member's rows) and STG_ (the others'); the mart's own tables once.
IDB_FIELDS = {
    "customer_number": (("G_CALL", "ANI"), ("G_CALL", "DNIS"), ("G_PARTY", "ENDPOINTDN")),
    # a user-data value, or a calling-list record's custom field (an account number, a name)
    "user_data": (("G_USERDATA_HISTORY", "VALUE"), ("G_SECURE_USERDATA_HISTORY", "VALUE"),
                  ("GO_CUSTOM_FIELDS", "VALUE"), ("GO_FIELDHIST", "OLDVALUE"), ("GO_FIELDHIST", "NEWVALUE")),
    "employee": (("GC_AGENT", "EMPLOYEEID"), ("GC_AGENT", "USERNAME"), ("GC_AGENT", "FIRSTNAME"),
                 ("GC_AGENT", "LASTNAME"), ("G_ROUTE_RESULT", "RTARGETAGENTSELECTED")),
}  # fmt: skip
MART_FIELDS = {
    "customer_number": (("INTERACTION_FACT", "SOURCE_ADDRESS"), ("INTERACTION_FACT", "TARGET_ADDRESS"),
                        ("IXN_RESOURCE_STATE_FACT", "TARGET_ADDRESS")),
    "user_data": (("INTERACTION_DESCRIPTOR", "CUSTOMER_SEGMENT"), ("INTERACTION_DESCRIPTOR", "SERVICE_TYPE"),
                  ("INTERACTION_DESCRIPTOR", "SERVICE_SUBTYPE"), ("INTERACTION_DESCRIPTOR", "BUSINESS_RESULT")),
    "employee": (("RESOURCE_", "EMPLOYEE_ID"), ("RESOURCE_", "RESOURCE_NAME"), ("RESOURCE_", "AGENT_FIRST_NAME"),
                 ("RESOURCE_", "AGENT_LAST_NAME")),
}  # fmt: skip
# An employee is named by EMPLOYEEID or USERNAME: both are forgotten (a routing result names the agent
# by user name), and every field of the employee's GC_AGENT and RESOURCE_ rows goes.
EMPLOYEE_KEYS = ("EMPLOYEEID", "USERNAME")


@dataclass
class Request:
    action: str  # forget or export
    subjects: dict[str, list[str]] = field(default_factory=dict)  # kind → values


def load_request(path: Path) -> Request:
    """A request file: action = "forget" or "export"; [customer] numbers, user_data; [employee] ids."""
    try:
        raw = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise IdbmartError(f"GDPR request {path}: {e}") from None
    action = raw.get("action")
    if action not in ("forget", "export"):
        raise IdbmartError(f'GDPR request {path}: action must be "forget" or "export", got {action!r}')
    customer, employee = raw.get("customer", {}), raw.get("employee", {})
    subjects = {
        "customer_number": [str(v) for v in customer.get("numbers", [])],
        "user_data": [str(v) for v in customer.get("user_data", [])],
        "employee": [str(v) for v in employee.get("ids", [])],
    }
    if not any(subjects.values()):
        raise IdbmartError(f"GDPR request {path}: it names no customer number, user-data value or employee")
    return Request(action, {k: v for k, v in subjects.items() if v})


def digest(value: str) -> str:
    """How CTL_GDPR_SUBJECT keeps a value: its SHA-256, as DuckDB's sha256() writes it."""
    return hashlib.sha256(value.encode()).hexdigest()


def _tables(con) -> set[str]:
    return {t for (t,) in run(con, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")}


def _fields(con, kind: str) -> list[tuple[str, str]]:
    """Every (table, column) of the mart that may hold `kind`, with the user-data columns configuration added."""
    have = _tables(con)
    out = [(f"{layer}_{t}", c) for t, c in IDB_FIELDS[kind] for layer in ("GIDB", "STG") if f"{layer}_{t}" in have]
    out += [(t, c) for t, c in MART_FIELDS[kind] if t in have]
    if kind == "user_data":  # the text columns of the user-data tables (mapped KVPs: any of them may hold one)
        out += run(  # and the contact attempts' mapped record fields
            con,
            """SELECT table_name, column_name FROM duckdb_columns()
               WHERE schema_name = 'main' AND data_type = 'VARCHAR'
                 AND (table_name IN ('IRF_USER_DATA_CUST_1', 'IRF_USER_DATA_GEN_1')
                      OR regexp_matches(table_name, '^USER_DATA_CUST_DIM_[0-9]+$')
                      OR (table_name = 'CONTACT_ATTEMPT_FACT' AND starts_with(column_name, 'RECORD_FIELD_')))
               ORDER BY ALL""",
        )
    return out


def _match(kind: str, table: str, column: str) -> str:
    """The rows of `table` whose `column` holds a subject of `kind` (in _GDPR_SUBJECT, by hash); for an
    employee, the rows of the employee, named by its id or user name."""
    subjects = f"(SELECT HASH FROM _GDPR_SUBJECT WHERE KIND = '{kind}')"
    if kind == "employee" and table.endswith("GC_AGENT"):
        return " OR ".join(f"sha256({k}) IN {subjects}" for k in EMPLOYEE_KEYS)
    if kind == "employee" and table == "RESOURCE_":
        return f"sha256(EMPLOYEE_ID) IN {subjects} OR sha256(RESOURCE_NAME) IN {subjects}"
    return f'sha256("{column}") IN {subjects}'


def _redact(con, kind: str, fields, where: str = "TRUE") -> dict[tuple[str, str], int]:
    """Replace the subjects' values in `fields`; an employee's row loses every field at once (its id
    must still match while its name goes). (table, column) → rows changed."""
    by_table: dict[str, list[str]] = {}
    for table, column in fields:
        by_table.setdefault(table, []).append(column)
    changed = {}
    for table, cols in by_table.items():
        groups = [cols] if kind == "employee" else [[c] for c in cols]
        for group in groups:
            sets = ", ".join(f'"{c}" = CASE WHEN "{c}" IS NULL THEN NULL ELSE \'{REDACTED}\' END' for c in group)
            pending = " OR ".join(f'"{c}" IS DISTINCT FROM \'{REDACTED}\' AND "{c}" IS NOT NULL' for c in group)
            n = run(con, f"UPDATE {table} SET {sets} WHERE ({_match(kind, table, group[0])}) AND ({pending}) "
                         f"AND {where}")[0][0]  # fmt: skip
            changed |= {(table, c): n for c in group if n}
    return changed


def _subjects(con, request: Request) -> None:
    """_GDPR_SUBJECT: the request's subjects by hash; an employee's by both its id and its user name."""
    run(con, "CREATE OR REPLACE TEMP TABLE _GDPR_SUBJECT (KIND VARCHAR, HASH VARCHAR)")
    run_many(con, "INSERT INTO _GDPR_SUBJECT VALUES (?, ?)",
             [(k, digest(v)) for k, vs in request.subjects.items() for v in vs])  # fmt: skip
    have = _tables(con)
    for table in ("GIDB_GC_AGENT", "STG_GC_AGENT"):
        if "employee" in request.subjects and table in have:
            names = ", ".join(EMPLOYEE_KEYS)
            run(
                con,
                f"""INSERT INTO _GDPR_SUBJECT SELECT DISTINCT 'employee', sha256(k) FROM (
                           SELECT unnest([{names}]) AS k FROM {table} WHERE {_match("employee", table, "")})
                         WHERE k IS NOT NULL AND k <> '{REDACTED}'
                           AND sha256(k) NOT IN (SELECT HASH FROM _GDPR_SUBJECT WHERE KIND = 'employee')""",
            )


def forget(con: duckdb.DuckDBPyConnection, request: Request) -> dict[tuple[str, str], int]:
    """Redact the request's subjects everywhere, record them and the fields changed; (table, column) → rows."""
    with transaction(con):
        (request_id,) = run(
            con, "SELECT greatest((SELECT coalesce(max(REQUEST_ID), 0) FROM CTL_GDPR_SUBJECT), "
                 "(SELECT coalesce(max(REQUEST_ID), 0) FROM CTL_GDPR_HISTORY)) + 1"
        )[0]  # fmt: skip
        _subjects(con, request)
        run(con, "INSERT INTO CTL_GDPR_SUBJECT SELECT DISTINCT KIND, HASH, ? FROM _GDPR_SUBJECT AS s WHERE NOT "
                 "EXISTS (SELECT 1 FROM CTL_GDPR_SUBJECT AS c WHERE c.KIND = s.KIND AND c.HASH = s.HASH)",
            [request_id])  # fmt: skip
        changed: dict[tuple[str, str], int] = {}
        for kind in request.subjects:
            changed |= _redact(con, kind, _fields(con, kind))
        changed |= _discards(con, request)
        now = datetime.now(UTC).replace(tzinfo=None)
        run_many(con, "INSERT INTO CTL_GDPR_HISTORY VALUES (?, ?, ?, ?, ?, ?)",
                 [(request_id, "forget", t, c, n, now) for (t, c), n in sorted(changed.items())])  # fmt: skip
    return changed


def _discards(con, request: Request) -> dict[tuple[str, str], int]:
    """A discarded row is kept as JSON text: the subject's values are replaced within it."""
    n = 0
    for values in request.subjects.values():
        for v in values:
            n += run(con, "UPDATE STG_TRANSFORM_DISCARDS SET ROW_JSON = replace(ROW_JSON, ?, ?) "
                          "WHERE contains(ROW_JSON, ?)", [v, REDACTED, v])[0][0]  # fmt: skip
    return {("STG_TRANSFORM_DISCARDS", "ROW_JSON"): n} if n else {}


def reapply(con: duckdb.DuckDBPyConnection, run_id: int) -> int:
    """Redact what this run staged (EXTRACT_RUN_ID) that holds a forgotten subject; the rows changed."""
    if not run(con, "SELECT count(*) FROM CTL_GDPR_SUBJECT")[0][0]:
        return 0
    run(con, "CREATE OR REPLACE TEMP TABLE _GDPR_SUBJECT AS SELECT KIND, HASH FROM CTL_GDPR_SUBJECT")
    have = _tables(con)
    changed = 0
    for kind, fields in IDB_FIELDS.items():
        staged = [(f"{layer}_{t}", c) for t, c in fields for layer in ("GIDB", "STG") if f"{layer}_{t}" in have]
        changed += sum(_redact(con, kind, staged, f"EXTRACT_RUN_ID = {int(run_id)}").values())
    if changed:
        log.info("run %d: %d staged values of forgotten GDPR subjects redacted again", run_id, changed)
    return changed


def export(con: duckdb.DuckDBPyConnection, request: Request, out: Path) -> dict[str, int]:
    """Every row that holds a subject, by table, written to `out` as JSON; table → rows."""
    _subjects(con, request)
    holds: dict[str, list[str]] = {}  # table → the conditions of the subjects it may hold
    for kind in request.subjects:
        for table, column in _fields(con, kind):
            holds.setdefault(table, []).append(f"({_match(kind, table, column)})")
    found: dict[str, list[dict]] = {}
    for table, conditions in holds.items():
        cursor = con.execute(f"SELECT * FROM {table} WHERE {' OR '.join(dict.fromkeys(conditions))}")
        names = [d[0] for d in cursor.description]
        if rows := [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]:
            found[table] = rows
    out.write_text(json.dumps(found, default=str, indent=1))
    return {t: len(rows) for t, rows in found.items()}
