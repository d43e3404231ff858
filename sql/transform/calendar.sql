-- The contact center's calendar (TEMP macros, per connection): the one definition of a local hour, day,
-- week, month, quarter and year that DATE_TIME (sql/transform/date_time.sql) and the aggregates' periods
-- (sql/aggregate/periods.sql) share, so that an AG2_*_<LEVEL> row's DATE_TIME_KEY is the DATE_TIME row
-- whose DATE_TIME_<LEVEL>_KEY it is. Set by idbmart/transform/calendar.py from the deployment's [etl]:
--   $tz           etl.time_zone, an IANA name (Info Mart's date-time-tz);
--   $week_start   etl.week_start as an ISO day number, 1 Monday .. 7 Sunday (Info Mart's
--                               default calendar starts weeks on Sunday: Table-DATE_TIME);
--   $simple_weeks etl.week_numbering = "simple" (Info Mart's default "simple week
--                               numbering": week 1 starts on January 1 and the year's last week ends on
--                               December 31, so a week across the new year is two weeks), else "iso":
--                               whole weeks, week 1 being the first with four or more days of the year.
-- Every expression is independent of DuckDB's session time zone (and so of the ETL host's): UTC seconds
-- become local wall-clock TIMESTAMPs only through timezone(tz, ...), and back through local_epoch.

-- The local wall-clock time of a UTC second.
CREATE OR REPLACE TEMP MACRO local_time(k) AS timezone($tz, to_timestamp(k));

-- The UTC second at which a local wall-clock time occurs.
CREATE OR REPLACE TEMP MACRO local_epoch(local_ts) AS epoch(timezone($tz, local_ts))::BIGINT;

-- Days from the week's first day to the local time's day: 0 .. 6.
CREATE OR REPLACE TEMP MACRO week_day_index(l) AS (isodow(l) - $week_start + 7) % 7;

-- The local midnight starting the whole (seven-day) week that holds local time l.
CREATE OR REPLACE TEMP MACRO whole_week_start(l) AS date_trunc('day', l) - to_days(week_day_index(l)::INTEGER);

-- The local start and end of the calendar week holding local time l (simple weeks stop at the year).
CREATE OR REPLACE TEMP MACRO cal_week_start(l) AS
  CASE WHEN $simple_weeks THEN greatest(whole_week_start(l), date_trunc('year', l))
       ELSE whole_week_start(l) END;
CREATE OR REPLACE TEMP MACRO cal_week_end(l) AS
  CASE WHEN $simple_weeks
       THEN least(whole_week_start(l) + INTERVAL 7 DAY, date_trunc('year', l) + INTERVAL 1 YEAR)
       ELSE whole_week_start(l) + INTERVAL 7 DAY END;

-- The year a week is numbered in, and its number. Simple: the calendar year, week 1 holding January 1.
-- ISO-like: the year holding the week's fourth day; week 1 is the week holding January 4.
CREATE OR REPLACE TEMP MACRO week_year(l) AS
  CASE WHEN $simple_weeks THEN year(l) ELSE year(whole_week_start(l) + INTERVAL 3 DAY) END;
CREATE OR REPLACE TEMP MACRO week_number(l) AS
  CASE WHEN $simple_weeks
       THEN (dayofyear(l) - 1 + week_day_index(date_trunc('year', l))) // 7 + 1
       ELSE datediff('day', whole_week_start(make_timestamp(week_year(l), 1, 4, 0, 0, 0)), whole_week_start(l)) // 7 + 1
  END;

-- The local start and end of the period of a level (HOUR, DAY, WEEK, MONTH, QRTR, YEAR) holding local
-- time l. HOUR is not used for keys (see hour_key): two local hours share a wall clock when DST ends.
CREATE OR REPLACE TEMP MACRO period_start(level, l) AS
  CASE level WHEN 'DAY' THEN date_trunc('day', l) WHEN 'WEEK' THEN cal_week_start(l)
             WHEN 'MONTH' THEN date_trunc('month', l) WHEN 'QRTR' THEN date_trunc('quarter', l)
             WHEN 'YEAR' THEN date_trunc('year', l) END;
CREATE OR REPLACE TEMP MACRO period_end(level, l) AS
  CASE level WHEN 'DAY' THEN date_trunc('day', l) + INTERVAL 1 DAY WHEN 'WEEK' THEN cal_week_end(l)
             WHEN 'MONTH' THEN date_trunc('month', l) + INTERVAL 1 MONTH
             WHEN 'QRTR' THEN date_trunc('quarter', l) + INTERVAL 3 MONTH
             WHEN 'YEAR' THEN date_trunc('year', l) + INTERVAL 1 YEAR END;

-- The UTC second a local hour (half hour) starts, from a 15-minute key k and its local time l: counted
-- back from k by the local minutes, so the repeated hour at the end of DST keeps its own key, and a
-- zone offset by 30 or 45 minutes starts its hours where its clocks say.
CREATE OR REPLACE TEMP MACRO hour_key(k, l) AS k - minute(l) * 60;
CREATE OR REPLACE TEMP MACRO half_hour_key(k, l) AS k - minute(l) % 30 * 60;
