-- family: QUEUE_GRP
-- source: interactions
-- grain: GROUP_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY
--
-- AG2_QUEUE_GRP_SUBHR: per queue group (a DN group), AG2_QUEUE's measures of the stays in its queues,
-- each stay in every group its queue belonged to when it entered (MEDIATION_SEGMENT_FACT's
-- RESOURCE_GROUP_COMBINATION_KEY; RAA aggregates queues along it, Table-AGT_QUEUE_ABN_HOUR): a queue in
-- two groups counts in both; a queue in none, in No Group (-2).
SELECT q.DATE_TIME_KEY, c.GROUP_KEY, q.TENANT_KEY, q.MEDIA_TYPE_KEY, q.INTERACTION_TYPE_KEY,
       sum(COLUMNS('^M_(.*)$'))::BIGINT AS '\1'
FROM _AG_MSF AS q
JOIN RESOURCE_GROUP_COMBINATION AS c ON c.GROUP_COMBINATION_KEY = q.RESOURCE_GROUP_COMBINATION_KEY
GROUP BY ALL
