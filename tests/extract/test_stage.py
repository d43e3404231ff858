"""Staging keeps one version of each entity per source, once: a version delivered again replaces the
one staged before, row for row, whichever run staged it, and leaves the other entities' rows alone.
The tiny IDB is a set of one member, always chosen: its rows are in GIDB_*, none in STG_*."""

from __future__ import annotations

import duckdb

from idbmart.cycle import run_cycle

# CALL-0001's party history in the tiny IDB (idbmart/fixtures/tiny/idb.sql): PH-01 to PH-10.
CALL_0001_HISTORY = [f"PH-{i:02d}" for i in range(1, 11)]


def test_an_entity_delivered_again_replaces_its_staged_version(tiny_deployment):
    path, deployment = tiny_deployment
    first = run_cycle(deployment)
    with duckdb.connect(str(deployment.mart_path), read_only=True) as mart:
        staged_before = mart.execute(
            """SELECT (SELECT count(*) FROM GIDB_G_PARTY_HISTORY WHERE ENTITY_KEY = 'CALL-0001'),
                      (SELECT count(*) FROM STG_G_PARTY_HISTORY)"""
        ).fetchone()
    assert staged_before == (len(CALL_0001_HISTORY), 0)

    # ICON commits one of CALL-0001's history rows again, later: the interaction is read again whole.
    with duckdb.connect(str(path)) as idb:
        idb.execute("UPDATE G_PARTY_HISTORY SET GSYS_SEQ = 60 WHERE PHID = 'PH-05'")
        idb.execute("UPDATE G_PROV_CONTROL SET SEQCOUNTER = 60, SEQCURRENT = 60")
    second = run_cycle(deployment)

    # its 18 rows (G_IR 1, G_CALL 1, G_PARTY 3, G_PARTY_HISTORY 10, G_ROUTE_RESULT 1, user data 2) replaced
    assert second.staged.deleted == second.staged.inserted == 18
    assert second.staged.from_gidb == second.staged.to_gidb == 18
    with duckdb.connect(str(deployment.mart_path), read_only=True) as mart:
        history = mart.execute(
            "SELECT PHID, EXTRACT_RUN_ID FROM GIDB_G_PARTY_HISTORY WHERE ENTITY_KEY = 'CALL-0001' ORDER BY PHID"
        ).fetchall()
        versions = mart.execute(
            "SELECT ENTITY_KEY, RUN_ID FROM STG_ENTITY WHERE ENTITY_KIND = 'interaction' ORDER BY 1"
        ).fetchall()
        untouched = mart.execute(
            "SELECT DISTINCT EXTRACT_RUN_ID FROM GIDB_G_PARTY_HISTORY WHERE ENTITY_KEY = 'CALL-0002'"
        ).fetchall()
    assert history == [(phid, second.run_id) for phid in CALL_0001_HISTORY]
    assert versions == [("CALL-0001", second.run_id), ("CALL-0002", first.run_id)]
    assert untouched == [(first.run_id,)]
