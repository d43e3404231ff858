-- model: ixn_resource_state_fact
-- layer: fact
-- runs: slice
-- target: IXN_RESOURCE_STATE_FACT
-- key: IXN_RESOURCE_STATE_FACT_KEY
-- scope: INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_IXN_IDS)
-- ranged: true
--
-- IXN_RESOURCE_STATE_FACT of one slice's interactions: the rows of resource_state_rows.
SELECT * FROM _T_IXN_STATE
