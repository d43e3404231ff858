-- model: agent_recovery
-- layer: intermediate
-- runs: slice
-- target: _T_AGENT
--
-- The agent of each agent-DN party. Outside a SIP Cluster, G_PARTY reports it. In a cluster it does
-- not (AGENTID 0): the party's DN and switch are matched to the login sessions of every gls IDB (any
-- node; the DN name is in GSYS_EXT_VCH1), at the time the party was alerted or connected, allowing
-- $tol seconds of clock skew between nodes. The nearest session wins (0 when the time
-- is inside it); when the nearest sessions belong to different agents the match is ambiguous and,
-- like no match at all, leaves the DN as the resource: an agent is never guessed. A session ICON never
-- ended (a lost logout) ends, for the match, at the next login at its DN: a DN holds one agent's login
-- at a time, and without that end every later agent at a hot desk would be ambiguous with it.
--   AGENT_MATCH: reported, recovered, ambiguous, no_session, not_agent_dn
WITH sessions AS (
  SELECT SWITCHID, GSYS_EXT_VCH1 AS DN, AGENTID, CREATED_TS, TERMINATED_TS
  FROM GIDB_G_LOGIN_SESSION WHERE GSYS_EXT_VCH1 IS NOT NULL AND AGENTID IS NOT NULL
),
next_login AS (  -- per DN and login time, the next later login there (a session read from two nodes: once)
  SELECT SWITCHID, DN, CREATED_TS,
         lead(CREATED_TS) OVER (PARTITION BY SWITCHID, DN ORDER BY CREATED_TS) AS NEXT_LOGIN_TS
  FROM (SELECT DISTINCT SWITCHID, DN, CREATED_TS FROM sessions)
),
wanted AS (
  SELECT IRF_ID, SWITCHID, ENDPOINTDN, coalesce(ALERT_TS, CREATED_TS) AS AT_TS
  FROM _T_PARTY
  WHERE KIND = 'dn' AND SIP_CLUSTER AND REPORTED_AGENTID IS NULL
),
candidate AS (
  SELECT
    w.IRF_ID, s.AGENTID,
    CASE WHEN w.AT_TS >= s.CREATED_TS AND w.AT_TS < s.END_TS THEN 0
         ELSE least(abs(w.AT_TS - s.CREATED_TS), abs(w.AT_TS - s.END_TS)) END AS DISTANCE
  FROM wanted AS w
  JOIN (
    SELECT SWITCHID, DN, AGENTID, CREATED_TS,
           CASE WHEN coalesce(TERMINATED_TS, $sentinel) < $sentinel THEN TERMINATED_TS  -- open: at the sentinel
                ELSE coalesce(NEXT_LOGIN_TS, $sentinel) END AS END_TS
    FROM sessions JOIN next_login USING (SWITCHID, DN, CREATED_TS)
  ) AS s
    ON s.SWITCHID = w.SWITCHID AND s.DN = w.ENDPOINTDN
   AND w.AT_TS >= s.CREATED_TS - $tol AND w.AT_TS < s.END_TS + $tol
),
nearest AS (
  SELECT IRF_ID, count(DISTINCT AGENTID) AS AGENTS, min(AGENTID) AS AGENTID
  FROM (SELECT * FROM candidate QUALIFY DISTANCE = min(DISTANCE) OVER (PARTITION BY IRF_ID))
  GROUP BY IRF_ID
)
SELECT
  p.IRF_ID,
  CASE WHEN p.REPORTED_AGENTID IS NOT NULL THEN p.REPORTED_AGENTID
       WHEN n.AGENTS = 1 THEN n.AGENTID END AS AGENTID,
  CASE
    WHEN p.REPORTED_AGENTID IS NOT NULL THEN 'reported'
    WHEN p.KIND <> 'dn' OR NOT p.SIP_CLUSTER THEN 'not_agent_dn'
    WHEN n.AGENTS = 1 THEN 'recovered'
    WHEN n.AGENTS > 1 THEN 'ambiguous'
    ELSE 'no_session'
  END AS AGENT_MATCH
FROM _T_PARTY AS p
LEFT JOIN nearest AS n USING (IRF_ID)
WHERE p.KIND <> 'customer'
