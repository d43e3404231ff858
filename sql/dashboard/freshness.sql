-- Each source's freshness (CTL_EXTRACT_HISTORY): its last read and how it went, and the newest
-- source time read when it last succeeded.
WITH latest AS (
  SELECT SOURCE_NAME, arg_max(STATUS, ENDED_AT) AS LAST_STATUS, max(ENDED_AT) AS LAST_READ_AT,
         arg_max(MESSAGE, ENDED_AT) AS LAST_MESSAGE
  FROM CTL_EXTRACT_HISTORY GROUP BY 1
),
good AS (
  SELECT SOURCE_NAME, max(TIME_TO) AS DATA_TO_TS FROM CTL_EXTRACT_HISTORY WHERE STATUS = 'ok' GROUP BY 1
)
SELECT l.SOURCE_NAME, l.LAST_STATUS, strftime(l.LAST_READ_AT, '%Y-%m-%d %H:%M:%S') AS LAST_READ_UTC,
       strftime(to_timestamp(g.DATA_TO_TS) AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') AS DATA_TO_UTC,
       coalesce(l.LAST_MESSAGE, '') AS MESSAGE
FROM latest AS l LEFT JOIN good AS g USING (SOURCE_NAME)
ORDER BY 1
