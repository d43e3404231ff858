-- model: after_call_work
-- layer: intermediate
-- runs: slice
-- target: _T_ACW
--
-- After-call work of each party: the agent's voice AFTER_CALL_WORK state that began when the party
-- ended (within $tol seconds: the agent's states may come from another node's IDB), until the
-- agent's next state; a blended agent's chat or e-mail wrap-up is no call's, and a chat or e-mail has
-- none (its wrap-up is a state of the agent's multimedia session only). Each ACW state goes to one
-- party: the nearest end, then a customer call before a consultation, then the party created last.
WITH party AS (
  SELECT p.IRF_ID, a.AGENTID, p.TERMINATED_TS, p.CALLTYPE, p.CREATED_TS
  FROM _T_PARTY AS p JOIN _T_AGENT AS a USING (IRF_ID)
  WHERE a.AGENTID IS NOT NULL AND NOT p.STUCK_FLAG AND p.MEDIATYPE = MediaType.VOICE
),
bounds AS (
  SELECT min(TERMINATED_TS) - $tol AS LO, max(TERMINATED_TS) + $tol AS HI FROM party
),
state AS (
  SELECT
    h.AGENTID, h.STATE, h.ADDED_TS AS START_TS,
    least(
      coalesce(lead(h.ADDED_TS) OVER (PARTITION BY h.SOURCE_NAME, h.LOGINSESSIONID ORDER BY h.ADDED_TS, h.SEQ),
               h.ADDED_TS + $max_state_s),
      h.ADDED_TS + $max_state_s
    ) AS END_TS
  FROM GIDB_G_AGENT_STATE_HISTORY AS h, bounds AS b
  WHERE h.TYPE = AgentStateType.STATE
    AND h.AGENTID IN (SELECT AGENTID FROM party)
    AND (h.SOURCE_NAME, h.LOGINSESSIONID) IN (  -- voice sessions around the slice's ends (a state is inside its session)
      SELECT (SOURCE_NAME, LOGINSESSIONID) FROM GIDB_G_LOGIN_SESSION, bounds AS sb
      WHERE coalesce(MEDIATYPE, MediaType.VOICE) = MediaType.VOICE
        AND CREATED_TS <= sb.HI + $max_state_s AND coalesce(TERMINATED_TS, $sentinel) >= sb.LO - $max_state_s
    )
    AND h.ADDED_TS BETWEEN b.LO - $max_state_s AND b.HI + $max_state_s
),
acw AS (SELECT * FROM state WHERE STATE = AgentState.AFTER_CALL_WORK)
SELECT IRF_ID, count(*) AS ACW_COUNT, sum(SECONDS) AS ACW_SECONDS
FROM (
  SELECT p.IRF_ID, w.END_TS - w.START_TS AS SECONDS
  FROM acw AS w
  JOIN party AS p
    ON p.AGENTID = w.AGENTID
   AND p.TERMINATED_TS BETWEEN w.START_TS - $tol AND w.START_TS + $tol
  QUALIFY row_number() OVER (
    PARTITION BY w.AGENTID, w.START_TS
    ORDER BY abs(p.TERMINATED_TS - w.START_TS), p.CALLTYPE = CallType.CONSULT, p.CREATED_TS DESC, p.IRF_ID
  ) = 1
)
GROUP BY IRF_ID
