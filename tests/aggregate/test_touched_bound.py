"""The aggregates find the intervals a cycle's interactions touch from where the transform wrote their
fact rows (_T_TOUCHED_FROM, idbmart.load.merge.replace), not by reading every fact row's INTERACTION_ID
(sql/aggregate/touched.sql)."""

from __future__ import annotations

import duckdb
import pytest

from idbmart.cycle import run_cycle
from idbmart.load import mart, scans
from idbmart.load.db import run
from tests.conftest import ROW_GROUP, fill_old_rows

pytestmark = pytest.mark.slow  # three row groups of three facts, two cycles: 20 s

OLD = 1_793_607_000 - 10 * 86_400  # ten days before the tiny IDB's calls (idbmart/fixtures/tiny/README.md)
FACTS = ("INTERACTION_FACT", "INTERACTION_RESOURCE_FACT", "MEDIATION_SEGMENT_FACT")


def test_the_intervals_a_cycle_touches_are_found_without_reading_the_facts_before_it(tiny_deployment):
    """A mart holding three row groups of each interaction fact, ten days old, keyed as the transform keys
    them (63 bits of an MD5: every row group's range of keys holds the cycle's). The first cycle loads
    the tiny IDB as committed up to sequence 25 (both calls; the aggregates computed whole), the second
    the rest: the agent's session, which changes CALL-0001's agent resource fact (late agent data). Its
    search for the touched intervals reads the facts from the rows the first cycle wrote on, none of the
    old row groups."""
    path, deployment = tiny_deployment
    con = mart.connect(deployment.mart_path)
    for table in FACTS:
        fill_old_rows(con, table, OLD, 3 * ROW_GROUP)
    run(con, "CHECKPOINT")
    con.close()
    for seq in (25, 50):
        with duckdb.connect(str(path)) as idb:
            idb.execute(f"UPDATE G_PROV_CONTROL SET SEQCOUNTER = {seq}, SEQCURRENT = {seq}")
        with scans.recording() as log:
            result = run_cycle(deployment)

    assert result.aggregated.mode == "incremental"
    assert result.transformed.tables["INTERACTION_RESOURCE_FACT"][2] == 1  # CALL-0001's agent IRF changed
    reads = [
        s for s in log.scans
        if "TEMP TABLE _AG_TOUCHED" in s.statement and s.table.rpartition(".")[2] in FACTS
    ]  # fmt: skip
    assert {s.table.rpartition(".")[2] for s in reads} == set(FACTS)
    assert max(s.rows for s in reads) < ROW_GROUP, [(s.table, s.rows) for s in reads]


STATE_FACTS = ("SM_RES_STATE_FACT", "SM_RES_STATE_REASON_FACT", "IXN_RESOURCE_STATE_FACT")


def test_the_state_aggregates_read_the_touched_agents_rows_of_the_touched_intervals_only(tiny_deployment):
    """Agent 201's state and handling-state facts of ten days before (three row groups of each, her
    RESOURCE_KEY: an agent's rows of every day share it) are not read when her states and her call's
    handling states are aggregated: a state row reaches an interval only if it began less than
    etl.max_state_duration_s before it (sql/aggregate/macros.sql, touched_state_rows), so the scan keeps
    to that time and zone maps skip the old row groups. Nor are three row groups of old resource facts
    (the handling states are an agent's by their resource's type, sql/aggregate/i_agent.sql; with one
    call, DuckDB's join filter skipped them before too). The tiny IDB's first cycle (committed up to
    sequence 2) reads the configuration and her session of 08:00-09:00 without a state, the second her
    states (sequences 3 to 8) and the calls."""
    path, deployment = tiny_deployment
    for seq in (2, 50):
        with duckdb.connect(str(path)) as idb:
            idb.execute(f"UPDATE G_PROV_CONTROL SET SEQCOUNTER = {seq}, SEQCURRENT = {seq}")
        if seq == 50:
            con = mart.connect(deployment.mart_path)
            # her resource, met with her session in the first cycle
            ((agent,),) = run(con, "SELECT RESOURCE_KEY FROM RESOURCE_ WHERE RESOURCE_CFG_DBID = 201")
            for table in STATE_FACTS:
                fill_old_rows(con, table, OLD, 3 * ROW_GROUP, fixed={"RESOURCE_KEY": str(agent)})
            fill_old_rows(con, "INTERACTION_RESOURCE_FACT", OLD, 3 * ROW_GROUP)
            run(con, "CHECKPOINT")
            con.close()
        with scans.recording() as log:
            result = run_cycle(deployment)

    assert result.aggregated.mode == "incremental"
    assert result.aggregated.resources.get("states") == 1  # her states touched her rows
    assert result.aggregated.resources.get("handling")  # and her call's handling states
    facts = (*STATE_FACTS, "INTERACTION_RESOURCE_FACT")
    reads = [s for s in log.scans if s.caller.startswith("load.merge:replace < aggregate.build")
             and s.table.rpartition(".")[2] in facts]  # fmt: skip
    assert {"SM_RES_STATE_FACT", "IXN_RESOURCE_STATE_FACT"} <= {s.table.rpartition(".")[2] for s in reads}
    assert max(s.rows for s in reads) < ROW_GROUP, [(s.table, s.rows) for s in reads]
    con = mart.connect(deployment.mart_path)
    # her states from her login at 08:00:00 to her logout at 09:00:00 (idbmart/fixtures/tiny/idb.sql), and
    # CALL-0001's 50 s and 60 s of talk around 20 s on hold (README.md), the old rows not among them
    login = run(con, f"SELECT sum(LOGIN_TIME) FROM AG2_I_SESS_STATE_SUBHR WHERE RESOURCE_KEY = {agent}")
    handling = run(con, f"SELECT sum(ENGAGE_TIME), sum(HOLD_TIME) FROM AG2_I_AGENT_SUBHR WHERE RESOURCE_KEY = {agent}")
    con.close()
    assert login == [(3600,)]
    assert handling == [(110, 20)]
