-- model: interaction_slices
-- layer: scope
-- target: _T_IXN_ALL
--
-- The interactions in scope (_T_IXN_SCOPE) cut into slices of $slice_size, in order of
-- their first call's start: the transform builds one slice at a time, so its memory follows the
-- slice, not the backlog. Neighbours in time share a slice (the parties an after-call-work state may
-- belong to, the agent's states ACW is read from). START_TS, the first call's (found by the scope,
-- interactions.sql), bounds the GIDB rows a slice reads (in_ixn_time): SLICE_FROM_TS, the slice's
-- earliest less $bound_slack_s, is the $ixn_from the runner gives the slice's models (0, every row
-- read, where one of the slice's interactions has no known start).
SELECT *, CASE WHEN count(*) OVER s = count(START_TS) OVER s THEN coalesce(min(START_TS) OVER s - $bound_slack_s, 0)
               ELSE 0 END AS SLICE_FROM_TS
FROM (
SELECT ROOT, INTERACTION_ID, START_TS,
  (row_number() OVER (ORDER BY START_TS NULLS LAST, ROOT) - 1) // $slice_size AS SLICE
FROM _T_IXN_SCOPE
) WINDOW s AS (PARTITION BY SLICE)
