-- model: campaign_group_session_fact_rows
-- layer: intermediate
-- target: _T_CGS
--
-- CAMPAIGN_GROUP_SESSION_FACT: one row per campaign session (SESSID: a campaign group loaded once)
-- the HA choice republished, from load (CREATED_TS) to unload (TERMINATED_TS).
SELECT
  idb_key('campaign_session|' || cs.SESSID) AS CAMPAIGN_GROUP_SESSION_FACT_KEY,
  cs.SESSID AS CAMPAIGN_GROUP_SESSION_ID,
  cs.OCSID AS OCS_ID,
  cfg_resource_key(CfgType.TENANT, coalesce(cg.TENANTID, cmp.TENANTID)) AS TENANT_KEY,
  campaign_group_key(cs.GROUPID) AS CAMPAIGN_GROUP_KEY,
  campaign_key(cs.CAMPAIGNID) AS CAMPAIGN_KEY,
  idb_key('group|' || cg.GROUPID) AS GROUP_KEY,
  cs.DIALMODE::INTEGER AS DIALING_MODE_KEY,
  cs.CREATED_TS AS START_TS, cs.TERMINATED_TS AS END_TS,
  interval_key(cs.CREATED_TS) AS START_DATE_TIME_KEY, interval_key(cs.TERMINATED_TS) AS END_DATE_TIME_KEY,
  cs.TERMINATED_TS - cs.CREATED_TS AS TOTAL_DURATION,
  cs.SOURCE_NAME
FROM GIDB_GO_CAMPAIGN AS cs
JOIN _T_CAMPAIGN_SESSION AS s ON s.SESSID = cs.SESSID
LEFT JOIN _T_CAMPAIGN_CFG AS cmp ON cmp.CAMPAIGNID = cs.CAMPAIGNID
LEFT JOIN _T_CAMPAIGN_GROUP_CFG AS cg ON cg.CAMPGROUPID = cs.GROUPID
QUALIFY row_number() OVER (PARTITION BY cs.SESSID ORDER BY cs.TERMINATED_TS DESC NULLS LAST, cs.SOURCE_NAME) = 1
