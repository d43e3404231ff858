"""The readers' store: each good cycle's changes written into the buffer readers are not on, the readers'
path linked to it atomically; the whole mart copied only where the changes cannot be trusted.

A small blended day (calls, chats, e-mails: every kind of table the mart has) in cycles; after each
publish the readers' path holds exactly the mart's published tables, row for row, lineage included."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, SnapshotSeries
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.load.publish import CHANGES_PER_COPY, GONE, STATE, buffers, publish, published_tables
from idbmart.quality import compare
from tests.conftest import without_gate

P = Params(calls=300, seed=5, media=("voice", "chat", "email"))
HOURS = (9, 12, 15, 20)
# Both IDBs of SIP Cluster node 2 commit ten hours late: its agents' logins (about 08:00) are read by
# the 20:00 cycle only, and the DN resources that node 1's calls to them got until then are deleted.
LATE_NODE_2 = ["late:dc1_node2_a:1.0:36000", "late:dc1_node2_b:1.0:36000"]
HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
for line in sys.stdin:
    print(con.execute("SELECT count(*) FROM INTERACTION_FACT").fetchall()[0][0], flush=True)
"""


def differences(mart: Path, reader: Path) -> dict[str, tuple[int, int]]:
    """Published table → (rows only in the mart, rows only in the reader's file), every column compared."""
    with duckdb.connect(str(mart), read_only=True) as con:
        published = tuple(published_tables(con))
    return compare.differences(mart, reader, published, lineage=True)


def query(path: Path, sql: str):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def day(tmp_path):
    series = SnapshotSeries(tmp_path / "day", P)
    return series, without_gate(config.load(series.path))  # the gate has tests of its own


@pytest.fixture
def late_agents_day(tmp_path):
    series = SnapshotSeries(tmp_path / "day", P, LATE_NODE_2)
    return series, without_gate(config.load(series.path))


def cycle(series, deployment, hour: int, changes_per_copy: int = 0):
    """A cycle at `hour`, published; by default always by its changes where they can be trusted (a
    small day's cycles change most of what it holds: CHANGES_PER_COPY would copy them whole)."""
    series.advance(DAY0 + hour * 3600)
    assert not run_cycle(deployment).skipped
    return publish(deployment, changes_per_copy=changes_per_copy)


@pytest.mark.slow  # a day in four cycles (the fast tier publishes in test_publishing_waits_for_no_other_writer...)
def test_each_cycle_publishes_its_changes_and_the_readers_store_equals_the_mart(late_agents_day):
    """Both buffers begin as copies of the mart; from then on a publish writes only what changed (rows newer
    than the buffer's run, keys deleted since), and the readers' path is a regular file, the same file as
    the buffer just brought up. The ETL's working layers are not published; the log of deleted keys keeps
    only what the older buffer has not applied (the 20:00 cycle deletes rows: LATE_NODE_2)."""
    series, deployment = late_agents_day
    modes = []
    for hour in HOURS:
        done = cycle(series, deployment, hour)
        modes.append(done.mode)
        assert differences(deployment.mart_path, deployment.reader_path) == {}, hour
        reader = deployment.reader_path
        assert reader.is_file() and not reader.is_symlink() and os.path.samefile(reader, done.path)
    assert modes == ["whole", "whole", "changes", "changes"], modes
    tables = {t for (t,) in query(deployment.reader_path, "SELECT table_name FROM duckdb_tables()")}
    assert "INTERACTION_FACT" in tables and "AG2_AGENT_SUBHR" in tables and "STG_TRANSFORM_DISCARDS" in tables
    assert not {t for t in tables if t.startswith("GIDB_") or t == "STG_ENTITY"}
    older = min(query(b, f"SELECT RUN_ID FROM {STATE}")[0][0] for b in buffers(deployment.reader_path))
    kept, unapplied = query(
        deployment.mart_path,
        f"SELECT count(*), count(*) FILTER (AUDIT_KEY > {older} * 100 + 99) FROM {GONE}",
    )[0]
    assert kept == unapplied > 0, (kept, unapplied)  # the 20:00 cycle deleted rows: kept until both have them


@pytest.mark.slow
def test_a_table_without_audit_keys_that_changed_gets_the_rows_that_differ_by_its_key(day):
    """The dimensions and the calendar carry no audit key: where one's checksum differs from the buffer's
    and it has a primary key, only the rows not the same on both sides are written. A new DATE_TIME
    interval is one row inserted; a routing target renamed is its old row deleted and its new one
    inserted; the tables that did not change are not written."""
    series, deployment = day
    cycle(series, deployment, 9)
    cycle(series, deployment, 12)
    publish(deployment, changes_per_copy=0)  # the older buffer catches up: both hold the last run
    with duckdb.connect(str(deployment.mart_path)) as con:
        last = "(SELECT max(DATE_TIME_KEY) FROM DATE_TIME WHERE DATE_TIME_KEY < 253402300000)"  # not the sentinel's
        con.execute(f"""INSERT INTO DATE_TIME SELECT * REPLACE (DATE_TIME_KEY + 900 AS DATE_TIME_KEY) FROM DATE_TIME
                        WHERE DATE_TIME_KEY = {last}""")
        con.execute("""UPDATE ROUTING_TARGET SET TARGET_OBJECT_SELECTED = 'renamed'
                       WHERE ROUTING_TARGET_KEY = (SELECT max(ROUTING_TARGET_KEY) FROM ROUTING_TARGET)""")
    done = publish(deployment, changes_per_copy=0)
    assert done.mode == "changes", done
    written = {t: n for t, n in done.tables.items() if n}
    assert written == {"DATE_TIME": 1, "ROUTING_TARGET": 2}, written
    assert differences(deployment.mart_path, deployment.reader_path) == {}


@pytest.mark.slow
def test_a_decision_made_again_is_deleted_from_its_old_run_which_is_not_written_again(day):
    """CTL_HA_DECISION holds one decision per entity, in the run that last decided it: an entity decided
    again (a login session that ended since, a call delivered again) leaves its old run for the new one.
    Publishing deletes such a key from the old run in the buffer and inserts the new run's rows; the old
    runs are not written again whole (a nightly run holds a day of decisions)."""
    series, deployment = day
    cycle(series, deployment, 9)
    cycle(series, deployment, 12)
    publish(deployment, changes_per_copy=0)  # the older buffer catches up: both hold the last run
    ((held,),) = query(deployment.mart_path, "SELECT count(*) FROM CTL_HA_DECISION")
    series.advance(DAY0 + 15 * 3600)
    run_id = run_cycle(deployment).run_id
    ((kept, new),) = query(
        deployment.mart_path,
        f"SELECT count(*) FILTER (RUN_ID < {run_id}), count(*) FILTER (RUN_ID = {run_id}) FROM CTL_HA_DECISION",
    )
    assert held > kept, "no decision was made again: the test shows nothing"
    done = publish(deployment, changes_per_copy=0)
    assert done.mode == "changes", done
    assert done.tables["CTL_HA_DECISION"] == new + (held - kept)  # inserted, and the moved keys deleted
    assert differences(deployment.mart_path, deployment.reader_path) == {}


@pytest.mark.slow
def test_a_buffer_a_reader_holds_open_is_not_written_the_mart_is_copied_whole_beside_it(day):
    """DuckDB will not write a file another process reads. A reader connected since the 12:00 publish holds
    that buffer; the 15:00 publish writes the other one (changes), the 20:00 one would write the held
    buffer: it copies the mart into a new file instead, and the reader keeps reading 12:00's state until it
    reconnects, when it gets 20:00's."""
    series, deployment = day
    cycle(series, deployment, 9)
    noon = cycle(series, deployment, 12)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(deployment.reader_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:

        def held() -> int:
            holder.stdin.write("?\n")
            holder.stdin.flush()
            return int(holder.stdout.readline())

        at_noon = held()
        assert cycle(series, deployment, 15).mode == "changes"
        late = cycle(series, deployment, 20)
        assert late.mode == "whole" and "could not be opened" in late.why, late
        assert late.path == noon.path  # a new file by the held buffer's name: the holder keeps the old one
        assert held() == at_noon
        assert differences(deployment.mart_path, deployment.reader_path) == {}
        assert query(deployment.reader_path, "SELECT count(*) FROM INTERACTION_FACT")[0][0] > at_noon
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.slow
def test_where_the_runs_since_changed_much_of_the_mart_a_copy_is_cheaper_and_taken(day):
    """Writing a changed row into a buffer costs about CHANGES_PER_COPY times its share of a file copy:
    where the runs since the buffer's changed more than that share of the rows (a young mart's busy
    cycle: 12:00 to 15:00 of this day rewrites most of what it holds), the mart is copied whole; where
    they changed little (the same snapshot read again: nothing new), the changes are written."""
    series, deployment = day
    cycle(series, deployment, 9)
    cycle(series, deployment, 12)
    busy = cycle(series, deployment, 15, CHANGES_PER_COPY)
    assert busy.mode == "whole" and "a copy costs less" in busy.why, busy
    assert run_cycle(deployment).run_id and publish(deployment).mode == "whole"  # the other buffer lags a run too
    quiet = publish(deployment, changes_per_copy=CHANGES_PER_COPY)
    assert quiet.mode == "changes", quiet  # the facts unchanged: the new run's control rows only
    assert differences(deployment.mart_path, deployment.reader_path) == {}


@pytest.mark.slow
def test_a_view_the_mart_gained_makes_the_next_publish_a_whole_copy(day):
    """A buffer only takes changes where it has the mart's tables, columns, comments and views: a view
    added to the mart (as an upgrade adds report views) makes the next publish copy the whole mart, view
    included."""
    series, deployment = day
    cycle(series, deployment, 9)
    cycle(series, deployment, 12)
    with duckdb.connect(str(deployment.mart_path)) as con:
        con.execute("CREATE VIEW EMAIL_BACKLOG AS SELECT * FROM MEDIATION_SEGMENT_FACT WHERE ACTIVE_FLAG").fetchall()
    done = cycle(series, deployment, 15)
    assert done.mode == "whole" and "changed" in done.why, done
    assert differences(deployment.mart_path, deployment.reader_path) == {}
    assert query(deployment.reader_path, "SELECT count(*) FROM EMAIL_BACKLOG") == query(
        deployment.mart_path, "SELECT count(*) FROM EMAIL_BACKLOG"
    )


def test_publishing_waits_for_no_other_writer_and_leaves_the_readers_store_as_it_was(tiny_deployment, tmp_path):
    """Publishing holds the mart open for writing while it reads it: another writer's changes are never
    published half-made. With another process holding the mart, publishing fails and the readers keep what
    they had."""
    _, deployment = tiny_deployment
    deployment = dataclasses.replace(deployment, reader_path=tmp_path / "readers.duckdb")
    run_cycle(deployment)
    assert publish(deployment)
    (runs,) = query(deployment.reader_path, "SELECT count(DISTINCT RUN_ID) FROM CTL_AUDIT_LOG")[0]
    assert runs == 1
    before = deployment.reader_path.read_bytes()
    writer = subprocess.Popen(  # another writer: holds the mart and says so
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(deployment.mart_path)!r}); "
         "print('holding', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException, match="lock"):
            publish(deployment)
    finally:
        writer.communicate("\n", timeout=30)
    assert deployment.reader_path.read_bytes() == before
    assert not list(tmp_path.glob(".readers*.publishing")) and not list(tmp_path.glob(".readers*.linking"))
