"""DATE_TIME, Info Mart's calendar dimension, in the contact center's time zone and weeks.

Rules: Genesys Info Mart "Representing Dates and Times of Day" (GIMDateTime: keys are UTC; the calendar
expresses them in a configured time zone) and Table-DATE_TIME (the default calendar's weeks begin on
Sunday, "simple week numbering": the first week of the year starts on January 1 and may be shorter,
and so may the last). https://docs.genesys.com/Documentation/GIM/latest/PDMPostgre/Table-DATE_TIME
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from idbmart.config import EtlOptions
from idbmart.load import dictionary, mart, scans
from idbmart.transform import calendar

JAN_2027 = 1798761600  # 2027-01-01 00:00 UTC
DAY = 86_400
FILL = """
import sys, duckdb
from idbmart.config import EtlOptions
from idbmart.load import mart
from idbmart.transform import calendar
con = duckdb.connect(sys.argv[1])  # no SET TimeZone: the host's, from TZ
print(con.execute("SELECT current_setting('TimeZone')").fetchall()[0][0])
mart.ensure_schema(con)
calendar.fill_date_time(con, EtlOptions(time_zone=sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
"""


def fill(path: Path, tz: str, lo: int, hi: int, host_tz: str) -> None:
    """DATE_TIME filled by a process whose host time zone (TZ) is `host_tz`."""
    env = {**os.environ, "TZ": host_tz}
    out = subprocess.run([sys.executable, "-c", FILL, str(path), tz, str(lo), str(hi)], env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    assert out.strip() == host_tz  # DuckDB did take the host's zone: the comparison below means something


def rows(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT * FROM DATE_TIME ORDER BY DATE_TIME_KEY").fetchall()


def test_date_time_is_the_same_whatever_the_hosts_time_zone(tmp_path):
    """A host in Tokyo and one in UTC build the same DATE_TIME: epoch 0 is 1970-01-01 00:00 in a UTC
    calendar (it was 09:00 on a Tokyo host), and a New York calendar is New York's on both."""
    for tz in ("UTC", "America/New_York"):
        tokyo, utc = tmp_path / f"tokyo_{tz[:3]}.duckdb", tmp_path / f"utc_{tz[:3]}.duckdb"
        fill(tokyo, tz, 0, DAY, "Asia/Tokyo")
        fill(utc, tz, 0, DAY, "UTC")
        assert rows(tokyo) == rows(utc)
    with duckdb.connect(str(tmp_path / "tokyo_UTC.duckdb"), read_only=True) as con:
        assert con.execute(
            "SELECT LABEL_YYYY_MM_DD_HH24_MI, CAL_HOUR_24_NUM_IN_DAY, DATE_TIME_DAY_KEY FROM DATE_TIME"
            " WHERE DATE_TIME_KEY = 0"
        ).fetchall() == [("1970-01-01 00:00", 0, 0)]
    with duckdb.connect(str(tmp_path / "tokyo_Ame.duckdb"), read_only=True) as con:  # 1969-12-31 19:00 EST
        assert con.execute(
            "SELECT LABEL_YYYY_MM_DD_HH24, UTC_OFFSET_MINUTES, DATE_TIME_DAY_KEY FROM DATE_TIME WHERE DATE_TIME_KEY = 0"
        ).fetchall() == [("1969-12-31 19", -300, -19 * 3600)]


def calendar_days(con, first: str, last: str) -> list[tuple]:
    """(date, day name, week number, week label, local start of its week) at local noon of each day."""
    return con.execute(
        """SELECT LABEL_YYYY_MM_DD, CAL_DAY_NAME, CAL_WEEK_NUM_IN_YEAR, LABEL_YYYY_WW,
                  strftime(timezone('America/New_York', to_timestamp(DATE_TIME_WEEK_KEY)), '%Y-%m-%d %H:%M')
           FROM DATE_TIME WHERE LABEL_YYYY_MM_DD BETWEEN ? AND ? AND LABEL_HH24 = '12' AND CAL_MINUTE_NUM_IN_HOUR = 0
           ORDER BY 1""",
        [first, last],
    ).fetchall()


def test_weeks_start_on_sunday_and_simple_numbering_stops_them_at_the_year():
    """Table-DATE_TIME's default: weeks begin on Sunday; week 1 of 2027 is Friday 1 and Saturday 2
    January, week 2 starts on Sunday 3 January; Thursday 31 December 2026 ends week 53, which began
    on Sunday 27 December. Changing the weeks to ISO 8601 rewrites every row (the settings are kept in
    CTL_CALENDAR_SETTINGS), and then the numbers are ISO's."""
    con = duckdb.connect()
    mart.ensure_schema(con)
    sunday = EtlOptions(time_zone="America/New_York")
    calendar.fill_date_time(con, sunday, JAN_2027 - 7 * DAY, JAN_2027 + 7 * DAY)
    assert calendar_days(con, "2026-12-26", "2027-01-04") == [
        ("2026-12-26", "Saturday", 52, "2026-52", "2026-12-20 00:00"),
        ("2026-12-27", "Sunday", 53, "2026-53", "2026-12-27 00:00"),
        ("2026-12-28", "Monday", 53, "2026-53", "2026-12-27 00:00"),
        ("2026-12-29", "Tuesday", 53, "2026-53", "2026-12-27 00:00"),
        ("2026-12-30", "Wednesday", 53, "2026-53", "2026-12-27 00:00"),
        ("2026-12-31", "Thursday", 53, "2026-53", "2026-12-27 00:00"),
        ("2027-01-01", "Friday", 1, "2027-01", "2027-01-01 00:00"),
        ("2027-01-02", "Saturday", 1, "2027-01", "2027-01-01 00:00"),
        ("2027-01-03", "Sunday", 2, "2027-02", "2027-01-03 00:00"),
        ("2027-01-04", "Monday", 2, "2027-02", "2027-01-03 00:00"),
    ]
    before = con.execute("SELECT count(*) FROM DATE_TIME").fetchall()
    iso = EtlOptions(time_zone="America/New_York", week_start="monday", week_numbering="iso")
    calendar.fill_date_time(con, iso, JAN_2027, JAN_2027)
    assert con.execute("SELECT count(*) FROM DATE_TIME").fetchall() == before
    # ISO 8601 weeks as DuckDB's own %G-%V gives them, for every day filled.
    differ = con.execute(
        """SELECT count(*) FROM DATE_TIME WHERE DATE_TIME_KEY < 253402300000
           AND LABEL_YYYY_WW <> strftime(timezone('America/New_York', to_timestamp(DATE_TIME_KEY)), '%G-%V')"""
    ).fetchall()[0][0]
    assert differ == 0
    assert calendar_days(con, "2027-01-03", "2027-01-04") == [
        ("2027-01-03", "Sunday", 53, "2026-53", "2026-12-28 00:00"),
        ("2027-01-04", "Monday", 1, "2027-01", "2027-01-04 00:00"),
    ]


def test_a_calendar_made_before_the_labels_is_made_again_with_its_keys(tmp_path):
    """A mart whose DATE_TIME has the old columns keeps its keys (facts point at them) and gets every
    row of the new calendar at the next fill, wherever that fill is."""
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE DATE_TIME (DATE_TIME_KEY BIGINT PRIMARY KEY, CAL_DATE DATE, CAL_WEEK INTEGER)")
        con.execute("INSERT INTO DATE_TIME SELECT range, NULL, NULL FROM range(0, 2 * 86400, 900)")
    con = mart.connect(path)
    try:
        assert con.execute("SELECT count(*), count(LABEL_YYYY) FROM DATE_TIME").fetchall() == [(192, 0)]
        calendar.fill_date_time(con, EtlOptions(), 10 * DAY, 10 * DAY)
        keys_with_labels = con.execute(
            "SELECT count(*) FROM DATE_TIME WHERE DATE_TIME_KEY < 2 * 86400 AND LABEL_YYYY_MM_DD IS NOT NULL"
        ).fetchall()[0][0]
        assert keys_with_labels == 192
        one_am = con.execute("SELECT LABEL_YYYY_MM_DD_HH24 FROM DATE_TIME WHERE DATE_TIME_KEY = 86400 + 3600")
        assert one_am.fetchall() == [("1970-01-02 01",)]
    finally:
        con.close()


def test_a_fill_with_the_same_settings_only_adds_what_is_missing(tmp_path):
    """The settings are the mart's record, not the table's comment, which the data dictionary
    rewrites: a second fill with the same settings deletes no row of DATE_TIME (every cycle rewrote
    the whole calendar when the dictionary's comment hid the settings) and adds the day it lacks."""
    con = mart.connect(tmp_path / "mart.duckdb")
    try:
        options = EtlOptions(time_zone="America/New_York")
        calendar.fill_date_time(con, options, JAN_2027 - 60 * DAY, JAN_2027)
        dictionary.apply(con)  # describes DATE_TIME, as every cycle's end does
        held = con.execute("SELECT count(*) FROM DATE_TIME").fetchall()[0][0]
        with scans.recording() as log:
            scans.watch(con)
            jan_2 = JAN_2027 + DAY + 5 * 3600  # 2027-01-02 00:00 in New York (EST, UTC-5): a day of 96 intervals
            calendar.fill_date_time(con, options, jan_2, jan_2 + DAY - 900)
        assert con.execute("SELECT count(*) FROM DATE_TIME").fetchall()[0][0] == held + 96
        assert [s.statement for s in log.scans if s.statement.startswith("DELETE FROM DATE_TIME")] == []
    finally:
        con.close()
