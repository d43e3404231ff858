-- model: skill
-- layer: dimension
-- target: SKILL
-- key: SKILL_KEY
-- scope: TRUE
--
-- SKILL from configuration (GC_SKILL): each skill as last configured, from when it was first
-- configured until it was deleted.
SELECT cfg_resource_key(CfgType.SKILL, SKILLID) AS SKILL_KEY, cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY,
  NAME AS SKILL_NAME, SKILLID AS SKILL_CFG_DBID,
  min(CREATED_TS) OVER (PARTITION BY SKILLID) AS START_TS,
  CASE WHEN STATUS = Status.DELETED THEN coalesce(DELETED_TS, $sentinel) ELSE $sentinel END AS END_TS
FROM GIDB_GC_SKILL
QUALIFY row_number() OVER (PARTITION BY SKILLID ORDER BY CREATED_TS DESC) = 1
