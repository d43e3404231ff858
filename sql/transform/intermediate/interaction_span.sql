-- model: interaction_span
-- layer: intermediate
-- runs: slice
--
-- The times one slice's interactions cover (a stuck or active one's end is not a time), for DATE_TIME.
INSERT INTO _T_SPAN SELECT min(t), max(t) FROM (
  SELECT START_TS AS t FROM _T_IF UNION ALL SELECT END_TS FROM _T_IF WHERE NOT STUCK_FLAG AND NOT ACTIVE_FLAG)
