-- model: sm_media_neutral_state_fact_rows
-- layer: intermediate
-- target: _T_SMNS
--
-- SM_MEDIA_NEUTRAL_STATE_FACT for the agents of _T_STATE_AGENT, rebuilt from FROM_TS on: the agent's
-- summarised states of every media (_T_SMST, as Info Mart takes SM_RES_STATE_FACT) cut wherever any of
-- them begins or ends; each piece holds the first of _T_PRIORITY in effect on any media
-- (sm-resource-state-priority; Table-SM_MEDIA_NEUTRAL_STATE_FACT). Like Info Mart, a row begins at every
-- such cut, so two rows in a row may hold the same state; unlike it, no row is cut at a cycle's end
-- (a mart is the same whatever its cycles were).
WITH edge AS (
  SELECT RESOURCE_KEY, START_TS AS TS FROM _T_SMST
  UNION SELECT RESOURCE_KEY, END_TS FROM _T_SMST
),
piece AS (
  SELECT RESOURCE_KEY, TS AS START_TS, lead(TS) OVER (PARTITION BY RESOURCE_KEY ORDER BY TS) AS END_TS FROM edge
)
SELECT
  idb_key('neutral|' || p.RESOURCE_KEY || '|' || p.START_TS) AS SM_MEDIA_NEUTRAL_STATE_FACT_KEY,
  p.RESOURCE_KEY, s.TENANT_KEY, s.RESOURCE_STATE_KEY, p.START_TS, p.END_TS,
  interval_key(p.START_TS) AS START_DATE_TIME_KEY, interval_key(p.END_TS) AS END_DATE_TIME_KEY,
  p.END_TS - p.START_TS AS TOTAL_DURATION, s.MEDIA_TYPE_KEY AS WINNING_MEDIA_TYPE_KEY
FROM piece AS p
JOIN _T_SMST AS s ON s.RESOURCE_KEY = p.RESOURCE_KEY AND s.START_TS <= p.START_TS AND s.END_TS >= p.END_TS
JOIN _T_PRIORITY AS r ON r.STATE = s.RESOURCE_STATE_KEY
WHERE p.END_TS IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY p.RESOURCE_KEY, p.START_TS ORDER BY r.PRIORITY, s.RESOURCE_STATE_KEY, s.MEDIA_TYPE_KEY) = 1
