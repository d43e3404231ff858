-- The period of every level that holds a touched 15-minute interval: [PERIOD_START, PERIOD_END) in
-- UTC seconds. SUBHR is the interval itself. HOUR and up follow the local clock of getvariable('tz'):
-- an hour starts at local minute 0 (so a 25-hour day has 25 hours, two of them with the same local
-- label), a day at local midnight, a week on Monday, then month, quarter and year.
-- RESOURCE_KEY as in _AG_TOUCHED: the one resource whose rows of the period are recomputed (agents,
-- states), or NULL for every resource's.
WITH k AS (
  SELECT DISTINCT SOURCE, DATE_TIME_KEY AS K, local_time(DATE_TIME_KEY) AS L FROM _AG_TOUCHED
),
p AS (
  SELECT SOURCE, 'SUBHR' AS LEVEL, K AS PERIOD_START, K + 900 AS PERIOD_END, K FROM k
  UNION ALL SELECT SOURCE, 'HOUR', K - minute(L) * 60, K - minute(L) * 60 + 3600, K FROM k
  UNION ALL SELECT SOURCE, 'DAY', local_epoch(date_trunc('day', L)), local_epoch(date_trunc('day', L) + INTERVAL 1 DAY), K FROM k
  UNION ALL SELECT SOURCE, 'WEEK', local_epoch(date_trunc('week', L)), local_epoch(date_trunc('week', L) + INTERVAL 7 DAY), K FROM k
  UNION ALL SELECT SOURCE, 'MONTH', local_epoch(date_trunc('month', L)), local_epoch(date_trunc('month', L) + INTERVAL 1 MONTH), K FROM k
  UNION ALL SELECT SOURCE, 'QRTR', local_epoch(date_trunc('quarter', L)), local_epoch(date_trunc('quarter', L) + INTERVAL 3 MONTH), K FROM k
  UNION ALL SELECT SOURCE, 'YEAR', local_epoch(date_trunc('year', L)), local_epoch(date_trunc('year', L) + INTERVAL 1 YEAR), K FROM k
)
SELECT DISTINCT p.SOURCE, p.LEVEL, p.PERIOD_START, p.PERIOD_END, t.RESOURCE_KEY
FROM p JOIN _AG_TOUCHED AS t ON t.SOURCE = p.SOURCE AND t.DATE_TIME_KEY = p.K
