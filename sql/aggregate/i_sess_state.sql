-- family: I_SESS_STATE
-- source: states
-- grain: RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY
--
-- AG2_I_SESS_STATE_SUBHR: per agent, the seconds of each interval spent in each summarised state
-- (SM_RES_STATE_FACT, one state at a time over all the agent's DNs), split exactly at the interval's
-- boundaries; LOGIN_TIME is their sum. The counts are the states entered in the interval.
WITH s AS (
  SELECT f.DATE_TIME_KEY, f.RESOURCE_KEY, coalesce(f.TENANT_KEY, -1) AS TENANT_KEY,
         coalesce(f.MEDIA_TYPE_KEY, -1) AS MEDIA_TYPE_KEY, coalesce(r.STATE_TYPE_CODE, 'UNKNOWN') AS STATE,
         state_seconds(f.START_TS, f.END_TS, f.DATE_TIME_KEY) AS SECONDS,
         interval_key(f.START_TS) = f.DATE_TIME_KEY AS ENTERED
  FROM touched_state_rows('SM_RES_STATE_FACT', 'states') AS f
  LEFT JOIN RESOURCE_STATE AS r USING (RESOURCE_STATE_KEY)
)
SELECT
  DATE_TIME_KEY, RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY,
  sum(SECONDS)::BIGINT AS LOGIN_TIME,
  coalesce(sum(SECONDS) FILTER (STATE = 'READY'), 0)::BIGINT AS READY_TIME,
  coalesce(sum(SECONDS) FILTER (STATE = 'NOTREADY'), 0)::BIGINT AS NOT_READY_TIME,
  coalesce(sum(SECONDS) FILTER (STATE = 'BUSY'), 0)::BIGINT AS BUSY_TIME,
  coalesce(sum(SECONDS) FILTER (STATE = 'AFTERCALLWORK'), 0)::BIGINT AS WRAP_TIME,
  coalesce(sum(SECONDS) FILTER (STATE = 'DND'), 0)::BIGINT AS DND_TIME,
  coalesce(sum(SECONDS) FILTER (STATE IN ('LOGGEDIN', 'UNKNOWN')), 0)::BIGINT AS OTHER_TIME,
  count(*) FILTER (ENTERED AND STATE = 'READY')::BIGINT AS READY,
  count(*) FILTER (ENTERED AND STATE = 'NOTREADY')::BIGINT AS NOT_READY,
  count(*) FILTER (ENTERED AND STATE = 'BUSY')::BIGINT AS BUSY,
  count(*) FILTER (ENTERED AND STATE = 'AFTERCALLWORK')::BIGINT AS WRAP,
  count(*) FILTER (ENTERED AND STATE = 'DND')::BIGINT AS DND
FROM s
GROUP BY ALL
