-- model: tenant
-- layer: dimension
-- target: TENANT
-- key: TENANT_KEY
--
-- TENANT from configuration (latest version of each tenant).
SELECT cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY, NAME AS TENANT_NAME, TENANTID AS TENANT_CFG_DBID,
  min(CREATED_TS) OVER (PARTITION BY TENANTID) AS START_TS,
  CASE WHEN STATUS = Status.DELETED THEN coalesce(DELETED_TS, $sentinel) ELSE $sentinel END AS END_TS
FROM GIDB_GC_TENANT
QUALIFY row_number() OVER (PARTITION BY TENANTID ORDER BY CREATED_TS DESC) = 1
