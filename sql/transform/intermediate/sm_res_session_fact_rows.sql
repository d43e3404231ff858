-- model: sm_res_session_fact_rows
-- layer: intermediate
-- target: _T_SMS
--
-- SM_RES_SESSION_FACT: one row per agent login session (per media) the HA choice republished, with the
-- agent groups the agent belonged to when it logged in (-2, No Group: none). Active sessions too ("Both
-- active and completed sessions are populated", Info Mart's Table-SM_RES_SESSION_FACT): ACTIVE_FLAG, END_TS
-- at the sentinel and no TOTAL_DURATION until the logout is read (Info Mart's page gives none for them).
SELECT
  idb_key('session|' || s.ENTITY_KEY) AS SM_RES_SESSION_FACT_KEY,
  cfg_resource_key(CfgType.PERSON, s.AGENTID) AS RESOURCE_KEY,
  r.RESOURCE_KEY AS MEDIA_RESOURCE_KEY,
  cfg_resource_key(CfgType.TENANT, s.TENANTID) AS TENANT_KEY,
  coalesce(s.MEDIATYPE, MediaType.VOICE) AS MEDIA_TYPE_KEY,
  s.START_TS, s.END_TS, interval_key(s.START_TS) AS START_DATE_TIME_KEY, interval_key(s.END_TS) AS END_DATE_TIME_KEY,
  CASE WHEN s.END_TS < $sentinel THEN s.END_TS - s.START_TS END AS TOTAL_DURATION,
  s.END_TS = $sentinel AS ACTIVE_FLAG,
  s.ENTITY_KEY AS LOGIN_SESSION_KEY,
  coalesce(g.GROUP_COMBINATION_KEY, -2) AS RESOURCE_GROUP_COMBINATION_KEY
FROM _T_SESSION AS s JOIN _T_SESSION_RES AS r ON r.ENTITY_KEY = s.ENTITY_KEY
LEFT JOIN _T_GROUP_SEGMENT AS g ON g.RESOURCE_KEY = cfg_resource_key(CfgType.PERSON, s.AGENTID)
  AND s.START_TS >= g.FROM_TS AND s.START_TS < g.TO_TS
WHERE s.AGENTID IS NOT NULL AND s.END_TS >= s.START_TS
