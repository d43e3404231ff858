"""Extraction into the cycle's work tables: a DuckDB snapshot's large window is read attached to the
mart's connection, a small one, a Parquet folder or a live PostgreSQL IDB through Arrow; the work
tables must agree."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import threading
import time
from urllib.parse import urlsplit

import duckdb

from idbmart.config import EtlOptions
from idbmart.extract import entities, incremental
from idbmart.extract.sources import open_source
from idbmart.fixtures import idb_writer, tiny
from idbmart.load import mart
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


def test_progress_is_reported_one_message_at_a_time_while_sources_are_read_together(tiny_duckdb):
    """Sources are read two at a time, but the progress callback is never entered by two threads at
    once: `idbmart run` prints each message as its own line (two prints interleaving glued lines
    together, and a line starting `extract <source>` went missing)."""
    sources = [make_source(f"s{k}", f"duckdb://{tiny_duckdb}") for k in range(4)]
    inside, most, said = [0], [0], []
    guard = threading.Lock()

    def progress(message: str) -> None:
        with guard:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.3)  # long beside a tiny source's read: a second caller would arrive meanwhile
        said.append(message)
        with guard:
            inside[0] -= 1

    con = duckdb.connect()
    mart.ensure_schema(con)
    incremental.create_work_tables(con)
    results = incremental.extract_all(con, sources, {}, EtlOptions(), progress=progress, threads=2)
    con.close()
    assert all(r.ok for r in results)
    assert sorted(m.split(":")[0] for m in said) == [f"extract s{k}" for k in range(4)]
    assert most[0] == 1


def test_no_more_sources_are_read_at_once_on_one_server_than_it_allows(tiny_postgres, tiny_duckdb):
    """Thirty sites' IDBs sit on a few database servers: [extract] connections_per_server bounds the
    sources read at once on each (a PostgreSQL host and port; snapshot files on the mart's machine),
    whatever the threads. Three sources on the test PostgreSQL server and two snapshot files, four
    threads, one per server: no two sources of one server are read at the same time."""
    sources = [make_source(f"pg{k}", tiny_postgres) for k in range(3)]
    sources += [make_source(f"file{k}", f"duckdb://{tiny_duckdb}") for k in range(2)]
    assert {s.server for s in sources} == {
        "local",
        f"{urlsplit(tiny_postgres).hostname}:{urlsplit(tiny_postgres).port or 5432}",
    }
    con = duckdb.connect()
    mart.ensure_schema(con)
    incremental.create_work_tables(con)
    results = incremental.extract_all(con, sources, {}, EtlOptions(), threads=4, per_server=1)
    con.close()
    assert [r.source.name for r in results] == [s.name for s in sources] and all(r.ok for r in results)
    for server in {s.server for s in sources}:
        spans = sorted((r.started, r.started + r.seconds) for r in results if r.source.server == server)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), (server, spans)


def _failing_when_read(tiny_duckdb, folder) -> str:
    """A copy of the tiny IDB whose G_ROUTE_RESULT fails as its rows are read (a bad disk block, say),
    its schema intact: extraction gets part-way, past other kinds and the IR kind's first tables."""
    path = folder / "failing.duckdb"
    shutil.copy(tiny_duckdb, path)
    con = duckdb.connect(str(path))
    assert con.execute("SELECT count(*) FROM G_ROUTE_RESULT").fetchall()[0][0] > 0
    con.execute("ALTER TABLE G_ROUTE_RESULT RENAME TO G_ROUTE_RESULT_STORED")
    con.execute("""CREATE VIEW G_ROUTE_RESULT AS SELECT * REPLACE (
                   CASE WHEN GSYS_SEQ IS NOT NULL THEN error('bad block') ELSE RESULT END AS RESULT)
                   FROM G_ROUTE_RESULT_STORED""")
    con.close()
    return f"duckdb://{path}"


def _work(con) -> dict:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in incremental.work_tables()}


def test_a_source_failing_part_way_leaves_nothing_and_the_others_keep_their_rows(tiny_duckdb, tmp_path):
    """A source that fails after some of its rows were inserted leaves none behind, read attached or
    through Arrow, while a source read beside it keeps every row (the work tables are then exactly
    the good source's alone)."""
    good = make_source("good", f"duckdb://{tiny_duckdb}")
    alone = duckdb.connect()
    mart.ensure_schema(alone)
    incremental.create_work_tables(alone)
    assert incremental.extract_source(alone, good, None, EtlOptions()).ok
    expected = _work(alone)
    alone.close()
    assert expected["_X_G_CALL"], "the good source gives rows"

    failing = make_source("failing", _failing_when_read(tiny_duckdb, tmp_path))
    con = duckdb.connect()
    mart.ensure_schema(con)
    incremental.create_work_tables(con)
    # Read beside the good source (a small window: through Arrow), then again attached to `con`.
    results = incremental.extract_all(con, [failing, good], {}, EtlOptions(), threads=2)
    attached = incremental.extract_source(con, failing, None, EtlOptions(), attach_from_seqs=0)
    assert not results[0].ok and "failing" in results[0].error and "bad block" in results[0].error
    assert not attached.ok and "bad block" in attached.error
    assert results[1].ok
    assert _work(con) == expected
    assert not con.execute("SELECT * FROM duckdb_databases() WHERE database_name LIKE '_idb_%'").fetchall()
    con.close()


def test_no_automatic_checkpoint_while_the_work_tables_exist_and_the_default_again_after():
    """The work tables are written without DuckDB's automatic checkpoints (each insert of a chunk
    compressed them all again); the cycle's commit, after they are dropped, checkpoints as usual. The
    tables of judged entities a backup's read makes (one per source) go with them."""
    con = duckdb.connect()
    mart.ensure_schema(con)
    default = con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()
    incremental.create_work_tables(con)
    for name in ("node_1b", 'site "b"'):
        con.execute(f"CREATE TEMP TABLE {incremental._chosen(make_source(name, 'x.duckdb'))} (ENTITY_KEY VARCHAR)")
    assert con.execute("SELECT current_setting('checkpoint_threshold')").fetchall() != default
    con.execute("BEGIN TRANSACTION")
    incremental.drop_work_tables(con)
    con.execute("COMMIT")
    assert con.execute("SELECT current_setting('checkpoint_threshold')").fetchall() == default
    assert not con.execute(
        "SELECT * FROM duckdb_tables() WHERE temporary AND table_name LIKE '\\_X\\_%' ESCAPE '\\'"
    ).fetchall()
    con.close()


def test_an_interactions_rows_are_read_from_its_first_call_on_and_none_is_lost(tiny_deployment):
    """A late window reads its interactions' rows from their first call's creation on (less the
    slack), not the IDB's whole history; the bound comes from the calls, not the G_IR record, which
    ICON creates when calls merge, after they began; and a row without a time is read all the same.
    CALL-0002 (08:20:00-08:20:30) is re-read alone: its IR record is stamped 10:20:00, one of its
    party history rows has no ADDED_TS."""
    path, deployment = tiny_deployment
    call_created, ir_created = 1793607600, 1793607600 + 7200
    with duckdb.connect(str(path)) as idb:
        idb.execute(
            "UPDATE G_IR SET CREATED_TS = ?, TERMINATED_TS = ? + 30, GSYS_USEQ = 45 WHERE IRID = 'IR-0002'",
            [ir_created, ir_created],
        )
        idb.execute("UPDATE G_PARTY_HISTORY SET ADDED_TS = NULL WHERE PHID = 'PH-12'")
    mark = (44, 1793613600)  # every sequence to 44 read before, and the source's clock to 10:00:00

    for attach_from_seqs in (0, 10**9):  # read attached, and through Arrow
        con = duckdb.connect()
        mart.ensure_schema(con)
        incremental.create_work_tables(con)
        result = incremental.extract_source(
            con, deployment.sources[0], mark, EtlOptions(), attach_from_seqs=attach_from_seqs
        )
        assert result.ok, result.error
        assert result.since["interaction"] == call_created - entities.BOUND_SLACK_S
        assert result.rows["G_CALL"] == 1 and result.rows["G_PARTY"] == 2
        history = con.execute("SELECT PHID FROM _X_G_PARTY_HISTORY ORDER BY PHID").fetchall()
        assert history == [("PH-11",), ("PH-12",), ("PH-13",), ("PH-14",)]
        con.close()


def test_a_row_whose_path_to_its_interaction_is_null_is_listed_never_lost(tiny_deployment):
    """A party with no CALLID belongs to no interaction: it cannot be extracted, and is listed with
    the NULL column, its sequence and the row, read attached and through Arrow alike (issue: such a
    party was never extracted and never discarded); so are its states, whose PARTYID leads to no
    party of a call. The rows are looked for once per window, so a window read in many small chunks
    lists the same rows, each once."""
    path, deployment = tiny_deployment
    with duckdb.connect(str(path)) as idb:
        idb.execute("ALTER TABLE G_PARTY ALTER COLUMN CALLID DROP NOT NULL")
        (seq, party) = idb.execute(
            "UPDATE G_PARTY SET CALLID = NULL WHERE PARTYID = (SELECT max(PARTYID) FROM G_PARTY) "
            "RETURNING GSYS_SEQ, PARTYID"
        ).fetchone()
        states = [
            ("G_PARTY_HISTORY", "PARTYID", f"GSYS_SEQ {s}", party)
            for (s,) in idb.execute(
                "SELECT GSYS_SEQ FROM G_PARTY_HISTORY WHERE PARTYID = ? ORDER BY 1", [party]
            ).fetchall()
        ]
        assert states
    for attach_from_seqs, chunk_seqs in itertools.product((0, 10**9), (incremental.CHUNK_SEQS, 7)):
        con = duckdb.connect()  # read attached, and through Arrow; in one chunk, and in many
        mart.ensure_schema(con)
        incremental.create_work_tables(con)
        result = incremental.extract_source(
            con, deployment.sources[0], None, EtlOptions(), chunk_seqs, attach_from_seqs=attach_from_seqs
        )
        assert result.ok, result.error
        orphans = con.execute(
            "SELECT TABLE_NAME, COLUMN_NAME, ROW_KEY, ROW_JSON::JSON->>'PARTYID' FROM _X_ORPHAN "
            "ORDER BY TABLE_NAME, (ROW_JSON::JSON->>'GSYS_SEQ')::BIGINT"
        ).fetchall()
        assert orphans == [("G_PARTY", "CALLID", f"GSYS_SEQ {seq}", party), *states], (attach_from_seqs, chunk_seqs)
        assert con.execute("SELECT count(*) FROM _X_G_PARTY WHERE PARTYID = ?", [party]).fetchone() == (0,)
        con.close()


def test_an_entity_asked_for_again_is_read_by_key_whatever_the_window_from_every_kind_of_source(tmp_path, pg_database):
    """The HA choice asks a member for an entity again (STG_HA_REREAD): the next read of that member
    takes it by key though its window holds nothing new. The tiny IDB read up to its end (mark: SEQ 50,
    the clock past its last event), asked for CALL-0001: the interaction alone, with its 18 rows
    (tiny/README.md: its IR and call, Ann's, the routing point's and the caller's parties, ten party
    history rows, one route result, two user data), the same from a DuckDB snapshot read attached or
    through Arrow, a Parquet folder and a live PostgreSQL IDB (whose read-only session cannot hold the
    ready entities: its queries carry the key)."""
    script = tiny.SCRIPT + "\nUPDATE G_PROV_CONTROL SET SEQCOUNTER = 50, SEQCURRENT = 50;"
    uris = {
        "duckdb": f"duckdb://{idb_writer.write_duckdb(tmp_path / 'tiny.duckdb', tiny.ROLES, script=script)}",
        "parquet": f"parquet://{idb_writer.write_parquet(tmp_path / 'tiny_pq', tiny.ROLES, script=script)}",
        "postgresql": idb_writer.write_postgres(pg_database, tiny.ROLES, script=script),
    }
    asked = {"interaction": ["CALL-0001"]}
    expected = {"G_IR": 1, "G_CALL": 1, "G_PARTY": 3, "G_PARTY_HISTORY": 10, "G_ROUTE_RESULT": 1,
                "G_USERDATA_HISTORY": 2}  # fmt: skip
    works = []
    for kind, uri, attach_from_seqs in (
        ("duckdb", uris["duckdb"], 0),
        ("duckdb", uris["duckdb"], 10**9),
        ("parquet", uris["parquet"], 10**9),
        ("postgresql", uris["postgresql"], 10**9),
    ):
        con = duckdb.connect()
        mart.ensure_schema(con)
        incremental.create_work_tables(con)
        result = incremental.extract_source(
            con, make_source("s", uri), (50, 2**40), EtlOptions(), attach_from_seqs=attach_from_seqs, rereads=asked
        )
        assert result.ok and result.window.empty, (kind, result.error)
        assert con.execute("SELECT ENTITY_KIND, ENTITY_KEY FROM _X_ENTITY").fetchall() == [
            ("interaction", "CALL-0001")
        ], kind
        assert {t: n for t, n in result.rows.items() if n} == expected, kind
        works.append({t: n for t, n in _work(con).items() if t != "_X_ENTITY"})
        con.close()
    assert all(w == works[0] for w in works[1:])


def test_the_orphan_check_reads_recent_parents_and_never_lists_a_stuck_calls_row(tiny_deployment):
    """Whether a row of the window belongs to no entity is checked against the calls and parties of the
    last few hours (from the source's clock at the last cycle, less the stuck threshold and the slack),
    not every day the IDB keeps; a row found so is checked again against all of them, so a stuck call's
    party, older than that, is not taken for missing. CALL-0003 (08:21:15, never ended) gets a state of
    its party in the window, read with the clock a day on; a state of a party no IDB row has is listed."""
    path, deployment = tiny_deployment
    clock = 1793607675 + EtlOptions().stuck_threshold_s + 2 * entities.BOUND_SLACK_S  # 08:21:15 out of reach
    with duckdb.connect(str(path)) as idb:
        idb.execute("""INSERT INTO G_PARTY_HISTORY (PHID, PARTYID, PSEQ, CSEQ, CHANGETYPE, STATE, ADDED_TS,
                                                     GSYS_DOMAIN, GSYS_SEQ)
                       VALUES ('PH-16', 'P-0003-1', 2, 2, 2, 3, ?, 1001, 45),
                              ('PH-17', 'P-NONE', 1, 1, 1, 1, ?, 1001, 46)""", [clock, clock])  # fmt: skip
    for attach_from_seqs in (0, 10**9):  # read attached, and through Arrow
        con = duckdb.connect()
        mart.ensure_schema(con)
        incremental.create_work_tables(con)
        result = incremental.extract_source(
            con, deployment.sources[0], (44, clock), EtlOptions(), attach_from_seqs=attach_from_seqs
        )
        assert result.ok, result.error
        orphans = con.execute("SELECT TABLE_NAME, ROW_KEY, ROW_JSON::JSON->>'PARTYID' FROM _X_ORPHAN").fetchall()
        assert orphans == [("G_PARTY_HISTORY", "GSYS_SEQ 46", "P-NONE")], attach_from_seqs
        con.close()
