-- The HA choice: entities taken from each member of each HA set, by reason (CTL_HA_DECISION).
SELECT HA_SET, SOURCE_NAME, REASON, count(*)::BIGINT AS ENTITIES
FROM CTL_HA_DECISION
GROUP BY ALL
ORDER BY 1, 2, 4 DESC, 3
