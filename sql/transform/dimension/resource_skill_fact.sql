-- model: resource_skill_fact
-- layer: dimension
-- target: RESOURCE_SKILL_FACT_
-- key: RESOURCE_SKILL_FACT_KEY
--
-- RESOURCE_SKILL_FACT_: each version of an agent's skill and its level (GCX_SKILL_LEVEL), from its
-- configuration change to the next: a new level ends one row and starts another.
SELECT
  idb_key('rsf|' || SKILLID || '|' || AGENTID || '|' || CREATED_TS) AS RESOURCE_SKILL_FACT_KEY,
  cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY, cfg_resource_key(CfgType.SKILL, SKILLID) AS SKILL_KEY,
  (SELECT cfg_resource_key(CfgType.TENANT, min(a.TENANTID)) FROM GIDB_GC_AGENT AS a WHERE a.AGENTID = m.AGENTID) AS TENANT_KEY,
  SLEVEL AS SKILL_LEVEL,
  CREATED_TS AS START_TS, coalesce(DELETED_TS, $sentinel) AS END_TS,
  interval_key(CREATED_TS) AS START_DATE_TIME_KEY, interval_key(coalesce(DELETED_TS, $sentinel)) AS END_DATE_TIME_KEY,
  STATUS = Status.ACTIVE AS ACTIVE_FLAG
FROM GIDB_GCX_SKILL_LEVEL AS m
