-- model: place_group_fact
-- layer: dimension
-- target: PLACE_GROUP_FACT_
-- key: PLACE_GROUP_FACT_KEY
--
-- PLACE_GROUP_FACT_: each version of a place's membership of a place group (GCX_GROUP_PLACE), from its
-- configuration change to the next, as RESOURCE_GROUP_FACT_ keeps agents' and DNs'.
SELECT
  idb_key('pgf|' || GROUPID || '|' || PLACEID || '|' || CREATED_TS) AS PLACE_GROUP_FACT_KEY,
  cfg_resource_key(CfgType.PLACE, PLACEID) AS PLACE_KEY, idb_key('group|' || GROUPID) AS GROUP_KEY,
  (SELECT cfg_resource_key(CfgType.TENANT, min(p.TENANTID)) FROM GIDB_GC_PLACE AS p WHERE p.PLACEID = m.PLACEID) AS TENANT_KEY,
  CREATED_TS AS START_TS, coalesce(DELETED_TS, $sentinel) AS END_TS,
  interval_key(CREATED_TS) AS START_DATE_TIME_KEY, interval_key(coalesce(DELETED_TS, $sentinel)) AS END_DATE_TIME_KEY,
  STATUS = Status.ACTIVE AS ACTIVE_FLAG
FROM GIDB_GCX_GROUP_PLACE AS m
