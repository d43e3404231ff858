-- model: calling_list_metric_fact
-- layer: fact
-- target: CALLING_LIST_METRIC_FACT
-- key: CALLING_LIST_METRIC_FACT_KEY
-- scope: CALLING_LIST_METRIC_FACT_KEY IN (SELECT idb_key('calling_list_metric|' || OBJECTID || '|' || ADDED_TS)
--   FROM _T_METRIC_SCOPE WHERE OBJECTTYPE = MetricObjectType.CALLING_LIST)
--
-- CALLING_LIST_METRIC_FACT: the calling-list metrics of _T_OCS_METRIC (OBJECTTYPE 1).
SELECT
  idb_key('calling_list_metric|' || m.OBJECTID || '|' || m.METRIC_TS) AS CALLING_LIST_METRIC_FACT_KEY,
  calling_list_key(m.OBJECTID) AS CALLING_LIST_KEY, cfg_resource_key(CfgType.TENANT, c.TENANTID) AS TENANT_KEY,
  m.METRIC_TS, m.DATE_TIME_KEY, m.TOTAL_RECORDS, m.RECORDS_NOT_PROCESSED, m.TOTAL_CHAINS, m.CHAINS_NOT_PROCESSED
FROM _T_OCS_METRIC AS m LEFT JOIN (SELECT * FROM _T_OB_CFG WHERE KIND = 'calling_list') AS c ON c.DBID = m.OBJECTID
WHERE m.OBJECTTYPE = MetricObjectType.CALLING_LIST
