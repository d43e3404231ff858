-- INTERACTION_FACT rows of the interactions in scope: one per root interaction (G_IR), typed by its
-- root call. A stuck interaction ends at the sentinel, flagged. An IR that ends before it begins (a
-- broken clock or row) ends where it begins, and its row is in STG_TRANSFORM_DISCARDS (discards.sql).
WITH root_call AS (
  SELECT HA_SET, ENTITY_KEY, CALLTYPE, ANI, DNIS, TENANTID, MEDIATYPE, GSYS_SEQ FROM GIDB_G_CALL
  WHERE ENTITY_KEY IN (SELECT ROOT FROM _T_IXN) AND in_ixn_time(CREATED_TS) AND CALLID = ENTITY_KEY
  QUALIFY row_number() OVER (PARTITION BY HA_SET, ENTITY_KEY ORDER BY GSYS_SEQ DESC) = 1  -- its latest row
)
SELECT
  idb_key(ir.ROOTCALLID) AS INTERACTION_ID,
  ir.ROOTCALLID AS MEDIA_SERVER_IXN_GUID,
  cfg_resource_key(7, coalesce(ir.TENANTID, c.TENANTID)) AS TENANT_KEY,
  coalesce(ir.MEDIATYPE, c.MEDIATYPE, 0) AS MEDIA_TYPE_KEY,
  interaction_type_key(c.CALLTYPE) AS INTERACTION_TYPE_KEY,
  c.ANI AS SOURCE_ADDRESS,
  c.DNIS AS TARGET_ADDRESS,
  ir.CREATED_TS AS START_TS,
  greatest(ir.TERMINATED_TS, ir.CREATED_TS) AS END_TS,
  interval_key(ir.CREATED_TS) AS START_DATE_TIME_KEY,
  interval_key(greatest(ir.TERMINATED_TS, ir.CREATED_TS)) AS END_DATE_TIME_KEY,
  CASE WHEN ir.STUCK_FLAG THEN 'STUCK' ELSE 'TERMINATED' END AS STATUS,
  FALSE AS ACTIVE_FLAG,
  ir.STUCK_FLAG,
  ir.SOURCE_NAME
FROM GIDB_G_IR AS ir
LEFT JOIN root_call AS c ON c.HA_SET = ir.HA_SET AND c.ENTITY_KEY = ir.ENTITY_KEY
WHERE ir.ENTITY_KEY IN (SELECT ROOT FROM _T_IXN) AND in_ixn_time(ir.CREATED_TS)
QUALIFY row_number() OVER (PARTITION BY ir.ROOTCALLID ORDER BY ir.CREATED_TS, ir.HA_SET) = 1
