"""The hand-made scenarios through the whole pipeline: the aggregates show their hand-computed values,
in UTC and in a contact center's own time zone."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.scenarios import SCENARIOS
from idbmart.fixtures.scenarios.builder import at

# Slow (every hand-made scenario through the pipeline): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

WITH_AGGREGATES = [n for n, s in SCENARIOS.items() if "AG2" in s.expected]


def build(tmp_path_factory, name: str, time_zone: str = "UTC") -> duckdb.DuckDBPyConnection:
    deployment = config.load(SCENARIOS[name].write(tmp_path_factory.mktemp(name)))
    deployment = dataclasses.replace(deployment, etl=dataclasses.replace(deployment.etl, time_zone=time_zone))
    run_cycle(deployment)
    return duckdb.connect(str(deployment.mart_path), read_only=True)


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    out = {name: build(tmp_path_factory, name) for name in WITH_AGGREGATES}
    yield out
    for con in out.values():
        con.close()


def aggregate_row(con, table: str, resource: str, start: int, columns: list[str], queue: str | None = None):
    """The row of `table` for the named resource (and queue) and the period starting at `start`."""
    key = "INTERACTION_DESCRIPTOR_KEY" if table.startswith("AG2_ID_") else "RESOURCE_KEY"
    where = f"a.{key} IN (SELECT RESOURCE_KEY FROM RESOURCE_ WHERE RESOURCE_NAME = ?) AND a.DATE_TIME_KEY = ?"
    params = [resource, start]
    if queue is not None:
        where += " AND a.QUEUE_RESOURCE_KEY IN (SELECT RESOURCE_KEY FROM RESOURCE_ WHERE RESOURCE_NAME = ?)"
        params.append(queue)
    select = ", ".join(f"sum(a.{c})" for c in columns)
    return con.execute(f"SELECT count(*), {select} FROM {table} AS a WHERE {where}", params).fetchall()[0]


@pytest.mark.parametrize("name", WITH_AGGREGATES)
def test_aggregates_are_the_hand_computed_ones(marts, name):
    con = marts[name]
    for e in SCENARIOS[name].expected["AG2"]:
        columns = list(e["values"])
        got = aggregate_row(con, e["aggregate"], e["resource"], at(e["at"]), columns, e.get("queue"))
        assert got[0] >= 1, f"{name}: no {e['aggregate']} row for {e['resource']} at {e['at']}"
        assert dict(zip(columns, got[1:], strict=True)) == e["values"], (
            f"{name}: {e['aggregate']} {e['resource']} {e['at']}"
        )


def test_hours_and_days_follow_the_configured_time_zone(tmp_path_factory):
    """India is UTC+05:30: Ann's call offered at 09:00:10 UTC (14:30:10 local) belongs to the local
    hour 14:00-15:00, which starts at 08:30 UTC, and to the local day that starts at 18:30 UTC the day
    before. The 15-minute rows stay where they were."""
    con = build(tmp_path_factory, "transfer", time_zone="Asia/Kolkata")
    try:
        offset = 5 * 3600 + 1800
        for table, start in (
            ("AG2_AGENT_SUBHR", at("09:00:00")),
            ("AG2_AGENT_HOUR", at("08:30:00")),
            ("AG2_AGENT_DAY", at("00:00:00") - offset),
            ("AG2_AGENT_MONTH", at("00:00:00") - 24 * 3600 - offset),  # 2026-11-01 00:00 local
            ("AG2_AGENT_YEAR", int(duckdb.sql("SELECT epoch(TIMESTAMP '2025-12-31 18:30:00')").fetchall()[0][0])),
        ):
            assert aggregate_row(con, table, "agent1000", start, ["ACCEPTED", "ENGAGE_TIME"]) == (1, 1, 60), table
        local = con.execute(
            "SELECT DISTINCT strftime(PERIOD_START_LOCAL, '%Y-%m-%d %H:%M') FROM AG2_AGENT_DAY"
        ).fetchall()
        assert local == [("2026-11-02 00:00",)]
        # Every period key resolves in DATE_TIME, local days and years included.
        missing = con.execute(
            "SELECT count(*) FROM AG2_AGENT_YEAR a ANTI JOIN DATE_TIME d ON d.DATE_TIME_KEY = a.DATE_TIME_KEY"
        ).fetchall()[0][0]
        assert missing == 0
    finally:
        con.close()


def test_a_new_york_day_joins_date_time_labelled_with_its_local_hours(tmp_path_factory):
    """The abandons scenario in New York (UTC-5 on 2026-11-02, the Monday after DST ended): its three
    calls entered VQ_Sales at 10:00, 10:10 and 10:20 UTC, i.e. 05:00-05:20 local. Joined to DATE_TIME
    (Info Mart's calendar, in the configured time zone: GIMDateTime, Table-DATE_TIME), the queue's
    hour row is labelled '2026-11-02 05', its day row '2026-11-02', and its week row starts on Sunday
    2026-11-01 (Table-DATE_TIME: weeks begin on Sunday) at local midnight, which was still EDT (04:00 UTC).
    Every AG2 row of every level sits on the DATE_TIME row that starts that level's period."""
    con = build(tmp_path_factory, "abandons", time_zone="America/New_York")
    try:
        vq = "a.RESOURCE_KEY IN (SELECT RESOURCE_KEY FROM RESOURCE_ WHERE RESOURCE_NAME = 'VQ_Sales')"
        for level, label, want in (
            ("HOUR", "LABEL_YYYY_MM_DD_HH24", "2026-11-02 05"),
            ("DAY", "LABEL_YYYY_MM_DD", "2026-11-02"),
            ("WEEK", "LABEL_YYYY_MM_DD_HH24_MI", "2026-11-01 00:00"),
        ):
            got = con.execute(
                f"SELECT d.{label}, d.CAL_DAY_NAME, sum(a.ENTERED) FROM AG2_QUEUE_{level} a"
                f" JOIN DATE_TIME d USING (DATE_TIME_KEY) WHERE {vq} GROUP BY ALL"
            ).fetchall()
            assert got == [(want, "Sunday" if level == "WEEK" else "Monday", 3)], level
        week = con.execute(f"SELECT DISTINCT a.DATE_TIME_KEY FROM AG2_QUEUE_WEEK a WHERE {vq}").fetchall()
        assert week == [(at("00:00:00") - 20 * 3600,)]  # Sunday 04:00 UTC
        for level, key in (("SUBHR", "DATE_TIME_KEY"), ("HOUR", "DATE_TIME_HOUR_KEY"), ("DAY", "DATE_TIME_DAY_KEY"),
                           ("WEEK", "DATE_TIME_WEEK_KEY"), ("MONTH", "DATE_TIME_MONTH_KEY"),
                           ("QRTR", "DATE_TIME_QUARTER_KEY"), ("YEAR", "DATE_TIME_YEAR_KEY")):  # fmt: skip
            off = con.execute(
                f"SELECT count(*) FROM AG2_QUEUE_{level} a LEFT JOIN DATE_TIME d USING (DATE_TIME_KEY)"
                f" WHERE d.{key} IS DISTINCT FROM a.DATE_TIME_KEY"
            ).fetchall()[0][0]
            assert off == 0, level
    finally:
        con.close()


def test_business_attribute_measures_go_to_the_interval_the_interaction_entered(marts):
    """RAA's View-AG2_ID_HOUR: AG2_ID's customer measures are attributed to the interval the
    interaction entered the contact center, while AG2_AGENT's go to the one it was offered in. The
    late_agent scenario's call enters at 09:14:40 (the 09:00 interval) and rings Ann at 09:15:05 (the
    09:15 interval); she talks from 09:15:12 to 09:20:00."""
    con = marts["late_agent"]

    def totals(table: str, clock: str) -> tuple:
        return con.execute(
            f"SELECT coalesce(sum(OFFERED), 0), coalesce(sum(ACCEPTED), 0), coalesce(sum(ENGAGE_TIME), 0) FROM {table}"
            " WHERE DATE_TIME_KEY = ?",
            [at(clock)],
        ).fetchall()[0]

    talk = at("09:20:00") - at("09:15:12")
    assert totals("AG2_ID_SUBHR", "09:00:00") == (1, 1, talk)
    assert totals("AG2_ID_SUBHR", "09:15:00") == (0, 0, 0)
    assert totals("AG2_AGENT_SUBHR", "09:15:00") == (1, 1, talk)
    assert totals("AG2_AGENT_SUBHR", "09:00:00") == (0, 0, 0)
