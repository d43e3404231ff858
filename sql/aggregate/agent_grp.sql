-- family: AGENT_GRP
-- source: interactions
-- grain: GROUP_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY
--
-- AG2_AGENT_GRP_SUBHR: per agent group, AG2_AGENT's measures of the agents who belonged to the group
-- when each interaction was offered to them: the agent's RESOURCE_GROUP_COMBINATION at the offer, so
-- an agent in two groups counts in both and one who moved counts where it was (RAA aggregates agents
-- along their group combination, Table-AGT_AGENT_HOUR; this is that aggregate by group); an agent in
-- none counts in No Group (-2). A group row reads every member's facts: its intervals are recomputed
-- whole, as the interactions' are.
SELECT i.DATE_TIME_KEY, c.GROUP_KEY, i.TENANT_KEY, i.MEDIA_TYPE_KEY, i.INTERACTION_TYPE_KEY,
       sum(COLUMNS('^M_(.*)$'))::BIGINT AS '\1'
FROM _AG_IRF AS i
JOIN RESOURCE_GROUP_COMBINATION AS c ON c.GROUP_COMBINATION_KEY = i.RESOURCE_GROUP_COMBINATION_KEY
WHERE i.DATE_TIME_KEY IN (SELECT DATE_TIME_KEY FROM _AG_TOUCHED WHERE SOURCE = 'interactions')
GROUP BY ALL
