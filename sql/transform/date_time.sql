-- DATE_TIME rows from the first to the last interval any fact of this cycle touches, plus
-- getvariable('fill_ahead_days') days ahead, and the sentinel's interval (where still-open facts end).
WITH wanted AS (
  SELECT DISTINCT unnest(range(getvariable('dt_lo') // 86400 * 86400,
                               getvariable('dt_hi') + getvariable('fill_ahead_days') * 86400, 900)) AS K
  UNION SELECT getvariable('sentinel') // 900 * 900
),
t AS (SELECT K, to_timestamp(K)::TIMESTAMP AS TS FROM wanted WHERE K NOT IN (SELECT DATE_TIME_KEY FROM DATE_TIME))
SELECT
  K AS DATE_TIME_KEY, TS::DATE AS CAL_DATE, strftime(TS, '%Y-%m-%d %H:%M') AS LABEL_YYYY_MM_DD_HH24_MI,
  year(TS) AS CAL_YEAR, quarter(TS) AS CAL_QUARTER, month(TS) AS CAL_MONTH, weekofyear(TS) AS CAL_WEEK,
  isodow(TS) AS CAL_DAY_OF_WEEK, hour(TS) AS CAL_HOUR, minute(TS) AS CAL_MINUTE,
  K // 1800 * 1800 AS DATE_TIME_30MIN_KEY, K // 3600 * 3600 AS DATE_TIME_HOUR_KEY,
  K // 86400 * 86400 AS DATE_TIME_DAY_KEY,
  epoch(date_trunc('week', TS))::BIGINT AS DATE_TIME_WEEK_KEY,
  epoch(date_trunc('month', TS))::BIGINT AS DATE_TIME_MONTH_KEY,
  epoch(date_trunc('quarter', TS))::BIGINT AS DATE_TIME_QUARTER_KEY,
  epoch(date_trunc('year', TS))::BIGINT AS DATE_TIME_YEAR_KEY
FROM t
