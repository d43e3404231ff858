-- model: login_sessions
-- layer: scope
-- target: _T_SESSION
--
-- Login sessions the HA choice republished this cycle, with the DN they were on: in a SIP Cluster its
-- name is in GSYS_EXT_VCH1; elsewhere the DN configured under PRIMARYDEVICEID.
SELECT
  ls.ENTITY_KEY, ls.SOURCE_NAME, ls.LOGINSESSIONID, ls.AGENTID, ls.SWITCHID, ls.TENANTID, ls.MEDIATYPE,
  coalesce(ls.GSYS_EXT_VCH1, dn.DN) AS DN, ls.PRIMARYDEVICEID, src.SIP_CLUSTER,
  ls.CREATED_TS AS START_TS, coalesce(ls.TERMINATED_TS, $sentinel) AS END_TS
FROM GIDB_G_LOGIN_SESSION AS ls
JOIN _HA_NEW AS n ON n.ENTITY_KIND = 'login_session' AND n.HA_SET = ls.HA_SET AND n.ENTITY_KEY = ls.ENTITY_KEY
JOIN _T_SRC AS src ON src.SOURCE_NAME = ls.SOURCE_NAME
LEFT JOIN (
  SELECT ENDPOINTID, DN FROM GIDB_GC_ENDPOINT QUALIFY row_number() OVER (PARTITION BY ENDPOINTID ORDER BY CREATED_TS DESC) = 1
) AS dn ON dn.ENDPOINTID = ls.PRIMARYDEVICEID AND NOT src.SIP_CLUSTER
