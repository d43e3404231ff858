-- Every queue (ACD and virtual) by local hour of the day $day (AG2_QUEUE_HOUR). Service level: the
-- callers answered within etl.service_level_threshold_s, of those whose wait ended (answered or
-- abandoned), short abandons left out: ACCEPTED_THR / (ACCEPTED + ABANDONED - ABANDONED_STI).
SELECT
  strftime(a.PERIOD_START_LOCAL, '%H:%M') AS HOUR,
  sum(a.ENTERED)::BIGINT AS ENTERED,
  sum(a.ACCEPTED)::BIGINT AS ACCEPTED,
  sum(a.ABANDONED)::BIGINT AS ABANDONED,
  round(100 * sum(a.ACCEPTED_THR) / nullif(sum(a.ACCEPTED) + sum(a.ABANDONED) - sum(a.ABANDONED_STI), 0), 1)
    AS SERVICE_LEVEL_PCT
FROM AG2_QUEUE_HOUR AS a
WHERE a.PERIOD_START_LOCAL::DATE = $day
GROUP BY 1
ORDER BY 1
