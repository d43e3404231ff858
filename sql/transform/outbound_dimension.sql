-- An outbound dimension (CAMPAIGN, CALLING_LIST or CAMPAIGN_GROUP, by getvariable('ob_kind')) in one
-- shape: the configured objects (latest version, from _T_OB_CFG), then those an OCS named that
-- configuration lacks (seen this cycle, or kept from earlier cycles), with no name.
WITH configured AS (
  SELECT DBID, TENANTID, NAME, CAMPAIGNID, GROUPID, FIRST_TS AS START_TS,
         CASE WHEN STATUS = Status.DELETED THEN coalesce(DELETED_TS, getvariable('sentinel')) ELSE getvariable('sentinel') END
           AS END_TS
  FROM _T_OB_CFG
),
seen AS (
  SELECT DBID, min(TS) AS START_TS FROM (
    SELECT DBID, TS FROM _T_OB_SEEN WHERE KIND = getvariable('ob_kind')
    UNION ALL
    SELECT DBID, START_TS FROM _T_OB_KEPT
  ) WHERE DBID NOT IN (SELECT DBID FROM configured) GROUP BY DBID
)
SELECT ob_key(getvariable('ob_kind'), DBID) AS KEY, cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY, NAME, DBID,
       campaign_key(CAMPAIGNID) AS CAMPAIGN_KEY, idb_key('group|' || GROUPID) AS GROUP_KEY,
       TRUE AS CONFIGURED_FLAG, START_TS, END_TS
FROM configured
UNION ALL
SELECT ob_key(getvariable('ob_kind'), DBID), NULL, NULL, DBID, NULL, NULL, FALSE, START_TS, getvariable('sentinel')
FROM seen
