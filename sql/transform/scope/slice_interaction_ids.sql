-- model: slice_interaction_ids
-- layer: scope
-- runs: slice
-- target: _T_IXN_IDS
--
-- The interactions whose facts one slice rebuilds: its own, and those its own-IR consultations made
-- before their main call was loaded (an interaction of its own then; one IRF of the main call's now).
SELECT INTERACTION_ID FROM _T_IXN
UNION ALL SELECT idb_key(ENTITY_KEY) FROM _T_IXN_ENTITY WHERE ENTITY_KEY <> ROOT
