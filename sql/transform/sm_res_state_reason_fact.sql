-- SM_RES_STATE_REASON_FACT: each reason code (G_AGENT_STATE_RC) of the republished login sessions,
-- from its start to its end (else the session's end), capped at max_state_s and then flagged.
SELECT
  idb_key('reason|' || s.ENTITY_KEY || '|' || rc.ADDED_TS || '|' || coalesce(rc.KEYNAME, '') || '|' || coalesce(rc.VALUE, ''))
    AS SM_RES_STATE_REASON_FACT_KEY,
  cfg_resource_key(3, s.AGENTID) AS RESOURCE_KEY, r.RESOURCE_KEY AS MEDIA_RESOURCE_KEY,
  cfg_resource_key(7, s.TENANTID) AS TENANT_KEY, coalesce(s.MEDIATYPE, 0) AS MEDIA_TYPE_KEY,
  rc.AGENTSTATE AS RESOURCE_STATE_KEY,
  idb_key('reason|' || coalesce(rc.AGENTSTATE, -1) || '|' || coalesce(rc.KEYNAME, '') || '|' || coalesce(rc.VALUE, '') || '|'
          || coalesce(rc.WORKMODE, -1) || '|' || coalesce(rc.HWFLAG, 0)) AS RESOURCE_STATE_REASON_KEY,
  rc.AGENTSTATE, rc.KEYNAME, rc.VALUE, rc.WORKMODE, rc.HWFLAG,
  rc.ADDED_TS AS START_TS,
  least(coalesce(rc.TERMINATED_TS, s.END_TS), s.END_TS, rc.ADDED_TS + getvariable('max_state_s')) AS END_TS,
  interval_key(rc.ADDED_TS) AS START_DATE_TIME_KEY,
  interval_key(least(coalesce(rc.TERMINATED_TS, s.END_TS), s.END_TS, rc.ADDED_TS + getvariable('max_state_s')))
    AS END_DATE_TIME_KEY,
  least(coalesce(rc.TERMINATED_TS, s.END_TS), s.END_TS, rc.ADDED_TS + getvariable('max_state_s')) - rc.ADDED_TS
    AS TOTAL_DURATION,
  least(coalesce(rc.TERMINATED_TS, s.END_TS), s.END_TS) - rc.ADDED_TS > getvariable('max_state_s') AS LONG_STATE_FLAG,
  s.ENTITY_KEY AS LOGIN_SESSION_KEY
FROM _T_SESSION AS s
JOIN GIDB_G_AGENT_STATE_RC AS rc ON rc.SOURCE_NAME = s.SOURCE_NAME AND rc.SESSIONID = s.LOGINSESSIONID
JOIN _T_SESSION_RES AS r ON r.ENTITY_KEY = s.ENTITY_KEY
WHERE s.AGENTID IS NOT NULL AND rc.ADDED_TS <= coalesce(rc.TERMINATED_TS, s.END_TS)
  AND (rc.AGENTSTATE IS DISTINCT FROM 6 OR dnd_factored(s.MEDIATYPE))  -- DND's reasons go with DND
