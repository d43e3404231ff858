-- family: AGENT_QUEUE
-- source: agents
-- grain: RESOURCE_KEY, QUEUE_RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY
--
-- AG2_AGENT_QUEUE_SUBHR: the agent measures per agent and the queue that delivered the interaction
-- (its last virtual queue, else the ACD queue that distributed it; -1 for none).
SELECT DATE_TIME_KEY, RESOURCE_KEY, QUEUE_RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY,
       sum(COLUMNS('^M_(.*)$'))::BIGINT AS '\1'
FROM _AG_IRF
WHERE (DATE_TIME_KEY, RESOURCE_KEY) IN (SELECT DATE_TIME_KEY, RESOURCE_KEY FROM _AG_TOUCHED WHERE SOURCE = 'agents')
GROUP BY ALL
