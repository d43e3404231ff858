-- family: AGENT
-- source: agents
-- grain: RESOURCE_KEY, RESOURCE_GROUP_COMBINATION_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY, USER_DATA_KEY1,
--   USER_DATA_KEY2
--
-- AG2_AGENT_SUBHR: per agent, the interactions offered to them in each interval (MART.md):
-- OFFERED = customer dial, ring, talk or handle; ACCEPTED = handled; ENGAGE = interactions engaged
-- (an agent's first attempt of each in which it talked, ANCHOR_FLAGS); ENGAGE_TIME = customer talk;
-- HOLD_TIME = customer hold; WRAP_TIME = customer after-call work; INVITE = rings and dials. Also by the
-- agent groups the agent belonged to when offered (RESOURCE_GROUP_COMBINATION_KEY, -2: none), as RAA
-- aggregates agents (Table-AGT_AGENT_HOUR), and by RAA's custom user-data dimensions USER_DATA_KEY1/2
-- (etl.aggregate_user_data_dims; -1: none).
SELECT DATE_TIME_KEY, RESOURCE_KEY, RESOURCE_GROUP_COMBINATION_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY,
       USER_DATA_KEY1, USER_DATA_KEY2,
       sum(COLUMNS('^M_(.*)$'))::BIGINT AS '\1'
FROM _AG_IRF
WHERE (DATE_TIME_KEY, RESOURCE_KEY) IN (SELECT DATE_TIME_KEY, RESOURCE_KEY FROM _AG_TOUCHED WHERE SOURCE = 'agents')
GROUP BY ALL
