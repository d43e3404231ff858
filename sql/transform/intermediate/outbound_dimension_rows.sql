-- model: outbound_dimension_rows
-- layer: intermediate
-- target: _T_OB_DIM
-- reads_previous: CAMPAIGN, CALLING_LIST, CAMPAIGN_GROUP
--
-- The outbound dimensions (CAMPAIGN, CALLING_LIST and CAMPAIGN_GROUP, by KIND) in one shape: the
-- configured objects (latest version, from _T_OB_CFG), then those an OCS named that configuration
-- lacks (seen this cycle, or kept from earlier cycles: the dimensions' unconfigured rows as the
-- previous cycle left them), with no name.
WITH configured AS (
  SELECT KIND, DBID, TENANTID, NAME, CAMPAIGNID, GROUPID, FIRST_TS AS START_TS,
         CASE WHEN STATUS = Status.DELETED THEN coalesce(DELETED_TS, $sentinel) ELSE $sentinel END
           AS END_TS
  FROM _T_OB_CFG
),
kept AS (
  SELECT 'campaign' AS KIND, CAMPAIGN_CFG_DBID AS DBID, START_TS FROM CAMPAIGN WHERE NOT CONFIGURED_FLAG
  UNION ALL
  SELECT 'calling_list', CALLING_LIST_CFG_DBID, START_TS FROM CALLING_LIST WHERE NOT CONFIGURED_FLAG
  UNION ALL
  SELECT 'campaign_group', CAMPAIGN_GROUP_CFG_DBID, START_TS FROM CAMPAIGN_GROUP WHERE NOT CONFIGURED_FLAG
),
seen AS (
  SELECT KIND, DBID, min(TS) AS START_TS FROM (
    SELECT KIND, DBID, TS FROM _T_OB_SEEN
    UNION ALL
    SELECT KIND, DBID, START_TS FROM kept
  ) AS s WHERE DBID NOT IN (SELECT c.DBID FROM configured AS c WHERE c.KIND = s.KIND)
  GROUP BY KIND, DBID
)
SELECT KIND, ob_key(KIND, DBID) AS KEY, cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY, NAME, DBID,
       campaign_key(CAMPAIGNID) AS CAMPAIGN_KEY, idb_key('group|' || GROUPID) AS GROUP_KEY,
       TRUE AS CONFIGURED_FLAG, START_TS, END_TS
FROM configured
UNION ALL
SELECT KIND, ob_key(KIND, DBID), NULL, NULL, DBID, NULL, NULL, FALSE, START_TS, $sentinel
FROM seen
