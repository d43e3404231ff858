-- model: interaction_resource_fact
-- layer: fact
-- runs: slice
-- target: INTERACTION_RESOURCE_FACT
-- key: INTERACTION_RESOURCE_ID
-- scope: INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_IXN_IDS)
-- ranged: true
--
-- INTERACTION_RESOURCE_FACT (one row per resource's handling attempt) of one slice's interactions: the rows of interaction_resource_fact_rows.
SELECT * FROM _T_IRF
