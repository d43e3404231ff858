-- model: state_agents
-- layer: intermediate
-- target: _T_STATE_AGENT
--
-- The agents whose summarised states (SM_RES_STATE_FACT) this cycle rebuilds: those of the login
-- sessions the HA choice republished (_T_SESSION), each with FROM_TS, the start of the earliest run of
-- overlapping sessions of theirs that holds one. A state can run on from one session into the next
-- only where they overlap or touch, so the agent's states before FROM_TS cannot change, and only the
-- sessions from FROM_TS on are rebuilt, not every session GIDB keeps (`gidb_days` of them). Every
-- member's version of a republished session counts (a changed choice's former one may have begun
-- earlier): the facts it gave are rebuilt too. The versions are those the HA choice weighed
-- (_HA_STAGED, from STG_ENTITY: a member's rows are kept only while it is chosen); a session's key
-- names its agent (sql/extract/login_session/ready.sql: switch|agent|DN|login|media).
WITH other_versions AS (  -- every member's version of the republished sessions
  SELECT TRY_CAST(split_part(ENTITY_KEY, '|', 2) AS BIGINT) AS AGENTID, START_TS, coalesce(END_TS, $sentinel) AS END_TS
  FROM _HA_STAGED
  WHERE ENTITY_KIND = 'login_session' AND ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_SESSION)
    AND split_part(ENTITY_KEY, '|', 2) <> ''
),
spans AS (  -- the agents' sessions in GIDB, and those versions, each marked if republished
  SELECT AGENTID, CREATED_TS AS START_TS, coalesce(TERMINATED_TS, $sentinel) AS END_TS,
         ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_SESSION) AS REPUBLISHED
  FROM GIDB_G_LOGIN_SESSION
  WHERE AGENTID IN (SELECT AGENTID FROM _T_SESSION UNION ALL SELECT AGENTID FROM other_versions)
  UNION ALL
  SELECT *, TRUE FROM other_versions
),
runs AS (  -- a span that begins after every earlier span of the agent ended starts a new run
  SELECT *, sum(CASE WHEN START_TS <= REACHED THEN 0 ELSE 1 END) OVER (
              PARTITION BY AGENTID ORDER BY START_TS, END_TS ROWS UNBOUNDED PRECEDING) AS RUN
  FROM (
    SELECT *, max(END_TS) OVER (PARTITION BY AGENTID ORDER BY START_TS, END_TS
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS REACHED
    FROM spans
  )
)
SELECT AGENTID, cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY, min(START_TS) AS FROM_TS
FROM runs
WHERE (AGENTID, RUN) IN (SELECT AGENTID, RUN FROM runs WHERE REPUBLISHED)
GROUP BY AGENTID
