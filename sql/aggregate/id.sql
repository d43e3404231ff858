-- AG2_ID_SUBHR: the agent measures per interaction descriptor (customer segment, service type,
-- service subtype, business result from user data), so business views add up to the agent views.
SELECT DATE_TIME_KEY, INTERACTION_DESCRIPTOR_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY,
       sum(COLUMNS('^M_(.*)$'))::BIGINT AS '\1'
FROM _AG_IRF
GROUP BY ALL
