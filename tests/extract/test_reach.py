"""The cycle's look-ups of staged versions and HA decisions read what its entities can need, not the
days the mart holds (idbmart/extract/reach.py): rows that ended before the earliest start the cycle
touched are skipped by their row groups' zone maps, open versions are read by the run that staged them."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from idbmart import config
from idbmart.config import Source
from idbmart.cycle import run_cycle
from idbmart.extract.reach import SLACK_S
from idbmart.fixtures import tiny
from idbmart.load import mart, scans
from idbmart.load.db import run
from tests.conftest import ROW_GROUP

pytestmark = pytest.mark.slow  # three row groups of versions and decisions: 13 s

DAY = 86_400
CALL_1_START = 1_793_607_000  # CALL-0001 (IR-0001) begins 08:10:00 and ends 08:12:20 (tiny/README.md)


def test_a_cycle_reads_the_versions_and_decisions_its_entities_can_need_not_the_days_held(tiny_duckdb, tmp_path):
    """A mart holding three row groups of old versions and decisions, among them the backup's open
    (stuck) version of CALL-0001 and the decision that chose it, staged by run -2. The cycle delivers
    CALL-0001 ended from both members: the backup's new version replaces the open one, found by its
    run; the decision before it (the backup's) is replaced, and the primary is chosen (both members
    cover the call). Every look-up reads none of the row groups that ended ten days before (their END_TS
    below the earliest start the cycle touched), and of the open version's run, its one row group."""
    members = []
    for name, primary in (("site_a", True), ("site_b", False)):
        path = tmp_path / f"{name}.duckdb"
        shutil.copy(tiny_duckdb, path)
        with duckdb.connect(str(path)) as idb:
            idb.execute("UPDATE G_PROV_CONTROL SET SEQCOUNTER = 50, SEQCURRENT = 50")
        members.append(Source(name, f"duckdb://{path}", "site", primary, tuple(tiny.ROLES)))
    (tmp_path / "deployment.toml").write_text(config.render(str(tmp_path / "mart.duckdb"), members))
    deployment = config.load(tmp_path / "deployment.toml")

    old_end = CALL_1_START - 10 * DAY
    assert old_end < CALL_1_START - SLACK_S  # the old rows end before the cycle's reach, slack included
    con = mart.connect(deployment.mart_path)
    # keys like call UUIDs (hex digits): every row group's range of them holds 'CALL-0001', so only time
    # can skip a row group
    old = f"'site', 'interaction', md5(i::VARCHAR), {old_end - 100}, {old_end}"
    run(
        con,
        f"""INSERT INTO STG_ENTITY SELECT * EXCLUDE (i) FROM (
            SELECT CASE i % 2 WHEN 0 THEN 'site_a' ELSE 'site_b' END, {old}, FALSE, -3 + i // {ROW_GROUP},
                   NULL::VARCHAR[], i
            FROM range({3 * ROW_GROUP}) r(i) WHERE i <> {ROW_GROUP}
            UNION ALL
            SELECT 'site_b', 'site', 'interaction', 'CALL-0001', {CALL_1_START}, NULL, TRUE, -2, NULL, {ROW_GROUP}
        ) ORDER BY i""",
    )
    run(
        con,
        f"""INSERT INTO CTL_HA_DECISION SELECT * EXCLUDE (i) FROM (
            SELECT 'site', 'interaction', md5(i::VARCHAR), 'site_a', 'both_cover_primary', {old_end - 100}, {old_end},
                   FALSE, 1, NULL, NULL, -3 + i // {ROW_GROUP}, i
            FROM range({3 * ROW_GROUP}) r(i) WHERE i <> {ROW_GROUP}
            UNION ALL SELECT 'site', 'interaction', 'CALL-0001', 'site_b', 'only_member_holding_it', {CALL_1_START},
                   {CALL_1_START}, TRUE, 1, NULL, NULL, -2, {ROW_GROUP}
        ) ORDER BY i""",
    )
    run(con, "INSERT INTO STG_ENTITY_OPEN VALUES ('site_b', 'site', 'interaction', 'CALL-0001', -2)")
    run(con, "CHECKPOINT")
    con.close()

    with scans.recording() as log:
        assert run_cycle(deployment).quality.ok

    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    assert con.execute(
        "SELECT SOURCE_NAME, PREV_SOURCE FROM CTL_HA_DECISION WHERE ENTITY_KEY = 'CALL-0001'"
    ).fetchall() == [("site_a", "site_b")]
    assert con.execute(
        "SELECT SOURCE_NAME, RUN_ID, END_TS FROM STG_ENTITY WHERE ENTITY_KEY = 'CALL-0001' ORDER BY 1"
    ).fetchall() == [("site_a", 1, CALL_1_START + 140), ("site_b", 1, CALL_1_START + 140)]
    assert con.execute("SELECT count(*) FROM STG_ENTITY_OPEN").fetchall() == [(0,)]
    con.close()

    lookups = [s for s in log.scans if s.table.rpartition(".")[2] in ("STG_ENTITY", "CTL_HA_DECISION")]
    assert {s.caller.partition(" <")[0] for s in lookups} == {
        "extract.stage:_prior_runs",  # the versions staging replaces
        "extract.stage:merge",  # their deletion, by run
        "ha.choose:_register_inputs",  # every member's version and the decision before
        "ha.choose:choose",  # the decisions replaced, by row
    }
    # at most the one row group of run -2 (the open version; the decision made from it ended within the
    # reach), and the cycle's own rows: never the 3 row groups of versions that ended ten days before
    assert max(s.rows for s in lookups) < 2 * ROW_GROUP, [(s.caller, s.rows) for s in lookups]
