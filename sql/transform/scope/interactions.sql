-- model: interactions
-- layer: scope
-- target: _T_IXN_SCOPE
--
-- Interactions whose facts this cycle rebuilds (root CALLIDs, found by interaction_roots.sql). START_TS
-- is the root's earliest plausible call start (NULL: none), which bounds what its slice reads: for a root
-- found up a chain, its calls are read from the least run of the IRs that continue it on (every GIDB row
-- of an interaction carries the run that staged it; runs are appended in order). That run is read from a
-- table of its own, not a CTE: with the roots' count known, DuckDB takes the run as a filter of the
-- GIDB_G_CALL scan whatever join order it picks (tests/transform/test_scope.py).
SELECT r.ROOT, idb_key(r.ROOT) AS INTERACTION_ID, coalesce(r.START_TS, a.START_TS) AS START_TS
FROM _T_IXN_ROOTS AS r
LEFT JOIN (
  SELECT ENTITY_KEY AS ROOT, min(CREATED_TS) FILTER (plausible_ts(CREATED_TS)) AS START_TS FROM GIDB_G_CALL
  WHERE EXTRACT_RUN_ID >= bound_from((SELECT min(RUN_ID) FROM _T_IXN_ROOTS))
    AND ENTITY_KEY IN (SELECT ROOT FROM _T_IXN_ROOTS WHERE RUN_ID IS NOT NULL)
  GROUP BY ENTITY_KEY
) AS a USING (ROOT)
