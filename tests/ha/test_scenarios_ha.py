"""The hand-made HA scenario gives the hand-written choices (idbmart/fixtures/scenarios/ha_gap.py)."""

from __future__ import annotations

from dataclasses import replace

import duckdb

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.extract.incremental import describe
from idbmart.fixtures.scenarios import SCENARIOS
from idbmart.fixtures.scenarios.builder import at
from idbmart.quality.compare import DEFAULT_PREFIXES, STAR_PREFIXES, differences
from tests.conftest import without_gate

# The scenario's reasons are prose; these are the decision codes that say the same.
SAME_AS = {
    "both members cover it; primary": {"both_cover_primary"},
    "only dc1_node1_b has it": {"only_member_holding_it"},
    "dc1_node1_a has a gap in its lifetime": {"only_member_covering_it", "only_member_that_saw_it_end"},
}


def test_ha_gap_scenario_chooses_the_members_it_expects(tmp_path):
    scenario = SCENARIOS["ha_gap"]
    deployment = config.load(scenario.write(tmp_path))
    run_cycle(deployment)
    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    for expected in scenario.expected["HA"]:
        what, _, rest = expected["entity"].partition(" ")
        if what == "call":
            where = f"ENTITY_KIND = 'interaction' AND ENTITY_KEY = '{scenario.seed:08d}{int(rest):024d}'"
        else:  # "login session of agent1000 09:00"
            agent, clock = rest.split()[-2:]
            where = (
                f"ENTITY_KIND = 'login_session' AND ENTITY_KEY LIKE '%|{agent.removeprefix('agent')}|%' "
                f"AND START_TS = {at(clock + ':00')}"
            )
        rows = con.execute(f"SELECT SOURCE_NAME, REASON FROM CTL_HA_DECISION WHERE {where}").fetchall()
        assert len(rows) == 1, expected
        assert rows[0][0] == expected["member"], expected
        assert rows[0][1] in SAME_AS[expected["reason"]], (expected, rows)


def tiny_pair(
    tiny_duckdb, tmp_path, both: tuple[str, ...] = (), primary_only: tuple[str, ...] = (), backup_rows="when_chosen"
):
    """Two copies of the tiny IDB as one HA pair (site_a primary, site_b backup) after `both` ran on
    each and `primary_only` on site_a; its mart, the interactions' decisions and the cycle's result after
    one cycle (`backup_rows`: [extract] backup_rows)."""
    deployment = tiny_pair_deployment(tiny_duckdb, tmp_path, both, primary_only, backup_rows)
    return _decided(deployment, run_cycle(deployment))


def _decided(deployment, result):
    assert result.quality.ok
    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    decisions = con.execute(
        "SELECT ENTITY_KEY, SOURCE_NAME, REASON FROM CTL_HA_DECISION WHERE ENTITY_KIND = 'interaction' ORDER BY 1"
    ).fetchall()
    return con, decisions, result


def tiny_pair_deployment(
    tiny_duckdb, tmp_path, both: tuple[str, ...] = (), primary_only: tuple[str, ...] = (), backup_rows="when_chosen"
):
    """The deployment of `tiny_pair`, before any cycle."""
    import shutil

    from idbmart.config import Source
    from idbmart.fixtures import tiny

    tmp_path.mkdir(parents=True, exist_ok=True)
    members = []
    for name, primary in (("site_a", True), ("site_b", False)):
        path = tmp_path / f"{name}.duckdb"
        shutil.copy(tiny_duckdb, path)
        with duckdb.connect(str(path)) as idb:
            for sql in (
                "UPDATE G_PROV_CONTROL SET SEQCOUNTER = 50, SEQCURRENT = 50",
                *both,
                *(primary_only if primary else ()),
            ):
                idb.execute(sql)
        members.append(Source(name, f"duckdb://{path}", "site", primary, tuple(tiny.ROLES)))
    (tmp_path / "deployment.toml").write_text(config.render(str(tmp_path / "mart.duckdb"), members))
    deployment = config.load(tmp_path / "deployment.toml")
    return replace(deployment, extract=replace(deployment.extract, backup_rows=backup_rows))


def late_gcc_both_read_whole(tiny_duckdb, folder):
    """The mart of one cycle over the tiny pair with site_a's late gcc session, both members read whole."""
    con, *_ = tiny_pair(tiny_duckdb, folder, primary_only=(LATE_GCC_SESSION,), backup_rows="always")
    con.close()
    return folder / "mart.duckdb"


# site_a's call-center session connects at 08:15, after CALL-0001 (08:10:00-08:12:20), before CALL-0002 (08:20).
LATE_GCC_SESSION = "UPDATE G_DSS_GCC_PROVIDER SET DSCONN_STIME = TIMESTAMP '2026-11-02 08:15:00'"
# CALL-0001 is covered by site_b alone, CALL-0002 by both: the primary.
LATE_GCC_DECISIONS = [("CALL-0001", "site_b", "only_member_covering_it"), ("CALL-0002", "site_a", "both_cover_primary")]


def test_a_member_with_no_session_in_an_entitys_lifetime_does_not_cover_it(tiny_duckdb, tmp_path):
    """Info Mart takes an interaction from the IDB whose data source sessions cover it (ICON, "Extracting
    Data in an HA Deployment": https://docs.genesys.com/Documentation:ICON:UG:HAExtracting:8.1.5; our
    rules: docs/architecture.md, "HA choice"). The primary site_a's gcc session begins at 08:15
    (tiny/README.md: 08:00): no session of site_a spans CALL-0001, so site_b, covering it, is chosen
    for it (decided before as "both cover": a version with no session in its lifetime was counted as
    covering it whole); CALL-0002 is covered by both and comes from the primary. Ann's talk on
    CALL-0001 loads from site_b (110 s, released 08:12:20)."""
    con, decisions, _ = tiny_pair(tiny_duckdb, tmp_path, primary_only=(LATE_GCC_SESSION,), backup_rows="always")
    with con:
        assert decisions == LATE_GCC_DECISIONS
        assert con.execute(ANN).fetchall() == [(1793607140, 110)]


def test_the_backups_rows_are_read_only_where_its_primarys_version_may_lose(tiny_duckdb, tmp_path):
    """ICON's HA model: the downstream application reads the reliable IDB of the pair
    (https://docs.genesys.com/Documentation:ICON:UG:HAExtracting:8.1.5); Info Mart chooses it by
    data source sessions. Ours (docs/architecture.md, "HA choice") weighs each member's version of an
    entity, and the backup's rows are read only where the primary's version, read first, might not
    be chosen: it ended if the backup's did, it has rows in every table the backup's has, and the
    primary's sessions cover both lifetimes. With site_a's gcc session beginning at 08:15, CALL-0001
    comes from site_b, whose rows of it are read; CALL-0002 and Ann's login session (08:00-09:00, the
    gls session unchanged) come from site_a, and site_b's rows of them are not read: 2 entities. The
    mart equals one built reading both members whole."""
    con, decisions, result = tiny_pair(tiny_duckdb, tmp_path / "when_chosen", primary_only=(LATE_GCC_SESSION,))
    with con:
        assert decisions == LATE_GCC_DECISIONS
        assert con.execute(ANN).fetchall() == [(1793607140, 110)]  # from site_b's rows
        (detail,) = con.execute("SELECT DETAIL FROM CTL_AUDIT_LOG WHERE STEP = 'extract'").fetchone()
        assert "without their rows (2 of them not read: their primary's version chosen)" in detail
    primary, backup = result.sources
    assert (primary.not_read, backup.not_read) == (0, 2)
    assert describe(backup).endswith("2 entities' rows not read (their primary's version is chosen)")
    assert backup.rows["G_CALL"] == 1 and primary.rows["G_CALL"] == 2  # CALL-0001's call; both calls
    assert "G_AGENT_STATE_HISTORY" not in backup.rows

    always = tmp_path / "always"
    _, whole, both = tiny_pair(tiny_duckdb, always, primary_only=(LATE_GCC_SESSION,), backup_rows="always")
    assert whole == LATE_GCC_DECISIONS
    assert both.sources[1].not_read == 0 and both.sources[1].rows["G_CALL"] == 2
    mart = tmp_path / "when_chosen" / "mart.duckdb"
    assert differences(mart, always / "mart.duckdb", DEFAULT_PREFIXES + STAR_PREFIXES) == {}


def test_airflows_lanes_read_the_backups_rows_only_where_its_primarys_version_may_lose(tiny_duckdb, tmp_path):
    """The same rule as the test above (ICON's HA page,
    https://docs.genesys.com/Documentation:ICON:UG:HAExtracting:8.1.5), as Airflow's intraday DAG reads:
    the primary's lane first, then the backup's, weighed against the primary's extract file at the run's
    shared location. site_b's rows of CALL-0002 and of Ann's login session are not read (2 entities),
    its file holds its own rows alone, and the committed mart equals one cycle's reading both members
    whole; with site_a's file missing (its lane failed) site_b reads everything."""
    from idbmart import jobs

    deployment = tiny_pair_deployment(tiny_duckdb, tmp_path / "lanes", primary_only=(LATE_GCC_SESSION,))
    planned = jobs.plan(deployment)
    assert [[i["source"] for i in lane["sources"]] for lane in planned["first"] + planned["then"]] == [
        ["site_a"], ["site_b"]
    ]  # fmt: skip
    work = tmp_path / "work"
    for lane in planned["first"] + planned["then"]:
        jobs.extract_lane(deployment, lane, work)
    with duckdb.connect(str(work / "site_b.duckdb"), read_only=True) as file:
        assert file.execute("SELECT DISTINCT SOURCE_NAME FROM _X_ENTITY").fetchall() == [("site_b",)]
        assert file.execute("SELECT DISTINCT SOURCE_NAME FROM _X_G_CALL").fetchall() == [("site_b",)]
        assert file.execute("SELECT count(*) FROM _X_ENTITY WHERE NOT ROWS_READ").fetchall() == [(2,)]
    con, decisions, result = _decided(deployment, jobs.commit_extracts(deployment, work))
    with con:
        assert decisions == LATE_GCC_DECISIONS
        assert con.execute(ANN).fetchall() == [(1793607140, 110)]  # from site_b's rows
    assert [s.not_read for s in result.sources] == [0, 2]
    whole = late_gcc_both_read_whole(tiny_duckdb, tmp_path / "whole")
    assert differences(deployment.mart_path, whole, DEFAULT_PREFIXES + STAR_PREFIXES) == {}

    for name in ("site_a", "site_b"):
        (work / f"{name}.duckdb").unlink()
    jobs.extract_lane(deployment, planned["then"][0], work)
    with duckdb.connect(str(work / "site_b.duckdb"), read_only=True) as file:
        assert file.execute("SELECT count(*) FROM _X_ENTITY WHERE NOT ROWS_READ").fetchall() == [(0,)]
        assert file.execute("SELECT count(DISTINCT CALLID) FROM _X_G_CALL").fetchall() == [(2,)]


def test_a_backup_catching_up_is_weighed_against_the_primarys_versions_chosen_before(tiny_duckdb, tmp_path):
    """The same rule (ICON's HA page, https://docs.genesys.com/Documentation:ICON:UG:HAExtracting:8.1.5)
    for a backup back after an outage: site_b's snapshot is away in the first cycle (skipped, its window
    kept) and back in the second, which reads the window it missed. Its versions are weighed against
    site_a's chosen in the first cycle (STG_ENTITY, CTL_HA_DECISION): with site_a's gcc session from
    08:15, CALL-0001 is read from site_b and moves to it; CALL-0002 and Ann's login session are not read
    (2 entities). The decisions and the mart are those of one cycle over both members."""
    deployment = tiny_pair_deployment(tiny_duckdb, tmp_path / "outage", primary_only=(LATE_GCC_SESSION,))
    site_b, away = deployment.source("site_b").path, tmp_path / "away.duckdb"
    site_b.rename(away)
    first = run_cycle(deployment)
    assert [s.ok for s in first.sources] == [True, False]
    away.rename(site_b)
    con, decisions, result = _decided(deployment, run_cycle(deployment))
    with con:
        assert decisions == LATE_GCC_DECISIONS
        assert con.execute(ANN).fetchall() == [(1793607140, 110)]  # from site_b's rows
    assert [s.not_read for s in result.sources] == [0, 2] and result.sources[1].rows["G_CALL"] == 1
    whole = late_gcc_both_read_whole(tiny_duckdb, tmp_path / "whole")
    assert differences(deployment.mart_path, whole, DEFAULT_PREFIXES + STAR_PREFIXES) == {}


ANN = """SELECT i.END_TS, i.TALK_DURATION FROM INTERACTION_RESOURCE_FACT i JOIN RESOURCE_ r USING (RESOURCE_KEY)
         WHERE i.MEDIA_SERVER_IXN_GUID = 'CALL-0001' AND r.RESOURCE_TYPE_CODE = 'AGENT'"""


def test_a_member_whose_table_is_empty_loses_the_choice_to_the_complete_one(tiny_duckdb, tmp_path):
    """Issue: with G_PARTY empty in the primary only, every interaction was taken from the primary
    ("both_cover_primary") and lost its resource facts. Both members of the pair cover the day; the
    primary's versions have no G_PARTY (and so no G_PARTY_HISTORY) rows: the backup's are chosen, and
    the interactions load whole: Ann's talk on CALL-0001 (tiny/README.md: 50 s + 60 s, released 08:12:20)."""
    con, decisions, result = tiny_pair(
        tiny_duckdb, tmp_path, primary_only=("DELETE FROM G_PARTY_HISTORY", "DELETE FROM G_PARTY")
    )
    assert result.sources[1].not_read == 1  # Ann's login session only: the primary's calls lack tables
    with con:
        assert decisions == [
            ("CALL-0001", "site_b", "only_member_with_all_its_tables"),
            ("CALL-0002", "site_b", "only_member_with_all_its_tables"),
        ]
        assert con.execute(ANN).fetchall() == [(1793607140, 110)]


def test_a_member_whose_value_does_not_convert_loses_the_choice_to_the_one_whose_rows_do(tiny_duckdb, tmp_path):
    """Issue: a G_PARTY.TERMINATED_TS stored as text with a value that does not convert was read as
    NULL and Ann's resource fact dropped, though the other member had the right row. Both members store
    the column as text; the primary's Ann row holds 'not a time': CALL-0001 is taken from the backup
    (CALL-0002, whose rows converted in both, from the primary), and Ann's fact ends at 08:12:20 with
    her 110 s of talk (tiny/README.md)."""
    con, decisions, _ = tiny_pair(
        tiny_duckdb,
        tmp_path,
        both=("ALTER TABLE G_PARTY ALTER COLUMN TERMINATED_TS TYPE VARCHAR",),
        primary_only=("UPDATE G_PARTY SET TERMINATED_TS = 'not a time' WHERE CALLID = 'CALL-0001' AND AGENTID > 0",),
    )
    with con:
        assert decisions == [
            ("CALL-0001", "site_b", "only_member_with_all_its_tables"),
            ("CALL-0002", "site_a", "both_cover_primary"),
        ]
        assert con.execute(ANN).fetchall() == [(1793607140, 110)]
        assert con.execute("SELECT count(*) FROM STG_TRANSFORM_DISCARDS").fetchall() == [(0,)]


def test_a_choice_of_a_member_whose_rows_are_not_kept_waits_for_them_to_be_read_again(tiny_duckdb, tmp_path):
    """A member's rows are kept only while it is chosen (ICON, "Extracting Data in an HA Deployment":
    the downstream application reads the reliable IDB of the pair,
    https://docs.genesys.com/Documentation:ICON:UG:HAExtracting:8.1.5; our rules: docs/architecture.md,
    "HA choice"). Cycle 1: both members cover the tiny day, site_a (primary) is chosen for CALL-0001
    and site_b's version is recorded without its rows. Cycle 2: site_a delivers CALL-0001 again without
    its G_PARTY rows (lost); by the rules site_b's complete version wins, but its rows are held nowhere:
    site_a's stays chosen (kept_until_winner_reread) and site_b is asked for CALL-0001 again. Cycle 3:
    site_b's window is empty, yet it delivers CALL-0001 by key; site_b is chosen
    (only_member_with_all_its_tables), the request is cleared, and Ann's talk on CALL-0001 is back
    (tiny/README.md: 110 s, released 08:12:20). The mart then equals one built from the final IDBs."""
    con, decisions, _ = tiny_pair(tiny_duckdb, tmp_path)
    con.close()
    assert decisions == [("CALL-0001", "site_a", "both_cover_primary"), ("CALL-0002", "site_a", "both_cover_primary")]
    deployment = config.load(tmp_path / "deployment.toml")
    with duckdb.connect(str(tmp_path / "site_a.duckdb")) as idb:
        idb.execute(
            "DELETE FROM G_PARTY_HISTORY WHERE PARTYID IN (SELECT PARTYID FROM G_PARTY WHERE CALLID = 'CALL-0001')"
        )
        idb.execute("DELETE FROM G_PARTY WHERE CALLID = 'CALL-0001'")
        idb.execute("UPDATE G_CALL SET GSYS_SEQ = 60 WHERE CALLID = 'CALL-0001'")
        idb.execute("UPDATE G_PROV_CONTROL SET SEQCOUNTER = 60, SEQCURRENT = 60")

    def state() -> tuple[list, list, list]:
        with duckdb.connect(str(deployment.mart_path), read_only=True) as mart:
            return (
                mart.execute(
                    "SELECT SOURCE_NAME, REASON FROM CTL_HA_DECISION WHERE ENTITY_KEY = 'CALL-0001'"
                ).fetchall(),
                mart.execute("SELECT SOURCE_NAME, ENTITY_KIND, ENTITY_KEY FROM STG_HA_REREAD").fetchall(),
                mart.execute(ANN).fetchall(),
            )

    second = run_cycle(without_gate(deployment))
    assert second.ha.rereads == 1
    assert state() == ([("site_a", "kept_until_winner_reread")], [("site_b", "interaction", "CALL-0001")], [])

    third = run_cycle(without_gate(deployment))
    assert [r.rereads for r in third.sources] == [{}, {"interaction": ["CALL-0001"]}]
    assert third.sources[1].window.empty  # site_b had nothing new: CALL-0001 was read by key
    assert describe(third.sources[1]).endswith("1 entities asked for again (HA choice)")
    assert state() == ([("site_b", "only_member_with_all_its_tables")], [], [(1793607140, 110)])

    one_run = replace(deployment, mart_path=tmp_path / "one_run.duckdb")
    run_cycle(without_gate(one_run))
    assert differences(deployment.mart_path, one_run.mart_path, DEFAULT_PREFIXES + STAR_PREFIXES) == {}
