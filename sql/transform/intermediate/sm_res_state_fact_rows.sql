-- model: sm_res_state_fact_rows
-- layer: intermediate
-- target: _T_SMST
--
-- SM_RES_STATE_FACT for the agents of the republished login sessions (_T_STATE_AGENT), rebuilt from
-- FROM_TS on (state_agents.sql): the runs of one summarised state (_T_STATE_PIECE) without a break.
WITH flagged AS (
  SELECT *, CASE WHEN lag(STATE) OVER w = STATE AND lag(END_TS) OVER w = START_TS THEN 0 ELSE 1 END AS NEW_RUN
  FROM _T_STATE_PIECE WINDOW w AS (PARTITION BY AGENTID, MEDIATYPE ORDER BY START_TS)
),
runs AS (
  SELECT *, sum(NEW_RUN) OVER (PARTITION BY AGENTID, MEDIATYPE ORDER BY START_TS) AS RUN FROM flagged
)
SELECT
  idb_key('state|' || AGENTID || '|' || MEDIATYPE || '|' || min(START_TS)) AS SM_RES_STATE_FACT_KEY,
  cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY, cfg_resource_key(CfgType.TENANT, min(TENANTID)) AS TENANT_KEY,
  MEDIATYPE AS MEDIA_TYPE_KEY, STATE AS RESOURCE_STATE_KEY,
  min(START_TS) AS START_TS, max(END_TS) AS END_TS,
  interval_key(min(START_TS)) AS START_DATE_TIME_KEY, interval_key(max(END_TS)) AS END_DATE_TIME_KEY,
  max(END_TS) - min(START_TS) AS TOTAL_DURATION, bool_or(LONG_END) AS LONG_STATE_FLAG
FROM runs
GROUP BY AGENTID, MEDIATYPE, STATE, RUN
