-- The interactions in scope (_T_IXN_SCOPE) cut into slices of getvariable('slice_size'), in order of
-- their first call's start: the transform builds one slice at a time, so its memory follows the
-- slice, not the backlog. Neighbours in time share a slice (the parties an after-call-work state may
-- belong to, the agent's states ACW is read from). START_TS, the first call's, bounds the GIDB rows a
-- slice reads (in_ixn_time).
SELECT i.ROOT, i.INTERACTION_ID, c.START_TS,
  (row_number() OVER (ORDER BY c.START_TS NULLS LAST, i.ROOT) - 1) // getvariable('slice_size') AS SLICE
FROM _T_IXN_SCOPE AS i
LEFT JOIN (
  SELECT ENTITY_KEY, min(CREATED_TS) FILTER (plausible_ts(CREATED_TS)) AS START_TS FROM GIDB_G_CALL
  WHERE ENTITY_KEY IN (SELECT ROOT FROM _T_IXN_SCOPE) GROUP BY ENTITY_KEY
) AS c ON c.ENTITY_KEY = i.ROOT
