"""The intraday job's extraction lanes, as Airflow maps them: the per-server bound holds by
construction, and a lane reads past a failing source and retries only what it has not read."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from idbmart import jobs
from idbmart.config import ExtractOptions, Source
from idbmart.errors import IdbmartError
from idbmart.extract.handover import Handover


def _sources(tiny_path) -> list[Source]:
    """Three IDBs on one PostgreSQL server, two on another, three snapshot files (never connected to:
    planning reads only the mart's marks)."""
    pg = [Source(f"pg_a{k}", f"postgresql://icon@db-a:5432/idb{k}", f"a{k}", True, ("gcc",)) for k in range(3)]
    pg += [Source(f"pg_b{k}", f"postgresql://icon@db-b/idb{k}", f"b{k}", True, ("gcc",)) for k in range(2)]
    files = [Source(f"file{k}", f"duckdb://{tiny_path}", f"f{k}", True, ("gcc",)) for k in range(3)]
    return pg + files


@pytest.mark.parametrize("per_server", [1, 2, 3])
def test_no_server_has_more_lanes_than_its_bound_and_each_source_is_in_one(tiny_deployment, per_server):
    path, deployment = tiny_deployment
    deployment = replace(
        deployment, sources=tuple(_sources(path)), extract=ExtractOptions(connections_per_server=per_server)
    )
    planned = jobs.plan(deployment)
    assert planned["then"] == []  # every source is its HA set's primary
    lanes = planned["first"]
    placed = [(lane["lane"], item["source"]) for lane in lanes for item in lane["sources"]]
    assert sorted(s for _, s in placed) == sorted(s.name for s in deployment.sources)
    server = {s.name: s.server for s in deployment.sources}
    for name, count in (("db-a:5432", 3), ("db-b:5432", 2), ("local", 3)):
        used = {lane for lane, s in placed if server[s] == name}
        assert len(used) == min(per_server, count), (name, used)
        assert all(lane.startswith(name) for lane in used)
    assert all(item["mark"] is None for lane in lanes for item in lane["sources"])  # a fresh mart


def test_the_other_members_of_ha_sets_are_read_in_lanes_of_their_own_naming_their_primary(tiny_deployment):
    """Choose, then read (docs/architecture.md): an HA set's other member is weighed against its primary's
    extract, so it goes to the lanes Airflow runs after the primaries' ("then"), with its primary named
    and the servers' bound kept there too; a member whose set's primary is not configured, and every
    member with `[extract] backup_rows = "always"`, is read first."""
    path, deployment = tiny_deployment
    sources = _sources(path)
    backups = [replace(s, name=f"{s.name}_b", primary=False) for s in sources[:2] + sources[5:6]]
    alone = Source("pg_z", "postgresql://icon@db-b/idbz", "z", False, ("gcc",))  # its set's primary is not here
    deployment = replace(deployment, sources=(*sources, *backups, alone),
                         extract=ExtractOptions(connections_per_server=1))  # fmt: skip
    planned = jobs.plan(deployment)
    first = {item["source"] for lane in planned["first"] for item in lane["sources"]}
    then = {item["source"]: item["primary"] for lane in planned["then"] for item in lane["sources"]}
    assert first == {s.name for s in sources} | {"pg_z"}
    assert then == {"pg_a0_b": "pg_a0", "pg_a1_b": "pg_a1", "file0_b": "file0"}
    assert sorted(lane["lane"] for lane in planned["then"]) == ["db-a:5432", "local"]  # one per server
    always = jobs.plan(replace(deployment, extract=ExtractOptions(connections_per_server=1, backup_rows="always")))
    assert always["then"] == [] and sum(len(lane["sources"]) for lane in always["first"]) == len(deployment.sources)


def test_a_lane_reads_past_a_failing_source_and_its_retry_reads_only_what_is_left(tiny_deployment, tmp_path):
    path, deployment = tiny_deployment
    gone = Source("gone", f"duckdb://{tmp_path / 'gone.duckdb'}", "gone", True, ("gcc",))
    deployment = replace(deployment, sources=(gone, *deployment.sources))
    lane = {"lane": "local", "sources": [{"source": s.name, "mark": None} for s in deployment.sources]}
    work = tmp_path / "work"
    with pytest.raises(IdbmartError, match=r"lane local: 1 source\(s\) not read: gone: .*does not exist"):
        jobs.extract_lane(deployment, lane, work)
    read = work / "site1.duckdb"
    assert read.exists() and "does not exist" in (work / "gone.error").read_text()
    first = read.stat().st_mtime_ns
    # the retry: the missing snapshot has come back; the source read before is not read again
    (tmp_path / "gone.duckdb").write_bytes(path.read_bytes())
    assert jobs.extract_lane(deployment, lane, work) == ["gone", "site1"]
    assert read.stat().st_mtime_ns == first and (work / "gone.duckdb").exists()
    assert not (work / "gone.error").exists()


def test_extracts_reach_the_commit_through_a_shared_location_that_is_not_a_folder(tiny_deployment):
    """A run's hand-over at a URL (fsspec's in-memory store stands for s3:// here): the extraction task
    leaves its file there, the commit takes it from there into its own scratch folder and commits the
    source's window; what passes between them is the source's name. The teardown removes the location."""
    _, deployment = tiny_deployment
    location = f"memory://idbmart-{uuid.uuid4().hex[:8]}/run_1"
    lane = {"lane": "local", "sources": [{"source": s.name, "mark": None} for s in deployment.sources]}
    assert jobs.extract_lane(deployment, lane, location) == ["site1"]
    shared = Handover(location)
    assert shared.has("site1.duckdb") and not shared.is_folder
    result = jobs.commit_extracts(deployment, location)
    assert [s.source.name for s in result.sources if s.ok] == ["site1"]
    assert result.transformed.interactions > 0  # the tiny IDB's calls, read through the hand-over
    shared.remove_all()
    assert not shared.has("site1.duckdb")


def test_an_extract_file_written_before_a_work_table_gained_a_column_is_committed(tiny_deployment, tmp_path):
    """An upgrade between a run's extraction and its commit: the file's _X_ENTITY lacks ROWS_READ (added
    for choosing before reading, docs/architecture.md); its rows are taken by name, ROWS_READ defaulted
    (read whole, as that version read every member), and the tiny IDB's two finished calls load."""
    import duckdb

    _, deployment = tiny_deployment
    work = tmp_path / "work"
    lane = {"lane": "local", "sources": [{"source": s.name, "mark": None} for s in deployment.sources]}
    assert jobs.extract_lane(deployment, lane, work) == ["site1"]
    with duckdb.connect(str(work / "site1.duckdb")) as old:
        old.execute("ALTER TABLE _X_ENTITY DROP COLUMN ROWS_READ")
        old.execute("DROP TABLE _X_EVIDENCE")
    result = jobs.commit_extracts(deployment, work)
    assert [s.source.name for s in result.sources if s.ok] == ["site1"]
    assert result.transformed.interactions == 2  # tiny/README.md: CALL-0001 and CALL-0002 (CALL-0003 is active)
