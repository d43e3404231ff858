"""Compare two marts row for row: the check behind "two marts built independently from the same IDBs
are identical" (active-active disaster recovery) and behind every test that a cycle schedule, a
crash or an outage leaves no trace."""

from __future__ import annotations

from pathlib import Path

import duckdb

from idbmart.load.db import columns

# Lineage columns say which run did something; they differ between equal marts by design.
LINEAGE = {"EXTRACT_RUN_ID", "RUN_ID", "PREV_SOURCE", "CREATE_AUDIT_KEY", "UPDATE_AUDIT_KEY"}
DEFAULT_PREFIXES = ("GIDB_", "CTL_HA_DECISION", "STG_ENTITY")
# The star schema: dimensions and facts (a test of a cycle's guarantees compares these too).
STAR_PREFIXES = (
    "INTERACTION_",
    "IRF_",
    "MEDIATION_",
    "SM_RES_",
    "SM_MEDIA_NEUTRAL_",
    "RESOURCE_",
    "GROUP_",
    "TENANT",
    "DATE_TIME",
    "TECHNICAL_DESCRIPTOR",
    "MEDIA_TYPE",
    "STG_RESOURCE_SEEN",
    "CONTACT_ATTEMPT_FACT",
    "CAMPAIGN",  # and CAMPAIGN_GROUP, CAMPAIGN_GROUP_SESSION_FACT, CAMPAIGN_GROUP_STATE(_FACT)
    "CAMP_GROUP_METRIC_FACT",
    "CALLING_LIST",  # and CALLING_LIST_METRIC_FACT
    "DIALING_MODE",
    "CALL_RESULT",
)

# The aggregates, and what they were built with.
AGGREGATE_PREFIXES = ("AG2_", "CTL_AGGREGATE_SETTINGS")


def differences(a: Path, b: Path, prefixes=DEFAULT_PREFIXES, lineage: bool = False) -> dict[str, tuple[int, int]]:
    """Table → (rows only in a, rows only in b), for every table of `a` whose name starts with one of
    `prefixes`; tables equal as multisets of rows (lineage columns aside, unless `lineage`: a copy of a
    mart holds its very rows) are left out."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)").fetchall()
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)").fetchall()
    out = {}
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'a' ORDER BY 1").fetchall()
    names = [n for (n,) in tables if n.startswith(prefixes)]
    for name in names:
        cols = [c for c in columns(con, f"a.{name}") if lineage or c not in LINEAGE]
        select = ", ".join(f'"{c}"' for c in cols)
        only_a, only_b = con.execute(
            f"SELECT (SELECT count(*) FROM (SELECT {select} FROM a.{name} EXCEPT ALL SELECT {select} FROM b.{name})),"
            f" (SELECT count(*) FROM (SELECT {select} FROM b.{name} EXCEPT ALL SELECT {select} FROM a.{name}))"
        ).fetchall()[0]
        if only_a or only_b:
            out[name] = (only_a, only_b)
    con.close()
    return out
