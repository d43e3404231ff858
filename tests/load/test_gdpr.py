"""GDPR requests (idbmart/load/gdpr.py) as Info Mart 8.5.010 designed them (CTL_GDPR_HISTORY): a forget
request leaves no trace of the customer or the employee in the mart or the readers' copy, records one
history row per field, and later cycles that read the same IDBs again do not bring them back."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime

import duckdb
import pytest

from idbmart import config
from idbmart.cli import main
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, simulate
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.jobs import backfill
from idbmart.load.gdpr import REDACTED
from idbmart.load.publish import publish

# Slow (a simulated day, a backfill): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

P = Params(calls=300, days=1, seed=5, classic=True)
AGENT = 1000  # the simulator's first agent: renamed during the day, so two GC_AGENT versions


def _occurrences(path, values: list[str]) -> dict[str, int]:
    """Rows of any text column of any table that hold one of `values`, by table.column."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND data_type = 'VARCHAR' AND NOT internal"
        ).fetchall():
            test = " OR ".join(f'contains("{column}", ?)' for _ in values)
            n = con.execute(f'SELECT count(*) FROM "{table}" WHERE {test}', values).fetchall()[0][0]
            if n:
                found[f"{table}.{column}"] = n
        return found
    finally:
        con.close()


def test_a_forget_request_leaves_no_trace_and_later_cycles_do_not_bring_it_back(tmp_path, caplog):
    simulated = config.load(simulate(tmp_path / "world", P, []))
    # the customer's id is secure user data: kept, here, as a contact center that reports by it allows
    etl = replace(simulated.etl, secure_userdata_keys=("CustomerID",))
    path = tmp_path / "world" / "deployment.toml"
    path.write_text(config.render("mart.duckdb", list(simulated.sources), etl, "mart_read.duckdb"))
    deployment = config.load(path)
    run_cycle(deployment)
    publish(deployment)
    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    (ani,) = con.execute(
        "SELECT min(SOURCE_ADDRESS) FROM INTERACTION_FACT WHERE SOURCE_ADDRESS LIKE '+1555%'"
    ).fetchall()[0]
    (customer_id,) = con.execute(  # the customer's id in user data (IRF_USER_DATA_CUST_1.CUSTOMER_ID)
        "SELECT min(CUSTOMER_ID) FROM IRF_USER_DATA_CUST_1"
    ).fetchall()[0]
    (account,) = con.execute(  # a calling-list record's account number (CONTACT_ATTEMPT_FACT.RECORD_FIELD_1)
        "SELECT min(RECORD_FIELD_1) FROM CONTACT_ATTEMPT_FACT"
    ).fetchall()[0]
    employee = con.execute(
        f"SELECT DISTINCT EMPLOYEEID, USERNAME FROM GIDB_GC_AGENT WHERE AGENTID = {AGENT}"
    ).fetchall()
    interactions = con.execute("SELECT count(*) FROM INTERACTION_FACT").fetchall()[0][0]
    con.close()
    [(employee_id, username)] = employee
    subjects = [ani, customer_id, account, employee_id, username]
    before = _occurrences(deployment.mart_path, subjects)
    assert {"INTERACTION_FACT.SOURCE_ADDRESS", "GIDB_G_CALL.ANI", "GIDB_G_SECURE_USERDATA_HISTORY.VALUE",
            "IRF_USER_DATA_CUST_1.CUSTOMER_ID", "IRF_USER_DATA_GEN_1.CUSTOMER_ID", "GIDB_GC_AGENT.EMPLOYEEID",
            "RESOURCE_.EMPLOYEE_ID", "CONTACT_ATTEMPT_FACT.RECORD_FIELD_1", "GIDB_GO_CUSTOM_FIELDS.VALUE",
            "GIDB_GO_FIELDHIST.NEWVALUE"} <= set(before)  # fmt: skip

    subject = (
        f'[customer]\nnumbers = ["{ani}"]\nuser_data = ["{customer_id}", "{account}"]\n'
        f'[employee]\nids = ["{employee_id}"]\n'
    )
    # An export lists the rows that hold the subjects, and changes nothing.
    asked = tmp_path / "export.toml"
    asked.write_text('action = "export"\n' + subject)
    assert (
        main(["gdpr", "--config", str(deployment.path), "--request", str(asked), "--out", str(tmp_path / "x.json")])
        == 0
    )
    exported = json.loads((tmp_path / "x.json").read_text())
    assert {"INTERACTION_FACT", "GIDB_G_CALL", "IRF_USER_DATA_CUST_1", "GIDB_GC_AGENT", "RESOURCE_"} <= set(exported)
    assert all(ani in (r["SOURCE_ADDRESS"], r["TARGET_ADDRESS"]) for r in exported["INTERACTION_FACT"])
    assert {r["AGENTID"] for r in exported["GIDB_GC_AGENT"]} == {AGENT}
    assert _occurrences(deployment.mart_path, subjects) == before

    request = tmp_path / "request.toml"
    request.write_text('action = "forget"\n' + subject)
    assert main(["gdpr", "--config", str(deployment.path), "--request", str(request)]) == 0

    for mart in (deployment.mart_path, deployment.reader_path):
        assert _occurrences(mart, subjects) == {}, mart
    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    names = con.execute(f"SELECT DISTINCT FIRSTNAME, LASTNAME FROM GIDB_GC_AGENT WHERE AGENTID = {AGENT}").fetchall()
    resource = con.execute(
        "SELECT RESOURCE_NAME, AGENT_FIRST_NAME, AGENT_LAST_NAME, EMPLOYEE_ID FROM RESOURCE_ "
        f"WHERE RESOURCE_CFG_DBID = {AGENT} AND RESOURCE_TYPE_CODE = 'AGENT'"
    ).fetchall()
    history = con.execute("SELECT TABLE_NAME || '.' || COLUMN_NAME, ROWS_CHANGED FROM CTL_GDPR_HISTORY").fetchall()
    kept = con.execute("SELECT KIND, HASH FROM CTL_GDPR_SUBJECT").fetchall()
    con.close()
    assert names == [(REDACTED, REDACTED)] and resource == [(REDACTED,) * 4]
    fields = [f for f, _ in history]
    assert len(fields) == len(set(fields)), "one history row per field"
    assert set(before) <= set(fields) | {"STG_GC_AGENT.EMPLOYEEID"}
    assert {"GIDB_GC_AGENT.FIRSTNAME", "RESOURCE_.AGENT_LAST_NAME"} <= set(fields)
    assert all(n > 0 for _, n in history)
    assert not any(v in json.dumps(kept) for v in subjects), "the subjects are kept as hashes only"

    # The IDBs still hold them: reading the whole day again stages them again, and they are redacted again.
    day = datetime.fromtimestamp(DAY0, UTC).date()
    logging.getLogger("idbmart").propagate = True  # the command line kept its records to its own stderr
    caplog.set_level("INFO", logger="idbmart.load.gdpr")
    backfill(deployment, day, day)
    assert "staged values of forgotten GDPR subjects redacted again" in caplog.text
    publish(deployment)
    for mart in (deployment.mart_path, deployment.reader_path):
        assert _occurrences(mart, subjects) == {}, mart
    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    assert con.execute("SELECT count(*) FROM INTERACTION_FACT").fetchall()[0][0] == interactions
    con.close()
