-- Each aggregate family's total of a measure at every level (_QA_AG2_TOTALS, summed by
-- idbmart/quality/suites.py from the families and measures the suite names), beside the total of the
-- level it rolls up from (ROLLUP_TOTAL) and, where the level is compared over the facts' periods,
-- beside the same total counted from the facts by MART.md's definitions: nothing is lost or counted
-- twice by the touched-interval bookkeeping or the roll-ups. A family whose measure has no fact
-- definition here is compared between levels only. The facts are the _QA_* views: in a cycle's gate
-- those that began in the local days the cycle touched (and the levels over those days and the weeks,
-- months... holding them); in a full check all.
WITH agent_irf AS (  -- AG2_AGENT*: by the interval the agent was offered the interaction
  SELECT 'offered' AS BY_, * FROM _QA_IRF WHERE AGENT_MATCH IN ('reported', 'recovered')
  UNION ALL BY NAME  -- AG2_ID's customer measures: by the interval the interaction entered
  SELECT 'entered' AS BY_, * FROM _QA_IRF_ENTERED WHERE AGENT_MATCH IN ('reported', 'recovered')
), agent AS (  -- a row for each attribution, with or without facts
  SELECT
    b.BY_,
    count(*) FILTER (CUSTOMER_DIAL_COUNT > 0 OR CUSTOMER_RING_COUNT > 0 OR CUSTOMER_TALK_COUNT > 0
                     OR CUSTOMER_HANDLE_COUNT > 0) AS OFFERED,
    count(*) FILTER (CUSTOMER_HANDLE_COUNT > 0) AS ACCEPTED,
    sum(CUSTOMER_TALK_DURATION) AS ENGAGE_TIME,
    sum(CUSTOMER_HOLD_DURATION) AS HOLD_TIME,
    sum(CUSTOMER_ACW_DURATION) AS WRAP_TIME
  FROM (VALUES ('offered'), ('entered')) AS b(BY_) LEFT JOIN agent_irf AS a USING (BY_)
  GROUP BY b.BY_
), queue AS (
  SELECT
    count(*) AS ENTERED,
    count(*) FILTER (td.TECHNICAL_RESULT_CODE = 'ABANDONED') AS ABANDONED,
    count(*) FILTER (td.TECHNICAL_RESULT_CODE = 'DIVERTED' AND t.CUSTOMER_HANDLE_COUNT > 0
                     AND t.AGENT_MATCH IN ('reported', 'recovered')) AS ACCEPTED_AGENT
  FROM _QA_MSF AS m
  JOIN TECHNICAL_DESCRIPTOR AS td USING (TECHNICAL_DESCRIPTOR_KEY)
  LEFT JOIN _QA_TARGET AS t ON t.INTERACTION_RESOURCE_ID = m.TARGET_IXN_RESOURCE_ID
), campaign AS (
  SELECT
    count(*) AS ATTEMPTS,
    count(*) FILTER (r.CALL_RESULT_TYPE = 'CONNECT') AS CONNECTS,
    coalesce(sum(c.DIAL_DURATION), 0)::BIGINT AS DIAL_TIME,
    coalesce(sum(c.ENGAGE_DURATION), 0)::BIGINT AS ENGAGE_TIME
  FROM _QA_ATTEMPT AS c LEFT JOIN CALL_RESULT AS r USING (CALL_RESULT_KEY)
), facts AS (
  SELECT f.FAMILY, u.MEASURE, u.FACT_TOTAL
  FROM (VALUES ('AGENT', 'offered'), ('AGENT_QUEUE', 'offered'), ('ID', 'entered')) AS f(FAMILY, BY_),
       (UNPIVOT agent ON COLUMNS(* EXCLUDE (BY_)) INTO NAME MEASURE VALUE FACT_TOTAL) AS u
  WHERE u.BY_ = f.BY_
  UNION ALL
  SELECT f.FAMILY, u.MEASURE, u.FACT_TOTAL
  FROM (VALUES ('QUEUE'), ('QUEUE_ABN'), ('QUEUE_ACC_AGENT')) AS f(FAMILY),
       (UNPIVOT queue ON COLUMNS(*) INTO NAME MEASURE VALUE FACT_TOTAL) AS u
  UNION ALL
  SELECT 'CAMPAIGN', u.MEASURE, u.FACT_TOTAL FROM (UNPIVOT campaign ON COLUMNS(*) INTO NAME MEASURE VALUE FACT_TOTAL) AS u
)
SELECT a.FAMILY, a.LEVEL, a.MEASURE, a.AG2_TOTAL, f.FACT_TOTAL::HUGEINT AS FACT_TOTAL, a.ROLLUP_TOTAL
FROM _QA_AG2_TOTALS AS a
LEFT JOIN facts AS f ON f.FAMILY = a.FAMILY AND f.MEASURE = a.MEASURE AND a.WITH_FACTS
ORDER BY a.FAMILY, a.MEASURE, a.LEVEL
