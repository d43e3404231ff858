-- model: resource_group_fact
-- layer: dimension
-- target: RESOURCE_GROUP_FACT_
-- key: RESOURCE_GROUP_FACT_KEY
--
-- RESOURCE_GROUP_FACT_: each version of an agent's membership of a group, from its configuration
-- change to the next (history kept: a move to another group ends one row and starts another).
SELECT
  idb_key('rgf|' || GROUPID || '|' || AGENTID || '|' || CREATED_TS) AS RESOURCE_GROUP_FACT_KEY,
  cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY, idb_key('group|' || GROUPID) AS GROUP_KEY,
  (SELECT cfg_resource_key(CfgType.TENANT, min(a.TENANTID)) FROM GIDB_GC_AGENT AS a WHERE a.AGENTID = m.AGENTID) AS TENANT_KEY,
  CREATED_TS AS START_TS, coalesce(DELETED_TS, $sentinel) AS END_TS,
  interval_key(CREATED_TS) AS START_DATE_TIME_KEY, interval_key(coalesce(DELETED_TS, $sentinel)) AS END_DATE_TIME_KEY,
  STATUS = Status.ACTIVE AS ACTIVE_FLAG
FROM GIDB_GCX_GROUP_AGENT AS m
