-- family: QUEUE
-- source: interactions
-- grain: RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY
--
-- AG2_QUEUE_SUBHR: per queue (virtual queue, ACD queue), the interactions that entered it in each
-- interval and how their stay ended (the measures of msf_measures.sql).
SELECT DATE_TIME_KEY, RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY,
       sum(COLUMNS('^M_(.*)$'))::BIGINT AS '\1'
FROM _AG_MSF
GROUP BY ALL
