"""What each statement on the mart reads: the rows and row groups of every table it scans.

A cycle's cost should follow what the cycle touched, not what the mart holds. DuckDB's profiler says,
per table scan of a statement, how many rows it read and how many of the table's row groups (the rest
skipped by zone maps: time, run and key ranges pushed into the scan). `recording()` collects that
for every statement `idbmart.load.db.run` (or `db.frame`) executes on a mart connection, so that a test
can say what a step must not read, and a look at one cycle can say which statements read what the
mart holds rather than what the cycle touched. Profiling costs a little per statement: it is on only
inside `recording`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb

_active: list[ScanLog] = []  # the log being recorded into, while one is
_watched: dict[int, duckdb.DuckDBPyConnection] = {}  # the connections whose statements it records, by id()


@dataclass(frozen=True)
class Scan:
    caller: str  # the idbmart function that ran the statement (module:function, the nearest two)
    statement: str  # the statement's first words, without comments, numbers and literals
    table: str  # catalog.schema.table
    rows: int  # rows read (DuckDB's rows_scanned: what zone maps did not skip)
    row_groups: int  # row groups read
    of_row_groups: int  # row groups the table had


@dataclass
class ScanLog:
    scans: list[Scan] = field(default_factory=list)


@contextmanager
def recording() -> Iterator[ScanLog]:
    """Record the table scans of every statement `db.run` executes, inside the block, on a mart connection
    opened inside it (`idbmart.load.mart.connect` calls `watch`)."""
    log = ScanLog()
    _active.append(log)
    try:
        yield log
    finally:
        _active.remove(log)
        for con in _watched.values():
            try:
                con.execute("PRAGMA disable_profiling")
            except duckdb.Error:
                pass  # closed since
        _watched.clear()


def watch(con: duckdb.DuckDBPyConnection) -> None:
    """Profile `con`'s statements if a recording is on."""
    if _active:
        con.execute("PRAGMA enable_profiling = 'no_output'")
        con.execute("SET profiling_coverage = 'ALL'")  # DML and DDL too, not only SELECT
        _watched[id(con)] = con


def after(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Called by db.run after each statement: record its scans if `con` is watched."""
    if not _active or id(con) not in _watched:
        return
    try:
        profile = json.loads(con.get_profiling_information())
    except (duckdb.Error, ValueError):
        return  # a statement the profiler does not describe
    caller, statement = _caller(), _label(sql)
    for node in _table_scans(profile.get("operator", [])):
        info = node.get("extra_info", {})
        _active[-1].scans.append(
            Scan(caller, statement, info["Table"], int(node.get("rows_scanned") or 0),
                 int(node.get("row_groups_scanned") or 0), int(node.get("total_row_groups_to_scan") or 0))
        )  # fmt: skip


def _table_scans(nodes: list[dict]) -> Iterator[dict]:
    for node in nodes:
        if node.get("type") == "TABLE_SCAN" and "Table" in node.get("extra_info", {}):
            yield node
        yield from _table_scans(node.get("children", []))


def _caller() -> str:
    """module:function of the two nearest idbmart frames outside idbmart.load (db, scans)."""
    names, frame = [], sys._getframe(2)
    while frame is not None and len(names) < 2:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("idbmart.") and module not in ("idbmart.load.db", __name__):
            names.append(f"{module.removeprefix('idbmart.')}:{frame.f_code.co_name}")
        frame = frame.f_back
    return " < ".join(names)


def _label(sql: str) -> str:
    """A statement's stable name: its first words without comments, numbers and literals (a run id or a
    list of runs is not part of what the statement is)."""
    text = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)
    return re.sub(r"'[^']*'|\b\d+\b", "?", " ".join(text.split()))[:90]
