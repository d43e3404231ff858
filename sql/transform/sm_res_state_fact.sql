-- SM_RES_STATE_FACT for the agents of the republished login sessions (_T_STATE_AGENT), rebuilt over
-- their sessions in GIDB from FROM_TS on (state_agents.sql). Each DN's states run from one change to
-- the next (the last to the session's end), a state unchanged for max_state_s seconds ends there
-- (LONG_STATE_FLAG); a DND change the media does not factor in is no change (dnd_factored). The agent's
-- DNs are then summarised into one state at every moment: the first of _T_PRIORITY present
-- (etl.state_priority; Info Mart's sm-resource-state-priority).
WITH session AS (
  SELECT ls.SOURCE_NAME, ls.LOGINSESSIONID, ls.AGENTID, ls.TENANTID, coalesce(ls.MEDIATYPE, 0) AS MEDIATYPE,
         coalesce(ls.TERMINATED_TS, getvariable('sentinel')) AS END_TS
  FROM GIDB_G_LOGIN_SESSION AS ls JOIN _T_STATE_AGENT AS a ON a.AGENTID = ls.AGENTID AND ls.CREATED_TS >= a.FROM_TS
),
dn_state AS (
  SELECT s.AGENTID, s.TENANTID, s.MEDIATYPE, h.STATE, h.ADDED_TS AS START_TS,
         least(coalesce(lead(h.ADDED_TS) OVER (PARTITION BY h.SOURCE_NAME, h.LOGINSESSIONID ORDER BY h.ADDED_TS, h.SEQ),
                        s.END_TS), s.END_TS) AS NEXT_TS
  FROM GIDB_G_AGENT_STATE_HISTORY AS h
  JOIN session AS s ON s.SOURCE_NAME = h.SOURCE_NAME AND s.LOGINSESSIONID = h.LOGINSESSIONID
  WHERE h.TYPE = 5 AND h.STATE BETWEEN 0 AND 6 AND (h.STATE <> 6 OR dnd_factored(s.MEDIATYPE))
    -- a session's states are written after its login, by the same IDB: older row groups are skipped
    AND h.ADDED_TS >= (SELECT min(FROM_TS) FROM _T_STATE_AGENT) - getvariable('bound_slack_s')
),
capped AS (
  SELECT d.*, least(NEXT_TS, START_TS + getvariable('max_state_s')) AS END_TS,
         NEXT_TS - START_TS > getvariable('max_state_s') AS LONG_STATE, p.PRIORITY
  FROM dn_state AS d JOIN _T_PRIORITY AS p USING (STATE)
  WHERE d.STATE <> 0 AND NEXT_TS > START_TS
),
edge AS (
  SELECT DISTINCT AGENTID, MEDIATYPE, START_TS AS TS FROM capped
  UNION SELECT DISTINCT AGENTID, MEDIATYPE, END_TS FROM capped
),
piece AS (
  SELECT AGENTID, MEDIATYPE, TS AS START_TS, lead(TS) OVER (PARTITION BY AGENTID, MEDIATYPE ORDER BY TS) AS END_TS
  FROM edge
),
summary AS (  -- the winning state of every piece of time the agent was logged in
  SELECT p.AGENTID, p.MEDIATYPE, p.START_TS, p.END_TS, c.STATE, c.TENANTID, c.LONG_STATE AND c.END_TS = p.END_TS AS LONG_END
  FROM piece AS p
  JOIN capped AS c ON c.AGENTID = p.AGENTID AND c.MEDIATYPE = p.MEDIATYPE AND c.START_TS <= p.START_TS AND c.END_TS >= p.END_TS
  WHERE p.END_TS IS NOT NULL
  QUALIFY row_number() OVER (PARTITION BY p.AGENTID, p.MEDIATYPE, p.START_TS ORDER BY c.PRIORITY, c.STATE) = 1
),
flagged AS (
  SELECT *, CASE WHEN lag(STATE) OVER w = STATE AND lag(END_TS) OVER w = START_TS THEN 0 ELSE 1 END AS NEW_RUN
  FROM summary WINDOW w AS (PARTITION BY AGENTID, MEDIATYPE ORDER BY START_TS)
),
runs AS (
  SELECT *, sum(NEW_RUN) OVER (PARTITION BY AGENTID, MEDIATYPE ORDER BY START_TS) AS RUN FROM flagged
)
SELECT
  idb_key('state|' || AGENTID || '|' || MEDIATYPE || '|' || min(START_TS)) AS SM_RES_STATE_FACT_KEY,
  cfg_resource_key(3, AGENTID) AS RESOURCE_KEY, cfg_resource_key(7, min(TENANTID)) AS TENANT_KEY,
  MEDIATYPE AS MEDIA_TYPE_KEY, STATE AS RESOURCE_STATE_KEY,
  min(START_TS) AS START_TS, max(END_TS) AS END_TS,
  interval_key(min(START_TS)) AS START_DATE_TIME_KEY, interval_key(max(END_TS)) AS END_DATE_TIME_KEY,
  max(END_TS) - min(START_TS) AS TOTAL_DURATION, bool_or(LONG_END) AS LONG_STATE_FLAG
FROM runs
GROUP BY AGENTID, MEDIATYPE, STATE, RUN
