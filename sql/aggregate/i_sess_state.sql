-- family: I_SESS_STATE
-- source: states
-- grain: RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY
--
-- AG2_I_SESS_STATE_SUBHR: per agent, the seconds of each interval spent in each summarised state
-- (SM_RES_STATE_FACT, one state at a time over all the agent's DNs), split exactly at the interval's
-- boundaries; LOGIN_TIME is their sum. The counts are the states entered in the interval.
-- ACTIVE_TIME is session time, not the sum of states: the seconds of the interval in which the agent had
-- a login session (SM_RES_SESSION_FACT) of the media, sessions that overlap counted once. It holds the
-- time a state capped at etl.max_state_duration_s leaves out; a session not yet ended lasts as long as
-- its agent's states in it do (their last one capped the same way), never to the sentinel.
WITH s AS (
  SELECT f.DATE_TIME_KEY, f.RESOURCE_KEY, coalesce(f.TENANT_KEY, -1) AS TENANT_KEY,
         coalesce(f.MEDIA_TYPE_KEY, -1) AS MEDIA_TYPE_KEY, coalesce(r.STATE_TYPE_CODE, 'UNKNOWN') AS STATE,
         state_seconds(f.START_TS, f.END_TS, f.DATE_TIME_KEY) AS SECONDS,
         interval_key(f.START_TS) = f.DATE_TIME_KEY AS ENTERED
  FROM touched_state_rows('SM_RES_STATE_FACT', 'states') AS f
  LEFT JOIN RESOURCE_STATE AS r USING (RESOURCE_STATE_KEY)
),
states AS (
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
),
session AS (
  SELECT x.RESOURCE_KEY, coalesce(x.TENANT_KEY, -1) AS TENANT_KEY, coalesce(x.MEDIA_TYPE_KEY, -1) AS MEDIA_TYPE_KEY,
         x.START_TS,
         CASE WHEN x.END_TS < $sentinel THEN x.END_TS
              ELSE coalesce((SELECT max(f.END_TS) FROM SM_RES_STATE_FACT AS f
                             WHERE f.RESOURCE_KEY = x.RESOURCE_KEY AND f.MEDIA_TYPE_KEY = x.MEDIA_TYPE_KEY
                               AND f.START_TS >= x.START_TS), x.START_TS) END AS END_TS
  FROM SM_RES_SESSION_FACT AS x
  WHERE x.RESOURCE_KEY IN (SELECT RESOURCE_KEY FROM _AG_TOUCHED WHERE SOURCE = 'states')
    -- the sessions that reach the touched intervals (a session still open reaches them all): the agent's
    -- older ones are not read
    AND x.END_TS > (SELECT min(DATE_TIME_KEY) FROM _AG_TOUCHED WHERE SOURCE = 'states')
    AND x.START_TS < (SELECT max(DATE_TIME_KEY) + 900 FROM _AG_TOUCHED WHERE SOURCE = 'states')
),
island AS (  -- overlapping sessions of an agent and media, merged
  SELECT RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, min(START_TS) AS START_TS, max(END_TS) AS END_TS
  FROM (
    SELECT *, sum(NEW) OVER (PARTITION BY RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY ORDER BY START_TS, END_TS) AS ISLAND
    FROM (
      SELECT *, coalesce(START_TS > max(END_TS) OVER (
          PARTITION BY RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY ORDER BY START_TS, END_TS
          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), TRUE)::INT AS NEW
      FROM session
    )
  )
  GROUP BY RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, ISLAND
),
active AS (
  SELECT DATE_TIME_KEY, RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY,
         sum(overlap_s(START_TS, END_TS, DATE_TIME_KEY, DATE_TIME_KEY + 900))::BIGINT AS ACTIVE_TIME
  FROM (SELECT *, unnest(range(interval_key(START_TS), END_TS, 900)) AS DATE_TIME_KEY FROM island)
  WHERE (DATE_TIME_KEY, RESOURCE_KEY) IN (SELECT DATE_TIME_KEY, RESOURCE_KEY FROM _AG_TOUCHED WHERE SOURCE = 'states')
  GROUP BY ALL
)
SELECT DATE_TIME_KEY, RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY,
       coalesce(COLUMNS(* EXCLUDE (DATE_TIME_KEY, RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY)), 0)::BIGINT
FROM active FULL JOIN states USING (DATE_TIME_KEY, RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY)
