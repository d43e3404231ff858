-- model: place
-- layer: dimension
-- target: PLACE
-- key: PLACE_KEY
-- scope: TRUE
--
-- PLACE from configuration (GC_PLACE): each place as last configured, from when it was first
-- configured until it was deleted.
SELECT cfg_resource_key(CfgType.PLACE, PLACEID) AS PLACE_KEY, cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY,
  NAME AS PLACE_NAME, PLACEID AS PLACE_CFG_DBID, CfgType.PLACE AS PLACE_CFG_TYPE_ID,
  min(CREATED_TS) OVER (PARTITION BY PLACEID) AS START_TS,
  CASE WHEN STATUS = Status.DELETED THEN coalesce(DELETED_TS, $sentinel) ELSE $sentinel END AS END_TS
FROM GIDB_GC_PLACE
QUALIFY row_number() OVER (PARTITION BY PLACEID ORDER BY CREATED_TS DESC) = 1
