"""One ETL cycle (extract, HA choice, GIDB) against a simulated SIP Cluster deployment with faults,
checked against the simulator's truth; and the cycle's guarantees: any schedule of cycles, a crash,
an outage or a repeat leaves the same GIDB as one run over the final IDBs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, SnapshotSeries, default_snapshot_time, simulate
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.load.mart import SENTINEL_TS, extracted_tables
from idbmart.quality.compare import AGGREGATE_PREFIXES, DEFAULT_PREFIXES, STAR_PREFIXES, differences
from tests.conftest import without_gate

# Slow (simulated days through many cycles): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

# One cluster node pair, the VQ pair, configuration per data center, OCS. The primary of the node
# pair loses 10:00-11:00 (and re-delivers the 5 minutes before it) and commits 5 % of its rows 15
# minutes late; the VQ pair's secondary is down 14:00-14:20; one answered call never terminates.
P = Params(calls=400, seed=5, nodes=1)
FAULTS = [
    "gap:dc1_node1_a:10:00-11:00",
    "dup:dc1_node1_a",
    "late:dc1_node1_a:0.05:900",
    "down:dc1_vq_b:14:00-14:20",
    "stuck:1",
]
GAP = (DAY0 + 10 * 3600, DAY0 + 11 * 3600)
ALL = DEFAULT_PREFIXES + STAR_PREFIXES + AGGREGATE_PREFIXES  # GIDB, the star schema, the aggregates


def hm(h: int, m: int = 0) -> int:
    return DAY0 + h * 3600 + m * 60


@pytest.fixture(scope="module")
def one_run(tmp_path_factory):
    """The deployment as of 1 h after the day, and a mart built from it by one cycle."""
    out = tmp_path_factory.mktemp("one_run")
    deployment = config.load(simulate(out, P, FAULTS))
    result = run_cycle(deployment)
    return deployment, result, out


def sql(mart: Path, query: str, truth: Path | None = None) -> list[tuple]:
    con = duckdb.connect()
    con.execute(f"ATTACH '{mart}' AS m (READ_ONLY)").fetchall()
    con.execute("USE m").fetchall()
    if truth is not None:
        for f in truth.glob("*.parquet"):
            con.execute(f"CREATE TEMP VIEW {f.stem} AS SELECT * FROM read_parquet('{f}')").fetchall()
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def fresh_mart(deployment, folder: Path):
    return without_gate(replace(deployment, mart_path=folder / "mart.duckdb"))


def copied_idbs(deployment, tmp_path: Path):
    """A copy of the deployment's IDB folder to alter, and a function that writes a deployment file
    over the copy (sources as given) and loads it."""
    folder = tmp_path / "idb"
    shutil.copytree(deployment.source("dc1_node1_a").path.parent, folder)

    def load():
        copies = [replace(s, uri=f"duckdb://{folder / s.path.name}") for s in deployment.sources]
        path = tmp_path / "deployment.toml"
        path.write_text(config.render("mart.duckdb", copies, deployment.etl))
        return without_gate(config.load(path))

    return folder, load


# -- every entity exactly once ------------------------------------------------------------------------


def test_every_true_call_and_party_is_in_gidb_exactly_once(one_run):
    deployment, result, out = one_run
    assert not result.skipped
    truth = out / "truth"
    missing, doubled, extra = sql(
        deployment.mart_path,
        """SELECT (SELECT count(*) FROM TRUTH_CALL t ANTI JOIN GIDB_G_CALL g USING (CALLID)),
                  (SELECT count(*) FROM (SELECT CALLID FROM GIDB_G_CALL GROUP BY 1 HAVING count(*) > 1)),
                  (SELECT count(*) FROM GIDB_G_CALL g ANTI JOIN TRUTH_CALL t USING (CALLID))""",
        truth,
    )[0]
    assert (missing, doubled, extra) == (0, 0, 0)
    # Parties per call as the truth has them (PARTYIDs are per IDB outside a cluster: count per call).
    wrong = sql(
        deployment.mart_path,
        """SELECT count(*) FROM (SELECT CALLID, count(*) AS n FROM TRUTH_PARTY GROUP BY 1) t
           FULL JOIN (SELECT CALLID, count(*) AS n FROM GIDB_G_PARTY GROUP BY 1) g USING (CALLID)
           WHERE t.n IS DISTINCT FROM g.n""",
        truth,
    )[0][0]
    assert wrong == 0
    # Every row of an interaction comes from the member its decision names.
    strays = sql(
        deployment.mart_path,
        """SELECT count(*) FROM GIDB_G_PARTY g JOIN CTL_HA_DECISION d
             ON d.HA_SET = g.HA_SET AND d.ENTITY_KIND = 'interaction' AND d.ENTITY_KEY = g.ENTITY_KEY
           WHERE d.SOURCE_NAME <> g.SOURCE_NAME""",
    )[0][0]
    assert strays == 0


def test_every_version_is_recorded_and_only_the_chosen_ones_rows_are_kept(one_run):
    """Every member's version of an interaction is recorded (STG_ENTITY, the HA choice's evidence), and
    its G_CALL rows are kept once, in GIDB_G_CALL, if the decision names its member; the others' rows
    are not written at all (their member keeps them, idbmart/ha/choose.py): no STG_* table holds a row."""
    deployment, _, _ = one_run
    placed = sql(
        deployment.mart_path,
        """WITH kept AS (
             SELECT SOURCE_NAME, ENTITY_KEY, 'GIDB' AS LAYER FROM GIDB_G_CALL
             UNION ALL SELECT SOURCE_NAME, ENTITY_KEY, 'STG' FROM STG_G_CALL
           ), versions AS (
             SELECT e.SOURCE_NAME, e.ENTITY_KEY,
                    CASE WHEN d.SOURCE_NAME = e.SOURCE_NAME THEN 'GIDB' ELSE 'STG' END AS LAYER
             FROM STG_ENTITY e JOIN CTL_HA_DECISION d USING (HA_SET, ENTITY_KIND, ENTITY_KEY)
             WHERE e.ENTITY_KIND = 'interaction'
           )
           SELECT v.LAYER, count(DISTINCT (v.SOURCE_NAME, v.ENTITY_KEY)),
                  count(DISTINCT (k.SOURCE_NAME, k.ENTITY_KEY)) FILTER (WHERE k.LAYER = v.LAYER),
                  count(DISTINCT (k.SOURCE_NAME, k.ENTITY_KEY)) FILTER (WHERE k.LAYER <> v.LAYER)
           FROM versions v LEFT JOIN kept k USING (SOURCE_NAME, ENTITY_KEY)
           GROUP BY 1 ORDER BY 1""",
    )
    (gidb, chosen, in_gidb, elsewhere_g), (stg, others, in_stg, elsewhere_s) = placed
    assert (gidb, stg) == ("GIDB", "STG")
    assert others > 0, "the node pair's secondary holds versions the primary was chosen over"
    assert (in_gidb, in_stg) == (chosen, 0)
    assert elsewhere_g == elsewhere_s == 0
    rows = " UNION ALL ".join(f"SELECT '{t.name}', count(*) FROM STG_{t.name}" for t in extracted_tables())
    assert [(t, n) for t, n in sql(deployment.mart_path, rows) if n] == []


def test_rows_delivered_twice_are_kept_once(one_run):
    deployment, _, _ = one_run
    dups_seen = sql(
        deployment.mart_path,
        "SELECT sum(DUPLICATES) FROM CTL_EXTRACT_HISTORY WHERE SOURCE_NAME = 'dc1_node1_a'",
    )[0][0]
    assert dups_seen > 0, "the dup fault re-delivers history rows: the extract must have met some"
    doubled = sql(
        deployment.mart_path,
        """SELECT count(*) FROM (SELECT SOURCE_NAME, PARTYID, PSEQ
                                 FROM (FROM STG_G_PARTY_HISTORY UNION ALL FROM GIDB_G_PARTY_HISTORY)
                                 GROUP BY ALL HAVING count(*) > 1)""",
    )[0][0]
    assert doubled == 0


def test_every_login_session_and_dial_attempt_is_in_gidb_exactly_once(one_run):
    deployment, _, out = one_run
    sessions = sql(
        deployment.mart_path,
        """SELECT (SELECT count(*) FROM TRUTH_LOGIN_SESSION),
                  (SELECT count(*) FROM GIDB_G_LOGIN_SESSION),
                  (SELECT count(*) FROM TRUTH_LOGIN_SESSION t ANTI JOIN GIDB_G_LOGIN_SESSION g
                     ON g.AGENTID = t.AGENTID AND g.CREATED_TS = t.LOGIN_TS AND g.TERMINATED_TS = t.LOGOUT_TS)""",
        out / "truth",
    )[0]
    assert sessions[0] > 0 and sessions == (sessions[0], sessions[0], 0)
    attempts = sql(
        deployment.mart_path,
        """SELECT (SELECT count(DISTINCT CHAINGUID) FROM TRUTH_ATTEMPT),
                  (SELECT count(*) FROM GIDB_GO_CHAIN),
                  (SELECT count(*) FROM (SELECT DISTINCT CHAINGUID FROM TRUTH_ATTEMPT) t
                     ANTI JOIN GIDB_GO_CHAIN g USING (CHAINGUID)),
                  (SELECT count(*) FROM TRUTH_ATTEMPT t ANTI JOIN GIDB_GO_CHAINREC_HIST g USING (CALLATTID))""",
        out / "truth",
    )[0]
    assert attempts[0] > 0 and attempts == (attempts[0], attempts[0], 0, 0)


def test_a_stuck_call_is_extracted_closed_at_the_sentinel_and_flagged(one_run):
    deployment, _, out = one_run
    rows = sql(
        deployment.mart_path,
        """SELECT g.STUCK_FLAG, g.TERMINATED_TS, d.STUCK_FLAG
           FROM TRUTH_CALL t JOIN GIDB_G_CALL g USING (CALLID)
           JOIN CTL_HA_DECISION d ON d.HA_SET = g.HA_SET AND d.ENTITY_KEY = g.ENTITY_KEY
           WHERE t.STUCK""",
        out / "truth",
    )
    assert rows == [(True, SENTINEL_TS, True)]
    assert sql(deployment.mart_path, "SELECT count(*) FROM GIDB_G_CALL WHERE STUCK_FLAG")[0][0] == 1


# -- the HA choice ------------------------------------------------------------------------------------


def test_no_entity_comes_from_a_member_inside_its_gap(one_run):
    deployment, _, _ = one_run
    by_member = dict(
        sql(
            deployment.mart_path,
            f"""SELECT SOURCE_NAME, count(*) FROM CTL_HA_DECISION
                WHERE HA_SET = 'dc1_node1' AND START_TS < {GAP[1]} AND END_TS >= {GAP[0]} GROUP BY 1""",
        )
    )
    assert by_member.get("dc1_node1_b", 0) > 10, "interactions and sessions overlap the gap"
    assert "dc1_node1_a" not in by_member


def test_outside_the_gap_the_primary_serves(one_run):
    deployment, _, _ = one_run
    rows = dict(
        sql(
            deployment.mart_path,
            f"""SELECT REASON || ' ' || SOURCE_NAME, count(*) FROM CTL_HA_DECISION
                WHERE HA_SET = 'dc1_node1' AND (END_TS < {GAP[0]} OR START_TS >= {GAP[1]}) GROUP BY 1""",
        )
    )
    assert rows.get("both_cover_primary dc1_node1_a", 0) > 100
    assert set(rows) == {"both_cover_primary dc1_node1_a"}, rows


def test_every_decision_says_why_with_each_members_coverage(one_run):
    deployment, _, _ = one_run
    rows = sql(
        deployment.mart_path,
        """SELECT REASON, MEMBERS, len(CANDIDATES), CANDIDATES[1].COVERED_S IS NOT NULL
           FROM CTL_HA_DECISION GROUP BY ALL ORDER BY ALL""",
    )
    reasons = {r[0] for r in rows}
    assert {"both_cover_primary", "only_member_covering_it", "only_member_holding_it"} <= reasons
    assert {"single_member_set"} <= reasons  # the OCS IDB has no partner
    assert all(r[1] == r[2] and r[3] for r in rows)


# -- schedules, crashes, outages, repeats -------------------------------------------------------------


def test_cycles_every_15_minutes_give_the_same_gidb_as_one_run(one_run, tmp_path):
    deployment, _, _ = one_run
    series = SnapshotSeries(tmp_path, P, FAULTS)
    cycles = without_gate(config.load(series.path))
    changed = 0
    for at in [hm(9, 45), *range(hm(10), hm(13) + 1, 900), hm(15), default_snapshot_time(P)]:
        series.write(at)
        result = run_cycle(cycles)
        assert not result.skipped
        changed += result.ha.changed
    assert changed > 0, "late rows of the primary must have made some decisions change member"
    # STG_G* too: a changed choice leaves no rows of the member not chosen behind, in either mart
    assert differences(cycles.mart_path, deployment.mart_path, (*ALL, "STG_G")) == {}
    # Agent states arrived after their calls (a session's states are read when it ends): those facts
    # got their after-call work then, and say so by their audit keys.
    updated = sql(
        cycles.mart_path,
        """SELECT count(*) FROM INTERACTION_RESOURCE_FACT WHERE UPDATE_AUDIT_KEY > CREATE_AUDIT_KEY
           AND AFTER_CALL_WORK_DURATION > 0""",
    )[0][0]
    assert updated > 0


def test_reading_in_small_chunks_gives_the_same_gidb(one_run, tmp_path):
    deployment, _, _ = one_run
    chunked = fresh_mart(deployment, tmp_path)
    run_cycle(chunked, chunk_seqs=997)
    windows = sql(chunked.mart_path, "SELECT max(SEQ_TO) FROM CTL_EXTRACT_HISTORY")[0][0]
    assert windows > 5 * 997
    assert differences(chunked.mart_path, deployment.mart_path, ALL) == {}


def test_a_transform_in_slices_gives_the_same_mart(one_run, tmp_path):
    """The transform builds the interactions in scope a slice at a time (its memory follows the slice):
    slices of 37 interactions, a dozen for this day, give the same star schema and aggregates as one."""
    deployment, result, _ = one_run
    sliced = fresh_mart(deployment, tmp_path)
    sliced = replace(sliced, etl=replace(sliced.etl, transform_slice_interactions=37))
    run_cycle(sliced)
    assert result.transformed.interactions > 10 * 37
    assert differences(sliced.mart_path, deployment.mart_path, ALL) == {}


def test_a_chosen_version_retention_removed_leaves_gidb_when_the_other_member_is_chosen(one_run, tmp_path):
    """An interaction both node members hold, chosen from dc1_node1_a. Retention removed a's version
    (it ended before the horizon) but not the decision (the interaction's lifetime, which b's version
    gives, ends after it). When b delivers the interaction again, b is chosen, and a's rows leave
    GIDB_*: no version of a's is staged any more, so they are dropped (as a formerly chosen version's
    rows always are: a member's rows are kept only while it is chosen)."""
    deployment, _, _ = one_run
    cycles = fresh_mart(deployment, tmp_path)
    shutil.copy(deployment.mart_path, cycles.mart_path)
    con = duckdb.connect(str(cycles.mart_path))
    (key,) = con.execute(
        """SELECT ENTITY_KEY FROM CTL_HA_DECISION WHERE ENTITY_KIND = 'interaction' AND MEMBERS = 2
           AND SOURCE_NAME = 'dc1_node1_a' ORDER BY ENTITY_KEY LIMIT 1"""
    ).fetchall()[0]

    def calls(layer: str) -> str:  # the interaction's G_CALL rows in a layer, per member
        return f"SELECT SOURCE_NAME, count(*) FROM {layer}_G_CALL WHERE ENTITY_KEY = '{key}' GROUP BY ALL ORDER BY ALL"

    ((_, both_calls),) = con.execute(calls("GIDB")).fetchall()
    assert con.execute(calls("STG")).fetchall() == []  # b's version is recorded, its rows not kept
    con.execute("DELETE FROM STG_ENTITY WHERE SOURCE_NAME = 'dc1_node1_a' AND ENTITY_KEY = ?", [key])
    con.execute("DELETE FROM CTL_EXTRACT_HISTORY WHERE SOURCE_NAME = 'dc1_node1_b'")  # b reads all again
    con.close()

    result = run_cycle(cycles)
    assert result.ha.deleted > 0
    decided = sql(cycles.mart_path, f"SELECT SOURCE_NAME, REASON FROM CTL_HA_DECISION WHERE ENTITY_KEY = '{key}'")
    assert decided == [("dc1_node1_b", "only_member_holding_it")]
    for layer, held in (("GIDB", [("dc1_node1_b", both_calls)]), ("STG", [])):
        assert sql(cycles.mart_path, calls(layer)) == held, layer
    a_rows = " UNION ALL ".join(
        f"SELECT count(*) FROM {layer}_G_{t} WHERE SOURCE_NAME = 'dc1_node1_a' AND ENTITY_KEY = '{key}'"
        for layer in ("GIDB", "STG")
        for t in ("IR", "CALL", "PARTY", "PARTY_HISTORY")
    )
    assert sql(cycles.mart_path, f"SELECT sum(n) FROM ({a_rows}) t(n)") == [(0,)]


def test_a_source_down_for_an_hour_catches_up_as_if_never_away(one_run, tmp_path):
    deployment, _, _ = one_run
    series = SnapshotSeries(tmp_path, P, FAULTS)
    cycles = without_gate(config.load(series.path))
    away = cycles.source("dc1_node1_b").path
    for at in [hm(9), hm(10), hm(11), hm(12), hm(13), default_snapshot_time(P)]:
        down = hm(10) <= at < hm(12)
        series.write(at, skip=("dc1_node1_b",) if down else ())
        if down:
            away.unlink(missing_ok=True)
        result = run_cycle(cycles)
        assert [s.source.name for s in result.skipped] == (["dc1_node1_b"] if down else [])
    skipped = sql(cycles.mart_path, "SELECT count(*) FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'skipped'")[0][0]
    assert skipped == 2
    assert differences(cycles.mart_path, deployment.mart_path, ALL) == {}


def test_a_repeat_run_with_no_new_input_changes_nothing(one_run, tmp_path):
    deployment, result, _ = one_run
    again = fresh_mart(deployment, tmp_path)
    shutil.copy(deployment.mart_path, again.mart_path)
    second = run_cycle(again)
    assert second.run_id == result.run_id + 1
    audit = sql(
        again.mart_path,
        f"SELECT STEP, ENTITIES, ROWS_INSERTED, ROWS_DELETED FROM CTL_AUDIT_LOG WHERE RUN_ID = {second.run_id} "
        "ORDER BY STEP",
    )
    assert audit == [("aggregate", 0, 0, 0), ("extract", 0, 0, 0), ("ha", 0, 0, 0), ("transform", 0, 0, 0)]
    unchanged = ("GIDB_", "STG_", "CTL_HA", "CTL_DSS", *STAR_PREFIXES, *AGGREGATE_PREFIXES)
    assert differences(again.mart_path, deployment.mart_path, prefixes=unchanged) == {}


@pytest.mark.parametrize("kill_at", ["extract dc1_vq_a", "commit run"])
def test_a_cycle_killed_midway_leaves_the_mart_as_it_was_and_a_rerun_completes_it(one_run, tmp_path, kill_at):
    deployment, _, _ = one_run
    victim = fresh_mart(deployment, tmp_path)
    (tmp_path / "deployment.toml").write_text(
        config.render(str(victim.mart_path), list(deployment.sources), deployment.etl)
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "idbmart.cli", "run", "--config", str(tmp_path / "deployment.toml")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    for line in proc.stderr:
        if line.startswith(kill_at):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    committed = sql(victim.mart_path, "SELECT count(*) FROM CTL_AUDIT_LOG")[0][0]
    gidb = sql(victim.mart_path, "SELECT count(*) FROM GIDB_G_CALL")[0][0]
    assert (committed, gidb) == (0, 0), "nothing of the killed cycle may be visible"
    run_cycle(victim)
    assert differences(victim.mart_path, deployment.mart_path, ALL) == {}


# -- inputs: personal data, bad rows, unusable sources, live PostgreSQL ------------------------------


def test_secure_user_data_stays_out_unless_a_key_is_allowed(one_run, tmp_path):
    deployment, _, _ = one_run
    members = [deployment.source(f"dc1_node1_{m}").path for m in "ab"]
    con = duckdb.connect()
    for i, path in enumerate(members):
        con.execute(f"ATTACH '{path}' AS m{i} (READ_ONLY)").fetchall()
    union = " UNION ".join(f"SELECT CALLID, KEYNAME FROM m{i}.G_SECURE_USERDATA_HISTORY" for i in range(len(members)))
    in_sources = dict(con.execute(f"SELECT KEYNAME, count(DISTINCT CALLID) FROM ({union}) GROUP BY 1").fetchall())
    con.close()
    assert in_sources.get("CustomerID", 0) > 0
    assert sql(deployment.mart_path, "SELECT count(*) FROM STG_G_SECURE_USERDATA_HISTORY")[0][0] == 0

    allowed = fresh_mart(deployment, tmp_path)
    allowed = replace(allowed, etl=replace(deployment.etl, secure_userdata_keys=("CustomerID",)))
    run_cycle(allowed)
    keys = sql(
        allowed.mart_path, "SELECT KEYNAME, count(DISTINCT CALLID) FROM GIDB_G_SECURE_USERDATA_HISTORY GROUP BY 1"
    )
    assert keys == [("CustomerID", in_sources["CustomerID"])]


def test_an_interaction_without_identity_is_discarded_with_its_reason_and_the_partner_serves(one_run, tmp_path):
    deployment, _, _ = one_run
    folder, load = copied_idbs(deployment, tmp_path)
    broken = folder / "dc1_node1_a.duckdb"
    con = duckdb.connect(str(broken))
    irid, root = con.execute(
        f"SELECT IRID, ROOTCALLID FROM G_IR WHERE TERMINATED_TS < {GAP[0]} ORDER BY IRID LIMIT 1"
    ).fetchall()[0]
    con.execute(f"UPDATE G_IR SET ROOTCALLID = NULL WHERE IRID = '{irid}'").fetchall()
    con.close()
    changed = load()
    run_cycle(changed)
    query = "SELECT SOURCE_NAME, TABLE_NAME, COLUMN_NAME, ROW_KEY, REASON FROM STG_TRANSFORM_DISCARDS ORDER BY ALL"
    before = sql(deployment.mart_path, query)  # the rows the gap left without their call, in the baseline too
    discards = [d for d in sql(changed.mart_path, query) if d not in before]
    assert [d[:4] for d in discards] == [("dc1_node1_a", "G_IR", "ROOTCALLID", irid)]
    assert "NULL" in discards[0][4]
    served = sql(changed.mart_path, f"SELECT SOURCE_NAME, REASON FROM CTL_HA_DECISION WHERE ENTITY_KEY = '{root}'")
    assert served == [("dc1_node1_b", "only_member_holding_it")]


def test_a_party_that_cannot_be_transformed_is_discarded_with_its_reason_and_the_rest_loads(one_run, tmp_path):
    deployment, _, _ = one_run
    folder, load = copied_idbs(deployment, tmp_path)
    con = duckdb.connect(str(folder / "dc1_node1_a.duckdb"))
    callid, partyid, dn = con.execute(
        f"""SELECT CALLID, PARTYID, ENDPOINTDN FROM G_PARTY WHERE TYPE = 1 AND TERMINATED_TS < {GAP[0]}
            AND CALLID IN (SELECT CALLID FROM G_PARTY GROUP BY 1 HAVING count(*) >= 3) ORDER BY PARTYID LIMIT 1"""
    ).fetchall()[0]
    con.execute(f"UPDATE G_PARTY SET TERMINATED_TS = CREATED_TS - 5 WHERE PARTYID = '{partyid}'").fetchall()
    con.close()
    changed = load()
    run_cycle(changed)
    query = "SELECT SOURCE_NAME, TABLE_NAME, COLUMN_NAME, ROW_KEY FROM STG_TRANSFORM_DISCARDS ORDER BY ALL"
    before = sql(deployment.mart_path, query)  # the rows the gap left without their call, in the baseline too
    discards = [d for d in sql(changed.mart_path, query) if d not in before]
    assert discards == [("dc1_node1_a", "G_PARTY", "TERMINATED_TS", f"{callid}|{partyid}")]
    # its interaction still loads, with every other party
    loaded = sql(
        changed.mart_path,
        f"""SELECT (SELECT count(*) FROM INTERACTION_FACT WHERE MEDIA_SERVER_IXN_GUID = '{callid}'),
                   (SELECT count(*) FROM INTERACTION_RESOURCE_FACT i
                    JOIN RESOURCE_ r ON r.RESOURCE_KEY = i.MEDIA_RESOURCE_KEY
                    WHERE i.MEDIA_SERVER_IXN_GUID = '{callid}' AND r.RESOURCE_NAME = '{dn}')""",
    )
    assert loaded == [(1, 0)]


def test_unreachable_or_broken_sources_are_skipped_and_the_rest_load(one_run, tmp_path):
    deployment, _, _ = one_run
    folder, load = copied_idbs(deployment, tmp_path)
    (folder / "dc1_vq_b.duckdb").unlink()
    con = duckdb.connect(str(folder / "dc1_node1_b.duckdb"))
    con.execute("ALTER TABLE G_CALL DROP COLUMN CALLTYPE").fetchall()
    con.close()
    path = load().path
    proc = subprocess.run(
        [sys.executable, "-m", "idbmart.cli", "run", "--config", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "2 source(s) skipped: dc1_node1_b, dc1_vq_b" in proc.stderr
    skipped = dict(
        sql(tmp_path / "mart.duckdb", "SELECT SOURCE_NAME, MESSAGE FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'skipped'")
    )
    assert "G_CALL.CALLTYPE" in skipped["dc1_node1_b"]
    assert "dc1_vq_b" in skipped
    # Their partners served everything: the calls are all there.
    calls = sql(tmp_path / "mart.duckdb", "SELECT count(DISTINCT CALLID), count(*) FROM GIDB_G_CALL")[0]
    assert calls[0] == calls[1] > 0


def test_an_ignored_data_center_is_not_read(one_run, tmp_path):
    deployment, _, _ = one_run
    path = tmp_path / "deployment.toml"
    path.write_text(
        config.render("mart.duckdb", list(deployment.sources), replace(deployment.etl, ignore_data_centers=("dc2",)))
    )
    dr = config.load(path)
    run_cycle(dr)
    read = {name for (name,) in sql(dr.mart_path, "SELECT DISTINCT SOURCE_NAME FROM CTL_EXTRACT_HISTORY")}
    assert "dc2_cfg" not in read and "dc1_cfg" in read
    reasons = sql(dr.mart_path, "SELECT DISTINCT REASON FROM CTL_HA_DECISION WHERE HA_SET = 'cfg'")
    assert reasons == [("single_member_set",)]


@pytest.mark.postgres
@pytest.mark.parametrize("live", ["dc1_node1_a", "dc1_node1_b"])
def test_a_live_postgresql_member_gives_the_same_gidb(one_run, tmp_path, pg_database, live):
    """The node pair's primary, or its backup, read from a live PostgreSQL IDB: the same mart as from
    snapshots. The backup's read session holds nothing, so the entities whose rows it reads (where its
    primary's version may lose the choice, docs/architecture.md "Choose, then read") are named in its
    queries: the same entities' rows are left unread, and the same rows read, as from its snapshot."""
    from idbmart.fixtures import idb_writer
    from idbmart.idb.schema import tables_for_roles

    deployment, snapshots, _ = one_run
    member = deployment.source(live)
    snapshot = duckdb.connect(str(member.path), read_only=True)
    content = {t.name: snapshot.sql(f"SELECT * FROM {t.name}").to_arrow_table() for t in tables_for_roles(member.roles)}
    snapshot.close()
    idb_writer.write_postgres(pg_database, member.roles, tables=content)
    sources = [replace(s, uri=pg_database) if s.name == member.name else s for s in deployment.sources]
    path = tmp_path / "deployment.toml"
    path.write_text(config.render("mart.duckdb", sources, deployment.etl))
    live_deployment = config.load(path)
    result = run_cycle(live_deployment)
    assert not result.skipped
    assert differences(live_deployment.mart_path, deployment.mart_path, ALL) == {}
    not_read = {r.source.name: (r.not_read, r.rows) for r in result.sources}
    assert not_read == {r.source.name: (r.not_read, r.rows) for r in snapshots.sources}  # the same rows read
    not_read = {name: n for name, (n, _) in not_read.items()}
    assert not_read["dc1_node1_b"] > 0 and not_read["dc1_node1_a"] == 0
