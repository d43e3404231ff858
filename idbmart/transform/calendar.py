"""The contact center's calendar: the macros of sql/transform/calendar.sql and the DATE_TIME dimension.

DATE_TIME is a function of its keys and of three settings (etl.time_zone, etl.week_start,
etl.week_numbering), which its table comment records. When they change, every row it holds is
computed again, in the caller's transaction, so that its labels always describe the same local
periods as the aggregates (which are rebuilt on the same change, idbmart/aggregate/build.py).
"""

from __future__ import annotations

import duckdb

from idbmart import sqlfile
from idbmart.config import EtlOptions
from idbmart.load.db import run
from idbmart.load.mart import SENTINEL_TS
from idbmart.sqlfile import with_values
from idbmart.transform.values import option_values

FILL_AHEAD_DAYS = 31  # a cycle fills DATE_TIME this far past the newest fact it wrote


def helper_sql(name: str) -> str:
    """A helper file of sql/transform/ (macros.sql, calendar.sql, date_time.sql): no model of the graph."""
    return sqlfile.text(f"transform/{name}.sql")


def settings(o: EtlOptions) -> str:
    """What DATE_TIME's rows are a function of, besides their keys (kept in CTL_CALENDAR_SETTINGS)."""
    return f"calendar: time_zone={o.time_zone}; week_start={o.week_start}; week_numbering={o.week_numbering}"


def load_calendar(con: duckdb.DuckDBPyConnection, o: EtlOptions) -> None:
    """The transform's macros and the calendar's on this connection, for the deployment's options."""
    values = option_values(o)
    for name in ("macros", "calendar"):
        run(con, with_values(helper_sql(name), values, f"sql/transform/{name}.sql"))


def fill_date_time(con: duckdb.DuckDBPyConnection, o: EtlOptions, lo: int, hi: int) -> None:
    """DATE_TIME rows from the local day of `lo` to `hi` (UTC seconds), and the sentinel's, where
    missing; every row again first if the calendar settings changed since they were written
    (CTL_CALENDAR_SETTINGS: not the table's comment, which the data dictionary owns)."""
    load_calendar(con, o)
    wanted = settings(o)
    if run(con, "SELECT list(SETTINGS) FROM CTL_CALENDAR_SETTINGS")[0][0] != [wanted]:
        old_lo, old_hi = run(
            con, "SELECT min(DATE_TIME_KEY), max(DATE_TIME_KEY) FROM DATE_TIME WHERE DATE_TIME_KEY < ?",
            [SENTINEL_TS // 900 * 900],
        )[0]  # fmt: skip
        run(con, "DELETE FROM DATE_TIME")
        if old_lo is not None:
            lo, hi = min(lo, old_lo), max(hi, old_hi)
        run(con, "DELETE FROM CTL_CALENDAR_SETTINGS")
        run(con, "INSERT INTO CTL_CALENDAR_SETTINGS VALUES (?)", [wanted])
    values = option_values(o) | {"dt_lo": int(lo), "dt_hi": int(hi)}
    run(
        con,
        f"INSERT INTO DATE_TIME BY NAME {with_values(helper_sql('date_time'), values, 'sql/transform/date_time.sql')}",
    )
