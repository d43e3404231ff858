-- DATE_TIME rows (Info Mart's calendar dimension, Table-DATE_TIME) for every 15-minute interval from
-- the local day holding $dt_lo up to $dt_hi, and the sentinel's interval
-- (where still-open facts end), where missing. The key is the UTC second the interval starts; every
-- other column is the contact center's local calendar (sql/transform/calendar.sql), so a local hour or
-- day of AG2_* joins to its own local labels. Names follow Info Mart's DATE_TIME; DATE_TIME_NEXT_KEY,
-- CAL_WEEK_YEAR_NUM, LABEL_YYYY_WW and UTC_OFFSET_MINUTES are this project's (docs/architecture.md).
WITH wanted AS (
  SELECT unnest(range(interval_key(local_epoch(date_trunc('day', local_time($dt_lo)))),
                      $dt_hi + 1, 900)) AS K
  UNION SELECT interval_key($sentinel)
),
t AS (SELECT K, local_time(K) AS L FROM wanted WHERE K NOT IN (SELECT DATE_TIME_KEY FROM DATE_TIME))
SELECT
  K AS DATE_TIME_KEY,
  K + 900 AS DATE_TIME_NEXT_KEY,
  half_hour_key(K, L) AS DATE_TIME_30MIN_KEY,
  hour_key(K, L) AS DATE_TIME_HOUR_KEY,
  local_epoch(period_start('DAY', L)) AS DATE_TIME_DAY_KEY,
  local_epoch(period_start('WEEK', L)) AS DATE_TIME_WEEK_KEY,
  local_epoch(period_start('MONTH', L)) AS DATE_TIME_MONTH_KEY,
  local_epoch(period_start('QRTR', L)) AS DATE_TIME_QUARTER_KEY,
  local_epoch(period_start('YEAR', L)) AS DATE_TIME_YEAR_KEY,
  L::DATE AS CAL_DATE,
  year(L) AS CAL_YEAR_NUM,
  quarter(L) AS CAL_QUARTER_NUM_IN_YEAR,
  'Q' || quarter(L) AS CAL_QUARTER_NAME,
  month(L) AS CAL_MONTH_NUM_IN_YEAR,
  monthname(L) AS CAL_MONTH_NAME,
  week_number(L) AS CAL_WEEK_NUM_IN_YEAR,
  week_year(L) AS CAL_WEEK_YEAR_NUM,
  dayofyear(L) AS CAL_DAY_NUM_IN_YEAR,
  day(L) AS CAL_DAY_NUM_IN_MONTH,
  week_day_index(L) + 1 AS CAL_DAY_NUM_IN_WEEK,
  dayname(L) AS CAL_DAY_NAME,
  hour(L) AS CAL_HOUR_24_NUM_IN_DAY,
  minute(L) AS CAL_MINUTE_NUM_IN_HOUR,
  strftime(L, '%Y') AS LABEL_YYYY,
  strftime(L, '%Y') || '-Q' || quarter(L) AS LABEL_YYYY_QQ,
  strftime(L, '%Y-%m') AS LABEL_YYYY_MM,
  week_year(L) || '-' || lpad(week_number(L)::VARCHAR, 2, '0') AS LABEL_YYYY_WW,
  strftime(L, '%Y-%m-%d') AS LABEL_YYYY_MM_DD,
  strftime(L, '%Y-%m-%d %H') AS LABEL_YYYY_MM_DD_HH24,
  strftime(L - to_minutes((minute(L) % 30)::INTEGER), '%Y-%m-%d %H:%M') AS LABEL_YYYY_MM_DD_HH24_30INT,
  strftime(L, '%Y-%m-%d %H:%M') AS LABEL_YYYY_MM_DD_HH24_15INT,
  strftime(L, '%Y-%m-%d %H:%M') AS LABEL_YYYY_MM_DD_HH24_MI,
  strftime(L, '%H') AS LABEL_HH24,
  ((epoch(L) - K) // 60)::INTEGER AS UTC_OFFSET_MINUTES
FROM t
