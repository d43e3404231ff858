-- model: interaction_fact
-- layer: fact
-- runs: slice
-- target: INTERACTION_FACT
-- key: INTERACTION_ID
-- scope: INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_IXN_IDS)
-- ranged: true
--
-- INTERACTION_FACT (one row per interaction) of one slice's interactions: the rows of interaction_fact_rows.
SELECT * FROM _T_IF
