"""Extraction into the cycle's work tables: a DuckDB snapshot's large window is read attached to the
mart's connection, a small one, a Parquet folder or a live PostgreSQL IDB through Arrow; the work
tables must agree."""

from __future__ import annotations

import hashlib

import duckdb

from etl.config import EtlOptions
from etl.extract import incremental
from etl.extract.sources import open_source
from etl.load import mart
from tests.conftest import make_source


def _extract(uri: str, chunk_seqs: int, attach_from_seqs: int) -> tuple[incremental.SourceExtract, dict]:
    con = duckdb.connect()
    mart.ensure_schema(con)
    incremental.create_work_tables(con)
    source = make_source("s", uri)  # the same name for both: SOURCE_NAME and HA_SET match
    result = incremental.extract_source(con, source, None, EtlOptions(), chunk_seqs, None, attach_from_seqs)
    assert result.ok, result.error
    assert not con.execute("SELECT * FROM duckdb_databases() WHERE database_name LIKE '_idb_%'").fetchall()
    work = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in incremental.work_tables()}
    con.close()
    return result, work


def test_a_duckdb_snapshot_read_attached_gives_the_work_tables_a_parquet_folder_gives(tiny_duckdb, tiny_parquet):
    with open_source(make_source("s", f"duckdb://{tiny_duckdb}")) as reader:
        probe = duckdb.connect()
        assert reader.attach(probe) == "_idb_s", "a DuckDB snapshot is read attached"
        probe.close()
    digest = hashlib.sha256(tiny_duckdb.read_bytes()).hexdigest()
    for chunk_seqs in (incremental.CHUNK_SEQS, 7):  # one window, and many small chunks
        attached, work_a = _extract(f"duckdb://{tiny_duckdb}", chunk_seqs, attach_from_seqs=0)
        small_window, work_d = _extract(f"duckdb://{tiny_duckdb}", chunk_seqs, attach_from_seqs=10**9)
        through_arrow, work_p = _extract(f"parquet://{tiny_parquet}", chunk_seqs, attach_from_seqs=0)
        assert attached.rows == small_window.rows == through_arrow.rows and sum(attached.rows.values()) > 0
        assert attached.entities == small_window.entities == through_arrow.entities > 0
        assert work_a == work_d == work_p
    assert hashlib.sha256(tiny_duckdb.read_bytes()).hexdigest() == digest, "the snapshot is only read"
