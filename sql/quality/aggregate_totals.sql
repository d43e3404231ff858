-- Each aggregate family's total of a measure at every level (_QA_AG2_TOTALS, summed by
-- etl/quality/suites.py from the families and measures the suite names), beside the same total
-- counted from the facts by MART.md's definitions, and beside the family's 15-minute total: nothing
-- is lost or counted twice by the touched-interval bookkeeping or the roll-ups. A family whose
-- measure has no fact definition here is compared between levels only.
WITH agent_irf AS (
  SELECT * FROM INTERACTION_RESOURCE_FACT WHERE AGENT_MATCH IN ('reported', 'recovered')
), agent AS (
  SELECT
    count(*) FILTER (CUSTOMER_DIAL_COUNT > 0 OR CUSTOMER_RING_COUNT > 0 OR CUSTOMER_TALK_COUNT > 0
                     OR CUSTOMER_HANDLE_COUNT > 0) AS OFFERED,
    count(*) FILTER (CUSTOMER_HANDLE_COUNT > 0) AS ACCEPTED,
    sum(CUSTOMER_TALK_DURATION) AS ENGAGE_TIME,
    sum(CUSTOMER_HOLD_DURATION) AS HOLD_TIME,
    sum(CUSTOMER_ACW_DURATION) AS WRAP_TIME
  FROM agent_irf
), queue AS (
  SELECT
    count(*) AS ENTERED,
    count(*) FILTER (td.TECHNICAL_RESULT_CODE = 'ABANDONED') AS ABANDONED,
    count(*) FILTER (td.TECHNICAL_RESULT_CODE = 'DIVERTED' AND t.CUSTOMER_HANDLE_COUNT > 0
                     AND t.AGENT_MATCH IN ('reported', 'recovered')) AS ACCEPTED_AGENT
  FROM MEDIATION_SEGMENT_FACT AS m
  JOIN TECHNICAL_DESCRIPTOR AS td USING (TECHNICAL_DESCRIPTOR_KEY)
  LEFT JOIN INTERACTION_RESOURCE_FACT AS t ON t.INTERACTION_RESOURCE_ID = m.TARGET_IXN_RESOURCE_ID
), facts AS (
  SELECT f.FAMILY, u.MEASURE, u.FACT_TOTAL
  FROM (VALUES ('AGENT'), ('AGENT_QUEUE'), ('ID')) AS f(FAMILY),
       (UNPIVOT agent ON COLUMNS(*) INTO NAME MEASURE VALUE FACT_TOTAL) AS u
  UNION ALL
  SELECT f.FAMILY, u.MEASURE, u.FACT_TOTAL
  FROM (VALUES ('QUEUE'), ('QUEUE_ABN'), ('QUEUE_ACC_AGENT')) AS f(FAMILY),
       (UNPIVOT queue ON COLUMNS(*) INTO NAME MEASURE VALUE FACT_TOTAL) AS u
)
SELECT a.FAMILY, a.LEVEL, a.MEASURE, a.AG2_TOTAL, f.FACT_TOTAL::HUGEINT AS FACT_TOTAL, s.AG2_TOTAL AS SUBHR_TOTAL
FROM _QA_AG2_TOTALS AS a
JOIN _QA_AG2_TOTALS AS s ON s.FAMILY = a.FAMILY AND s.MEASURE = a.MEASURE AND s.LEVEL = 'SUBHR'
LEFT JOIN facts AS f ON f.FAMILY = a.FAMILY AND f.MEASURE = a.MEASURE
ORDER BY a.FAMILY, a.MEASURE, a.LEVEL
