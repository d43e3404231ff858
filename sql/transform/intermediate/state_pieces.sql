-- model: state_pieces
-- layer: intermediate
-- target: _T_STATE_PIECE
--
-- The agents' summarised state at every moment (_T_AGENT_SESSIONS, from FROM_TS on): each DN's states
-- run from one change to the next (the last to the session's end), a state unchanged for max_state_s
-- seconds ends there (LONG_END), and a DND change the media does not factor in is no change
-- (dnd_factored). The agent's time is cut at every DN's changes; each piece's state is the first of
-- _T_PRIORITY present (etl.state_priority; Info Mart's sm-resource-state-priority), and the session
-- that holds it (ties: the lower state code, then the source and session) is the piece's WIN_SOURCE /
-- WIN_SESSION, whose reason codes are the agent's (sm_res_state_reason_fact_rows.sql).
WITH dn_state AS (
  SELECT s.SOURCE_NAME, s.LOGINSESSIONID, s.AGENTID, s.TENANTID, s.MEDIATYPE, h.STATE, h.ADDED_TS AS START_TS,
         least(coalesce(lead(h.ADDED_TS) OVER (PARTITION BY h.SOURCE_NAME, h.LOGINSESSIONID ORDER BY h.ADDED_TS, h.SEQ),
                        s.END_TS), s.END_TS) AS NEXT_TS
  FROM GIDB_G_AGENT_STATE_HISTORY AS h
  JOIN _T_AGENT_SESSIONS AS s ON s.SOURCE_NAME = h.SOURCE_NAME AND s.LOGINSESSIONID = h.LOGINSESSIONID
  WHERE h.TYPE = AgentStateType.STATE AND h.STATE BETWEEN AgentState.LOGGED_OFF AND AgentState.DO_NOT_DISTURB AND (h.STATE <> AgentState.DO_NOT_DISTURB OR dnd_factored(s.MEDIATYPE))
    -- a session's states are written after its login, by the same IDB: older row groups are skipped
    AND h.ADDED_TS >= (SELECT min(FROM_TS) FROM _T_STATE_AGENT) - $bound_slack_s
),
capped AS (
  SELECT d.*, least(NEXT_TS, START_TS + $max_state_s) AS END_TS,
         NEXT_TS - START_TS > $max_state_s AS LONG_STATE, p.PRIORITY
  FROM dn_state AS d JOIN _T_PRIORITY AS p USING (STATE)
  WHERE d.STATE <> AgentState.LOGGED_OFF AND NEXT_TS > START_TS
),
edge AS (
  SELECT DISTINCT AGENTID, MEDIATYPE, START_TS AS TS FROM capped
  UNION SELECT DISTINCT AGENTID, MEDIATYPE, END_TS FROM capped
),
piece AS (
  SELECT AGENTID, MEDIATYPE, TS AS START_TS, lead(TS) OVER (PARTITION BY AGENTID, MEDIATYPE ORDER BY TS) AS END_TS
  FROM edge
)
SELECT p.AGENTID, p.MEDIATYPE, p.START_TS, p.END_TS, c.STATE, c.TENANTID,
       c.LONG_STATE AND c.END_TS = p.END_TS AS LONG_END, c.SOURCE_NAME AS WIN_SOURCE, c.LOGINSESSIONID AS WIN_SESSION
FROM piece AS p
JOIN capped AS c ON c.AGENTID = p.AGENTID AND c.MEDIATYPE = p.MEDIATYPE AND c.START_TS <= p.START_TS AND c.END_TS >= p.END_TS
WHERE p.END_TS IS NOT NULL
QUALIFY row_number() OVER (
  PARTITION BY p.AGENTID, p.MEDIATYPE, p.START_TS ORDER BY c.PRIORITY, c.STATE, c.SOURCE_NAME, c.LOGINSESSIONID
) = 1
