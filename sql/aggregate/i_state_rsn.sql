-- family: I_STATE_RSN
-- source: states
-- grain: RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, RESOURCE_STATE_KEY, RESOURCE_STATE_REASON_KEY
--
-- AG2_I_STATE_RSN_SUBHR: per agent, state and reason code (SM_RES_STATE_REASON_FACT), the seconds of
-- each interval with that reason, split exactly at the interval's boundaries, and the reasons entered.
SELECT
  f.DATE_TIME_KEY, f.RESOURCE_KEY, coalesce(f.TENANT_KEY, -1) AS TENANT_KEY,
  coalesce(f.MEDIA_TYPE_KEY, -1) AS MEDIA_TYPE_KEY, coalesce(f.RESOURCE_STATE_KEY, 0) AS RESOURCE_STATE_KEY,
  f.RESOURCE_STATE_REASON_KEY,
  sum(state_seconds(f.START_TS, f.END_TS, f.DATE_TIME_KEY))::BIGINT AS STATE_RSN_TIME,
  count(*) FILTER (interval_key(f.START_TS) = f.DATE_TIME_KEY)::BIGINT AS STATE_RSN
FROM touched_state_rows('SM_RES_STATE_REASON_FACT', 'states') AS f
GROUP BY ALL
