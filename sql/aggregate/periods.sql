-- The period of every level that holds a touched 15-minute interval: [PERIOD_START, PERIOD_END) in
-- UTC seconds. SUBHR is the interval itself. HOUR and up follow the contact center's calendar
-- (sql/transform/calendar.sql, the one DATE_TIME follows): an hour starts at local minute 0 (so a
-- 25-hour day has 25 hours, two of them with the same local label), a day at local midnight, a week on
-- etl.week_start (simple weeks also at January 1), then month, quarter and year.
-- RESOURCE_KEY as in _AG_TOUCHED: the one resource whose rows of the period are recomputed (agents,
-- states), or NULL for every resource's.
WITH k AS (
  SELECT DISTINCT SOURCE, DATE_TIME_KEY AS K, local_time(DATE_TIME_KEY) AS L FROM _AG_TOUCHED
),
p AS (
  SELECT SOURCE, 'SUBHR' AS LEVEL, K AS PERIOD_START, K + 900 AS PERIOD_END, K FROM k
  UNION ALL SELECT SOURCE, 'HOUR', hour_key(K, L), hour_key(K, L) + 3600, K FROM k
  UNION ALL
  SELECT SOURCE, LEVEL, local_epoch(period_start(LEVEL, L)), local_epoch(period_end(LEVEL, L)), K
  FROM k, (VALUES ('DAY'), ('WEEK'), ('MONTH'), ('QRTR'), ('YEAR')) AS v(LEVEL)
)
SELECT DISTINCT p.SOURCE, p.LEVEL, p.PERIOD_START, p.PERIOD_END, t.RESOURCE_KEY
FROM p JOIN _AG_TOUCHED AS t ON t.SOURCE = p.SOURCE AND t.DATE_TIME_KEY = p.K
