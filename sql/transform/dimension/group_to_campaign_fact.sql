-- model: group_to_campaign_fact
-- layer: dimension
-- target: GROUP_TO_CAMPAIGN_FACT_
-- key: GROUP_TO_CAMPAIGN_FACT_KEY
--
-- GROUP_TO_CAMPAIGN_FACT_: each configuration version of a campaign group (which agent or place group
-- runs which campaign), from its change to the next.
SELECT
  idb_key('g2c|' || CAMPGROUPID || '|' || CREATED_TS) AS GROUP_TO_CAMPAIGN_FACT_KEY,
  idb_key('group|' || GROUPID) AS GROUP_KEY, campaign_key(CAMPAIGNID) AS CAMPAIGN_KEY,
  campaign_group_key(CAMPGROUPID) AS CAMPAIGN_GROUP_KEY, cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY,
  CREATED_TS AS START_TS, coalesce(DELETED_TS, $sentinel) AS END_TS,
  interval_key(CREATED_TS) AS START_DATE_TIME_KEY,
  interval_key(coalesce(DELETED_TS, $sentinel)) AS END_DATE_TIME_KEY,
  STATUS = Status.ACTIVE AS ACTIVE_FLAG
FROM GIDB_GC_CAMPAIGN_GROUP
