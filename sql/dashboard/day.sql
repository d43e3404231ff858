-- The local day the dashboard shows: the latest day the queue or agent aggregates hold.
SELECT max(d) FROM (
  SELECT max(PERIOD_START_LOCAL)::DATE AS d FROM AG2_QUEUE_HOUR
  UNION ALL SELECT max(PERIOD_START_LOCAL)::DATE FROM AG2_AGENT_DAY
)
