-- model: camp_group_metric_fact
-- layer: fact
-- target: CAMP_GROUP_METRIC_FACT
-- key: CAMP_GROUP_METRIC_FACT_KEY
-- scope: CAMP_GROUP_METRIC_FACT_KEY IN (SELECT idb_key('campaign_group_metric|' || OBJECTID || '|' || ADDED_TS)
--   FROM _T_METRIC_SCOPE WHERE OBJECTTYPE = MetricObjectType.CAMPAIGN_GROUP)
--
-- CAMP_GROUP_METRIC_FACT: the campaign-group metrics of _T_OCS_METRIC (OBJECTTYPE 2).
SELECT
  idb_key('campaign_group_metric|' || m.OBJECTID || '|' || m.METRIC_TS) AS CAMP_GROUP_METRIC_FACT_KEY,
  campaign_group_key(m.OBJECTID) AS CAMPAIGN_GROUP_KEY, cfg_resource_key(CfgType.TENANT, c.TENANTID) AS TENANT_KEY,
  m.* EXCLUDE (OBJECTTYPE, OBJECTID)
FROM _T_OCS_METRIC AS m LEFT JOIN (SELECT * FROM _T_OB_CFG WHERE KIND = 'campaign_group') AS c ON c.DBID = m.OBJECTID
WHERE m.OBJECTTYPE = MetricObjectType.CAMPAIGN_GROUP
