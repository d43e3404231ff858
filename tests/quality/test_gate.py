"""The quality gate of a cycle and the readers' copy: a corrupted load is rolled back, readers keep the
last good state and are never blocked by a cycle; `idbmart check` runs the same suites."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, SnapshotSeries
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.load.audit import first_key
from idbmart.load.publish import publish
from idbmart.quality.gate import QualityGateFailed
from idbmart.quality.suites import suite_files, validate

# Slow (simulated days, cycles and readers in subprocesses): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

P = Params(calls=300, seed=11, nodes=1)
NOON = DAY0 + 12 * 3600
ROOT = Path(__file__).resolve().parents[2]

# A reader in another process: opens the copy read-only, answers each line of stdin with the number of
# interactions it sees, and keeps its connection open in between (as a BI tool does).
READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
for line in sys.stdin:
    print(con.execute("SELECT count(*) FROM INTERACTION_FACT").fetchall()[0][0], flush=True)
"""


def count(path: Path, query: str = "SELECT count(*) FROM INTERACTION_FACT"):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(query).fetchall()[0][0]
    finally:
        con.close()


def clock_jump(idb_folder: Path, after: int) -> None:
    """Node 1's ICON clock jumped back: every party state it recorded after `after` is stamped two
    hours early (both members of the HA pair, so no member is clean)."""
    for member in ("a", "b"):
        con = duckdb.connect(str(idb_folder / f"dc1_node1_{member}.duckdb"))
        con.execute(
            "UPDATE G_PARTY_HISTORY SET ADDED_TS = ADDED_TS - 7200, ADDED = ADDED - INTERVAL 2 HOUR "
            "WHERE PSEQ > 1 AND ADDED_TS > ?",
            [after],
        ).fetchall()
        con.close()


@pytest.fixture
def morning(tmp_path):
    """A deployment whose IDBs are at noon, one good cycle committed and published."""
    series = SnapshotSeries(tmp_path, P, [])
    series.write(NOON)
    deployment = config.load(series.path)
    assert deployment.reader_path == tmp_path / "mart_read.duckdb"
    first = run_cycle(deployment)
    assert first.quality.ok, first.quality.summary()
    assert publish(deployment)
    return series, deployment, first


def test_a_corrupted_load_fails_the_gate_and_readers_keep_the_last_good_state(morning):
    series, deployment, first = morning
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(deployment.reader_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        reader.stdin.write("?\n")
        reader.stdin.flush()
        seen_before = int(reader.stdout.readline())
        morning_calls = count(deployment.mart_path)
        assert seen_before == morning_calls > 0

        series.write(NOON + 3 * 3600)
        clock_jump(deployment.source("dc1_node1_a").path.parent, NOON)
        with pytest.raises(QualityGateFailed) as failed:
            run_cycle(deployment)  # the reader holds its connection all along: the cycle is not blocked

        # The gate names what broke and where the report is; nothing of the cycle was committed. The
        # jump makes durations negative, and only that: every failure is a lower bound on a duration.
        broken = {(o.suite, o.column) for o in failed.value.quality.failures}
        assert ("mediation_segment_fact", "MEDIATION_DURATION") in broken
        assert ("contact_attempt_fact", "DIAL_DURATION") in broken
        assert {o.expectation for o in failed.value.quality.failures} == {"expect_column_values_to_be_between"}
        assert "expect_column_values_to_be_between" in str(failed.value) and "report " in str(failed.value)
        # the failing rows' examples name the IDB rows behind them: the source, its table and key
        msf = next(o for o in failed.value.quality.failures if o.suite == "mediation_segment_fact")
        assert re.search(r"'SOURCE_ROWS': 'dc1_node1_[ab] G_CALL CALLID \w+'", msf.examples), msf.examples
        assert re.search(r"SOURCE_ROWS': 'dc1_\w+_[ab] G\w+ [A-Z]+ [\w-]+", str(failed.value)), str(failed.value)
        assert count(deployment.mart_path) == morning_calls
        assert count(deployment.mart_path, "SELECT max(RUN_ID) FROM CTL_EXTRACT_HISTORY") == first.run_id
        report = failed.value.report.read_text()
        assert "FAILED" in report and "MEDIATION_DURATION" in report
        assert (deployment.report_dir / "latest.html").read_text() == report
        # Only the verdict was kept: the audit row and the failing expectations, by run.
        audit = count(deployment.mart_path, "SELECT list(STEP || ':' || STATUS) FROM CTL_AUDIT_LOG WHERE RUN_ID = 2")
        assert audit == ["quality:failed"]
        failures = count(
            deployment.mart_path,
            "SELECT count(*) FROM CTL_QUALITY_RESULT WHERE RUN_ID = 2 AND NOT SUCCESS "
            "AND SUITE = 'mediation_segment_fact'",
        )
        assert failures == 1

        # Readers: the connected one still sees the morning; so does a new one, as nothing was published.
        reader.stdin.write("?\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == morning_calls
        assert count(deployment.reader_path) == morning_calls

        # The IDBs are repaired: the next cycle reads the same windows again, passes, and is published
        # while the reader is still connected; it keeps its file until it reconnects.
        series.write(NOON + 3 * 3600)
        repaired = run_cycle(deployment)
        assert repaired.quality.ok and repaired.run_id == 3
        assert publish(deployment)
        afternoon_calls = count(deployment.mart_path)
        assert afternoon_calls > morning_calls
        assert count(deployment.reader_path) == afternoon_calls
        reader.stdin.write("?\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == morning_calls
    finally:
        reader.kill()


def test_check_runs_every_suite_and_exits_non_zero_on_a_broken_mart(morning, tmp_path):
    _, deployment, _ = morning
    ok = subprocess.run(
        [sys.executable, "-m", "idbmart.cli", "check", "--config", str(deployment.path)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"expectations met in {len(suite_files())} suites" in ok.stdout
    con = duckdb.connect(str(deployment.mart_path))
    changed = con.execute("UPDATE AG2_QUEUE_DAY SET ABANDONED = ENTERED + 1 WHERE ENTERED > 0").fetchall()[0][0]
    assert changed > 0
    con.close()
    bad = subprocess.run(
        [sys.executable, "-m", "idbmart.cli", "check", "--config", str(deployment.path)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "FAILED ag2_queue: expect_column_values_to_be_in_set(NOT_ABANDONED_AND_HANDLED)" in bad.stdout
    assert "FAILED aggregate_totals: expect_column_pair_values_to_be_equal(AG2_TOTAL,FACT_TOTAL)" in bad.stdout
    report = Path(bad.stdout.strip().splitlines()[-1].removeprefix("report "))
    assert report.parent == deployment.report_dir and "FAILED" in report.read_text()


def test_the_gate_looks_up_a_cycle_s_keys_into_facts_and_finds_what_is_missing(morning):
    """In a cycle's gate a foreign key into a fact is looked up among the batch's own keys (facts grow
    for ever), and so is the target of "no stay both abandoned and handled". Every queue stay and IRF
    of three interactions, each with a stay a handling IRF targets, marked as the rows of a next
    cycle: they pass; then one of those stays' target IRF is deleted, another's interaction, and the
    third stay is made abandoned though its target handled it: the gate names those rows, no others."""
    _, deployment, first = morning
    batch = first_key(first.run_id + 1)
    con = duckdb.connect(str(deployment.mart_path))

    def one(query: str, params=None):
        return con.execute(query, params).fetchall()[0][0]

    try:
        stays = con.execute(
            """SELECT m.INTERACTION_ID, min(m.MEDIATION_SEGMENT_ID),
                      arg_min(m.TARGET_IXN_RESOURCE_ID, m.MEDIATION_SEGMENT_ID)
            FROM MEDIATION_SEGMENT_FACT AS m JOIN INTERACTION_RESOURCE_FACT AS t
              ON t.INTERACTION_RESOURCE_ID = m.TARGET_IXN_RESOURCE_ID AND t.CUSTOMER_HANDLE_COUNT > 0
            GROUP BY m.INTERACTION_ID ORDER BY m.INTERACTION_ID LIMIT 3"""
        ).fetchall()
        assert len(stays) == 3
        ixns = [s[0] for s in stays]
        (_, _, target), (lost_interaction, _, _), (_, abandoned, _) = stays
        marked = {
            table: one(f"UPDATE {table} SET UPDATE_AUDIT_KEY = {batch} WHERE INTERACTION_ID IN ?", [ixns])
            for table in ("INTERACTION_RESOURCE_FACT", "MEDIATION_SEGMENT_FACT")
        }
        names = ("interaction_resource_fact", "mediation_segment_fact")
        sound = validate(con, deployment.quality, batch, names)
        assert sound.ok, sound.summary()
        assert sound.rows == {"interaction_resource_fact": marked["INTERACTION_RESOURCE_FACT"],
                              "mediation_segment_fact": marked["MEDIATION_SEGMENT_FACT"]}  # fmt: skip

        expected = {  # the rows each break makes wrong, counted before it
            ("mediation_segment_fact", "TARGET_IXN_RESOURCE_ID_FOUND"): one(
                "SELECT count(*) FROM MEDIATION_SEGMENT_FACT WHERE TARGET_IXN_RESOURCE_ID = ?", [target]
            ),
            ("mediation_segment_fact", "INTERACTION_ID_FOUND"): one(
                "SELECT count(*) FROM MEDIATION_SEGMENT_FACT WHERE INTERACTION_ID = ?", [lost_interaction]
            ),
            ("interaction_resource_fact", "INTERACTION_ID_FOUND"): one(
                "SELECT count(*) FROM INTERACTION_RESOURCE_FACT WHERE INTERACTION_ID = ?", [lost_interaction]
            ),
            ("mediation_segment_fact", "NOT_ABANDONED_AND_HANDLED"): 1,
        }
        con.execute("DELETE FROM INTERACTION_RESOURCE_FACT WHERE INTERACTION_RESOURCE_ID = ?", [target])
        con.execute("DELETE FROM INTERACTION_FACT WHERE INTERACTION_ID = ?", [lost_interaction])
        con.execute(
            """UPDATE MEDIATION_SEGMENT_FACT SET TECHNICAL_DESCRIPTOR_KEY = (SELECT min(TECHNICAL_DESCRIPTOR_KEY)
            FROM TECHNICAL_DESCRIPTOR WHERE TECHNICAL_RESULT_CODE = 'ABANDONED') WHERE MEDIATION_SEGMENT_ID = ?""",
            [abandoned],
        )
        broken = validate(con, deployment.quality, batch, names)
    finally:
        con.close()
    failed = {(o.suite, o.column): o for o in broken.failures}
    assert {key: o.unexpected for key, o in failed.items()} == expected
    assert str(abandoned) in failed["mediation_segment_fact", "NOT_ABANDONED_AND_HANDLED"].examples
