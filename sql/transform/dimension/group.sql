-- model: group
-- layer: dimension
-- target: GROUP_
-- key: GROUP_KEY
--
-- GROUP_ from configuration: agent groups (cfg type 5), place groups (6), DN groups (17), with Info Mart's
-- type codes and names (a DN group is a queue group: QUEUE); and Info Mart's two rows of no group, -1
-- UNKNOWN and -2 No Group (NO_VALUE), the group of facts whose resource was in none.
SELECT -1 AS GROUP_KEY, NULL AS TENANT_KEY, 'UNKNOWN' AS GROUP_NAME, 'UNKNOWN' AS GROUP_TYPE_CODE, 'Unknown' AS GROUP_TYPE,
  NULL AS GROUP_CFG_DBID, NULL AS GROUP_CFG_TYPE_ID, NULL AS START_TS, NULL AS END_TS
UNION ALL
SELECT -2, NULL, 'No Group', 'NO_VALUE', 'No Value', NULL, NULL, NULL, NULL
UNION ALL
SELECT idb_key('group|' || GROUPID) AS GROUP_KEY, cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY, NAME AS GROUP_NAME,
  CASE GROUPTYPE WHEN GroupType.AGENT THEN 'AGENT' WHEN GroupType.PLACE THEN 'PLACE' WHEN GroupType.DN THEN 'QUEUE'
    ELSE 'UNKNOWN' END AS GROUP_TYPE_CODE,
  CASE GROUPTYPE WHEN GroupType.AGENT THEN 'Agent' WHEN GroupType.PLACE THEN 'Place' WHEN GroupType.DN THEN 'Queue'
    ELSE 'Unknown' END AS GROUP_TYPE,
  GROUPID AS GROUP_CFG_DBID, CASE GROUPTYPE WHEN GroupType.AGENT THEN CfgType.AGENT_GROUP
    WHEN GroupType.PLACE THEN CfgType.PLACE_GROUP WHEN GroupType.DN THEN CfgType.DN_GROUP END AS GROUP_CFG_TYPE_ID,
  min(CREATED_TS) OVER (PARTITION BY GROUPID) AS START_TS,
  CASE WHEN STATUS = Status.DELETED THEN coalesce(DELETED_TS, $sentinel) ELSE $sentinel END AS END_TS
FROM GIDB_GC_GROUP
QUALIFY row_number() OVER (PARTITION BY GROUPID ORDER BY CREATED_TS DESC) = 1
