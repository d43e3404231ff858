-- model: ocs_metric_fact_rows
-- layer: intermediate
-- target: _T_OCS_METRIC
--
-- OCS precalculated metrics (GO_METRICS) of the objects and report times the HA choice republished,
-- one row per object and time, a column per metric (enums.OcsMetric). Two IDBs reporting the same
-- object at the same time (one OCS, two ICONs) give one row.
SELECT
  m.OBJECTTYPE, m.OBJECTID, m.ADDED_TS AS METRIC_TS, interval_key(m.ADDED_TS) AS DATE_TIME_KEY,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.TOTAL_RECORDS) AS TOTAL_RECORDS,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.RECORDS_NOT_PROCESSED) AS RECORDS_NOT_PROCESSED,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.TOTAL_CHAINS) AS TOTAL_CHAINS,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.CHAINS_NOT_PROCESSED) AS CHAINS_NOT_PROCESSED,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.BUSY_DIALER_PORTS) AS BUSY_DIALER_PORTS,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.ENGAGED_PORTS) AS ENGAGED_PORTS,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.OVERDIALED) AS OVERDIALED,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.DIALING_TIME_MS) AS DIALING_TIME_MS,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.TRANSFER_TIME_MS) AS TRANSFER_TIME_MS,
  max(m.VALUE) FILTER (m.METRICID = OcsMetric.CPD_TIME_MS) AS CPD_TIME_MS
FROM GIDB_GO_METRICS AS m
JOIN _T_METRIC_SCOPE AS s USING (OBJECTTYPE, OBJECTID, ADDED_TS)
GROUP BY ALL
