"""Random bad rows in a simulated day: the cycle commits, every bad row is a discard with its reason,
and every interaction no bad row touches is exactly what it is without them.

A 300-call day is loaded twice: as simulated, and with bad rows written into both members of node 1's
HA pair (so the partner cannot stand in): a seeded draw of calls, each given one of the mutations below.
`BAD_ROWS_SEEDS=1,2,3,...` runs more draws (a documented slow run); `make test` runs one.
"""

from __future__ import annotations

import os
import random
import shutil

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, simulate

pytestmark = pytest.mark.slow

P = Params(calls=300, seed=7)
MEMBERS = ("dc1_node1_a", "dc1_node1_b")
SEEDS = [int(s) for s in os.environ.get("BAD_ROWS_SEEDS", "1").split(",")]

# mutation → (SQL on one IDB for call ?, the discard it must give: table, column). The row it changes is
# found first by WHICH (its IRID, CALLID or PARTYID, which its discard's row shows).
FIRST_PARTY = "SELECT min(PARTYID) FROM G_PARTY WHERE CALLID = ?"
LAST_PARTY = "SELECT max(PARTYID) FROM G_PARTY WHERE CALLID = ?"
WHICH = {"G_IR": "SELECT IRID FROM G_IR WHERE ROOTCALLID = ?", "G_CALL": "SELECT ?"}
MUTATIONS = {
    "ir created at -86400": ("UPDATE G_IR SET CREATED_TS = -86400 WHERE ROOTCALLID = ?", ("G_IR", "CREATED_TS")),
    "party created at -86400": (
        f"UPDATE G_PARTY SET CREATED_TS = -86400 WHERE PARTYID = ({FIRST_PARTY})",
        ("G_PARTY", "CREATED_TS"),
    ),
    "call type 42": ("UPDATE G_CALL SET CALLTYPE = 42 WHERE CALLID = ?", ("G_CALL", "CALLTYPE")),
    "party type 77": (
        f"UPDATE G_PARTY SET TYPE = 77 WHERE PARTYID = ({LAST_PARTY})",
        ("G_PARTY", "TYPE"),
    ),
    "party role 55": (
        f"UPDATE G_PARTY SET PROLE = 55 WHERE PARTYID = ({LAST_PARTY})",
        ("G_PARTY", "PROLE"),
    ),
    "party ends an hour before it begins": (
        f"UPDATE G_PARTY SET TERMINATED_TS = CREATED_TS - 3600 WHERE PARTYID = ({LAST_PARTY})",
        ("G_PARTY", "TERMINATED_TS"),
    ),
    "party without a call": (
        f"UPDATE G_PARTY SET CALLID = NULL WHERE PARTYID = ({LAST_PARTY})",
        ("G_PARTY", "CALLID"),
    ),
    "party without an end": (
        f"UPDATE G_PARTY SET TERMINATED_TS = NULL WHERE PARTYID = ({LAST_PARTY})",
        ("G_PARTY", "TERMINATED_TS"),
    ),
    "party without any state": (
        f"DELETE FROM G_PARTY_HISTORY WHERE PARTYID = ({LAST_PARTY})",
        ("G_PARTY", "PARTYID"),
    ),
    "party without PARTYID": (
        f"UPDATE G_PARTY SET PARTYID = NULL WHERE PARTYID = ({LAST_PARTY})",
        ("G_PARTY", "PARTYID"),
    ),
    "call without CALLID": ("UPDATE G_CALL SET CALLID = NULL WHERE CALLID = ?", ("G_CALL", "CALLID")),
    "ir ends in 2038": ("UPDATE G_IR SET TERMINATED_TS = 2147483000 WHERE ROOTCALLID = ?", ("G_IR", "TERMINATED_TS")),
    "party ends in 2038": (
        f"UPDATE G_PARTY SET TERMINATED_TS = 2147483000 WHERE PARTYID = ({LAST_PARTY})",
        ("G_PARTY", "TERMINATED_TS"),
    ),
    # a second row of the same call or party, written before it (lower GSYS_SEQ), with other content
    "call held twice": (
        "INSERT INTO G_CALL SELECT * REPLACE (GSYS_SEQ - 1 AS GSYS_SEQ, 'other' AS ANI) FROM G_CALL WHERE CALLID = ?",
        ("G_CALL", "CALLID"),
    ),
    "party held twice": (
        f"INSERT INTO G_PARTY SELECT * REPLACE (GSYS_SEQ - 1 AS GSYS_SEQ, 99 AS SWITCHID) FROM G_PARTY "
        f"WHERE PARTYID = ({LAST_PARTY})",
        ("G_PARTY", "PARTYID"),
    ),
}
FACT_COLUMNS = (
    "i.INTERACTION_RESOURCE_ID, i.RESOURCE_KEY, i.TECHNICAL_DESCRIPTOR_KEY, i.START_TS, i.END_TS, i.TALK_DURATION"
)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    folder = tmp_path_factory.mktemp("baseline")
    deployment = config.load(simulate(folder, P, []))
    assert run_cycle(deployment).quality.ok
    return folder, deployment


@pytest.mark.parametrize("seed", SEEDS)
def test_bad_rows_are_discards_and_leave_every_other_interaction_as_it_was(baseline, tmp_path, seed):
    folder, clean = baseline
    shutil.copytree(folder / "idb", tmp_path / "idb")
    shutil.copy(folder / "deployment.toml", tmp_path / "deployment.toml")
    deployment = config.load(tmp_path / "deployment.toml")
    with duckdb.connect(str(tmp_path / "idb" / f"{MEMBERS[0]}.duckdb"), read_only=True) as idb:
        roots = [c for (c,) in idb.execute("SELECT ROOTCALLID FROM G_IR ORDER BY 1").fetchall()]
        rng = random.Random(seed)
        drawn = dict(zip(rng.sample(roots, len(MUTATIONS)), rng.sample(list(MUTATIONS), len(MUTATIONS)), strict=True))
        # their consultations: one with an IR of its own joins its main call's interaction through the
        # main call's CALLID, which a mutation may take away
        consultations = [
            c
            for (c,) in idb.execute(
                "SELECT CALLID FROM G_CALL WHERE list_contains(?, PARENTCALLID)", [list(drawn)]
            ).fetchall()
        ]
    which: dict[str, set] = {}  # call → the identity of the row its mutation changes, in each member
    for member in MEMBERS:
        with duckdb.connect(str(tmp_path / "idb" / f"{member}.duckdb")) as idb:
            for column in ("CALLID", "TERMINATED_TS", "PARTYID"):
                idb.execute(f"ALTER TABLE G_PARTY ALTER COLUMN {column} DROP NOT NULL")
            idb.execute("ALTER TABLE G_CALL ALTER COLUMN CALLID DROP NOT NULL")
            for call, mutation in drawn.items():
                sql, (table, _) = MUTATIONS[mutation]
                party = FIRST_PARTY if "created" in mutation and table == "G_PARTY" else LAST_PARTY
                find = {  # a row whose identity the mutation removes is found by its CALLID, or its IRID
                    "party without PARTYID": "SELECT ?",
                    "call without CALLID": "SELECT IRID FROM G_CALL WHERE CALLID = ?",
                }.get(mutation) or WHICH.get(table, party)
                which.setdefault(call, set()).add(idb.execute(find, [call]).fetchone()[0])
                idb.execute(sql, [call])

    result = run_cycle(deployment)
    assert result.quality.ok, result.quality.summary()
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        con.execute(f"ATTACH '{clean.mart_path}' AS clean (READ_ONLY)")
        discards = con.execute("SELECT TABLE_NAME, COLUMN_NAME, ROW_JSON FROM STG_TRANSFORM_DISCARDS").fetchall()
        for call, mutation in drawn.items():
            table, column = MUTATIONS[mutation][1]
            found = [j for t, c, j in discards if (t, c) == (table, column) and any(f'"{w}"' in j for w in which[call])]
            assert found, (seed, mutation, call, discards)
        # every interaction whose calls no bad row touched, in either mart (a mutated call may be a
        # consultation: the interaction of its main call is touched too): its resource facts as they were
        calls = ", ".join(f"'{c}'" for c in [*drawn, *consultations])
        roots = {r for db in ("", "clean.") for (r,) in con.execute(f"""
            SELECT f.MEDIA_SERVER_IXN_GUID FROM {db}INTERACTION_FACT f WHERE f.MEDIA_SERVER_IXN_GUID IN ({calls})
               OR f.INTERACTION_ID IN (SELECT INTERACTION_ID FROM {db}INTERACTION_RESOURCE_FACT
                                       WHERE MEDIA_SERVER_IXN_GUID IN ({calls}))""").fetchall()}  # fmt: skip
        query = f"""SELECT {FACT_COLUMNS} FROM {{db}}INTERACTION_RESOURCE_FACT i JOIN {{db}}INTERACTION_FACT f
                    USING (INTERACTION_ID) WHERE f.MEDIA_SERVER_IXN_GUID NOT IN ({", ".join(f"'{r}'" for r in roots)})
                    ORDER BY ALL"""
        mine, theirs = (con.execute(query.format(db=db)).fetchall() for db in ("", "clean."))
        assert len(theirs) > 300 and mine == theirs, seed
        others = f"""SELECT MEDIA_SERVER_IXN_GUID, START_TS, END_TS FROM {{db}}INTERACTION_FACT
                     WHERE MEDIA_SERVER_IXN_GUID NOT IN ({", ".join(f"'{r}'" for r in roots | set(drawn))})
                     ORDER BY 1"""
        mine, theirs = (con.execute(others.format(db=db)).fetchall() for db in ("", "clean."))
        assert len(theirs) > 250 and mine == theirs, seed
