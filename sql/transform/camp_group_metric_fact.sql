-- CAMP_GROUP_METRIC_FACT: the campaign-group metrics of _T_OCS_METRIC (OBJECTTYPE 2).
SELECT
  idb_key('campaign_group_metric|' || m.OBJECTID || '|' || m.METRIC_TS) AS CAMP_GROUP_METRIC_FACT_KEY,
  campaign_group_key(m.OBJECTID) AS CAMPAIGN_GROUP_KEY, cfg_resource_key(CfgType.TENANT, c.TENANTID) AS TENANT_KEY,
  m.* EXCLUDE (OBJECTTYPE, OBJECTID)
FROM _T_OCS_METRIC AS m LEFT JOIN _T_OB_CFG_campaign_group AS c ON c.DBID = m.OBJECTID
WHERE m.OBJECTTYPE = MetricObjectType.CAMPAIGN_GROUP
