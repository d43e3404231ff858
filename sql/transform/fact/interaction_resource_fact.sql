-- model: interaction_resource_fact
-- layer: fact
-- runs: slice
-- target: INTERACTION_RESOURCE_FACT
-- key: INTERACTION_RESOURCE_ID
-- scope: INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_IXN_IDS)
-- ranged: true
--
-- INTERACTION_RESOURCE_FACT (one row per resource's handling attempt) of one slice's interactions: the rows of
-- interaction_resource_fact_rows, with the target the routing strategy selected (-1: routed by none).
SELECT i.*, coalesce(r.ROUTING_TARGET_KEY, -1) AS ROUTING_TARGET_KEY
FROM _T_IRF AS i LEFT JOIN _T_ROUTE_TARGET AS r ON r.IRF_ID = i.INTERACTION_RESOURCE_ID
