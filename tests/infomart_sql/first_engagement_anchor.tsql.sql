-- dialect: tsql
-- follows: the agent group feed's first-engagement flag (BLCKHWK60/SQL_Repository,
--   Nike_Agent_Group_Query_BI_Feed.sql: ANCHOR_FLAGS.FIRST_ENGAGE_FOR_AGENT_IXN)
-- missing: ANCHOR_FLAGS is not built yet (idbmart's IRF_ANCHOR marks the interaction's first handling
--   resource; Info Mart's per-agent first-engagement flags are left for a later change)
SELECT irf.INTERACTION_RESOURCE_ID, af.FIRST_ENGAGE_FOR_AGENT_IXN
FROM INTERACTION_RESOURCE_FACT irf
LEFT OUTER JOIN ANCHOR_FLAGS af ON irf.ANCHOR_FLAGS_KEY = af.ANCHOR_FLAGS_KEY
