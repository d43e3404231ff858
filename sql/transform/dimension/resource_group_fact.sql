-- model: resource_group_fact
-- layer: dimension
-- target: RESOURCE_GROUP_FACT_
-- key: RESOURCE_GROUP_FACT_KEY
--
-- RESOURCE_GROUP_FACT_: each version of an agent's membership of an agent group (GCX_GROUP_AGENT) and of
-- a DN's of a DN group (GCX_GROUP_ENDPOINT: queue groups), from its configuration change to the next
-- (history kept: a move to another group ends one row and starts another).
WITH member AS (
  SELECT 'rgf|' || GROUPID || '|' || AGENTID || '|' || CREATED_TS AS ID, cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY,
    GROUPID, (SELECT min(a.TENANTID) FROM GIDB_GC_AGENT AS a WHERE a.AGENTID = m.AGENTID) AS TENANTID,
    CREATED_TS, DELETED_TS, STATUS
  FROM GIDB_GCX_GROUP_AGENT AS m
  UNION ALL
  SELECT 'rgf|dn|' || GROUPID || '|' || ENDPOINTID || '|' || CREATED_TS, cfg_resource_key(CfgType.DN, ENDPOINTID),
    GROUPID, (SELECT min(e.TENANTID) FROM GIDB_GC_ENDPOINT AS e WHERE e.ENDPOINTID = m.ENDPOINTID),
    CREATED_TS, DELETED_TS, STATUS
  FROM GIDB_GCX_GROUP_ENDPOINT AS m
)
SELECT
  idb_key(ID) AS RESOURCE_GROUP_FACT_KEY, RESOURCE_KEY, idb_key('group|' || GROUPID) AS GROUP_KEY,
  cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY,
  CREATED_TS AS START_TS, coalesce(DELETED_TS, $sentinel) AS END_TS,
  interval_key(CREATED_TS) AS START_DATE_TIME_KEY, interval_key(coalesce(DELETED_TS, $sentinel)) AS END_DATE_TIME_KEY,
  STATUS = Status.ACTIVE AS ACTIVE_FLAG
FROM member
