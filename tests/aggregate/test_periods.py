"""The periods of each level in a contact center's time zone, through the real period SQL: local
hours, days across daylight-saving changes, Sunday and ISO weeks, half-hour offsets. Weeks: Info Mart's
default calendar starts them on Sunday (Table-DATE_TIME), ISO 8601 on Monday when so configured."""

from __future__ import annotations

import duckdb
import pytest

from idbmart.aggregate import build
from idbmart.config import EtlOptions
from idbmart.load.db import run


def utc(ts: str) -> int:
    return int(duckdb.sql(f"SELECT epoch(TIMESTAMP '{ts}')").fetchall()[0][0])


def periods(time_zone: str, first: str, last: str, **weeks) -> dict[str, list[tuple[int, int]]]:
    """Level → sorted [start, end) of the periods holding every 15-minute interval in [first, last]."""
    con = duckdb.connect()
    build.load_macros(con, EtlOptions(time_zone=time_zone, **weeks))
    run(
        con,
        f"""CREATE TEMP TABLE _AG_TOUCHED AS SELECT 'states' AS SOURCE, unnest(range({utc(first)}, {utc(last)} + 1,
        900)) AS DATE_TIME_KEY, 7 AS RESOURCE_KEY""",
    )
    out: dict[str, list[tuple[int, int]]] = {}
    for _source, level, start, end, _resource in run(con, f"{build.model('periods')} ORDER BY 3, 4"):
        out.setdefault(level, []).append((start, end))
    con.close()
    return out


def test_a_day_when_clocks_go_back_has_25_local_hours():
    # New York leaves daylight saving time on Sunday 2026-11-01 at 02:00 EDT (06:00 UTC).
    p = periods("America/New_York", "2026-11-01 04:00:00", "2026-11-02 04:45:00")
    assert p["DAY"] == [(utc("2026-11-01 04:00:00"), utc("2026-11-02 05:00:00"))]
    hours = p["HOUR"]
    assert len(hours) == 25
    assert all(end - start == 3600 for start, end in hours)
    assert all(a[1] == b[0] for a, b in zip(hours, hours[1:], strict=False)), "hours are contiguous"
    assert p["WEEK"] == [(utc("2026-11-01 04:00:00"), utc("2026-11-08 05:00:00"))]  # Sunday 00:00 EDT to EST
    assert p["MONTH"] == [(utc("2026-11-01 04:00:00"), utc("2026-12-01 05:00:00"))]
    assert p["QRTR"] == [(utc("2026-10-01 04:00:00"), utc("2027-01-01 05:00:00"))]
    assert p["YEAR"] == [(utc("2026-01-01 05:00:00"), utc("2027-01-01 05:00:00"))]
    assert len(p["SUBHR"]) == 100  # 25 hours of 15 minutes


def test_a_day_when_clocks_go_forward_has_23_local_hours():
    p = periods("Europe/Paris", "2026-03-28 23:00:00", "2026-03-29 21:45:00")
    assert p["DAY"] == [(utc("2026-03-28 23:00:00"), utc("2026-03-29 22:00:00"))]
    assert len(p["HOUR"]) == 23


def test_half_hour_offsets_give_hours_that_start_at_half_past_utc():
    p = periods("Asia/Kolkata", "2026-11-02 08:30:00", "2026-11-02 09:15:00")
    assert p["HOUR"] == [(utc("2026-11-02 08:30:00"), utc("2026-11-02 09:30:00"))]
    assert p["DAY"] == [(utc("2026-11-01 18:30:00"), utc("2026-11-02 18:30:00"))]


@pytest.mark.parametrize("time_zone", ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Adelaide"])
def test_each_level_nests_in_the_one_it_is_rolled_up_into(time_zone):
    p = periods(time_zone, "2026-03-01 00:00:00", "2026-05-01 00:00:00")
    for level, below in build.ROLLUP_FROM.items():
        for start, end in p[below]:
            inside = [q for q in p[level] if q[0] <= start and end <= q[1]]
            assert len(inside) == 1, f"{time_zone}: {below} {start}-{end} is not inside one {level}"


def test_iso_weeks_start_on_monday_and_simple_weeks_stop_at_the_new_year():
    iso = periods("America/New_York", "2026-11-01 04:00:00", "2026-11-01 04:00:00", week_start="monday",
                  week_numbering="iso")  # fmt: skip
    assert iso["WEEK"] == [(utc("2026-10-26 04:00:00"), utc("2026-11-02 05:00:00"))]  # Monday 00:00 EDT
    # Friday 2027-01-01: the simple week that holds it starts at the new year (Table-DATE_TIME), the
    # Sunday-to-Sunday week before it ends there.
    simple = periods("UTC", "2026-12-31 23:45:00", "2027-01-01 00:00:00")
    assert simple["WEEK"] == [(utc("2026-12-27 00:00:00"), utc("2027-01-01 00:00:00")),
                              (utc("2027-01-01 00:00:00"), utc("2027-01-03 00:00:00"))]  # fmt: skip
