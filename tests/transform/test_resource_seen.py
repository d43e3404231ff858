"""STG_RESOURCE_SEEN: the resources a cycle met are written where new or changed
(sql/transform/control/stg_resource_seen.sql), and their first-seen times follow the facts from what a
cycle changed (resource_seen_refresh.sql): each resource at its earliest fact, without reading the facts
that began before the earliest first-seen time the cycle's changes can move."""

from __future__ import annotations

from idbmart.load import mart, merge, scans
from idbmart.load.db import run
from idbmart.transform import graph
from tests.conftest import ROW_GROUP

T = 10 * ROW_GROUP  # the cycle's times are T + seconds; resource 9's old facts began at 0, 1, 2, ...


def test_first_seen_times_follow_the_facts_a_cycle_changed(tmp_path):
    """Resources 1-5 were seen before this cycle, 6 and 7 are met first by it (times T + t). The cycle's
    changes: resource 1's earliest fact (t=100) deleted -> first seen at its next (t=200); 2's earliest
    fact moved from 100 to 300 -> 150 (its other fact); 3 gets a fact at 50 -> 50; 4's only fact deleted
    -> still 100 (never forgotten: Info Mart keeps its RESOURCE_ row); 5 gets a fact after its first
    (t=900) -> still 100; 6 has facts at 400 (as a DN, in MEDIA_RESOURCE_KEY) and 350 -> 350; 7 was met
    but points at no fact -> the time the cycle met it, 700. Resource 9 (first seen at 0, its facts the
    first three row groups, all before T) is untouched: it keeps its time, and none of its row groups
    is read."""
    con = mart.connect(tmp_path / "mart.duckdb")
    irf = (
        "INTERACTION_RESOURCE_FACT (INTERACTION_RESOURCE_ID, INTERACTION_ID, RESOURCE_KEY, MEDIA_RESOURCE_KEY, "
        "START_TS)"
    )
    run(con, f"INSERT INTO {irf} SELECT -i, -i, 9, NULL, i FROM range(1, {3 * ROW_GROUP} + 1) r(i)")
    before = [(10, 1, 100), (11, 1, 200), (20, 2, 100), (21, 2, 150), (30, 3, 100), (40, 4, 100), (50, 5, 100)]
    run(con, f"INSERT INTO {irf} VALUES " + ", ".join(f"({i}, {i}, {r}, NULL, {T + t})" for i, r, t in before))
    first = {1: 100, 2: 100, 3: 100, 4: 100, 5: 100, 6: 400, 7: 700}  # 6 and 7: as the cycle's upsert left them
    run(con, "INSERT INTO STG_RESOURCE_SEEN (RESOURCE_KEY, FIRST_SEEN_TS) VALUES (9, 1), "
             + ", ".join(f"({r}, {T + t})" for r, t in first.items()))  # fmt: skip
    run(con, "CHECKPOINT")

    # the cycle: its fact changes, as merge.replace records them (old and new versions), and its new resources
    merge.start_touched(con)
    inserted = [(31, 3, None, 50), (51, 5, None, 900), (60, None, 6, 400), (61, 6, None, 350)]
    touched = [(1, None, 100), (4, None, 100), (2, None, 100), (2, None, 300)]  # deleted 10, 40; 20 old and new
    run(con, "DELETE FROM INTERACTION_RESOURCE_FACT WHERE INTERACTION_RESOURCE_ID IN (10, 40)")
    run(con, f"UPDATE INTERACTION_RESOURCE_FACT SET START_TS = {T + 300} WHERE INTERACTION_RESOURCE_ID = 20")
    for i, res, media, t in inserted:
        run(con, f"INSERT INTO {irf} VALUES (?, ?, ?, ?, ?)", [i, i, res, media, T + t])
    for res, media, t in [*touched, *((r, m, t) for _, r, m, t in inserted)]:
        run(con, "INSERT INTO _T_TOUCHED VALUES ('INTERACTION_RESOURCE_FACT', 0, ?, ?, ?, NULL)", [res, media, T + t])
    run(con, "CREATE TEMP TABLE _T_SEEN_NEW AS SELECT * FROM (VALUES (6), (7)) v(RESOURCE_KEY)")

    with scans.recording() as log:
        scans.watch(con)
        graph.run_alone(con, "resource_seen_refresh")
    expected = {1: T + 200, 2: T + 150, 3: T + 50, 4: T + 100, 5: T + 100, 6: T + 350, 7: T + 700, 9: 1}
    assert dict(run(con, "SELECT RESOURCE_KEY, FIRST_SEEN_TS FROM STG_RESOURCE_SEEN")) == expected
    irf_reads = [(s.row_groups, s.of_row_groups) for s in log.scans if s.table.endswith("INTERACTION_RESOURCE_FACT")]
    assert irf_reads and all(read <= of - 3 for read, of in irf_reads), irf_reads  # never the old three
    con.close()


def test_the_resources_met_again_keep_their_row_and_the_new_and_changed_are_written(tmp_path):
    """stg_resource_seen.sql: of the resources a cycle met (_T_SEEN), a new one is inserted with its
    first-seen time and listed in _T_SEEN_NEW; one whose name changed (its configuration arrived) takes the
    new name and keeps its first-seen time; one met again unchanged keeps its row as it was."""
    con = mart.connect(tmp_path / "mart.duckdb")
    columns = "RESOURCE_KEY, IDENTITY_RULE, RESOURCE_NAME, SWITCH_DBID, TENANTID, CFG_TYPE_ID, CFG_DBID, TYPE_CODE"
    run(con, f"""INSERT INTO STG_RESOURCE_SEEN ({columns}, FIRST_SEEN_TS) VALUES
                 (1, 'dn', '7001', 1, 1, NULL, NULL, 'EXTENSION', 100),
                 (2, 'dn', '7002', 1, 1, NULL, NULL, 'EXTENSION', 200)""")  # fmt: skip
    run(con, f"""CREATE TEMP TABLE _T_SEEN AS SELECT * FROM (VALUES
                 (1, 'dn', '7001', 1, 1, NULL, NULL, 'EXTENSION', {T + 5}),
                 (2, 'dn', 'Sales 7002', 1, 1, 3, 42, 'EXTENSION', {T + 6}),
                 (3, 'agent', 'agent 201', NULL, 1, 3, 201, 'AGENT', {T + 7}))
                 AS t({columns}, FIRST_SEEN_TS)""")  # fmt: skip

    graph.run_alone(con, "stg_resource_seen")

    assert run(con, f"SELECT {columns}, FIRST_SEEN_TS FROM STG_RESOURCE_SEEN ORDER BY 1") == [
        (1, "dn", "7001", 1, 1, None, None, "EXTENSION", 100),
        (2, "dn", "Sales 7002", 1, 1, 3, 42, "EXTENSION", 200),
        (3, "agent", "agent 201", None, 1, 3, 201, "AGENT", T + 7),
    ]
    assert run(con, "SELECT RESOURCE_KEY FROM _T_SEEN_NEW") == [(3,)]
