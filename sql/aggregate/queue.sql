-- family: QUEUE
-- source: interactions
-- grain: RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY, USER_DATA_KEY1, USER_DATA_KEY2
--
-- AG2_QUEUE_SUBHR: per queue (virtual queue, ACD queue), the interactions that entered it in each
-- interval and how their stay ended (the measures of msf_measures.sql); by RAA's custom user-data
-- dimensions USER_DATA_KEY1/2 too (etl.aggregate_user_data_dims; -1: none).
SELECT DATE_TIME_KEY, RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY, USER_DATA_KEY1, USER_DATA_KEY2,
       sum(COLUMNS('^M_(.*)$'))::BIGINT AS '\1'
FROM _AG_MSF
GROUP BY ALL
