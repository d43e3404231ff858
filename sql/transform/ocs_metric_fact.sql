-- OCS precalculated metrics (GO_METRICS) of the objects and report times the HA choice republished,
-- one row per object and time, a column per metric (enums.OcsMetric). Two IDBs reporting the same
-- object at the same time (one OCS, two ICONs) give one row.
SELECT
  m.OBJECTTYPE, m.OBJECTID, m.ADDED_TS AS METRIC_TS, interval_key(m.ADDED_TS) AS DATE_TIME_KEY,
  max(m.VALUE) FILTER (m.METRICID = 2) AS TOTAL_RECORDS,
  max(m.VALUE) FILTER (m.METRICID = 1) AS RECORDS_NOT_PROCESSED,
  max(m.VALUE) FILTER (m.METRICID = 3) AS TOTAL_CHAINS,
  max(m.VALUE) FILTER (m.METRICID = 4) AS CHAINS_NOT_PROCESSED,
  max(m.VALUE) FILTER (m.METRICID = 5) AS BUSY_DIALER_PORTS,
  max(m.VALUE) FILTER (m.METRICID = 6) AS ENGAGED_PORTS,
  max(m.VALUE) FILTER (m.METRICID = 7) AS OVERDIALED,
  max(m.VALUE) FILTER (m.METRICID = 8) AS DIALING_TIME_MS,
  max(m.VALUE) FILTER (m.METRICID = 9) AS TRANSFER_TIME_MS,
  max(m.VALUE) FILTER (m.METRICID = 10) AS CPD_TIME_MS
FROM GIDB_GO_METRICS AS m
JOIN _T_METRIC_SCOPE AS s USING (OBJECTTYPE, OBJECTID, ADDED_TS)
GROUP BY ALL
