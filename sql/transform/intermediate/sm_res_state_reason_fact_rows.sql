-- model: sm_res_state_reason_fact_rows
-- layer: intermediate
-- target: _T_SMRS
--
-- SM_RES_STATE_REASON_FACT: the reason codes (G_AGENT_STATE_RC) of the agents' summarised states. Info
-- Mart summarises reasons with the state (GIMPopAgent): a reason counts while its DN's session holds the
-- summarised state in the reason's state (_T_STATE_PIECE's winner), so an agent on two DNs with the same
-- reason has it once, and a reason on a DN whose state lost to another DN's has none of that time. Each
-- unbroken stretch of a reason is one row; its end is capped at max_state_s from the reason's start
-- (LONG_STATE_FLAG). A DND reason goes with DND (dnd_factored).
WITH reason AS (
  SELECT
    s.ENTITY_KEY, s.SOURCE_NAME, s.LOGINSESSIONID, s.AGENTID, s.TENANTID, s.MEDIATYPE, s.MEDIA_RESOURCE_KEY,
    rc.AGENTSTATE, rc.KEYNAME, rc.VALUE, rc.WORKMODE, rc.HWFLAG, rc.ADDED_TS AS R_START,
    least(coalesce(rc.TERMINATED_TS, s.END_TS), s.END_TS, rc.ADDED_TS + $max_state_s) AS R_END,
    least(coalesce(rc.TERMINATED_TS, s.END_TS), s.END_TS) - rc.ADDED_TS > $max_state_s AS LONG_REASON
  FROM _T_AGENT_SESSIONS AS s
  JOIN GIDB_G_AGENT_STATE_RC AS rc ON rc.SOURCE_NAME = s.SOURCE_NAME AND rc.SESSIONID = s.LOGINSESSIONID
  WHERE rc.ADDED_TS <= coalesce(rc.TERMINATED_TS, s.END_TS)
    AND (rc.AGENTSTATE IS DISTINCT FROM 6 OR dnd_factored(s.MEDIATYPE))
),
part AS (  -- the reason's time in the pieces its session won in its state
  SELECT r.*, greatest(r.R_START, p.START_TS) AS S, least(r.R_END, p.END_TS) AS E
  FROM reason AS r
  JOIN _T_STATE_PIECE AS p
    ON p.WIN_SOURCE = r.SOURCE_NAME AND p.WIN_SESSION = r.LOGINSESSIONID AND p.STATE = r.AGENTSTATE
   AND p.START_TS < r.R_END AND p.END_TS > r.R_START
),
runs AS (
  SELECT *, sum(NEW_RUN) OVER (PARTITION BY ENTITY_KEY, R_START, KEYNAME, VALUE ORDER BY S) AS RUN
  FROM (SELECT *, CASE WHEN lag(E) OVER (PARTITION BY ENTITY_KEY, R_START, KEYNAME, VALUE ORDER BY S) = S
                       THEN 0 ELSE 1 END AS NEW_RUN FROM part)
),
stretch AS (
  SELECT ENTITY_KEY, AGENTID, TENANTID, MEDIATYPE, MEDIA_RESOURCE_KEY, AGENTSTATE, KEYNAME, VALUE, WORKMODE, HWFLAG,
         R_START, min(S) AS START_TS, max(E) AS END_TS, bool_or(LONG_REASON AND E = R_END) AS LONG_STATE_FLAG
  FROM runs
  GROUP BY ENTITY_KEY, AGENTID, TENANTID, MEDIATYPE, MEDIA_RESOURCE_KEY, AGENTSTATE, KEYNAME, VALUE, WORKMODE, HWFLAG,
           R_START, RUN
)
SELECT
  idb_key('reason|' || ENTITY_KEY || '|' || R_START || '|' || coalesce(KEYNAME, '') || '|' || coalesce(VALUE, '') || '|'
          || START_TS) AS SM_RES_STATE_REASON_FACT_KEY,
  cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY, MEDIA_RESOURCE_KEY,
  cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY, MEDIATYPE AS MEDIA_TYPE_KEY,
  AGENTSTATE AS RESOURCE_STATE_KEY,
  idb_key('reason|' || coalesce(AGENTSTATE, -1) || '|' || coalesce(KEYNAME, '') || '|' || coalesce(VALUE, '') || '|'
          || coalesce(WORKMODE, -1) || '|' || coalesce(HWFLAG, 0)) AS RESOURCE_STATE_REASON_KEY,
  AGENTSTATE, KEYNAME, VALUE, WORKMODE, HWFLAG,
  START_TS, END_TS, interval_key(START_TS) AS START_DATE_TIME_KEY, interval_key(END_TS) AS END_DATE_TIME_KEY,
  END_TS - START_TS AS TOTAL_DURATION, LONG_STATE_FLAG,
  ENTITY_KEY AS LOGIN_SESSION_KEY
FROM stretch
